package io.bulwark.model.data;

import java.nio.file.Path;
import java.util.Locale;

/** The file formats {@link ExampleReader} reads; a trailing {@code .gz} is allowed on every name. */
public enum DataFormat {
    /** One JSON object per line ({@code .jsonl}, {@code .ndjson}, {@code .json}). */
    JSONL,
    /** Comma-separated values with a header row, RFC 4180 quoting ({@code .csv}). */
    CSV,
    /** Tab-separated values with a header row, RFC 4180 quoting ({@code .tsv}). */
    TSV;

    /**
     * Guesses the format from a file name, ignoring a trailing {@code .gz}.
     *
     * @throws IllegalArgumentException if the name ends in none of the known extensions
     */
    public static DataFormat fromFileName(Path path) {
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".gz")) {
            name = name.substring(0, name.length() - 3);
        }
        if (name.endsWith(".jsonl") || name.endsWith(".ndjson") || name.endsWith(".json")) {
            return JSONL;
        }
        if (name.endsWith(".csv")) {
            return CSV;
        }
        if (name.endsWith(".tsv")) {
            return TSV;
        }
        throw new IllegalArgumentException("Cannot tell the format of " + path
                + " from its name: expected .jsonl, .ndjson, .json, .csv or .tsv (optionally .gz);"
                + " name the format explicitly (jsonl, csv, tsv)");
    }

    /** Parses {@code jsonl}, {@code csv} or {@code tsv}, case-insensitively. */
    public static DataFormat parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Unknown data format '" + name + "': expected jsonl, csv or tsv", e);
        }
    }
}
