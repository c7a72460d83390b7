package io.bulwark.cli.learner;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.model.Example;
import io.bulwark.model.attack.Victim;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class FastTextBaselineTest {

    private static final List<String> LABELS = List.of("ham", "spam");

    @Test
    void inputLinesAreLowerCaseSingleSpacedAndCarryNoLabelMarker() {
        assertEquals("free money now", FastTextBaseline.line("  FREE\tmoney\n\nNow "));
        assertEquals("x y", FastTextBaseline.line("x __label__y"));
    }

    @Test
    void parsesProbabilitiesIntoLabelOrder() {
        assertArrayEquals(new double[] {0.25, 0.75},
                FastTextBaseline.parse("__label__spam 0.75 __label__ham 0.25", LABELS), 1e-12);
        assertArrayEquals(new double[] {0.5, 0.5}, FastTextBaseline.parse("", LABELS), 1e-12);
        assertThrows(IllegalStateException.class, () -> FastTextBaseline.parse("__label__eggs 1.0", LABELS));
        assertThrows(IllegalStateException.class, () -> FastTextBaseline.parse("__label__spam", LABELS));
    }

    @Test
    void missingProgramIsAClearError() {
        FastTextBaseline b = new FastTextBaseline(Path.of("/nonexistent/fasttext"), 5);
        IOException e = assertThrows(IOException.class, () -> b.train(corpus(), LABELS, 1));
        assertTrue(e.getMessage().contains("apt-get install fasttext"), e.getMessage());
    }

    @Test
    void trainsAndScoresOneTextPerQuery() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(FastTextBaseline.DEFAULT_BINARY),
                "Debian's fasttext is not installed (bash .ci/setup-system)");
        FastTextBaseline b = new FastTextBaseline(FastTextBaseline.DEFAULT_BINARY, 25);
        Victim v = b.train(corpus(), LABELS, 7);
        try {
            int[] p = v.predict(List.of("win free cash prize now", "agenda for the team meeting", ""));
            assertEquals(1, p[0], "spam-typical words score as spam");
            assertEquals(0, p[1], "ham-typical words score as ham");
            assertEquals(3, v.queries());
            double[] probs = v.probabilities(List.of("free cash"))[0];
            assertEquals(1.0, probs[0] + probs[1], 1e-3);
        } finally {
            ((AutoCloseable) v).close();
        }
    }

    private static List<Example> corpus() {
        List<Example> out = new ArrayList<>();
        String[] spam = {"win free cash prize", "free money now click", "cash prize winner claim now",
            "click now free offer"};
        String[] ham = {"agenda for the meeting", "team lunch tomorrow", "notes from the team meeting",
            "meeting moved to friday"};
        for (int r = 0; r < 20; r++) {
            for (int i = 0; i < spam.length; i++) {
                out.add(Example.of(spam[i], "spam"));
                out.add(Example.of(ham[i], "ham"));
            }
        }
        return out;
    }
}
