package io.bulwark.model.snapshot;

import io.bulwark.model.learner.Snapshots;
import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.avro.ModelSnapshot;
import io.bulwark.model.learner.Learner;
import io.bulwark.model.LearnerConfig;
import io.bulwark.model.SyntheticData;
import io.bulwark.model.encoding.Normalization;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Models saved before {@code encoder.normalization} existed keep encoding text the old (BASIC) way. */
class NormalizationCompatibilityTest {

    private static final List<String> OBFUSCATED = List.of("cheap v1agra f.r.e.e", "саsh l0tt3ry", "project meeting");

    @Test
    void committedCheckpointWithoutTheKeyRestoresAsBasic() throws IOException {
        byte[] checkpoint;
        try (InputStream in = getClass().getResourceAsStream("/fixtures/checkpoint-v1.bin")) {
            checkpoint = in.readAllBytes();
        }
        assertThat(CheckpointFormat.decode(checkpoint).config()).doesNotContainKey("encoder.normalization");
        try (Learner restored = Learner.restore(checkpoint, "cpu")) {
            assertThat(restored.config().normalization()).isEqualTo(Normalization.BASIC);
        }
    }

    @Test
    void snapshotWithoutTheKeyEncodesLikeBasicAndNotLikeDeobfuscate() {
        LearnerConfig config = SyntheticData.small().optBuckets(2048).optCharNgrams(3)
                .optLabels(List.of("ham", "spam")).optNormalization(Normalization.BASIC).build();
        try (Learner basic = Learner.create(config)) {
            var data = SyntheticData.keywordTask(64, 3);
            for (int i = 0; i < data.size(); i += 16) {
                basic.train(data.subList(i, i + 16));
            }
            ModelSnapshot snap = Snapshots.toAvro(basic, "m", 1L, null, List.of(), Map.of());
            Map<String, String> oldEncoder = new LinkedHashMap<>(snap.getEncoderConfig());
            assertThat(oldEncoder.remove("encoder.normalization")).isEqualTo("BASIC");
            snap.setEncoderConfig(oldEncoder);
            try (Learner old = Snapshots.fromAvro(snap, "cpu")) {
                assertThat(old.config().normalization()).isEqualTo(Normalization.BASIC);
                float[][] a = basic.logits(OBFUSCATED);
                float[][] b = old.logits(OBFUSCATED);
                for (int i = 0; i < a.length; i++) {
                    assertThat(b[i]).containsExactly(a[i]);
                }
            }
            Map<String, String> deob = new LinkedHashMap<>(oldEncoder);
            deob.put("encoder.normalization", "DEOBFUSCATE");
            snap.setEncoderConfig(deob);
            try (Learner other = Snapshots.fromAvro(snap, "cpu")) {
                assertThat(other.logits(OBFUSCATED)[0]).as("the key changes how text is encoded")
                        .isNotEqualTo(basic.logits(OBFUSCATED)[0]);
                assertThat(other.logits(OBFUSCATED)[2]).containsExactly(basic.logits(OBFUSCATED)[2]);
            }
        }
    }
}
