package io.bulwark.model.data;

import io.bulwark.model.Example;
import java.util.Map;
import java.util.Objects;

/**
 * One record read from a file: the example, the line it starts on and its other fields (e.g. {@code id},
 * {@code group}, {@code time}) as text.
 */
public record DataRecord(Example example, long line, Map<String, String> fields) {

    /** Validates and copies the fields. */
    public DataRecord {
        Objects.requireNonNull(example, "example");
        fields = Map.copyOf(fields);
    }

    /** The value of an extra field, or {@code null} if the record has none. */
    public String field(String name) {
        return fields.get(name);
    }
}
