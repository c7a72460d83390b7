package io.bulwark.cli.learner;

import java.util.ArrayList;
import java.util.List;

/** A plain-text table with a header row, columns padded to their widest cell (numbers right-aligned). */
final class TextTable {
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    TextTable(String... header) {
        this.header = List.of(header);
    }

    /** Adds a row; it must have as many cells as the header. */
    TextTable row(String... cells) {
        if (cells.length != header.size()) {
            throw new IllegalArgumentException("Row has " + cells.length + " cells, header has " + header.size());
        }
        rows.add(List.of(cells));
        return this;
    }

    /** The table as lines joined by newlines, ending with a newline. */
    String render() {
        int[] width = new int[header.size()];
        boolean[] numeric = new boolean[header.size()];
        for (int c = 0; c < width.length; c++) {
            width[c] = header.get(c).length();
            numeric[c] = !rows.isEmpty();
        }
        for (List<String> row : rows) {
            for (int c = 0; c < width.length; c++) {
                width[c] = Math.max(width[c], row.get(c).length());
                numeric[c] &= row.get(c).matches("[-+]?[0-9.,]+[x%]?|-|n/a");
            }
        }
        StringBuilder sb = new StringBuilder();
        append(sb, header, width, numeric);
        for (int c = 0; c < width.length; c++) {
            sb.append(c == 0 ? "" : "  ").append("-".repeat(width[c]));
        }
        sb.append('\n');
        for (List<String> row : rows) {
            append(sb, row, width, numeric);
        }
        return sb.toString();
    }

    private static void append(StringBuilder sb, List<String> cells, int[] width, boolean[] numeric) {
        for (int c = 0; c < width.length; c++) {
            String cell = cells.get(c);
            String pad = " ".repeat(width[c] - cell.length());
            sb.append(c == 0 ? "" : "  ").append(numeric[c] ? pad + cell : cell + (c == width.length - 1 ? "" : pad));
        }
        sb.append('\n');
    }
}
