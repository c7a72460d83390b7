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
 * Turns a captured version ({@link EvaluationRequest}) into what the job publishes: the records of its
 * {@link ModelSnapshot} (versions topic and compacted latest topic) and its {@link RobustnessReport}. The evaluation
 * runs on a learner loaded from the snapshot, never on the training learner: clean accuracy and embedding-space PGD on
 * the held-out window, the teacher drift, the drift KL to the previous version, and the realistic attack suite when
 * {@code eval.attack-texts > 0}.
 *
 * <p>Learner calls take {@link DjlLock} in pieces of at most {@value #EXAMPLES_PER_LOCK} held-out examples, so a
 * training thread waiting for the lock waits for one piece, not for a whole evaluation (the attack suite is one
 * piece), and they keep to {@code eval.duty-cycle} ({@link DutyCycle}). The learner of the latest evaluated version
 * is kept per model: it is the previous version of the next one. {@link #snapshotRecords} and {@link #evaluate} may
 * run on two threads; each of them from one thread at a time.
 */
final class SnapshotEvaluator implements AutoCloseable {

    // Logs as the operator, whose logger names the model lifecycle in log configurations and tests.
    private static final Logger LOG = LoggerFactory.getLogger(TrainingOperator.class);

    /** Held-out examples evaluated per hold of {@link DjlLock}. */
    static final int EXAMPLES_PER_LOCK = 32;

    /** The records of one version and what its evaluation found. */
    record Result(EvaluationRequest request, Publication report, double cleanAccuracy, double robustAccuracy) {}

    private final PgdAttack attack;
    private final int attackTexts;
    private final String device;
    private final String snapshotsTopic;
    private final String latestTopic;
    private final String reportsTopic;
    private final AvroRegistryCodec<ModelSnapshot> snapshotCodec;
    private final AvroRegistryCodec<RobustnessReport> reportCodec;
    private final DutyCycle duty;
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
        this.duty = new DutyCycle(settings.evalDutyCycle());
    }

    /** The snapshot's records, to the versions topic and the compacted latest topic (no learner call). */
    List<Publication> snapshotRecords(EvaluationRequest r) {
        byte[] key = r.modelId.getBytes(StandardCharsets.UTF_8);
        return List.of(
                Publication.of(Publication.Kind.SNAPSHOT, snapshotsTopic, key,
                        snapshotCodec.encode(snapshotsTopic, r.snapshot), r.createdAt),
                Publication.of(Publication.Kind.LATEST, latestTopic, key,
                        snapshotCodec.encode(latestTopic, r.snapshot), r.createdAt));
    }

    /** Evaluates the request's version (if asked) and returns its report record. */
    Result evaluate(EvaluationRequest r) {
        double clean = Double.NaN;
        double robust = Double.NaN;
        Double cleanLoss = null;
        Double adversarialLoss = null;
        double teacherDrift = 0.0;
        Double previousDrift = null;
        Map<String, AttackResult> attacks = new LinkedHashMap<>();
        int evaluated = 0;
        long startHeld = duty.heldNanos();
        long start = System.nanoTime();
        if (r.evaluate && !r.window.isEmpty()) {
            Learner copy = duty.locked(() -> Snapshots.fromAvro(r.snapshot, device));
            try {
                List<Evaluation> parts = new ArrayList<>();
                double teacherSum = 0;
                for (List<Example> piece : pieces(r.window)) {
                    parts.add(duty.locked(() -> copy.evaluate(piece, attack)));
                    teacherSum += piece.size() * duty.locked(() -> copy.teacherDriftKl(piece));
                }
                clean = mean(parts, Evaluation::cleanAccuracy);
                robust = attack == null ? Double.NaN : mean(parts, Evaluation::robustAccuracy);
                cleanLoss = finiteOrNull(mean(parts, Evaluation::loss));
                adversarialLoss = attack == null ? null : finiteOrNull(mean(parts, Evaluation::adversarialLoss));
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
                .setTeacherDriftKl(teacherDrift)
                .setPreviousDriftKl(previousDrift)
                .setPrequentialAccuracy(r.prequentialAccuracy)
                .setSkippedBatches(r.skippedBatches)
                .setExamplesPerSecond(r.examplesPerSecond)
                .setAttacks(attacks)
                .setCleanLoss(cleanLoss)
                .setAdversarialLoss(adversarialLoss)
                .build();
        Publication record = Publication.of(Publication.Kind.REPORT, reportsTopic,
                r.modelId.getBytes(StandardCharsets.UTF_8), reportCodec.encode(reportsTopic, report), r.createdAt);
        if (evaluated > 0) {
            LOG.info("Model '{}' v{}: clean {} / robust {} on {} held-out; evaluated in {} ms, {} ms of it in "
                            + "learner calls", r.modelId, r.version, fmt(clean), fmt(robust), evaluated,
                    (System.nanoTime() - start) / 1_000_000, (duty.heldNanos() - startHeld) / 1_000_000);
        }
        return new Result(r, record, clean, robust);
    }

    /** Evaluates without pauses from now on: training is over. */
    void liftDutyCycle() {
        duty.lift();
    }

    /** The window in pieces of at most {@link #EXAMPLES_PER_LOCK}. */
    private static List<List<Example>> pieces(List<Example> window) {
        List<List<Example>> out = new ArrayList<>();
        for (int from = 0; from < window.size(); from += EXAMPLES_PER_LOCK) {
            out.add(window.subList(from, Math.min(window.size(), from + EXAMPLES_PER_LOCK)));
        }
        return out;
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
        for (AttackMetrics m : duty.locked(() -> suite.run(Victim.of(learner), attacked, goodWords, learner))) {
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
            Learner loaded = duty.locked(() -> Snapshots.fromAvro(previous, device));
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

    private double piecewiseDrift(Learner current, Learner previous, List<Example> window) {
        double sum = 0;
        for (List<Example> piece : pieces(window)) {
            sum += piece.size() * duty.locked(() -> current.driftKl(previous, piece));
        }
        return sum / window.size();
    }

    private static Double finiteOrNull(double v) {
        return Double.isFinite(v) ? v : null;
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
