package io.bulwark.job;

import io.bulwark.model.LearnerConfig;

import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobOptionsTest {

    private static Configuration valid() {
        return BulwarkJob.configurationFromArgs(new String[] {
            "--bootstrap-servers", "k:9092", "--registry.url", "http://r:8081"});
    }

    @Test
    void everyOptionHasADescriptionAndTheMinimalConfigIsValid() {
        JobOptions.validate(valid());
        assertThat(JobOptions.all()).contains(JobOptions.BOOTSTRAP_SERVERS, JobOptions.REGISTRY_URL,
                        JobOptions.CHECKPOINT_INTERVAL, JobOptions.FAIL_AFTER_BATCHES)
                .allSatisfy(o -> assertThat(o.description().toString()).isNotBlank());
    }

    @Test
    void reportsEveryProblemAtOnce() {
        Configuration c = BulwarkJob.configurationFromArgs(new String[] {
            "--batch.size", "0", "--heldout.fraction", "1.5", "--sink.transaction-timeout", "1h",
            "--registry.url", "localhost:8081", "--device", "tpu", "--learner.strategy.steps", "0",
            "--learner.strategy.epsilon", "wide", "--learner.encoder.typo", "1"});
        assertThatThrownBy(() -> JobOptions.validate(c))
                .hasMessageContaining("--bootstrap-servers is required")
                .hasMessageContaining("--batch.size must be > 0")
                .hasMessageContaining("--heldout.fraction must be in [0, 1)")
                .hasMessageContaining("--sink.transaction-timeout must be in (0, 15 min]")
                .hasMessageContaining("--registry.url must start with http")
                .hasMessageContaining("--device must be auto, cpu, gpu or gpu:N")
                .hasMessageContaining("learner settings (--learner.*): strategy.steps must be in [1, 1000], got 0")
                .hasMessageContaining("Invalid value 'wide' for strategy.epsilon")
                .hasMessageContaining("unknown learner configuration key 'encoder.typo'");
        Configuration unparsable = valid();
        unparsable.setString("batch.size", "many");
        assertThatThrownBy(() -> JobOptions.validate(unparsable)).hasMessageContaining("cannot be parsed");
    }

    @Test
    void passesKafkaAndLearnerSettingsThrough() {
        Configuration c = valid();
        c.setString("kafka.security.protocol", "SASL_SSL");
        c.setString("kafka.sasl.mechanism", "PLAIN");
        c.setString("learner.strategy.type", "FREELB");
        c.setString("learner.encoder.buckets", "4096");
        c.setString("labels", "ham;spam");
        Properties producer = BulwarkJob.producerProperties(c);
        assertThat(producer).containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "PLAIN")
                .containsEntry("transaction.timeout.ms", "900000").containsEntry("max.request.size", "33554432");
        assertThat(Long.parseLong(producer.getProperty("buffer.memory"))).isGreaterThanOrEqualTo(2L * 33554432);
        LearnerConfig learner = BulwarkJob.learnerConfig(c);
        assertThat(learner.strategy()).isEqualTo(LearnerConfig.StrategyType.FREELB);
        assertThat(learner.buckets()).isEqualTo(4096);
        assertThat(learner.labels()).isEqualTo(List.of("ham", "spam"));
        c.setString("learner.no.such.key", "1");
        assertThatThrownBy(() -> BulwarkJob.learnerConfig(c)).hasMessageContaining("no.such.key");
    }
}
