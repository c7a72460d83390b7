package io.bulwark.model.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads delimited text with a header row and RFC 4180 quoting: quoted fields may hold delimiters, doubled quotes
 * and line breaks. Empty lines between records are ignored; a quote inside an unquoted field is kept as a character.
 */
final class CsvExampleReader extends ExampleReader {
    private static final int EOF = -1;

    private final BufferedReader in;
    private final char delimiter;
    private final List<String> header;
    private final int textColumn;
    private final int labelColumn;
    private final int weightColumn;
    /** Physical line of the next character to read, 1-based. */
    private long line = 1;
    private int previous = EOF;
    private int peeked = Integer.MIN_VALUE;

    CsvExampleReader(BufferedReader in, String source, ReaderOptions options, char delimiter) throws IOException {
        super(source, options);
        this.in = in;
        this.delimiter = delimiter;
        List<String> head = readFields();
        if (head == null) {
            throw new MalformedRecordException(source, 1, "empty file: expected a header row");
        }
        List<String> names = new ArrayList<>(head.size());
        for (int i = 0; i < head.size(); i++) {
            String name = i == 0 ? stripBom(head.get(i)) : head.get(i);
            names.add(name.trim());
        }
        this.header = List.copyOf(names);
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < names.size(); i++) {
            index.putIfAbsent(names.get(i), i);
        }
        Integer text = index.get(options.textField());
        if (text == null) {
            throw new IllegalArgumentException(source + ": no text column '" + options.textField()
                    + "' in the header; columns are " + header);
        }
        this.textColumn = text;
        Integer label = options.labelField() == null ? null : index.get(options.labelField());
        if (label == null && options.labelField() != null && options.labelFieldRequired()) {
            throw new IllegalArgumentException(source + ": no label column '" + options.labelField()
                    + "' in the header; columns are " + header);
        }
        this.labelColumn = label == null ? -1 : label;
        Integer weight = options.weightField() == null ? null : index.get(options.weightField());
        this.weightColumn = weight == null ? -1 : weight;
    }

    /** The column names of the header row. */
    List<String> header() {
        return header;
    }

    @Override
    protected DataRecord readRecord() throws IOException {
        long start;
        List<String> fields;
        do {
            start = line;
            fields = readFields();
            if (fields == null) {
                return null;
            }
        } while (fields.size() == 1 && fields.get(0).isEmpty());
        if (fields.size() != header.size()) {
            throw new MalformedRecordException(source, start,
                    "expected " + header.size() + " fields as in the header, got " + fields.size());
        }
        String text = fields.get(textColumn);
        String label = labelColumn < 0 ? null : fields.get(labelColumn);
        String weight = weightColumn < 0 ? null : fields.get(weightColumn);
        Map<String, String> extra = new LinkedHashMap<>();
        for (int i = 0; i < fields.size(); i++) {
            if (i != textColumn && i != labelColumn && i != weightColumn) {
                extra.putIfAbsent(header.get(i), fields.get(i));
            }
        }
        return new DataRecord(example(start, text, label, weight), start, extra);
    }

    /**
     * Reads the fields of one record, or returns null at the end of the input. On a syntax error the rest of the
     * physical line is consumed so that reading can go on with the next record.
     */
    private List<String> readFields() throws IOException {
        long start = line;
        int c = read();
        if (c == EOF) {
            return null;
        }
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        while (true) {
            if (c == '"' && field.length() == 0) {
                long quoteLine = line;
                while (true) {
                    c = read();
                    if (c == EOF) {
                        throw new MalformedRecordException(source, start,
                                "quoted field opened on line " + quoteLine + " is never closed");
                    }
                    if (c == '"') {
                        int next = read();
                        if (next == '"') {
                            field.append('"');
                            continue;
                        }
                        c = next;
                        break;
                    }
                    field.append((char) c);
                }
                if (c != delimiter && c != '\n' && c != '\r' && c != EOF) {
                    long at = line;
                    skipRestOfLine(c);
                    throw new MalformedRecordException(source, start, "unexpected character '" + (char) c
                            + "' after a closing quote on line " + at + " (quotes inside a field must be doubled)");
                }
            } else {
                while (c != delimiter && c != '\n' && c != '\r' && c != EOF) {
                    field.append((char) c);
                    c = read();
                }
            }
            fields.add(field.toString());
            field.setLength(0);
            if (c == delimiter) {
                c = read();
                continue;
            }
            if (c == '\r' && peek() == '\n') {
                read();
            }
            return fields;
        }
    }

    private void skipRestOfLine(int c) throws IOException {
        while (c != '\n' && c != '\r' && c != EOF) {
            c = read();
        }
        if (c == '\r' && peek() == '\n') {
            read();
        }
    }

    /** Reads one character, counting CR, LF and CRLF each as one line break. */
    private int read() throws IOException {
        int c;
        if (peeked != Integer.MIN_VALUE) {
            c = peeked;
            peeked = Integer.MIN_VALUE;
        } else {
            c = in.read();
        }
        if (c == '\r' || (c == '\n' && previous != '\r')) {
            line++;
        }
        previous = c;
        return c;
    }

    private int peek() throws IOException {
        if (peeked == Integer.MIN_VALUE) {
            peeked = in.read();
        }
        return peeked;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
