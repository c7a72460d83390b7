package io.bulwark.cli.job;

import io.bulwark.avro.LabeledText;
import io.bulwark.cli.local.EmbeddedStack;
import io.bulwark.cli.local.RunSummary;
import io.bulwark.cli.local.TopicLayout;
import io.bulwark.cli.testutil.JobRuns;
import io.bulwark.cli.testutil.SharedStack;
import io.bulwark.job.JobOptions;
import io.bulwark.job.metrics.InProcessMetrics;
import io.bulwark.job.testutil.InputFuzzer;
import io.bulwark.kafka.serde.AvroRegistryCodec;
import io.bulwark.kafka.serde.RegistryConfig;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A stream of fuzzed records mixed with good ones never fails the job, and every record is accounted for exactly:
 * trained + held out + unlabeled + dead letters = produced.
 */
class FuzzedInputITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = JobRuns.miniCluster();

    @Test
    void fuzzedRecordsNeverFailTheJobAndTheCountsAddUp() throws Exception {
        EmbeddedStack stack = SharedStack.get();
        Configuration conf = JobRuns.jobConfig(stack, "fuzzed");
        conf.set(JobOptions.HELD_OUT_FRACTION, 0.1);
        TopicLayout layout = JobRuns.createTopics(stack, conf, 1);
        RegistryConfig registry = RegistryConfig.builder().setUrl(stack.registryUrl()).build();
        List<InputFuzzer.Fuzzed> records;
        try (AvroRegistryCodec<LabeledText> codec = AvroRegistryCodec.forClass(LabeledText.class, registry)) {
            records = new InputFuzzer(42, e -> codec.encode(layout.input(), e)).generate(300, 0.5);
        }
        try (KafkaProducer<byte[], byte[]> producer = JobRuns.producer(stack)) {
            for (InputFuzzer.Fuzzed f : records) {
                producer.send(new ProducerRecord<>(layout.input(), null, f.value())).get();
            }
        }
        long good = records.stream().filter(InputFuzzer.Fuzzed::good).count();

        JobRuns.runBounded(conf, Duration.ofMinutes(3));

        String job = conf.get(JobOptions.JOB_NAME);
        assertThat(InProcessMetrics.sum(job, "numRestarts")).as("job restarts").isZero();
        RunSummary s = JobRuns.summary(stack, conf);
        long trained = s.eventsTrained();
        long heldOut = s.eventsHeldOut();
        long unlabeled = s.eventsUnlabeled();
        long dead = s.deadLetterCount();
        assertThat(trained + heldOut + unlabeled + dead)
                .as("trained %d + held out %d + unlabeled %d + dead letters %d %s = produced %d", trained, heldOut,
                        unlabeled, dead, s.deadLettersByReason(), records.size())
                .isEqualTo(records.size());
        assertThat(trained + heldOut).isGreaterThanOrEqualTo(good);
        assertThat(s.deadLettersByReason()).containsKeys("UNDECODABLE", "BAD_WEIGHT", "EMPTY_TEXT");
    }
}
