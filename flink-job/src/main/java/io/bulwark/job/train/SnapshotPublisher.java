package io.bulwark.job.train;

import io.bulwark.avro.AttackResult;
import io.bulwark.avro.ModelSnapshot;
import io.bulwark.avro.RobustnessReport;
import io.bulwark.job.sink.Publication;
import io.bulwark.kafka.serde.AvroRegistryCodec;
import io.bulwark.model.Evaluation;
import io.bulwark.model.Example;
import io.bulwark.model.learner.Learner;
import io.bulwark.model.PgdAttack;
import io.bulwark.model.attack.AttackMetrics;
import io.bulwark.model.attack.AttackSuite;
import io.bulwark.model.attack.GoodWords;
import io.bulwark.model.attack.Victim;
import io.bulwark.model.learner.Snapshots;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Assembles what the training operator publishes for one model version: the {@link ModelSnapshot} (to the
 * snapshots topic and the compacted latest topic) and its {@link RobustnessReport}, evaluated on the model's
 * held-out window: clean accuracy, embedding-space PGD, and the realistic attack suite. Advances the slot's version and resets its since-last-snapshot counters.
 */
final class SnapshotPublisher implements AutoCloseable {

    // Logs as the operator, whose logger names the model lifecycle in log configurations and tests.
    private static final Logger LOG = LoggerFactory.getLogger(TrainingOperator.class);

    private final TrainerSettings settings;
    private final PgdAttack attack;
    private final String device;
    private final AvroRegistryCodec<ModelSnapshot> snapshotCodec;
    private final AvroRegistryCodec<RobustnessReport> reportCodec;

    SnapshotPublisher(TrainerSettings settings, PgdAttack attack, String device) {
        this.settings = settings;
        this.attack = attack;
        this.device = device;
        this.snapshotCodec = AvroRegistryCodec.forClass(ModelSnapshot.class, settings.registry());
        this.reportCodec = AvroRegistryCodec.forClass(RobustnessReport.class, settings.registry());
    }

    /**
     * Publishes the next version of the slot's model at processing time {@code now}; {@code clock} is the current
     * processing time for the throughput figure. Returns the records to emit, in order.
     */
    List<Publication> publish(ModelSlot slot, long now, long clock) {
        ModelProgress p = slot.progress;
        Learner learner = slot.learner;
        long version = p.version + 1;
        Long parent = p.version > 0 ? p.version : null;

        List<HeldOutEvent> windowEvents = new ArrayList<>();
        List<Example> window = slot.evaluationWindow(windowEvents);
        Evaluation eval = window.isEmpty() ? null : DjlLock.locked(() -> learner.evaluate(window, attack));
        double cleanAccuracy = eval == null ? Double.NaN : eval.cleanAccuracy();
        double robustAccuracy = eval == null || attack == null ? Double.NaN : eval.robustAccuracy();
        double windowTeacherDrift = window.isEmpty() ? 0.0 : DjlLock.locked(() -> learner.teacherDriftKl(window));
        Double previousDrift = driftToPrevious(slot, window);

        double preqSince = p.sinceLabeled == 0 ? Double.NaN : (double) p.sinceCorrect / p.sinceLabeled;
        double lossMean = p.sinceLossCount == 0 ? Double.NaN : p.sinceLossSum / p.sinceLossCount;
        double deltaMean = p.sinceBatches == 0 ? 0.0 : p.sinceDeltaNormSum / p.sinceBatches;
        double driftMean = p.sinceBatches == 0 ? 0.0 : p.sinceTeacherDriftSum / p.sinceBatches;
        long elapsedMs = p.sinceFirstBatchAt < 0 ? 0 : Math.max(1, clock - p.sinceFirstBatchAt);
        double examplesPerSecond = elapsedMs == 0 ? 0.0 : p.sinceExamples * 1000.0 / elapsedMs;

        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("prequentialAccuracy", preqSince);
        metrics.put("prequentialAccuracyTotal", p.prequentialAccuracy());
        metrics.put("cleanAccuracy", cleanAccuracy);
        metrics.put("robustAccuracy", robustAccuracy);
        metrics.put("heldOutWindow", (double) window.size());
        metrics.put("loss", lossMean);
        metrics.put("deltaNorm", deltaMean);
        metrics.put("teacherDriftKl", driftMean);
        metrics.put("skippedBatches", (double) p.skippedBatches);
        metrics.put("examplesPerSecond", examplesPerSecond);
        metrics.put("eventsHeldOut", (double) p.heldOut);
        metrics.put("deadLetters", (double) p.deadLetters);

        ModelSnapshot snapshot = DjlLock.locked(() -> Snapshots.toAvro(learner, slot.modelId, version, parent,
                p.sourceOffsets(), metrics));
        Map<String, AttackResult> attacks = attackSuite(learner, window, version);
        long windowStart = windowEvents.stream().mapToLong(e -> e.eventTime).min().orElse(0L);
        long windowEnd = windowEvents.stream().mapToLong(e -> e.eventTime).max().orElse(0L);
        RobustnessReport report = RobustnessReport.newBuilder()
                .setModelId(slot.modelId)
                .setVersion(version)
                .setCreatedAt(Instant.ofEpochMilli(now))
                .setWindowStart(Instant.ofEpochMilli(windowStart))
                .setWindowEnd(Instant.ofEpochMilli(windowEnd))
                .setWindowSize(window.size())
                .setCleanAccuracy(cleanAccuracy)
                .setRobustAccuracy(robustAccuracy)
                .setAttack(attack == null ? "none" : attack.name())
                .setLoss(lossMean)
                .setDeltaNorm(deltaMean)
                .setTeacherDriftKl(windowTeacherDrift)
                .setPreviousDriftKl(previousDrift)
                .setPrequentialAccuracy(preqSince)
                .setSkippedBatches(p.skippedBatches)
                .setExamplesPerSecond(examplesPerSecond)
                .setAttacks(attacks)
                .build();

        byte[] key = slot.modelId.getBytes(StandardCharsets.UTF_8);
        List<Publication> out = List.of(
                Publication.of(Publication.Kind.SNAPSHOT, settings.snapshotsTopic(), key,
                        snapshotCodec.encode(settings.snapshotsTopic(), snapshot), now),
                Publication.of(Publication.Kind.LATEST, settings.latestTopic(), key,
                        snapshotCodec.encode(settings.latestTopic(), snapshot), now),
                Publication.of(Publication.Kind.REPORT, settings.reportsTopic(), key,
                        reportCodec.encode(settings.reportsTopic(), report), now));

        slot.previous = snapshot;
        slot.previousDirty = true;
        p.version = version;
        p.lastCleanAccuracy = cleanAccuracy;
        p.lastRobustAccuracy = robustAccuracy;
        p.resetSinceSnapshot(now);
        slot.dirty = true;
        LOG.info("Model '{}' v{}: {} examples, prequential {} (since v{}), clean {} / robust {} on {} held-out, "
                        + "{} ex/s", slot.modelId, version, p.examplesTrained, fmt(preqSince), parent,
                fmt(cleanAccuracy), fmt(robustAccuracy), window.size(), fmt(examplesPerSecond));
        return out;
    }

    /**
     * The realistic attack suite on at most {@code eval.attack-texts} window events of the attacked label, by attack
     * name. The good words come from the other window events, never from the attacked ones. Empty when off.
     */
    private Map<String, AttackResult> attackSuite(Learner learner, List<Example> window, long version) {
        Map<String, AttackResult> out = new LinkedHashMap<>();
        if (settings.attackTexts() <= 0 || window.isEmpty() || learner.labels().size() < 2) {
            return out;
        }
        AttackSuite suite = AttackSuite.builder().optMaxTexts(settings.attackTexts())
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

    private Double driftToPrevious(ModelSlot slot, List<Example> window) {
        if (slot.previous == null || window.isEmpty()) {
            return null;
        }
        if (!slot.previous.getLabels().equals(slot.learner.labels())) {
            return null;
        }
        try {
            return DjlLock.locked(() -> {
                try (Learner previous = Snapshots.fromAvro(slot.previous, device)) {
                    return slot.learner.driftKl(previous, window);
                }
            });
        } catch (RuntimeException e) {
            LOG.warn("Drift of model '{}' to v{} not computed: {}", slot.modelId, slot.previous.getVersion(),
                    e.toString());
            return null;
        }
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "n/a" : String.format("%.4f", v);
    }

    @Override
    public void close() {
        snapshotCodec.close();
        reportCodec.close();
    }
}
