package io.bulwark.study;

import io.bulwark.model.Example;
import io.bulwark.model.data.DataRecord;
import io.bulwark.model.data.StreamOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Builds the study's streams from the corpus records (in their original order, each with a {@code group} field).
 *
 * <p>For a seed, the records are shuffled with that seed; the last {@code heldOut} of the shuffle are held out (a
 * random tail, never trained on) and the first {@code limit} of the rest (all when 0) are the training events. The
 * SHUFFLED stream replays them in the shuffled order; the ORIGINAL stream replays the same events in the corpus
 * order (easy_ham, easy_ham_2, hard_ham, spam, spam_2), so both orders train on the same mails and are scored on the
 * same held-out set, and differ only in order.
 */
public final class StudyStreams {

    /** The name of the record field holding the corpus folder. */
    public static final String GROUP = "group";
    /** Ham label. */
    public static final String HAM = "ham";
    /** Spam label. */
    public static final String SPAM = "spam";

    /** Phase A of the drift scenario: the 2002 folders. */
    public static final Set<String> DRIFT_PHASE_A = Set.of("easy_ham", "spam");
    /** Phase B of the drift scenario: the 2003 folders and the hard ham. */
    public static final Set<String> DRIFT_PHASE_B = Set.of("easy_ham_2", "hard_ham", "spam_2");

    private StudyStreams() {}

    /** A training stream and its held-out set. */
    public record Split(List<Example> train, List<Example> heldOut) {
        /** The first {@code n} held-out mails (the probe). */
        public List<Example> probe(int n) {
            return heldOut.subList(0, Math.min(n, heldOut.size()));
        }

        /** Up to {@code perClass} held-out mails of each label, spam first. */
        public List<Example> discreteSet(int perClass) {
            List<Example> spam = new ArrayList<>();
            List<Example> ham = new ArrayList<>();
            for (Example e : heldOut) {
                if (SPAM.equals(e.label()) && spam.size() < perClass) {
                    spam.add(e);
                } else if (HAM.equals(e.label()) && ham.size() < perClass) {
                    ham.add(e);
                }
            }
            List<Example> out = new ArrayList<>(spam);
            out.addAll(ham);
            return out;
        }
    }

    /** The drift scenario: phase A then phase B, with a held-out set of each. */
    public record DriftSplit(List<Example> phaseA, List<Example> phaseB, List<Example> heldOutA,
                             List<Example> heldOutB) {
        /** Phase A followed by phase B. */
        public List<Example> stream() {
            List<Example> out = new ArrayList<>(phaseA);
            out.addAll(phaseB);
            return out;
        }
    }

    /**
     * The training stream of {@code order} and the held-out tail for {@code seed}.
     *
     * @param records the corpus in its original order
     * @throws IllegalArgumentException if the corpus is too small for the held-out set
     */
    public static Split split(List<DataRecord> records, StreamOrder order, long seed, int heldOut, int limit) {
        if (records.size() <= heldOut) {
            throw new IllegalArgumentException("The corpus has " + records.size() + " mails; cannot hold out "
                    + heldOut);
        }
        List<Integer> idx = shuffledIndices(records.size(), seed);
        List<Integer> tail = idx.subList(idx.size() - heldOut, idx.size());
        List<Integer> rest = idx.subList(0, idx.size() - heldOut);
        List<Integer> train = new ArrayList<>(limit > 0 ? rest.subList(0, Math.min(limit, rest.size())) : rest);
        if (order == StreamOrder.ORIGINAL) {
            Collections.sort(train);
        } else if (order != StreamOrder.SHUFFLED) {
            throw new IllegalArgumentException("The study replays the stream SHUFFLED or ORIGINAL, not " + order);
        }
        return new Split(examples(records, train), examples(records, tail));
    }

    /**
     * The drift scenario for {@code seed}: {@code phaseEvents} shuffled mails of the 2002 folders (easy_ham, spam),
     * then {@code phaseEvents} shuffled mails of the 2003 folders and the hard ham (easy_ham_2, hard_ham, spam_2);
     * {@code heldOut} further mails of each phase are held out.
     */
    public static DriftSplit drift(List<DataRecord> records, long seed, int phaseEvents, int heldOut) {
        List<Integer> a = new ArrayList<>();
        List<Integer> b = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            String g = records.get(i).field(GROUP);
            if (DRIFT_PHASE_A.contains(g)) {
                a.add(i);
            } else if (DRIFT_PHASE_B.contains(g)) {
                b.add(i);
            }
        }
        if (a.size() < heldOut + 1 || b.size() < heldOut + 1) {
            throw new IllegalArgumentException("The drift scenario needs the group field (easy_ham, spam, easy_ham_2,"
                    + " hard_ham, spam_2) with more than " + heldOut + " mails per phase; found " + a.size() + " and "
                    + b.size());
        }
        Random rnd = new Random(seed * 31 + 7);
        Collections.shuffle(a, rnd);
        Collections.shuffle(b, rnd);
        List<Integer> heldA = a.subList(a.size() - heldOut, a.size());
        List<Integer> heldB = b.subList(b.size() - heldOut, b.size());
        List<Integer> trainA = a.subList(0, Math.min(phaseEvents, a.size() - heldOut));
        List<Integer> trainB = b.subList(0, Math.min(phaseEvents, b.size() - heldOut));
        return new DriftSplit(examples(records, trainA), examples(records, trainB), examples(records, heldA),
                examples(records, heldB));
    }

    /** Indices 0..n-1 in the seeded shuffle the model's {@link StreamOrder#SHUFFLED} would give. */
    static List<Integer> shuffledIndices(int n, long seed) {
        List<Integer> idx = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            idx.add(i);
        }
        Collections.shuffle(idx, new Random(seed));
        return idx;
    }

    private static List<Example> examples(List<DataRecord> records, List<Integer> idx) {
        List<Example> out = new ArrayList<>(idx.size());
        for (int i : idx) {
            out.add(records.get(i).example());
        }
        return out;
    }

    /** Number of mails of each label, e.g. {@code "412 ham / 188 spam"}. */
    public static String labelCounts(List<Example> examples) {
        long spam = examples.stream().filter(e -> SPAM.equals(e.label())).count();
        return (examples.size() - spam) + " ham / " + spam + " spam";
    }
}
