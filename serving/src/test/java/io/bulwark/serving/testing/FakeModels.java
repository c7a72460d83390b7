package io.bulwark.serving.testing;

import io.bulwark.avro.ModelPayload;
import io.bulwark.avro.ModelSnapshot;
import io.bulwark.avro.RobustnessReport;
import io.bulwark.serving.model.ModelClosedException;
import io.bulwark.serving.model.Scored;
import io.bulwark.serving.model.ScoringModel;
import io.bulwark.serving.model.SnapshotLoader;
import io.bulwark.serving.model.SnapshotRejectedException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Deterministic keyword models for API tests: a text containing "spam" is spam; a snapshot whose payload says
 * "inverted" answers the opposite, so two versions can be told apart. Payload "corrupt" or a format version other
 * than 1 is refused like a bad snapshot.
 */
public final class FakeModels {

    private FakeModels() {}

    /** A loader of fake snapshots; counts the models it opened and closed. */
    public static final class Loader implements SnapshotLoader {
        public final AtomicInteger opened = new AtomicInteger();
        public final AtomicInteger closed = new AtomicInteger();

        @Override
        public ScoringModel load(ModelSnapshot snapshot) throws SnapshotRejectedException {
            ModelPayload p = snapshot.getPayload();
            if (p.getFormatVersion() != 1) {
                throw new SnapshotRejectedException("format", "unknown parameter format version " + p.getFormatVersion(), null);
            }
            String body = StandardCharsets.UTF_8.decode(p.getBytes().duplicate()).toString();
            if (body.equals("corrupt")) {
                throw new SnapshotRejectedException("format", "checksum mismatch: payload is corrupt", null);
            }
            opened.incrementAndGet();
            return new Keyword(body.equals("inverted"), closed);
        }
    }

    /** The keyword model. */
    public static final class Keyword implements ScoringModel {
        private final boolean inverted;
        private final AtomicInteger closedCounter;
        private volatile boolean closed;

        Keyword(boolean inverted, AtomicInteger closedCounter) {
            this.inverted = inverted;
            this.closedCounter = closedCounter;
        }

        @Override
        public List<String> labels() {
            return List.of("ham", "spam");
        }

        @Override
        public List<Scored> predict(List<String> texts) {
            if (closed) {
                throw new ModelClosedException("closed");
            }
            List<Scored> out = new ArrayList<>();
            for (String t : texts) {
                boolean spam = t.toLowerCase(Locale.ROOT).contains("spam") ^ inverted;
                out.add(new Scored(spam ? "spam" : "ham", spam ? new float[] {0.1f, 0.9f} : new float[] {0.8f, 0.2f}));
            }
            return out;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                closedCounter.incrementAndGet();
            }
        }
    }

    /** A snapshot record whose payload is {@code payload} ("normal", "inverted", "corrupt"). */
    public static ModelSnapshot snapshot(String modelId, long version, String payload) {
        return snapshot(modelId, version, payload, 1);
    }

    /** A snapshot record with an explicit payload format version. */
    public static ModelSnapshot snapshot(String modelId, long version, String payload, int formatVersion) {
        return ModelSnapshot.newBuilder()
                .setModelId(modelId)
                .setVersion(version)
                .setParentVersion(version > 1 ? version - 1 : null)
                .setCreatedAt(Instant.now())
                .setExamplesSeen(version * 100)
                .setBatchesSeen(version * 10)
                .setSeed(1)
                .setLabels(List.of("ham", "spam"))
                .setPayload(ModelPayload.newBuilder().setFormatVersion(formatVersion).setChecksum("crc32c:0")
                        .setBytes(ByteBuffer.wrap(payload.getBytes(StandardCharsets.UTF_8))).build())
                .build();
    }

    /** A robustness report with the given accuracies. */
    public static RobustnessReport report(String modelId, long version, double clean, double robust) {
        Instant now = Instant.now();
        return RobustnessReport.newBuilder()
                .setModelId(modelId)
                .setVersion(version)
                .setCreatedAt(now)
                .setWindowStart(now.minusSeconds(60))
                .setWindowEnd(now)
                .setWindowSize(200)
                .setCleanAccuracy(clean)
                .setRobustAccuracy(robust)
                .setAttack("pgd-10-linf-eps0.05-r1")
                .setLoss(0.4)
                .setDeltaNorm(0.05)
                .setTeacherDriftKl(0.01 * version)
                .setPreviousDriftKl(null)
                .setPrequentialAccuracy(clean - 0.02)
                .setSkippedBatches(0)
                .setExamplesPerSecond(500 + version)
                .build();
    }
}
