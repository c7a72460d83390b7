package io.bulwark.model.encoding;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HashingEncoderTest {

    @Test
    void murmur3MatchesReferenceVectors() {
        assertThat(MurmurHash3.hash32("", 0)).isEqualTo(0);
        assertThat(MurmurHash3.hash32("", 1)).isEqualTo(0x514E28B7);
        assertThat(MurmurHash3.hash32("hello", 0)).isEqualTo(0x248bfa47);
        assertThat(MurmurHash3.hash32("The quick brown fox jumps over the lazy dog", 0)).isEqualTo(0x2e4ff723);
        int seed = 0x9747b28c;
        assertThat(MurmurHash3.hash32("a", seed)).isEqualTo(0x7FA09EA6);
        assertThat(MurmurHash3.hash32("ab", seed)).isEqualTo(0x74875592);
        assertThat(MurmurHash3.hash32("abc", seed)).isEqualTo(0xC84A62DD);
        assertThat(MurmurHash3.hash32("abcd", seed)).isEqualTo(0xF0478627);
        assertThat(MurmurHash3.hash32("Hello, world!", seed)).isEqualTo(0x24884CBA);
    }

    @Test
    void bucketsArePinned() {
        // Pinned values: a change here breaks every published snapshot.
        HashingEncoder enc = new HashingEncoder(32768, 64, 3, 12);
        int[] ids = {enc.wordBucket("viagra"), enc.wordBucket("meeting"), enc.ngramBucket("<vi")};
        assertThat(ids).containsExactly(
                1 + Integer.remainderUnsigned(MurmurHash3.hash32("viagra", HashingEncoder.WORD_SEED), 32767),
                1 + Integer.remainderUnsigned(MurmurHash3.hash32("meeting", HashingEncoder.WORD_SEED), 32767),
                1 + Integer.remainderUnsigned(MurmurHash3.hash32("<vi", HashingEncoder.NGRAM_SEED), 32767));
        assertThat(ids).containsExactly(PINNED_VIAGRA, PINNED_MEETING, PINNED_NGRAM_VI);
    }

    // Computed once by this implementation; see bucketsArePinned.
    private static final int PINNED_VIAGRA = 13442;
    private static final int PINNED_MEETING = 3565;
    private static final int PINNED_NGRAM_VI = 17300;

    @Test
    void normalisationFoldsCaseWidthAndWhitespace() {
        assertThat(TextNormalizer.normalize("  ＶＩＡＧＲＡ\t\n Now!! ")).isEqualTo("viagra now!!");
        HashingEncoder enc = new HashingEncoder(1024, 16, 0, 1);
        assertThat(enc.tokenIds("ＶＩＡＧＲＡ now")).containsExactly(enc.tokenIds("viagra   NOW"));
    }

    @Test
    void tokenizerSplitsWordsAndSymbolRuns() {
        List<Tokenizer.Token> t = Tokenizer.tokenize("win $$$ now!!! at http://x.io", 100);
        assertThat(t).extracting(Tokenizer.Token::text)
                .containsExactly("win", "$$$", "now", "!!!", "at", "http", "://", "x", ".", "io");
        assertThat(Tokenizer.tokenize("a b c d e", 3)).hasSize(3);
    }

    @Test
    void obfuscatedSpellingsShareCharNgrams() {
        HashingEncoder enc = new HashingEncoder(32768, 64, 3, 12);
        Set<Integer> a = set(enc.ngramIds(new Tokenizer.Token("viagra", true)));
        Set<Integer> b = set(enc.ngramIds(new Tokenizer.Token("v1agra", true)));
        assertThat(enc.wordBucket("viagra")).isNotEqualTo(enc.wordBucket("v1agra"));
        Set<Integer> shared = new HashSet<>(a);
        shared.retainAll(b);
        assertThat(shared).hasSize(3); // agr, gra, ra>
        assertThat(enc.ngramIds(new Tokenizer.Token("!!!", false))).isEmpty();
    }

    @Test
    void encodesPaddedBatchWithMaskAndTruncation() {
        HashingEncoder enc = new HashingEncoder(1024, 4, 3, 2);
        EncodedBatch b = enc.encode(List.of("one two three four five six", "hi", ""));
        assertThat(b.size()).isEqualTo(3);
        assertThat(b.length()).isEqualTo(4);
        assertThat(b.lengths()).containsExactly(4, 1, 0);
        assertThat(b.mask()).containsExactly(1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0);
        assertThat(Arrays.copyOfRange(b.tokens(), 4, 8)).containsExactly(enc.wordBucket("hi"), 0, 0, 0);
        assertThat(b.ngramsPerToken()).isEqualTo(2);
        // "<hi>" has 2 trigrams: <hi, hi>
        assertThat(Arrays.copyOfRange(b.ngrams(), 8, 10))
                .containsExactly(enc.ngramBucket("<hi"), enc.ngramBucket("hi>"));
        for (long id : b.tokens()) {
            assertThat(id).isBetween(0L, 1023L);
        }
    }

    private static Set<Integer> set(int[] ids) {
        Set<Integer> s = new HashSet<>();
        for (int i : ids) {
            s.add(i);
        }
        return s;
    }
}
