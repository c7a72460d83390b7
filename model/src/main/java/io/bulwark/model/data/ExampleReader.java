package io.bulwark.model.data;

import io.bulwark.model.Example;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.zip.GZIPInputStream;

/**
 * Reads labeled text records from JSONL or CSV/TSV in stream order, gunzipping transparently.
 *
 * <p>A bad record throws {@link MalformedRecordException} naming the file and line, or, with
 * {@link ReaderOptions#skipMalformed()}, is skipped and counted ({@link #skipped()}, {@link #errors()}).
 *
 * <pre>{@code
 * try (ExampleReader reader = ExampleReader.open(Path.of("mails.csv.gz"),
 *         ReaderOptions.builder().optTextField("body").optLabelField("class").build())) {
 *     while (reader.hasNext()) {
 *         Example example = reader.next().example();
 *     }
 * }
 * }</pre>
 */
public abstract class ExampleReader implements Iterator<DataRecord>, Closeable {
    private static final int GZIP_MAGIC_1 = 0x1f;
    private static final int GZIP_MAGIC_2 = 0x8b;

    /** The file or stream name used in messages. */
    protected final String source;
    /** The options this reader was opened with. */
    protected final ReaderOptions options;
    private final List<String> errors = new ArrayList<>();
    private long skipped;
    private long records;
    private DataRecord lookahead;
    private boolean finished;

    /** Creates a reader over {@code source} with the given options. */
    protected ExampleReader(String source, ReaderOptions options) {
        this.source = source;
        this.options = options;
    }

    /** Opens a file; the format is {@link ReaderOptions#format()} or told from the file name. */
    public static ExampleReader open(Path path, ReaderOptions options) throws IOException {
        DataFormat format = options.format() != null ? options.format() : DataFormat.fromFileName(path);
        if (!Files.isRegularFile(path)) {
            throw new IOException("No such data file: " + path.toAbsolutePath());
        }
        return open(Files.newInputStream(path), path.toString(), format, options);
    }

    /** Opens a stream (gzip or plain UTF-8) of the given format; the reader closes the stream. */
    public static ExampleReader open(InputStream in, String sourceName, DataFormat format, ReaderOptions options)
            throws IOException {
        BufferedReader text = new BufferedReader(new InputStreamReader(maybeGunzip(in), StandardCharsets.UTF_8),
                1 << 16);
        switch (format) {
            case JSONL:
                return new JsonlExampleReader(text, sourceName, options);
            case CSV:
                return new CsvExampleReader(text, sourceName, options, ',');
            case TSV:
                return new CsvExampleReader(text, sourceName, options, '\t');
            default:
                throw new IllegalArgumentException("Unsupported format " + format);
        }
    }

    /** Reads a whole file into a list of examples, in file order. */
    public static List<Example> readAll(Path path, ReaderOptions options) throws IOException {
        List<Example> out = new ArrayList<>();
        try (ExampleReader reader = open(path, options)) {
            while (reader.hasNext()) {
                out.add(reader.next().example());
            }
        }
        return out;
    }

    private static InputStream maybeGunzip(InputStream in) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(in, 1 << 16);
        buffered.mark(2);
        int b1 = buffered.read();
        int b2 = buffered.read();
        buffered.reset();
        if (b1 == GZIP_MAGIC_1 && b2 == GZIP_MAGIC_2) {
            return new GZIPInputStream(buffered, 1 << 16);
        }
        return buffered;
    }

    /**
     * Reads the next record.
     *
     * @return the record, or {@code null} at the end of the input
     * @throws MalformedRecordException if the record is bad; the reader must then be positioned after it
     * @throws IOException if reading fails
     */
    protected abstract DataRecord readRecord() throws IOException;

    @Override
    public final boolean hasNext() {
        if (lookahead != null) {
            return true;
        }
        if (finished) {
            return false;
        }
        while (true) {
            try {
                lookahead = readRecord();
            } catch (MalformedRecordException e) {
                if (!options.skipMalformed()) {
                    finished = true;
                    throw e;
                }
                skipped++;
                if (errors.size() < options.maxReportedErrors()) {
                    errors.add(e.getMessage());
                }
                continue;
            } catch (IOException e) {
                finished = true;
                throw new UncheckedIOException("Failed to read " + source + ": " + e.getMessage(), e);
            }
            if (lookahead == null) {
                finished = true;
                return false;
            }
            records++;
            return true;
        }
    }

    @Override
    public final DataRecord next() {
        if (!hasNext()) {
            throw new NoSuchElementException("No more records in " + source);
        }
        DataRecord out = lookahead;
        lookahead = null;
        return out;
    }

    /** Records read successfully so far. */
    public long records() {
        return records;
    }

    /** Bad records skipped so far (always 0 unless {@link ReaderOptions#skipMalformed()}). */
    public long skipped() {
        return skipped;
    }

    /** The messages of the first skipped records, each with file and line. */
    public List<String> errors() {
        return List.copyOf(errors);
    }

    /** The file or stream name. */
    public String source() {
        return source;
    }

    /** Builds an {@link Example}, validating the weight text (null = 1). */
    protected final Example example(long line, String text, String label, String weightText) {
        float weight = 1f;
        if (weightText != null && !weightText.isBlank()) {
            try {
                weight = Float.parseFloat(weightText.trim());
            } catch (NumberFormatException e) {
                throw new MalformedRecordException(source, line, "weight '" + weightText + "' is not a number");
            }
            if (!Float.isFinite(weight) || weight < 0f) {
                throw new MalformedRecordException(source, line,
                        "weight must be a finite number >= 0, got " + weightText);
            }
        }
        String normalisedLabel = label == null || label.isEmpty() ? null : label;
        return new Example(text, normalisedLabel, weight);
    }

    /** Removes a leading byte-order mark. */
    protected static String stripBom(String s) {
        return s != null && !s.isEmpty() && s.charAt(0) == '\uFEFF' ? s.substring(1) : s;
    }
}
