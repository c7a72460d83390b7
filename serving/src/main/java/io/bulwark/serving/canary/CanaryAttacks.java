package io.bulwark.serving.canary;

import io.bulwark.model.attack.CharPerturbation;
import io.bulwark.model.attack.GoodWords;
import io.bulwark.model.encoding.MurmurHash3;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The cheap black-box families of the realistic attack suite, made model-independent so that every version is
 * attacked with the same texts: typos, leetspeak and {@code f.r.e.e} separators on the words most typical of the
 * event's label, and good-word injection of the words most typical of another label.
 *
 * <p>The suite's own attacks query the victim to rank words; a shared canary cannot, so the words edited are ranked
 * by {@link GoodWords} computed from the canary set's other examples (words typical of the label first, then the
 * rest in a seeded pseudo-random order). Every choice is a function of the seed, the event id and the text, so the
 * attacked texts are reproducible.
 */
public final class CanaryAttacks {

    /** The attack families, in the order of {@link CanaryExample#attacked()}. */
    public static final List<String> FAMILIES = List.of("typo", "leet", "separator", "good-words");

    private static final Pattern WORD = Pattern.compile("\\p{L}{3,}");
    private static final List<CharPerturbation> CHAR_FAMILIES =
            List.of(CharPerturbation.TYPO, CharPerturbation.LEET, CharPerturbation.SEPARATOR);
    private static final int RANKED_GOOD_WORDS = 200;

    private final long seed;
    private final int charBudget;
    private final int goodWordBudget;

    /** Edits {@code charBudget} word types per text and injects up to {@code goodWordBudget} words. */
    public CanaryAttacks(long seed, int charBudget, int goodWordBudget) {
        if (charBudget < 1 || goodWordBudget < 1) {
            throw new IllegalArgumentException("attack budgets must be >= 1, got " + charBudget + " and "
                    + goodWordBudget);
        }
        this.seed = seed;
        this.charBudget = charBudget;
        this.goodWordBudget = goodWordBudget;
    }

    /** The text of {@code eventId} under each family of {@link #FAMILIES}. */
    public List<String> perturb(String eventId, String text, String label, Collection<String> labels,
                                GoodWords goodWords) {
        long eventSeed = seed ^ ((long) MurmurHash3.hash32(eventId, (int) seed) << 20);
        Set<String> targets = targets(text, label, goodWords, (int) eventSeed);
        List<String> out = new ArrayList<>(FAMILIES.size());
        for (CharPerturbation p : CHAR_FAMILIES) {
            out.add(edit(text, targets, p, eventSeed));
        }
        out.add(inject(text, label, labels, goodWords));
        return out;
    }

    /** The word types to edit: those typical of the label first, then a seeded order of the rest. */
    private Set<String> targets(String text, String label, GoodWords goodWords, int hashSeed) {
        Set<String> types = new LinkedHashSet<>();
        Matcher m = WORD.matcher(text);
        while (m.find()) {
            types.add(m.group().toLowerCase(Locale.ROOT));
        }
        Set<String> chosen = new LinkedHashSet<>();
        if (goodWords != null) {
            for (String w : goodWords.top(label, RANKED_GOOD_WORDS)) {
                if (chosen.size() < charBudget && types.contains(w)) {
                    chosen.add(w);
                }
            }
        }
        types.stream()
                .filter(t -> !chosen.contains(t))
                .sorted(Comparator.comparingInt((String t) -> MurmurHash3.hash32(t, hashSeed)).thenComparing(t -> t))
                .limit(Math.max(0, charBudget - chosen.size()))
                .forEach(chosen::add);
        return chosen;
    }

    private static String edit(String text, Set<String> targets, CharPerturbation p, long seed) {
        StringBuilder sb = new StringBuilder(text.length() + 16);
        Matcher m = WORD.matcher(text);
        int last = 0;
        while (m.find()) {
            sb.append(text, last, m.start());
            String w = m.group();
            sb.append(targets.contains(w.toLowerCase(Locale.ROOT)) ? p.apply(w, seed) : w);
            last = m.end();
        }
        sb.append(text, last, text.length());
        return sb.toString();
    }

    /** Good-word injection: the words most typical of the first other label, half before and half after. */
    private String inject(String text, String label, Collection<String> labels, GoodWords goodWords) {
        if (goodWords == null) {
            return text;
        }
        String other = labels.stream().filter(l -> !l.equals(label)).sorted().findFirst().orElse(null);
        if (other == null) {
            return text;
        }
        List<String> pool = goodWords.top(other, goodWordBudget);
        if (pool.isEmpty()) {
            return text;
        }
        List<String> head = new ArrayList<>();
        List<String> tail = new ArrayList<>();
        for (int i = 0; i < pool.size(); i++) {
            (i % 2 == 0 ? head : tail).add(pool.get(i));
        }
        return String.join(" ", head) + " " + text + (tail.isEmpty() ? "" : " " + String.join(" ", tail));
    }
}
