package io.bulwark.serving.monitor;

import io.bulwark.model.attack.CharPerturbation;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Seeded streams of mail-like texts for the monitor's tests: ham and spam about a few topics, each topic with its
 * own vocabulary over a shared stock of function words.
 */
final class SyntheticStreams {

    static final List<String> HAM_TOPICS = List.of("meeting", "project");
    static final List<String> SPAM_TOPICS = List.of("prize", "pharmacy");
    static final List<String> NEW_TOPICS = List.of("travel", "garden", "football");

    private static final List<String> FUNCTION = List.of("the", "a", "to", "and", "of", "for", "in", "with", "on",
            "is", "this", "your", "we", "you", "it", "at", "be", "will", "are", "our");

    private static final java.util.Map<String, List<String>> VOCAB = java.util.Map.of(
            "meeting", words("agenda minutes schedule room attendees notes calendar discuss tuesday review slides"
                    + " invite morning afternoon team lunch chair summary action items"),
            "project", words("deadline milestone release build testing deploy branch merge repository design"
                    + " estimate sprint backlog feature customer report status plan budget resources"),
            "prize", words("winner prize claim free money cash lottery congratulations selected reward bonus"
                    + " jackpot offer exclusive limited urgent click million dollars guaranteed"),
            "pharmacy", words("pills pharmacy viagra cheap discount prescription online order medication save"
                    + " generic brand doctor shipping delivery price lowest quality meds tablets"),
            "travel", words("flight hotel booking passport airport luggage itinerary beach resort visa train"
                    + " journey tourist destination museum island cruise guide tickets suitcase"),
            "garden", words("tomatoes compost seeds planting soil watering roses shrubs harvest greenhouse"
                    + " pruning mulch lawn weeds vegetables bulbs fertilizer hedge shovel orchard"),
            "football", words("match goal striker league season coach stadium referee penalty transfer"
                    + " defender midfield score fans kickoff trophy injury squad tactics fixture"));

    private SyntheticStreams() {}

    private static List<String> words(String s) {
        return List.of(s.split(" "));
    }

    /** One text about {@code topic}: 12 to 40 words, about half of them from the topic. */
    static String text(String topic, SplittableRandom rng) {
        List<String> vocab = VOCAB.get(topic);
        int n = 12 + rng.nextInt(29);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append(' ');
            }
            List<String> from = rng.nextBoolean() ? vocab : FUNCTION;
            String w = from.get(rng.nextInt(from.size()));
            sb.append(i == 0 ? Character.toUpperCase(w.charAt(0)) + w.substring(1) : w);
        }
        return sb.append('.').toString();
    }

    /** {@code n} texts, half ham and half spam, about the given topics. */
    static List<String> mixed(int n, List<String> hamTopics, List<String> spamTopics, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            List<String> topics = i % 2 == 0 ? hamTopics : spamTopics;
            out.add(text(topics.get(rng.nextInt(topics.size())), rng));
        }
        return out;
    }

    /**
     * {@code n} texts of the usual topics, half ham and half spam, every spam text with two to four of its topic words
     * obfuscated by a family of the attack suite (leet, homoglyphs, separators, zero-width spaces), chosen at random.
     */
    static List<String> obfuscatedSpam(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<CharPerturbation> families = List.of(CharPerturbation.LEET, CharPerturbation.HOMOGLYPH,
                CharPerturbation.SEPARATOR, CharPerturbation.ZERO_WIDTH);
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            boolean spam = i % 2 == 1;
            List<String> topics = spam ? SPAM_TOPICS : HAM_TOPICS;
            String topic = topics.get(rng.nextInt(topics.size()));
            String text = text(topic, rng);
            if (spam) {
                CharPerturbation p = families.get(rng.nextInt(families.size()));
                List<String> vocab = VOCAB.get(topic);
                int edits = 2 + rng.nextInt(3);
                StringBuilder sb = new StringBuilder();
                for (String w : text.split(" ")) {
                    String bare = w.toLowerCase(Locale.ROOT).replace(".", "");
                    boolean edit = edits > 0 && vocab.contains(bare) && w.equals(bare);
                    if (edit) {
                        edits--;
                    }
                    sb.append(sb.length() == 0 ? "" : " ").append(edit ? p.apply(w, seed + i) : w);
                }
                text = sb.toString();
            }
            out.add(text);
        }
        return out;
    }
}
