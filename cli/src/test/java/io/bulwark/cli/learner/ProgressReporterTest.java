package io.bulwark.cli.learner;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressReporterTest {

    @Test
    void plainLinesAppearAtEachTenthOfTheWork() {
        StringWriter text = new StringWriter();
        AtomicLong clock = new AtomicLong();
        ProgressReporter p = new ProgressReporter(new PrintWriter(text), ProgressReporter.Mode.LINES, "train", 100,
                clock::get);
        for (int done = 1; done <= 100; done++) {
            clock.addAndGet(10_000_000L); // 10 ms per unit
            p.update(done, "acc 0.9");
        }
        p.finish(100, "acc 0.9");
        String[] lines = text.toString().split("\n");
        // Lines at 1 (first decile 0), 10, 20, ..., 100, plus the final one.
        assertThat(lines).hasSize(12);
        assertThat(lines[1]).startsWith("train  10% 10/100 | 100.0/s | 0:00 elapsed, ETA 0:01 | acc 0.9");
        assertThat(lines[11]).endsWith("done");
        assertThat(text.toString()).doesNotContain("\r");
    }

    @Test
    void theBarRedrawsOneLineAtMostFiveTimesASecond() {
        StringWriter text = new StringWriter();
        AtomicLong clock = new AtomicLong();
        ProgressReporter p = new ProgressReporter(new PrintWriter(text), ProgressReporter.Mode.BAR, "eval", 50,
                clock::get);
        for (int done = 1; done <= 50; done++) {
            clock.addAndGet(20_000_000L); // 20 ms per unit: 1 s in all
            p.update(done, null);
        }
        p.finish(50, null);
        String out = text.toString();
        long redraws = out.chars().filter(c -> c == '\r').count();
        assertThat(redraws).isBetween(5L, 8L);
        assertThat(out).contains("[########################] 100% 50/50").endsWith("\n");
        assertThat(out.split("\n")).hasSize(1);
    }

    @Test
    void slowWorkShowsSecondsPerUnit() {
        StringWriter text = new StringWriter();
        AtomicLong clock = new AtomicLong();
        ProgressReporter p = new ProgressReporter(new PrintWriter(text), ProgressReporter.Mode.LINES, "bench", 4,
                clock::get);
        clock.addAndGet(2_000_000_000L);
        p.update(1, "pooled natural");
        assertThat(text.toString()).startsWith("bench  25% 1/4 | 2.0 s each | 0:02 elapsed, ETA 0:06 | pooled natural");
    }

    @Test
    void durationsAreFormatted() {
        assertThat(ProgressReporter.duration(65)).isEqualTo("1:05");
        assertThat(ProgressReporter.duration(3725)).isEqualTo("1:02:05");
    }
}
