package io.bulwark.kafka.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TreeMap;

/** Avro schema parsing, canonical text, normalization and reader/writer compatibility for the registry. */
final class AvroSchemas {

    private static final ObjectMapper JSON = new ObjectMapper();

    private AvroSchemas() {
    }

    /** Parses schema text, validating defaults, or throws an invalid-schema error (42201). */
    static Schema parse(String text) {
        if (text == null || text.isBlank()) {
            throw RegistryError.invalidSchema("empty schema");
        }
        try {
            return new Schema.Parser().parse(text);
        } catch (RuntimeException e) {
            throw RegistryError.invalidSchema(e.getMessage());
        }
    }

    /**
     * Returns the text a schema is stored and identified by: Avro's JSON form of the parsed schema, and when
     * normalizing, that form with object keys sorted, so that property order and formatting do not matter.
     */
    static String canonical(Schema schema, boolean normalize) {
        String text = schema.toString();
        if (!normalize) {
            return text;
        }
        try {
            return JSON.writeValueAsString(sorted(JSON.readTree(text)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Avro produced unreadable JSON for " + schema.getFullName(), e);
        }
    }

    /** Returns why {@code reader} cannot read data written with {@code writer}; empty when it can. */
    static List<String> incompatibilities(Schema reader, Schema writer, String writerLabel) {
        SchemaCompatibility.SchemaPairCompatibility pair =
                SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
        List<String> out = new ArrayList<>();
        if (pair.getType() == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            return out;
        }
        for (SchemaCompatibility.Incompatibility i : pair.getResult().getIncompatibilities()) {
            out.add("{errorType:'" + i.getType() + "', description:'" + writerLabel + ": " + i.getMessage()
                    + "', location:'" + i.getLocation() + "'}");
        }
        if (out.isEmpty()) {
            out.add(writerLabel + ": " + pair.getDescription());
        }
        return out;
    }

    private static JsonNode sorted(JsonNode node) {
        if (node.isObject()) {
            TreeMap<String, JsonNode> fields = new TreeMap<>();
            Iterator<String> names = node.fieldNames();
            while (names.hasNext()) {
                String n = names.next();
                fields.put(n, sorted(node.get(n)));
            }
            ObjectNode out = JSON.createObjectNode();
            fields.forEach(out::set);
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = JSON.createArrayNode();
            node.forEach(e -> out.add(sorted(e)));
            return out;
        }
        return node;
    }
}
