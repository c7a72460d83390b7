package io.bulwark.serving.testing;

import io.bulwark.avro.AttackResult;
import io.bulwark.avro.ModelSnapshot;
import io.bulwark.avro.RobustnessReport;
import io.bulwark.model.Evaluation;
import io.bulwark.model.Example;
import io.bulwark.model.attack.AttackMetrics;
import io.bulwark.model.attack.AttackSuite;
import io.bulwark.model.attack.Victim;
import io.bulwark.model.learner.Learner;
import io.bulwark.model.LearnerConfig;
import io.bulwark.model.PgdAttack;
import io.bulwark.model.StepResult;
import io.bulwark.model.learner.Snapshots;
import io.bulwark.serving.bench.BenchModels;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Trains a small real learner (FreeAT with the Bregman/EMA teacher) version by version and makes, for each version,
 * the snapshot and a robustness report computed on held-out examples (clean accuracy, PGD robust accuracy, teacher
 * drift, perturbation norm, throughput).
 */
public final class RealModels {

    /** One published version. */
    public record Version(ModelSnapshot snapshot, RobustnessReport report) {}

    private RealModels() {}

    /** A small FreeAT learner with an EMA teacher. */
    public static Learner newLearner(long seed) {
        return Learner.create(LearnerConfig.builder()
                .optLabels(List.of("ham", "spam"))
                .optStrategy(LearnerConfig.StrategyType.FREEAT)
                .optSteps(2)
                .optNorm(LearnerConfig.NormType.L2)
                .optEpsilon(0.05)
                .optBregmanWeight(0.5)
                .optBuckets(2048)
                .optEmbeddingDim(16)
                .optHiddenDim(16)
                .optMaxLength(48)
                .optBatchSize(16)
                .optSeed(seed)
                .build());
    }

    /** Trains {@code versions} versions of {@code batchesPerVersion} batches each and returns them in order. */
    public static List<Version> train(String modelId, int versions, int batchesPerVersion, long seed) {
        List<Example> all = BenchModels.examples(seed, 400);
        int heldOut = Math.min(60, all.size() / 4);
        List<Example> eval = all.subList(0, heldOut);
        List<Example> stream = all.subList(heldOut, all.size());
        List<Version> out = new ArrayList<>();
        int at = 0;
        try (Learner learner = newLearner(seed)) {
            for (int v = 1; v <= versions; v++) {
                long t0 = System.nanoTime();
                double loss = 0;
                double delta = 0;
                int labeled = 0;
                int correct = 0;
                int examples = 0;
                for (int b = 0; b < batchesPerVersion; b++) {
                    List<Example> batch = new ArrayList<>();
                    for (int i = 0; i < 16; i++) {
                        batch.add(stream.get(at++ % stream.size()));
                    }
                    StepResult r = learner.train(batch);
                    loss += Double.isFinite(r.loss()) ? r.loss() : 0;
                    delta += r.deltaNorm();
                    labeled += r.labeled();
                    correct += r.correctBeforeUpdate();
                    examples += r.examples();
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                Evaluation ev = learner.evaluate(eval, PgdAttack.defaults(learner.config()));
                double drift = learner.teacherDriftKl(eval);
                // The realistic attack suite on two held-out texts, as the job's eval.attack-texts would run it.
                Map<String, AttackResult> attacks = new java.util.LinkedHashMap<>();
                for (AttackMetrics m : AttackSuite.builder().optMaxTexts(2).optSeed(v).build()
                        .run(Victim.of(learner), eval, null)) {
                    attacks.put(m.name(), AttackResult.newBuilder().setExamples(m.examples())
                            .setAccuracy(m.accuracy()).setSuccessRate(m.successRate())
                            .setWordsPerturbed(m.wordsPerturbed()).build());
                }
                ModelSnapshot snapshot = Snapshots.toAvro(learner, modelId, v, v > 1 ? (long) v - 1 : null, List.of(),
                        Map.of("prequentialAccuracy", labeled == 0 ? 0.0 : (double) correct / labeled));
                Instant now = Instant.now();
                RobustnessReport report = RobustnessReport.newBuilder()
                        .setModelId(modelId)
                        .setVersion(v)
                        .setCreatedAt(now.plusMillis(v))
                        .setWindowStart(now.minusSeconds(60))
                        .setWindowEnd(now)
                        .setWindowSize(ev.examples())
                        .setCleanAccuracy(ev.cleanAccuracy())
                        .setRobustAccuracy(ev.robustAccuracy())
                        .setAttack(ev.attack())
                        .setLoss(loss / batchesPerVersion)
                        .setDeltaNorm(delta / batchesPerVersion)
                        .setTeacherDriftKl(drift)
                        .setPreviousDriftKl(null)
                        .setPrequentialAccuracy(labeled == 0 ? 0.0 : (double) correct / labeled)
                        .setSkippedBatches(learner.skippedBatches())
                        .setExamplesPerSecond(examples / seconds)
                        .setAttacks(attacks)
                        .setCleanLoss(ev.loss())
                        .setAdversarialLoss(ev.adversarialLoss())
                        .build();
                out.add(new Version(snapshot, report));
            }
        }
        return out;
    }
}
