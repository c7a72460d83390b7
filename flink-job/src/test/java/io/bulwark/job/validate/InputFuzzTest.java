package io.bulwark.job.validate;

import io.bulwark.avro.DeadLetter;
import io.bulwark.avro.LabeledText;
import io.bulwark.job.deadletter.DeadLetterReason;
import io.bulwark.job.deadletter.Rejected;
import io.bulwark.job.source.InboundRecord;
import io.bulwark.job.source.LabeledTextDeserializer;
import io.bulwark.job.testutil.FakeSchemaRegistry;
import io.bulwark.job.testutil.InputFuzzer;
import io.bulwark.kafka.serde.AvroRegistryCodec;
import io.bulwark.kafka.serde.RegistryConfig;

import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzes the deserializer and the validator with random and mutated bytes: every record comes out exactly once,
 * either as a training event or as a dead letter with a reason and a detail, nothing throws, every good record is
 * accepted, and every dead letter can be written to its topic.
 */
class InputFuzzTest {

    private FakeSchemaRegistry registry;
    private AvroRegistryCodec<LabeledText> codec;
    private AvroRegistryCodec<DeadLetter> deadLetters;
    private LabeledTextDeserializer deserializer;

    @BeforeEach
    void start() throws IOException {
        registry = FakeSchemaRegistry.start();
        RegistryConfig config = RegistryConfig.builder().setUrl(registry.url()).build();
        codec = AvroRegistryCodec.forClass(LabeledText.class, config);
        deadLetters = AvroRegistryCodec.forClass(DeadLetter.class, config);
        deserializer = new LabeledTextDeserializer(AvroRegistryCodec.forClass(LabeledText.class, config));
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    @Test
    void everyFuzzedRecordIsAnEventOrADeadLetterWithAReason() throws Exception {
        fuzz(20_260_501L, 1_000);
    }

    @Test
    @Tag("slow")
    void aLongerFuzzRunOverManySeeds() throws Exception {
        for (long seed = 1; seed <= 20; seed++) {
            fuzz(seed, 10_000);
        }
    }

    private void fuzz(long seed, int n) throws Exception {
        List<InputFuzzer.Fuzzed> records = new InputFuzzer(seed, e -> codec.encode("in", e)).generate(n, 0.3);
        long good = records.stream().filter(InputFuzzer.Fuzzed::good).count();
        EnumSet<DeadLetterReason> seen = EnumSet.noneOf(DeadLetterReason.class);
        Map<String, Long> byKind = new TreeMap<>();
        try (OneInputStreamOperatorTestHarness<InboundRecord, TrainingEvent> h = new OneInputStreamOperatorTestHarness<>(
                new ProcessOperator<>(new EventValidator("dflt", 20_000)))) {
            h.open();
            for (int i = 0; i < records.size(); i++) {
                InputFuzzer.Fuzzed f = records.get(i);
                InboundRecord r = deserializer.decode("in", 0, i, 1_000L + i, null, f.value());
                h.processElement(new StreamRecord<>(r));
                byKind.merge(f.kind(), 1L, Long::sum);
            }
            List<TrainingEvent> events = h.extractOutputValues();
            List<Rejected> rejected = h.getSideOutput(EventValidator.DEAD_LETTERS) == null ? List.of()
                    : h.getSideOutput(EventValidator.DEAD_LETTERS).stream().map(StreamRecord::getValue).toList();
            assertThat(events.size() + rejected.size())
                    .as("seed %d: events %d + dead letters %d = records %d (%s)", seed, events.size(),
                            rejected.size(), n, byKind)
                    .isEqualTo(n);
            long[] offsets = new long[n];
            events.forEach(e -> offsets[(int) e.offset]++);
            rejected.forEach(d -> offsets[(int) d.offset]++);
            assertThat(Arrays.stream(offsets).allMatch(c -> c == 1)).as("each record comes out exactly once").isTrue();
            for (int i = 0; i < n; i++) {
                if (records.get(i).good()) {
                    int offset = i;
                    assertThat(events).as("good record %d is accepted", i).anyMatch(e -> e.offset == offset);
                }
            }
            assertThat(events.size()).isGreaterThanOrEqualTo((int) good);
            for (Rejected d : rejected) {
                seen.add(DeadLetterReason.valueOf(d.reason));
                assertThat(d.detail).as("detail of %s", d).isNotBlank();
                byte[] letter = deadLetters.encode("dead", d.toAvro());
                assertThat(letter.length).as("dead letter of %s fits 1 MiB", d).isLessThan(1 << 20);
            }
            for (TrainingEvent e : events) {
                assertThat(EventValidator.problem(e.text, e.weight, 20_000)).isNull();
            }
        }
        assertThat(seen).as("reasons met by seed %d", seed).contains(DeadLetterReason.UNDECODABLE,
                DeadLetterReason.EMPTY_TEXT, DeadLetterReason.BAD_WEIGHT, DeadLetterReason.TEXT_TOO_LONG);
    }
}
