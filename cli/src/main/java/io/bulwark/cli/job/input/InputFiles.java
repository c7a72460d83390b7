package io.bulwark.cli.job.input;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulwark.avro.LabeledText;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Reads JSONL or CSV/TSV files (optionally gzipped) into {@link RawInput}s exactly as they are: nothing is
 * filtered or repaired, so records the job cannot use reach it and show up as dead letters with a reason.
 *
 * <p>Fields (JSON keys or CSV header columns): {@code id} (default: file name and line), {@code text},
 * {@code label}, {@code weight} (a number; text that is not a number is sent as NaN), {@code modelKey} or
 * {@code model}, and {@code time} or {@code eventTime} (ISO-8601 or epoch milliseconds; used for
 * {@code --order time} and, with {@code eventTimeFromFile}, as the event time).
 */
public final class InputFiles {

    private static final ObjectMapper JSON = new ObjectMapper();

    private InputFiles() {
    }

    /** Reads every record of a file; {@code now} is the event time of records without one (or of all records). */
    public static List<RawInput> read(Path path, boolean eventTimeFromFile, long now) throws IOException {
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        String base = name.endsWith(".gz") ? name.substring(0, name.length() - 3) : name;
        try (InputStream in = Files.newInputStream(path)) {
            BufferedReader reader = reader(in);
            String source = path.getFileName().toString();
            if (base.endsWith(".csv")) {
                return readDelimited(reader, source, ',', eventTimeFromFile, now);
            }
            if (base.endsWith(".tsv")) {
                return readDelimited(reader, source, '\t', eventTimeFromFile, now);
            }
            if (base.endsWith(".jsonl") || base.endsWith(".ndjson") || base.endsWith(".json")) {
                return readJsonl(reader, source, eventTimeFromFile, now);
            }
            throw new IllegalArgumentException("Cannot tell the format of " + path
                    + ": use a .jsonl, .ndjson, .json, .csv or .tsv name (optionally .gz)");
        }
    }

    private static BufferedReader reader(InputStream raw) throws IOException {
        BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
        in.mark(2);
        int b1 = in.read();
        int b2 = in.read();
        in.reset();
        InputStream data = b1 == 0x1f && b2 == 0x8b ? new GZIPInputStream(in, 1 << 16) : in;
        return new BufferedReader(new InputStreamReader(data, StandardCharsets.UTF_8), 1 << 16);
    }

    private static List<RawInput> readJsonl(BufferedReader in, String source, boolean fileTime, long now)
            throws IOException {
        List<RawInput> out = new ArrayList<>();
        String line;
        long n = 0;
        while ((line = in.readLine()) != null) {
            n++;
            if (n == 1 && line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            if (line.isBlank()) {
                continue;
            }
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (JsonProcessingException e) {
                node = null;
            }
            if (node == null || !node.isObject()) {
                out.add(new RawInput(null, line.getBytes(StandardCharsets.UTF_8), n, Long.MAX_VALUE));
                continue;
            }
            Map<String, String> fields = new HashMap<>();
            node.properties().forEach(e -> {
                if (!e.getValue().isNull()) {
                    fields.put(e.getKey(), e.getValue().isValueNode() ? e.getValue().asText()
                            : e.getValue().toString());
                }
            });
            out.add(toInput(fields, source, n, fileTime, now));
        }
        return out;
    }

    private static List<RawInput> readDelimited(BufferedReader in, String source, char delimiter, boolean fileTime,
                                                long now) throws IOException {
        DelimitedParser parser = new DelimitedParser(in, delimiter);
        List<String> header = parser.next();
        if (header == null) {
            return List.of();
        }
        if (!header.isEmpty() && header.get(0).startsWith("\uFEFF")) {
            header.set(0, header.get(0).substring(1));
        }
        List<RawInput> out = new ArrayList<>();
        while (true) {
            long line = parser.line();
            List<String> row = parser.next();
            if (row == null) {
                break;
            }
            if (row.size() == 1 && row.get(0).isEmpty()) {
                continue;
            }
            if (row.size() != header.size()) {
                out.add(new RawInput(null, parser.lastRaw().getBytes(StandardCharsets.UTF_8), line,
                        Long.MAX_VALUE));
                continue;
            }
            Map<String, String> fields = new HashMap<>();
            for (int i = 0; i < header.size(); i++) {
                fields.putIfAbsent(header.get(i).trim(), row.get(i));
            }
            out.add(toInput(fields, source, line, fileTime, now));
        }
        return out;
    }

    private static RawInput toInput(Map<String, String> f, String source, long line, boolean fileTime, long now) {
        String id = f.getOrDefault("id", source + ":" + line);
        String label = f.get("label");
        String weightText = f.get("weight");
        Float weight = null;
        if (weightText != null && !weightText.isBlank()) {
            try {
                weight = Float.parseFloat(weightText.trim());
            } catch (NumberFormatException e) {
                weight = Float.NaN;
            }
        }
        String modelKey = f.containsKey("modelKey") ? f.get("modelKey") : f.get("model");
        long time = parseTime(f.containsKey("time") ? f.get("time") : f.get("eventTime"));
        LabeledText event = LabeledText.newBuilder()
                .setId(id)
                .setText(f.get("text"))
                .setLabel(label == null || label.isEmpty() ? null : label)
                .setWeight(weight)
                .setModelKey(modelKey == null || modelKey.isEmpty() ? null : modelKey)
                .setEventTime(Instant.ofEpochMilli(fileTime && time != Long.MAX_VALUE ? time : now))
                .build();
        return new RawInput(event, null, line, time);
    }

    private static long parseTime(String s) {
        if (s == null || s.isBlank()) {
            return Long.MAX_VALUE;
        }
        String t = s.trim();
        if (t.matches("-?\\d+")) {
            return Long.parseLong(t);
        }
        try {
            return Instant.parse(t).toEpochMilli();
        } catch (DateTimeParseException e) {
            return Long.MAX_VALUE;
        }
    }

    /** RFC 4180 fields: quoted fields may hold delimiters, doubled quotes and line breaks. */
    private static final class DelimitedParser {
        private final BufferedReader in;
        private final char delimiter;
        private final StringBuilder raw = new StringBuilder();
        private long line = 1;
        private int pushedBack = -2;

        DelimitedParser(BufferedReader in, char delimiter) {
            this.in = in;
            this.delimiter = delimiter;
        }

        long line() {
            return line;
        }

        String lastRaw() {
            return raw.toString();
        }

        private int read() throws IOException {
            if (pushedBack != -2) {
                int c = pushedBack;
                pushedBack = -2;
                return c;
            }
            return in.read();
        }

        /** Returns the next row's fields, or null at the end. */
        List<String> next() throws IOException {
            raw.setLength(0);
            int c = read();
            if (c == -1) {
                return null;
            }
            List<String> fields = new ArrayList<>();
            StringBuilder field = new StringBuilder();
            boolean quoted = false;
            boolean atFieldStart = true;
            while (true) {
                if (c == -1) {
                    fields.add(field.toString());
                    return fields;
                }
                char ch = (char) c;
                if (quoted) {
                    raw.append(ch);
                    if (ch == '"') {
                        int d = read();
                        if (d == '"') {
                            raw.append('"');
                            field.append('"');
                        } else {
                            quoted = false;
                            pushedBack = d;
                        }
                    } else {
                        if (ch == '\n') {
                            line++;
                        }
                        field.append(ch);
                    }
                } else if (ch == '"' && atFieldStart) {
                    raw.append(ch);
                    quoted = true;
                    atFieldStart = false;
                } else if (ch == delimiter) {
                    raw.append(ch);
                    fields.add(field.toString());
                    field.setLength(0);
                    atFieldStart = true;
                } else if (ch == '\r' || ch == '\n') {
                    line++;
                    if (ch == '\r') {
                        int d = read();
                        if (d != '\n') {
                            pushedBack = d;
                        }
                    }
                    fields.add(field.toString());
                    return fields;
                } else {
                    raw.append(ch);
                    field.append(ch);
                    atFieldStart = false;
                }
                c = read();
            }
        }
    }
}
