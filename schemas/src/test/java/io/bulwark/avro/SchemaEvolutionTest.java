package io.bulwark.avro;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * Holds every schema against the committed fixture of its previous released version, so that a
 * change which would break old readers or old data cannot land by accident. To evolve a schema,
 * add fields with defaults; to release, copy the new {@code .avsc} files into a new fixture folder.
 */
class SchemaEvolutionTest {

    private static final String PREVIOUS = "/compat/v1/";

    /** Fixture files in dependency order: named types are defined before they are referenced. */
    private static final List<String> FIXTURES =
            List.of(
                    "SourceOffset",
                    "ModelPayload",
                    "LabeledText",
                    "ModelSnapshot",
                    "RobustnessReport",
                    "DeadLetter");

    private static Map<String, Schema> previousSchemas() throws IOException {
        Schema.Parser parser = new Schema.Parser();
        Map<String, Schema> schemas = new HashMap<>();
        for (String name : FIXTURES) {
            try (InputStream in =
                    SchemaEvolutionTest.class.getResourceAsStream(PREVIOUS + name + ".avsc")) {
                assertThat(in).as("fixture %s", name).isNotNull();
                schemas.put(name, parser.parse(in));
            }
        }
        return schemas;
    }

    static Stream<Arguments> currentSchemas() {
        return Stream.of(
                Arguments.of("SourceOffset", SourceOffset.getClassSchema()),
                Arguments.of("ModelPayload", ModelPayload.getClassSchema()),
                Arguments.of("LabeledText", LabeledText.getClassSchema()),
                Arguments.of("ModelSnapshot", ModelSnapshot.getClassSchema()),
                Arguments.of("RobustnessReport", RobustnessReport.getClassSchema()),
                Arguments.of("DeadLetter", DeadLetter.getClassSchema()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("currentSchemas")
    void currentSchemaReadsDataOfThePreviousVersion(String name, Schema current) throws IOException {
        Schema previous = previousSchemas().get(name);
        SchemaCompatibility.SchemaPairCompatibility result =
                SchemaCompatibility.checkReaderWriterCompatibility(current, previous);
        assertThat(result.getType())
                .as("%s: new reader, old writer: %s", name, result.getResult().getIncompatibilities())
                .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("currentSchemas")
    void previousSchemaReadsDataOfTheCurrentVersion(String name, Schema current) throws IOException {
        Schema previous = previousSchemas().get(name);
        SchemaCompatibility.SchemaPairCompatibility result =
                SchemaCompatibility.checkReaderWriterCompatibility(previous, current);
        assertThat(result.getType())
                .as("%s: old reader, new writer: %s", name, result.getResult().getIncompatibilities())
                .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
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
    void aFieldWithoutDefaultIsAnIncompatibleChange() {
        // Guards the guard: adding a required field must be caught by the check above.
        Schema previous = LabeledText.getClassSchema();
        String json = previous.toString()
                .replace(
                        "\"fields\":[",
                        "\"fields\":[{\"name\":\"extra\",\"type\":\"string\",\"doc\":\"x\"},");
        Schema changed = new Schema.Parser().parse(json);
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(changed, previous).getType())
                .isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
    }
}
