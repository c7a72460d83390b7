package io.bulwark.job.validate;

import io.bulwark.job.deadletter.Rejected;
import io.bulwark.job.source.InboundRecord;

import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventValidatorTest {

    private static InboundRecord record(long offset, String text, String label, Float weight, String modelKey) {
        InboundRecord r = new InboundRecord();
        r.topic = "in";
        r.partition = 1;
        r.offset = offset;
        r.key = new byte[] {1};
        r.value = new byte[] {2, (byte) offset};
        r.id = "e" + offset;
        r.text = text;
        r.label = label;
        r.weight = weight;
        r.modelKey = modelKey;
        r.eventTime = 1000 + offset;
        return r;
    }

    @Test
    void goodRecordsPassAndBadOnesAreDeadLetteredWithTheirReasonAndBytes() throws Exception {
        InboundRecord undecodable = new InboundRecord();
        undecodable.topic = "in";
        undecodable.offset = 9;
        undecodable.value = new byte[] {7, 7};
        undecodable.failureReason = "UNKNOWN_SCHEMA";
        undecodable.failureDetail = "schema id 77 is not in the registry";

        try (OneInputStreamOperatorTestHarness<InboundRecord, TrainingEvent> h =
                     new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(new EventValidator("dflt", 10)))) {
            h.open();
            h.processElement(new StreamRecord<>(record(0, "hello", "ham", null, null)));
            h.processElement(new StreamRecord<>(record(1, "hi", "", 2f, "tenant-a")));
            h.processElement(new StreamRecord<>(record(2, null, "ham", null, null)));
            h.processElement(new StreamRecord<>(record(3, " \t", "ham", null, null)));
            h.processElement(new StreamRecord<>(record(4, "12345678901", "ham", null, null)));
            h.processElement(new StreamRecord<>(record(5, "ok", "ham", Float.NaN, null)));
            h.processElement(new StreamRecord<>(record(6, "ok", "ham", -0.5f, null)));
            h.processElement(new StreamRecord<>(record(7, "ok", "ham", Float.NEGATIVE_INFINITY, null)));
            h.processElement(new StreamRecord<>(undecodable));

            List<TrainingEvent> good = h.extractOutputValues();
            assertThat(good).extracting(e -> e.modelId).containsExactly("dflt", "tenant-a");
            assertThat(good.get(0).weight).isEqualTo(1f);
            assertThat(good.get(1).label).as("empty label means unlabeled").isNull();
            assertThat(good.get(1).weight).isEqualTo(2f);

            List<Rejected> dead = h.getSideOutput(EventValidator.DEAD_LETTERS).stream()
                    .map(StreamRecord::getValue).collect(Collectors.toList());
            assertThat(dead).extracting(r -> r.reason).containsExactly("MISSING_TEXT", "EMPTY_TEXT",
                    "TEXT_TOO_LONG", "BAD_WEIGHT", "BAD_WEIGHT", "BAD_WEIGHT", "UNKNOWN_SCHEMA");
            assertThat(dead).extracting(r -> r.offset).containsExactly(2L, 3L, 4L, 5L, 6L, 7L, 9L);
            assertThat(dead.get(2).detail).contains("11 chars").contains("limit of 10");
            assertThat(dead.get(0).value).isEqualTo(new byte[] {2, 2});
            assertThat(dead.get(6).detail).contains("schema id 77");
            assertThat(dead.get(6).toAvro().getValue().array()).isEqualTo(new byte[] {7, 7});
        }
    }

    @Test
    void rejectsAMissingDefaultModelId() {
        assertThatThrownBy(() -> new EventValidator(" ", 10)).hasMessageContaining("default model id");
        assertThatThrownBy(() -> new EventValidator("m", 0)).hasMessageContaining("Max text length");
    }
}
