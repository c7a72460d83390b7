package io.bulwark.model.snapshot;

import io.bulwark.model.learner.Snapshots;
import io.bulwark.model.learner.Learner;
import io.bulwark.model.LearnerConfig;
import io.bulwark.model.SyntheticData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Writes the format fixtures under src/test/resources/fixtures. Run once per new format version (the old files stay):
 * {@code java -cp ... io.bulwark.model.snapshot.FixtureWriter model/src/test/resources/fixtures}.
 */
public final class FixtureWriter {

    static final List<String> PROBES = List.of("cheap viagra lottery now", "project meeting report", "w1 casino", "");

    private FixtureWriter() {}

    static String format(float[][] logits) {
        StringBuilder sb = new StringBuilder();
        for (float[] row : logits) {
            for (float v : row) {
                sb.append(String.format(Locale.ROOT, "%08x ", Float.floatToRawIntBits(v)));
            }
            sb.append('\n');
        }
        return sb.toString().trim();
    }

    /**
     * Writes checkpoint-v1.bin, payload-v1.bin and expected-logits-v1.txt into the directory {@code args[0]}; with a
     * second argument {@code snapshot-file}, writes only snapshot-file-v1.avro, the model of checkpoint-v1.bin as a
     * snapshot file.
     */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        Files.createDirectories(dir);
        if (args.length > 1 && args[1].equals("snapshot-file")) {
            try (Learner learner = Learner.restore(Files.readAllBytes(dir.resolve("checkpoint-v1.bin")), "cpu")) {
                SnapshotFiles.write(dir.resolve("snapshot-file-v1.avro"),
                        Snapshots.toAvro(learner, "fixture", 1, null, List.of(), java.util.Map.of()));
            }
            return;
        }
        LearnerConfig config = SyntheticData.small().optBuckets(256).optCharNgrams(3).optLabels(List.of("ham", "spam"))
                .optBregmanWeight(1.0).build();
        try (Learner learner = Learner.create(config)) {
            var data = SyntheticData.keywordTask(48, 8);
            for (int i = 0; i < data.size(); i += 16) {
                learner.train(data.subList(i, i + 16));
            }
            Files.write(dir.resolve("checkpoint-v1.bin"), learner.checkpoint());
            Files.write(dir.resolve("payload-v1.bin"), SnapshotTest.bytes(learner.exportParameters()));
            Files.writeString(dir.resolve("expected-logits-v1.txt"), format(learner.logits(PROBES)) + "\n",
                    StandardCharsets.UTF_8);
        }
    }
}
