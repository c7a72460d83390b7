package io.bulwark.model.learner;

import io.bulwark.model.Example;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Attacked copies of the probe texts a step scores: each copy carries, half before and half after the text, up to
 * k words of a replayed text of another class, those that naive Bayes finds most typical of that class against the
 * copy's own. The mixture then also weighs the experts on text with injected content of another class, as spam
 * with appended ham words, and not on clean text alone.
 */
final class ProbeInjection {

    private ProbeInjection() {}

    /** {@code probed} followed by an injected copy of each member for which another class has replayed text. */
    static List<Example> withInjectedCopies(Learner learner, List<Example> probed, int k) {
        SplittableRandom rng = new SplittableRandom(learner.config.seed() * 0x9E3779B97F4A7C15L + learner.examplesSeen);
        int classes = learner.labels.size();
        List<Example> out = new ArrayList<>(probed);
        if (classes < 2) {
            return out;
        }
        for (Example p : probed) {
            Integer own = learner.labelIndex.get(p.label());
            if (own == null) {
                continue;
            }
            int other = rng.nextInt(classes - 1);
            other = other >= own ? other + 1 : other;
            List<Example> pool = learner.replay.reservoirOf(learner.labels.get(other));
            if (pool.isEmpty()) {
                continue;
            }
            Example source = pool.get(rng.nextInt(pool.size()));
            List<String> words = learner.continual.typicalWords(source.text(), other, own, k);
            if (words.isEmpty()) {
                continue;
            }
            StringBuilder head = new StringBuilder();
            StringBuilder tail = new StringBuilder();
            for (int i = 0; i < words.size(); i++) {
                (i % 2 == 0 ? head : tail).append(words.get(i)).append(' ');
            }
            out.add(new Example(head + p.text() + " " + tail.toString().trim(), p.label(), p.weight()));
        }
        return out;
    }
}
