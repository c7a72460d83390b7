package io.bulwark.model.data;

import io.bulwark.model.Example;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The SpamAssassin public corpus bundled with the repository in {@code data/} (6,046 mails, labels {@code ham}
 * and {@code spam}; see {@code data/README.md} for its source and license).
 *
 * <p>The file is searched in this order: the directory named by the system property {@value #DIR_PROPERTY} or the
 * environment variable {@value #DIR_ENV}; {@code data/} in the working directory and each of its parents (so it
 * is found from any module directory); {@code data/} beside and above the jar holding this class (a
 * {@code lib/} layout made by the {@code dist} profile); finally the classpath resource
 * {@code /data/<file>}.
 */
public final class BundledCorpus {
    /** The full corpus file name. */
    public static final String FILE_NAME = "spamassassin.jsonl.gz";
    /** The 303-mail sample (every 20th mail) used by tests. */
    public static final String SAMPLE_FILE_NAME = "spamassassin-sample.jsonl";
    /** System property naming the directory that holds the corpus files. */
    public static final String DIR_PROPERTY = "bulwark.data.dir";
    /** Environment variable naming the directory that holds the corpus files. */
    public static final String DIR_ENV = "BULWARK_DATA_DIR";

    private static final int MAX_PARENTS = 8;

    private BundledCorpus() {}

    /** Finds the full corpus file; see the class comment for the search order. */
    public static Path locate() {
        return locate(FILE_NAME);
    }

    /** Finds the sample file; see the class comment for the search order. */
    public static Path locateSample() {
        return locate(SAMPLE_FILE_NAME);
    }

    /** Loads the full corpus in its original order (ham eras, then spam eras). */
    public static List<Example> load() {
        return load(StreamOrder.ORIGINAL, 0L);
    }

    /** Loads the full corpus in the given order ({@code seed} drives {@link StreamOrder#SHUFFLED}). */
    public static List<Example> load(StreamOrder order, long seed) {
        return examples(records(FILE_NAME, order, seed));
    }

    /** Loads the sample in the given order. */
    public static List<Example> loadSample(StreamOrder order, long seed) {
        return examples(records(SAMPLE_FILE_NAME, order, seed));
    }

    /** Loads the records (with their {@code id}, {@code group} and {@code time} fields) of a bundled file. */
    public static List<DataRecord> records(String fileName, StreamOrder order, long seed) {
        List<DataRecord> out = new ArrayList<>();
        try {
            Path path = locateOrNull(fileName, new LinkedHashSet<>());
            if (path != null) {
                try (ExampleReader reader = ExampleReader.open(path, ReaderOptions.defaults())) {
                    reader.forEachRemaining(out::add);
                }
            } else {
                try (InputStream in = BundledCorpus.class.getResourceAsStream("/data/" + fileName)) {
                    if (in == null) {
                        throw notFound(fileName);
                    }
                    try (ExampleReader reader = ExampleReader.open(in, "classpath:/data/" + fileName,
                            DataFormat.JSONL, ReaderOptions.defaults())) {
                        reader.forEachRemaining(out::add);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Failed to read the bundled corpus " + fileName + ": " + e.getMessage(), e);
        }
        return order.apply(out, seed);
    }

    /** The examples of the records, in order. */
    public static List<Example> examples(List<DataRecord> records) {
        List<Example> out = new ArrayList<>(records.size());
        for (DataRecord r : records) {
            out.add(r.example());
        }
        return out;
    }

    /** Finds a bundled file by name, or throws with the list of places searched. */
    public static Path locate(String fileName) {
        Set<Path> searched = new LinkedHashSet<>();
        Path found = locateOrNull(fileName, searched);
        if (found == null) {
            throw notFound(fileName, searched);
        }
        return found;
    }

    private static Path locateOrNull(String fileName, Set<Path> searched) {
        String configured = System.getProperty(DIR_PROPERTY);
        if (configured == null || configured.isBlank()) {
            configured = System.getenv(DIR_ENV);
        }
        if (configured != null && !configured.isBlank()) {
            Path candidate = Path.of(configured).resolve(fileName);
            searched.add(candidate.toAbsolutePath());
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        Path found = searchUp(Path.of("").toAbsolutePath(), fileName, searched);
        if (found != null) {
            return found;
        }
        Path jarDir = codeLocation();
        return jarDir == null ? null : searchUp(jarDir, fileName, searched);
    }

    private static Path searchUp(Path start, String fileName, Set<Path> searched) {
        Path dir = start;
        for (int i = 0; dir != null && i < MAX_PARENTS; i++, dir = dir.getParent()) {
            Path candidate = dir.resolve("data").resolve(fileName);
            searched.add(candidate);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    private static Path codeLocation() {
        try {
            CodeSource source = BundledCorpus.class.getProtectionDomain().getCodeSource();
            URL url = source == null ? null : source.getLocation();
            if (url == null || !"file".equals(url.getProtocol())) {
                return null;
            }
            Path path = Path.of(url.toURI()).toAbsolutePath();
            return Files.isDirectory(path) ? path : path.getParent();
        } catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
            return null;
        }
    }

    private static IllegalStateException notFound(String fileName) {
        Set<Path> searched = new LinkedHashSet<>();
        locateOrNull(fileName, searched);
        return notFound(fileName, searched);
    }

    private static IllegalStateException notFound(String fileName, Set<Path> searched) {
        return new IllegalStateException("Bundled corpus file " + fileName + " not found. Run from the repository"
                + " (it lives in data/), or set -D" + DIR_PROPERTY + "=DIR or " + DIR_ENV + "=DIR. Searched: "
                + searched);
    }
}
