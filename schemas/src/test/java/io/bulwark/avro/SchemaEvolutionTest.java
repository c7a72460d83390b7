package io.bulwark.avro;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Holds every schema against each of its earlier versions, kept under {@code compat/NAME/vN.avsc} as they were
 * committed, so that a change which would break old readers or old data cannot land by accident. The newest fixture
 * is the current schema: a schema change must add its version there.
 *
 * <p>{@code LabeledText}, {@code ModelSnapshot}, {@code ModelPayload} and {@code SourceOffset} have not changed since
 * their first version, so for them the check compares the schema with its only version until they evolve;
 * {@code DeadLetter} (v1, v2) and {@code RobustnessReport} (v1 to v3) have real earlier versions.
 */
class SchemaEvolutionTest {

    /** Named types a schema's fixtures refer to, by schema; their newest fixtures are parsed first. */
    private static final Map<String, List<String>> REFERENCES =
            Map.of("ModelSnapshot", List.of("SourceOffset", "ModelPayload"));

    /** Schemas with a single version so far. */
    private static final List<String> UNCHANGED = List.of("LabeledText", "ModelSnapshot", "ModelPayload",
            "SourceOffset");

    static Stream<Arguments> currentSchemas() {
        return Stream.of(
                Arguments.of("SourceOffset", SourceOffset.getClassSchema()),
                Arguments.of("ModelPayload", ModelPayload.getClassSchema()),
                Arguments.of("LabeledText", LabeledText.getClassSchema()),
                Arguments.of("ModelSnapshot", ModelSnapshot.getClassSchema()),
                Arguments.of("RobustnessReport", RobustnessReport.getClassSchema()),
                Arguments.of("DeadLetter", DeadLetter.getClassSchema()));
    }

    /** Returns the committed versions of a schema, oldest first. */
    private static List<Schema> history(String name) throws IOException {
        List<Schema> versions = new ArrayList<>();
        for (int v = 1; ; v++) {
            Schema.Parser parser = new Schema.Parser();
            for (String ref : REFERENCES.getOrDefault(name, List.of())) {
                List<Schema> refs = history(ref);
                parser.addTypes(List.of(refs.get(refs.size() - 1)));
            }
            try (InputStream in = SchemaEvolutionTest.class.getResourceAsStream(
                    "/compat/" + name + "/v" + v + ".avsc")) {
                if (in == null) {
                    break;
                }
                versions.add(parser.parse(in));
            }
        }
        assertThat(versions).as("fixtures of %s", name).isNotEmpty();
        return versions;
    }

    /**
     * Returns the incompatibilities between {@code current} and each earlier version, in both directions: the
     * current schema reading data of an earlier one, and an earlier one reading data of the current schema.
     */
    static List<String> incompatibilities(Schema current, List<Schema> earlier) {
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < earlier.size(); i++) {
            Schema old = earlier.get(i);
            SchemaCompatibility.SchemaPairCompatibility newReader =
                    SchemaCompatibility.checkReaderWriterCompatibility(current, old);
            if (newReader.getType() != SchemaCompatibilityType.COMPATIBLE) {
                problems.add("current reader, v" + (i + 1) + " writer: "
                        + newReader.getResult().getIncompatibilities());
            }
            SchemaCompatibility.SchemaPairCompatibility oldReader =
                    SchemaCompatibility.checkReaderWriterCompatibility(old, current);
            if (oldReader.getType() != SchemaCompatibilityType.COMPATIBLE) {
                problems.add("v" + (i + 1) + " reader, current writer: "
                        + oldReader.getResult().getIncompatibilities());
            }
        }
        return problems;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("currentSchemas")
    void currentSchemaIsCompatibleWithEveryEarlierVersionBothWays(String name, Schema current) throws IOException {
        assertThat(incompatibilities(current, history(name))).as(name).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("currentSchemas")
    void newestFixtureIsTheCurrentSchema(String name, Schema current) throws IOException {
        List<Schema> versions = history(name);
        assertThat(form(versions.get(versions.size() - 1)))
                .as("%s changed: add it as compat/%s/v%d.avsc", name, name, versions.size() + 1)
                .isEqualTo(form(current));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("currentSchemas")
    void fixturesAreDistinctVersions(String name, Schema current) throws IOException {
        List<Schema> versions = history(name);
        for (int i = 1; i < versions.size(); i++) {
            assertThat(form(versions.get(i))).as("%s v%d is a copy of v%d", name, i + 1, i)
                    .isNotEqualTo(form(versions.get(i - 1)));
        }
        assertThat(versions.size() == 1).as("%s has a single version", name).isEqualTo(UNCHANGED.contains(name));
    }

    @Test
    void deadLetterV1DataReadsWithDefaultsForTheNewFields() throws IOException {
        Schema v1 = history("DeadLetter").get(0);
        SchemaCompatibility.SchemaPairCompatibility r =
                SchemaCompatibility.checkReaderWriterCompatibility(DeadLetter.getClassSchema(), v1);
        assertThat(r.getType()).isEqualTo(SchemaCompatibilityType.COMPATIBLE);
        assertThat(v1.getField("truncated")).isNull();
        assertThat(DeadLetter.getClassSchema().getField("truncated").defaultVal()).isEqualTo(false);
    }

    @Test
    void everyFieldIsDocumentedAndEveryOptionalFieldHasADefault() {
        currentSchemas()
                .map(a -> (Schema) a.get()[1])
                .forEach(
                        schema -> {
                            assertThat(schema.getNamespace()).isEqualTo("io.bulwark.avro");
                            assertThat(schema.getDoc()).as(schema.getName()).isNotBlank();
                            for (Schema.Field field : schema.getFields()) {
                                String where = schema.getName() + "." + field.name();
                                assertThat(field.doc()).as(where).isNotBlank();
                                if (field.schema().isNullable()) {
                                    assertThat(field.hasDefaultValue())
                                            .as("%s is optional and needs a default", where)
                                            .isTrue();
                                }
                            }
                        });
    }

    @Test
    void theCheckRejectsBreakingChangesAndAcceptsAFieldWithADefault() throws IOException {
        List<Schema> earlier = history("DeadLetter");
        String current = DeadLetter.getClassSchema().toString();

        // A new field without a default: new readers cannot read old data.
        Schema required = parse(current.replace("\"fields\":[",
                "\"fields\":[{\"name\":\"extra\",\"type\":\"string\",\"doc\":\"x\"},"));
        assertThat(incompatibilities(required, earlier)).anyMatch(p -> p.startsWith("current reader"));

        // A field removed that has no default: old readers cannot read new data.
        Schema removed = DeadLetter.getClassSchema();
        List<Schema.Field> kept = new ArrayList<>();
        for (Schema.Field f : removed.getFields()) {
            if (!f.name().equals("reason")) {
                kept.add(new Schema.Field(f, f.schema()));
            }
        }
        Schema withoutReason = Schema.createRecord(removed.getName(), removed.getDoc(), removed.getNamespace(), false,
                kept);
        assertThat(incompatibilities(withoutReason, earlier)).anyMatch(p -> p.contains("reader, current writer"));

        // A type changed: offset from long to string.
        Schema retyped = parse(current.replace(
                "{\"name\":\"offset\",\"type\":\"long\"", "{\"name\":\"offset\",\"type\":\"string\""));
        assertThat(retyped.getField("offset").schema().getType()).isEqualTo(Schema.Type.STRING);
        assertThat(incompatibilities(retyped, earlier)).isNotEmpty();

        // An optional field with a default: accepted.
        Schema added = parse(current.replace("\"fields\":[",
                "\"fields\":[{\"name\":\"extra\",\"type\":[\"null\",\"string\"],\"default\":null,\"doc\":\"x\"},"));
        assertThat(incompatibilities(added, earlier)).isEmpty();
    }

    /** The schema's Parsing Canonical Form: what readers and writers see, without docs and Java properties. */
    private static String form(Schema schema) {
        return SchemaNormalization.toParsingForm(schema);
    }

    private static Schema parse(String json) {
        return new Schema.Parser().parse(json);
    }
}
