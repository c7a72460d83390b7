package io.bulwark.cli.learner;

import io.bulwark.model.Example;
import io.bulwark.model.LearnerConfig;
import io.bulwark.model.LearnerConfig.StrategyType;
import io.bulwark.model.attack.GoodWords;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Running totals of {@code train}'s pass over the stream, and the small helpers its report uses. */
final class TrainTotals {

    long examples;
    long labeled;
    long correct;
    long nbCorrect;
    long nbShortCorrect;
    long batches;
    long passes;
    long passWeightedExamples;
    long updates;
    long skippedBatches;
    double lossSum;
    long lossCount;
    double lastDeltaNorm;
    double teacherDriftSum;
    double trainSeconds;
    double nbSeconds;
    final List<Map<String, Object>> curve = new ArrayList<>();
    final GoodWords.Counter goodWords = GoodWords.counter();

    /** The strategy as reports name it, e.g. freeat-4+bregman. */
    static String strategyName(LearnerConfig config) {
        String name = config.strategy().name().toLowerCase(Locale.ROOT);
        String s = config.strategy() == StrategyType.NATURAL ? name : name + "-" + config.steps();
        if (config.bregmanWeight() > 0) {
            s += "+bregman";
        }
        if (config.smartWeight() > 0) {
            s += "+smart";
        }
        return s;
    }

    /** The labeled examples. */
    static List<Example> labeled(List<Example> examples) {
        List<Example> out = new ArrayList<>(examples.size());
        for (Example e : examples) {
            if (e.label() != null) {
                out.add(e);
            }
        }
        return out;
    }

    /** a / b, NaN when b is 0. */
    static double ratio(long a, long b) {
        return b == 0 ? Double.NaN : (double) a / b;
    }
}
