package io.bulwark.serving.canary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class CanarySetTest {

    private static CanarySet set(int capacity, long seed) {
        return new CanarySet(capacity, new CanaryAttacks(seed, 5, 10));
    }

    private static void fill(CanarySet s, int from, int to) {
        for (int i = from; i < to; i++) {
            boolean spam = i % 2 == 0;
            s.add("e" + i, spam ? "win free money now, claim your cash prize " + i
                    : "meeting notes for the project review tomorrow " + i, spam ? "spam" : "ham");
        }
    }

    @Test
    void keepsTheMostRecentEventsUpToTheCapacityAndCountsVersions() {
        CanarySet s = set(10, 1);
        fill(s, 0, 25);
        CanarySet.Snapshot snap = s.snapshot();
        assertThat(snap.size()).isEqualTo(10);
        assertThat(snap.version()).isEqualTo(25);
        assertThat(snap.examples()).extracting(CanaryExample::eventId)
                .containsExactly("e15", "e16", "e17", "e18", "e19", "e20", "e21", "e22", "e23", "e24");
        assertThat(snap.examples()).extracting(CanaryExample::seq).isSorted().doesNotHaveDuplicates();
        // a snapshot does not change when the set does
        fill(s, 25, 27);
        assertThat(snap.examples().get(0).eventId()).isEqualTo("e15");
        assertThat(s.version()).isEqualTo(27);
    }

    @Test
    void refusesDuplicatesAndEventsWithoutTextOrLabel() {
        CanarySet s = set(10, 1);
        assertThat(s.add("a", "some text", "ham")).isTrue();
        assertThat(s.add("a", "some text", "ham")).isFalse();
        assertThat(s.add("b", "", "ham")).isFalse();
        assertThat(s.add("c", "text", null)).isFalse();
        assertThat(s.version()).isEqualTo(1);
        assertThat(s.duplicates()).isEqualTo(1);
        assertThatThrownBy(() -> set(0, 1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("capacity");
    }

    @Test
    void attacksEveryExampleWithEachFamilyDeterministically() {
        CanarySet a = set(100, 7);
        CanarySet b = set(100, 7);
        CanarySet other = set(100, 8);
        fill(a, 0, 80);
        fill(b, 0, 80);
        fill(other, 0, 80);
        List<CanaryExample> ea = a.snapshot().examples();
        assertThat(ea).isEqualTo(b.snapshot().examples());
        CanaryExample spam = ea.get(ea.size() - 2);
        assertThat(spam.label()).isEqualTo("spam");
        assertThat(spam.attacked()).hasSize(CanaryAttacks.FAMILIES.size());
        assertThat(spam.attacked().get(1)).as("leet").isNotEqualTo(spam.text()).containsAnyOf("4", "3", "1", "0", "5", "7");
        assertThat(spam.attacked().get(2)).as("separator").contains(".");
        // good words of the other label (ham) are injected into the spam text
        assertThat(spam.attacked().get(3)).contains(spam.text()).containsAnyOf("meeting", "notes", "project", "review");
        // typos are seeded
        assertThat(other.snapshot().examples().stream().map(e -> e.attacked().get(0)).toList())
                .isNotEqualTo(ea.stream().map(e -> e.attacked().get(0)).toList());
    }
}
