package io.bulwark.cli.learner;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Shows the progress of a long run on stderr: one line redrawn in place on a terminal, or plain lines every 10% (or
 * 30 s) when the output is a file or pipe.
 */
final class ProgressReporter {
    /** How progress is shown. */
    enum Mode {
        /** Detect: {@link #BAR} on a terminal, {@link #LINES} otherwise. */
        AUTO,
        /** One line redrawn in place (carriage return), at most 5 times a second. */
        BAR,
        /** Plain lines at each 10% of the work or every 30 s. */
        LINES,
        /** Nothing. */
        OFF
    }

    private static final long BAR_INTERVAL_NANOS = 200_000_000L;
    private static final long LINE_INTERVAL_NANOS = 30_000_000_000L;
    private static final int BAR_WIDTH = 24;

    private final PrintWriter out;
    private final Mode mode;
    private final String label;
    private final long total;
    private final LongSupplier clock;
    private final long start;
    private long lastPrint;
    private int lastDecile = -1;
    private int lastWidth;

    ProgressReporter(PrintWriter out, Mode mode, String label, long total, LongSupplier clock) {
        this.out = out;
        this.mode = mode == Mode.AUTO ? (System.console() != null ? Mode.BAR : Mode.LINES) : mode;
        this.label = label;
        this.total = Math.max(1, total);
        this.clock = clock;
        this.start = clock.getAsLong();
        this.lastPrint = start - LINE_INTERVAL_NANOS;
    }

    ProgressReporter(PrintWriter out, Mode mode, String label, long total) {
        this(out, mode, label, total, System::nanoTime);
    }

    /** The mode in use (never {@link Mode#AUTO}). */
    Mode mode() {
        return mode;
    }

    /** Reports that {@code done} units are finished; {@code status} is appended (e.g. running accuracy). */
    void update(long done, String status) {
        long now = clock.getAsLong();
        switch (mode) {
            case BAR:
                if (now - lastPrint >= BAR_INTERVAL_NANOS || done >= total) {
                    lastPrint = now;
                    draw(line(done, status, now));
                }
                break;
            case LINES:
                int decile = (int) Math.min(10, done * 10 / total);
                if (decile > lastDecile || now - lastPrint >= LINE_INTERVAL_NANOS) {
                    lastDecile = Math.max(decile, lastDecile);
                    lastPrint = now;
                    out.println(line(done, status, now));
                    out.flush();
                }
                break;
            default:
                break;
        }
    }

    /** Ends the progress display (the bar line is finished with a newline). */
    void finish(long done, String status) {
        long now = clock.getAsLong();
        if (mode == Mode.BAR) {
            draw(line(done, status, now));
            out.println();
            out.flush();
        } else if (mode == Mode.LINES) {
            out.println(line(done, status, now) + " done");
            out.flush();
        }
    }

    private void draw(String line) {
        String padded = line.length() < lastWidth ? line + " ".repeat(lastWidth - line.length()) : line;
        lastWidth = line.length();
        out.print('\r');
        out.print(padded);
        out.flush();
    }

    private String line(long done, String status, long now) {
        double fraction = Math.min(1.0, (double) done / total);
        double seconds = (now - start) / 1e9;
        double rate = seconds > 0 ? done / seconds : 0;
        String eta = rate > 0 && done < total ? duration((total - done) / rate) : "-";
        StringBuilder sb = new StringBuilder();
        sb.append(label).append(' ');
        if (mode == Mode.BAR) {
            int filled = (int) Math.round(fraction * BAR_WIDTH);
            sb.append('[').append("#".repeat(filled)).append(".".repeat(BAR_WIDTH - filled)).append("] ");
        }
        String speed = rate >= 1 ? String.format(Locale.ROOT, "%.1f/s", rate)
                : rate > 0 ? String.format(Locale.ROOT, "%.1f s each", 1 / rate) : "-/s";
        sb.append(String.format(Locale.ROOT, "%3.0f%% %d/%d | %s | %s elapsed, ETA %s", fraction * 100, done,
                total, speed, duration(seconds), eta));
        if (status != null && !status.isEmpty()) {
            sb.append(" | ").append(status);
        }
        return sb.toString();
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
