package io.bulwark.cli.learner;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Writes the CLI's JSON reports; NaN and infinite numbers become {@code null} so every JSON parser reads them. */
final class JsonReports {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private JsonReports() {}

    /** Writes {@code report} to {@code path}, creating parent directories. */
    static void write(Path path, Map<String, Object> report) throws IOException {
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        MAPPER.writeValue(path.toFile(), sanitize(report));
    }

    /** The report as JSON text. */
    static String toJson(Map<String, Object> report) throws IOException {
        return MAPPER.writeValueAsString(sanitize(report));
    }

    @SuppressWarnings("unchecked")
    private static Object sanitize(Object value) {
        if (value instanceof Double d) {
            return Double.isFinite(d) ? d : null;
        }
        if (value instanceof Float f) {
            return Float.isFinite(f) ? f : null;
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(String.valueOf(k), sanitize(v)));
            return out;
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            for (Object v : list) {
                out.add(sanitize(v));
            }
            return out;
        }
        return value;
    }

    /** Rounds to {@code digits} decimals for readable reports (NaN stays NaN). */
    static double round(double value, int digits) {
        if (!Double.isFinite(value)) {
            return value;
        }
        double scale = Math.pow(10, digits);
        return Math.round(value * scale) / scale;
    }

    /** Formats a fraction as {@code 0.9612}, or {@code n/a} when NaN. */
    static String fraction(double value) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, "%.4f", value) : "n/a";
    }
}
