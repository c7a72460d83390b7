package io.bulwark.cli.learner;

import io.bulwark.model.Example;
import io.bulwark.model.attack.RobustnessBenchmark;
import io.bulwark.model.attack.Victim;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * fastText (Joulin et al. 2017) as a robustness baseline, through Debian's {@code fasttext} program: supervised
 * training with word bigrams and character 3–5-grams at learning rate {@value #LEARNING_RATE}, then one
 * {@code predict-prob} process that scores one text per line on its standard input. With fastText's default rate of
 * 0.1, five epochs on the bundled corpus gave 0.76 held-out accuracy, little above always answering ham; 1.0 gave
 * 0.98, so the baseline is not a straw man.
 *
 * <p>Texts are lower-cased, with every run of whitespace (newlines included) turned into one space, because fastText
 * reads one example per line and splits words on whitespace. Training uses one thread and the run's seed, so it is
 * reproducible.
 */
final class FastTextBaseline implements RobustnessBenchmark.Baseline {

    /** Where Debian installs the program. */
    static final Path DEFAULT_BINARY = Path.of("/usr/bin/fasttext");

    /** The learning rate of training. */
    static final String LEARNING_RATE = "1.0";

    private static final String LABEL_PREFIX = "__label__";
    private static final Pattern SPACE = Pattern.compile("\\s+");

    private final Path binary;
    private final int epochs;

    /** fastText at {@code binary}, trained for {@code epochs} epochs. */
    FastTextBaseline(Path binary, int epochs) {
        if (epochs < 1) {
            throw new IllegalArgumentException("fastText needs at least one epoch, got " + epochs);
        }
        this.binary = binary;
        this.epochs = epochs;
    }

    @Override
    public String name() {
        return "fasttext";
    }

    @Override
    public Victim train(List<Example> training, List<String> labels, long seed) throws IOException,
            InterruptedException {
        if (!Files.isExecutable(binary)) {
            throw new IOException("fastText is not installed at " + binary
                    + " (Debian: apt-get install fasttext, or bash .ci/setup-system)");
        }
        Path dir = Files.createTempDirectory("bulwark-fasttext");
        try {
            Path input = dir.resolve("train.txt");
            try (BufferedWriter w = Files.newBufferedWriter(input, StandardCharsets.UTF_8)) {
                for (Example e : training) {
                    if (e.label() != null) {
                        w.write(LABEL_PREFIX + e.label() + " " + line(e.text()));
                        w.newLine();
                    }
                }
            }
            Path model = dir.resolve("model");
            run(List.of(binary.toString(), "supervised", "-input", input.toString(), "-output", model.toString(),
                    "-epoch", Integer.toString(epochs), "-lr", LEARNING_RATE, "-wordNgrams", "2", "-minn", "3",
                    "-maxn", "5",
                    "-thread", "1", "-seed", Long.toString(seed), "-verbose", "0"));
            return new Scorer(binary, dir, model.resolveSibling("model.bin"), labels);
        } catch (IOException | InterruptedException | RuntimeException e) {
            deleteTree(dir);
            throw e;
        }
    }

    /** One line of fastText input: lower case, single spaces, no label marker. */
    static String line(String text) {
        String t = SPACE.matcher(text.toLowerCase(Locale.ROOT)).replaceAll(" ").trim();
        return t.replace(LABEL_PREFIX, "");
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("fastText failed (exit " + p.exitValue() + "): " + String.join(" ", command)
                    + "\n" + output);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }

    /** A running {@code predict-prob} process over one trained model. */
    static final class Scorer extends Victim.Counting implements AutoCloseable {
        private final Path dir;
        private final Process process;
        private final BufferedWriter in;
        private final BufferedReader out;

        Scorer(Path binary, Path dir, Path model, List<String> labels) throws IOException {
            super(labels);
            this.dir = dir;
            this.process = new ProcessBuilder(binary.toString(), "predict-prob", model.toString(), "-",
                    Integer.toString(labels.size())).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            this.in = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
            this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        }

        @Override
        protected double[][] score(List<String> texts) {
            double[][] p = new double[texts.size()][];
            try {
                for (int i = 0; i < p.length; i++) {
                    in.write(line(texts.get(i)));
                    in.newLine();
                    in.flush();
                    String answer = out.readLine();
                    if (answer == null) {
                        throw new IllegalStateException("fastText's predict-prob process ended early");
                    }
                    p[i] = parse(answer, labels());
                }
            } catch (IOException e) {
                throw new IllegalStateException("fastText scoring failed: " + e.getMessage(), e);
            }
            return p;
        }

        @Override
        public void close() throws IOException, InterruptedException {
            try {
                in.close();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } finally {
                deleteTree(dir);
            }
        }
    }

    /**
     * Probabilities in the order of {@code labels} from one {@code predict-prob} line ({@code __label__a 0.9
     * __label__b 0.1}). A text without any known word gets no prediction (an empty line): uniform probabilities.
     */
    static double[] parse(String answer, List<String> labels) {
        double[] p = new double[labels.size()];
        String[] parts = answer.trim().isEmpty() ? new String[0] : answer.trim().split(" ");
        if (parts.length % 2 != 0) {
            throw new IllegalStateException("Unexpected fastText output: " + answer);
        }
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < parts.length; i += 2) {
            String label = parts[i].startsWith(LABEL_PREFIX) ? parts[i].substring(LABEL_PREFIX.length()) : parts[i];
            int j = labels.indexOf(label);
            if (j < 0) {
                throw new IllegalStateException("fastText predicted an unknown label '" + label + "': " + answer);
            }
            p[j] = Double.parseDouble(parts[i + 1]);
            seen.add(label);
        }
        if (seen.isEmpty()) {
            Arrays.fill(p, 1.0 / p.length);
        }
        return p;
    }
}
