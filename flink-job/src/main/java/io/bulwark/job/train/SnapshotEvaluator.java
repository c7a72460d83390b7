package io.bulwark.job.train;

import io.bulwark.avro.AttackResult;
import io.bulwark.avro.ModelSnapshot;
import io.bulwark.avro.RobustnessReport;
import io.bulwark.job.sink.Publication;
import io.bulwark.kafka.serde.AvroRegistryCodec;
import io.bulwark.model.Evaluation;
import io.bulwark.model.Example;
import io.bulwark.model.PgdAttack;
import io.bulwark.model.attack.AttackMetrics;
import io.bulwark.model.attack.AttackSuite;
import io.bulwark.model.attack.GoodWords;
import io.bulwark.model.attack.Victim;
import io.bulwark.model.learner.Learner;
import io.bulwark.model.learner.Snapshots;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.function.ToDoubleFunction;

/**
 * Turns a captured version ({@link EvaluationRequest}) into what the job publishes: the {@link ModelSnapshot} (to
 * the versions topic and the compacted latest topic, its metrics completed with the evaluation's) and its
 * {@link RobustnessReport}. The evaluation runs on a learner loaded from the snapshot, never on the training
 * learner: clean accuracy and embedding-space PGD on the held-out window, the teacher drift, the drift KL to the
 * previous version, and the realistic attack suite when {@code eval.attack-texts > 0}.
 *
 * <p>Learner calls take {@link DjlLock}, in pieces of at most {@value #EXAMPLES_PER_LOCK} held-out examples, so a
 * training thread waiting for the lock waits for one piece, not for a whole evaluation. (The attack suite runs in one
 * piece.) The learner of the latest evaluated version is kept per model: it is the previous version of the next one.
 * Used from one thread at a time.
 */
final class SnapshotEvaluator implements AutoCloseable {

    // Logs as the operator, whose logger names the model lifecycle in log configurations and tests.
    private static final Logger LOG = LoggerFactory.getLogger(TrainingOperator.class);

    /** Snapshot metric: clean held-out accuracy (NaN when not evaluated). */
    static final String CLEAN_ACCURACY = "cleanAccuracy";
    /** Snapshot metric: robust held-out accuracy (NaN when not evaluated). */
    static final String ROBUST_ACCURACY = "robustAccuracy";
    /** Snapshot metric: held-out examples evaluated. */
    static final String HELD_OUT_WINDOW = "heldOutWindow";
    /** Held-out examples evaluated per hold of {@link DjlLock}. */
    static final int EXAMPLES_PER_LOCK = 32;

    /** The records of one version and what its evaluation found. */
    record Result(EvaluationRequest request, List<Publication> publications, double cleanAccuracy,
                  double robustAccuracy) {}

    private final PgdAttack attack;
    private final int attackTexts;
    private final String device;
    private final String snapshotsTopic;
    private final String latestTopic;
    private final String reportsTopic;
    private final AvroRegistryCodec<ModelSnapshot> snapshotCodec;
    private final AvroRegistryCodec<RobustnessReport> reportCodec;
    private final Map<String, Kept> latestCopy = new HashMap<>();

    /** The learner of a model's latest evaluated version. */
    private record Kept(long version, Learner learner) {}

    SnapshotEvaluator(TrainerSettings settings, PgdAttack attack, String device) {
        this.attack = attack;
        this.attackTexts = settings.attackTexts();
        this.device = device;
        this.snapshotsTopic = settings.snapshotsTopic();
        this.latestTopic = settings.latestTopic();
        this.reportsTopic = settings.reportsTopic();
        this.snapshotCodec = AvroRegistryCodec.forClass(ModelSnapshot.class, settings.registry());
        this.reportCodec = AvroRegistryCodec.forClass(RobustnessReport.class, settings.registry());
    }

    /** Evaluates the request's version (if asked) and encodes its records, in publication order. */
    Result evaluate(EvaluationRequest r) {
        double clean = Double.NaN;
        double robust = Double.NaN;
        double teacherDrift = Double.NaN;
        Double previousDrift = null;
        Map<String, AttackResult> attacks = new LinkedHashMap<>();
        int evaluated = 0;
        if (r.evaluate && !r.window.isEmpty()) {
            Learner copy = DjlLock.locked(() -> Snapshots.fromAvro(r.snapshot, device));
            try {
                List<Evaluation> parts = new ArrayList<>();
                double teacherSum = 0;
                for (List<Example> piece : pieces(r.window)) {
                    checkInterrupted();
                    parts.add(DjlLock.locked(() -> copy.evaluate(piece, attack)));
                    teacherSum += piece.size() * DjlLock.locked(() -> copy.teacherDriftKl(piece));
                }
                clean = mean(parts, Evaluation::cleanAccuracy);
                robust = attack == null ? Double.NaN : mean(parts, Evaluation::robustAccuracy);
                teacherDrift = teacherSum / r.window.size();
                previousDrift = driftToPrevious(r, copy);
                attacks = attackSuite(copy, r.window, r.version);
                evaluated = r.window.size();
            } finally {
                Kept replaced = latestCopy.put(r.modelId, new Kept(r.version, copy));
                if (replaced != null) {
                    DjlLock.locked(replaced.learner::close);
                }
            }
        }

        Map<String, Double> metrics = new LinkedHashMap<>(r.snapshot.getMetrics());
        metrics.put(CLEAN_ACCURACY, clean);
        metrics.put(ROBUST_ACCURACY, robust);
        metrics.put(HELD_OUT_WINDOW, (double) evaluated);
        ModelSnapshot snapshot = withMetrics(r.snapshot, metrics);
        RobustnessReport report = RobustnessReport.newBuilder()
                .setModelId(r.modelId)
                .setVersion(r.version)
                .setCreatedAt(Instant.ofEpochMilli(r.createdAt))
                .setWindowStart(Instant.ofEpochMilli(r.windowStart))
                .setWindowEnd(Instant.ofEpochMilli(r.windowEnd))
                .setWindowSize(evaluated)
                .setCleanAccuracy(clean)
                .setRobustAccuracy(robust)
                .setAttack(attack == null || evaluated == 0 ? "none" : attack.name())
                .setLoss(r.loss)
                .setDeltaNorm(r.deltaNorm)
                .setTeacherDriftKl(evaluated == 0 ? 0.0 : teacherDrift)
                .setPreviousDriftKl(previousDrift)
                .setPrequentialAccuracy(r.prequentialAccuracy)
                .setSkippedBatches(r.skippedBatches)
                .setExamplesPerSecond(r.examplesPerSecond)
                .setAttacks(attacks)
                .build();

        byte[] key = r.modelId.getBytes(StandardCharsets.UTF_8);
        List<Publication> out = List.of(
                Publication.of(Publication.Kind.SNAPSHOT, snapshotsTopic, key,
                        snapshotCodec.encode(snapshotsTopic, snapshot), r.createdAt),
                Publication.of(Publication.Kind.LATEST, latestTopic, key,
                        snapshotCodec.encode(latestTopic, snapshot), r.createdAt),
                Publication.of(Publication.Kind.REPORT, reportsTopic, key,
                        reportCodec.encode(reportsTopic, report), r.createdAt));
        LOG.info("Model '{}' v{}: {} examples, prequential {} (since v{}), clean {} / robust {} on {} held-out, "
                        + "{} ex/s", r.modelId, r.version, r.snapshot.getExamplesSeen(), fmt(r.prequentialAccuracy),
                r.snapshot.getParentVersion(), fmt(clean), fmt(robust), evaluated, fmt(r.examplesPerSecond));
        return new Result(r, out, clean, robust);
    }

    /** The window in pieces of at most {@link #EXAMPLES_PER_LOCK}. */
    private static List<List<Example>> pieces(List<Example> window) {
        List<List<Example>> out = new ArrayList<>();
        for (int from = 0; from < window.size(); from += EXAMPLES_PER_LOCK) {
            out.add(window.subList(from, Math.min(window.size(), from + EXAMPLES_PER_LOCK)));
        }
        return out;
    }

    /** Ends an evaluation early when its thread was interrupted (the operator is closing). */
    private static void checkInterrupted() {
        if (Thread.currentThread().isInterrupted()) {
            throw new CancellationException("Evaluation interrupted");
        }
    }

    /** The mean of a per-piece accuracy, weighted by the examples of each piece. */
    private static double mean(List<Evaluation> parts, ToDoubleFunction<Evaluation> metric) {
        double sum = 0;
        long n = 0;
        for (Evaluation e : parts) {
            if (e.examples() > 0) {
                sum += metric.applyAsDouble(e) * e.examples();
                n += e.examples();
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /** The snapshot with {@code metrics}, sharing every other field (payloads included) with {@code s}. */
    private static ModelSnapshot withMetrics(ModelSnapshot s, Map<String, Double> metrics) {
        ModelSnapshot out = new ModelSnapshot();
        for (int i = 0; i < ModelSnapshot.getClassSchema().getFields().size(); i++) {
            out.put(i, s.get(i));
        }
        out.setMetrics(metrics);
        return out;
    }

    /**
     * The realistic attack suite on at most {@code eval.attack-texts} window events of the attacked label, by attack
     * name. The good words come from the other window events, never from the attacked ones. Empty when off.
     */
    private Map<String, AttackResult> attackSuite(Learner learner, List<Example> window, long version) {
        Map<String, AttackResult> out = new LinkedHashMap<>();
        if (attackTexts <= 0 || learner.labels().size() < 2) {
            return out;
        }
        AttackSuite suite = AttackSuite.builder().optMaxTexts(attackTexts)
                .optSeed(learner.config().seed() ^ version).build();
        List<Example> attacked = suite.select(window, learner.labels());
        if (attacked.isEmpty()) {
            return out;
        }
        List<Example> others = new ArrayList<>(window);
        others.removeAll(attacked);
        GoodWords goodWords = others.isEmpty() ? null : GoodWords.counter().add(others).build(200, 2);
        for (AttackMetrics m : DjlLock.locked(() -> suite.run(Victim.of(learner), attacked, goodWords, learner))) {
            out.put(m.name(), AttackResult.newBuilder()
                    .setExamples(m.examples())
                    .setAccuracy(m.accuracy())
                    .setSuccessRate(m.successRate())
                    .setWordsPerturbed(m.wordsPerturbed())
                    .build());
        }
        return out;
    }

    /** The drift KL to the previous version: its learner is kept from its own evaluation, or loaded. */
    private Double driftToPrevious(EvaluationRequest r, Learner copy) {
        ModelSnapshot previous = r.previous;
        if (previous == null || !previous.getLabels().equals(copy.labels())) {
            return null;
        }
        Kept kept = latestCopy.get(r.modelId);
        try {
            if (kept != null && kept.version == previous.getVersion()) {
                return piecewiseDrift(copy, kept.learner, r.window);
            }
            Learner loaded = DjlLock.locked(() -> Snapshots.fromAvro(previous, device));
            try {
                return piecewiseDrift(copy, loaded, r.window);
            } finally {
                DjlLock.locked(loaded::close);
            }
        } catch (RuntimeException e) {
            if (e instanceof CancellationException) {
                throw e;
            }
            LOG.warn("Drift of model '{}' to v{} not computed: {}", r.modelId, previous.getVersion(), e.toString());
            return null;
        }
    }

    private static double piecewiseDrift(Learner current, Learner previous, List<Example> window) {
        double sum = 0;
        for (List<Example> piece : pieces(window)) {
            checkInterrupted();
            sum += piece.size() * DjlLock.locked(() -> current.driftKl(previous, piece));
        }
        return sum / window.size();
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "n/a" : String.format("%.4f", v);
    }

    /** Closes the kept learners; call when no evaluation runs any more. */
    @Override
    public void close() {
        for (Kept k : latestCopy.values()) {
            DjlLock.locked(k.learner::close);
        }
        latestCopy.clear();
        snapshotCodec.close();
        reportCodec.close();
    }
}
