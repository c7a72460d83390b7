package io.bulwark.model.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads one JSON object per line; blank lines are ignored; fields other than text/label/weight are kept as text. */
final class JsonlExampleReader extends ExampleReader {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final BufferedReader in;
    private long lineNumber;

    JsonlExampleReader(BufferedReader in, String source, ReaderOptions options) {
        super(source, options);
        this.in = in;
    }

    @Override
    protected DataRecord readRecord() throws IOException {
        String line;
        do {
            line = in.readLine();
            if (line == null) {
                return null;
            }
            lineNumber++;
            if (lineNumber == 1) {
                line = stripBom(line);
            }
        } while (line.isBlank());
        return parse(line, lineNumber);
    }

    private DataRecord parse(String line, long at) {
        JsonNode node;
        try {
            node = MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
            throw new MalformedRecordException(source, at, "not valid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new MalformedRecordException(source, at, "expected a JSON object, got "
                    + (node == null ? "nothing" : node.getNodeType().name().toLowerCase()));
        }
        String text = scalar(node, options.textField(), at);
        if (text == null) {
            throw new MalformedRecordException(source, at, "missing text field '" + options.textField() + "'");
        }
        String label = options.labelField() == null ? null : scalar(node, options.labelField(), at);
        String weight = options.weightField() == null ? null : scalar(node, options.weightField(), at);
        Map<String, String> fields = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String name = e.getKey();
            if (name.equals(options.textField()) || name.equals(options.labelField())
                    || name.equals(options.weightField()) || e.getValue().isNull()) {
                continue;
            }
            fields.put(name, e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString());
        }
        return new DataRecord(example(at, text, label, weight), at, fields);
    }

    private String scalar(JsonNode object, String field, long at) {
        JsonNode value = object.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isValueNode()) {
            throw new MalformedRecordException(source, at, "field '" + field + "' must be a string or number, got "
                    + value.getNodeType().name().toLowerCase());
        }
        return value.asText();
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
