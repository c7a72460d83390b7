package io.bulwark.kafka.registry;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class SchemaStoreTest {

    static final String V1 = "{\"type\":\"record\",\"name\":\"E\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"}]}";
    static final String V2 = "{\"type\":\"record\",\"name\":\"E\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"},"
            + "{\"name\":\"x\",\"type\":\"int\",\"default\":0}]}";
    static final String X_REQUIRED = "{\"type\":\"record\",\"name\":\"E\",\"fields\":[{\"name\":\"id\",\"type\":"
            + "\"string\"},{\"name\":\"x\",\"type\":\"int\"}]}";

    private final InMemorySchemaLog log = new InMemorySchemaLog();
    private final SchemaStore store = new SchemaStore(log, CompatibilityLevel.BACKWARD);

    @Test
    void idsAreStableAcrossSubjectsRegistrationsAndReplays() {
        int id1 = store.register("a-value", V1, false);
        assertThat(store.register("a-value", "  " + V1 + "\n", false)).isEqualTo(id1);
        assertThat(store.register("b-value", V1, false)).isEqualTo(id1);
        int id2 = store.register("a-value", V2, false);
        assertThat(id2).isEqualTo(id1 + 1);
        store.setLevel("a-value", CompatibilityLevel.FULL);

        SchemaStore replayed = new SchemaStore(log, CompatibilityLevel.BACKWARD);
        assertThat(replayed.schemaById(id1)).isEqualTo(store.schemaById(id1));
        assertThat(replayed.versions("a-value", false)).containsExactly(1, 2);
        assertThat(replayed.version("a-value", "latest", false).id()).isEqualTo(id2);
        assertThat(replayed.subjectLevel("a-value")).isEqualTo(CompatibilityLevel.FULL);
        assertThat(replayed.register("c-value", V2, false)).isEqualTo(id2);
        assertThat(replayed.maxId()).isEqualTo(id2);
    }

    @Test
    void backwardChecksOnlyTheLatestAndTransitiveChecksAll() {
        store.register("s", V1, false);
        store.register("s", V2, false);
        assertThat(store.testCompatibility("s", null, X_REQUIRED, false)).isEmpty();
        store.setLevel("s", CompatibilityLevel.BACKWARD_TRANSITIVE);
        assertThat(store.testCompatibility("s", null, X_REQUIRED, false)).singleElement()
                .satisfies(m -> assertThat(m).contains("version 1").contains("x"));
        // Against an explicit version the level's direction applies to that version only.
        assertThat(store.testCompatibility("s", "2", X_REQUIRED, false)).isEmpty();
        assertThat(store.testCompatibility("s", "1", X_REQUIRED, false)).isNotEmpty();
        RegistryError e = catchThrowableOfType(RegistryError.class, () -> store.register("s", X_REQUIRED, false));
        assertThat(e.status()).isEqualTo(409);
        assertThat(e.errorCode()).isEqualTo(409);
    }

    @Test
    void forwardAndFullDirections() {
        store.register("f", V2, false);
        store.setLevel("f", CompatibilityLevel.FORWARD);
        // Old readers (V2, x has a default) can read data without x.
        assertThat(store.testCompatibility("f", null, V1, false)).isEmpty();
        store.setLevel("f", CompatibilityLevel.FULL);
        // X_REQUIRED reads V2 data (V2 always writes x) and V2 reads X_REQUIRED data: compatible both ways.
        assertThat(store.testCompatibility("f", null, X_REQUIRED, false)).isEmpty();
        String typeChange = V2.replace("\"int\",\"default\":0", "\"string\",\"default\":\"0\"");
        assertThat(store.testCompatibility("f", null, typeChange, false)).hasSizeGreaterThanOrEqualTo(2);
        store.setLevel("f", CompatibilityLevel.NONE);
        assertThat(store.register("f", typeChange, false)).isPositive();
    }

    @Test
    void invalidInputGetsConfluentErrorCodes() {
        assertThat(catchThrowableOfType(RegistryError.class, () -> store.register("s", "{\"type\":\"rec\"}", false))
                .errorCode()).isEqualTo(42201);
        assertThat(catchThrowableOfType(RegistryError.class, () -> store.register("s", "", false)).errorCode())
                .isEqualTo(42201);
        store.register("s", V1, false);
        assertThat(catchThrowableOfType(RegistryError.class, () -> store.version("s", "0", false)).errorCode())
                .isEqualTo(42202);
        assertThat(catchThrowableOfType(RegistryError.class, () -> store.version("s", "9", false)).errorCode())
                .isEqualTo(40402);
        assertThat(catchThrowableOfType(RegistryError.class, () -> store.version("t", "1", false)).errorCode())
                .isEqualTo(40401);
        assertThat(catchThrowableOfType(RegistryError.class, () -> store.schemaById(77)).errorCode())
                .isEqualTo(40403);
        assertThat(catchThrowableOfType(RegistryError.class, () -> store.lookup("s", V2, false, false)).errorCode())
                .isEqualTo(40403);
        assertThat(catchThrowableOfType(RegistryError.class, () -> store.deleteLevel("s")).errorCode())
                .isEqualTo(40408);
    }

    @Test
    void normalizationIgnoresPropertyOrder() {
        String reordered = "{\"fields\":[{\"type\":\"string\",\"name\":\"id\"}],\"name\":\"E\",\"type\":\"record\"}";
        int id = store.register("n", V1, true);
        assertThat(store.register("n", reordered, true)).isEqualTo(id);
        assertThat(store.lookup("n", reordered, true, false).version()).isEqualTo(1);
    }

    @Test
    void deletedVersionsKeepTheirIdsAndIdsAreNeverReused() {
        int id1 = store.register("d", V1, false);
        int id2 = store.register("d", V2, false);
        assertThat(store.deleteSubject("d", false)).containsExactly(1, 2);
        assertThat(store.subjects(false, null)).doesNotContain("d");
        assertThat(store.subjects(true, null)).contains("d");
        assertThat(store.deleteSubject("d", true)).containsExactly(1, 2);
        assertThat(store.subjects(true, null)).doesNotContain("d");
        assertThat(store.schemaById(id2)).isNotEmpty();
        int id3 = store.register("d", X_REQUIRED, false);
        assertThat(id3).isGreaterThan(id2).isGreaterThan(id1);
        assertThat(new SchemaStore(log, CompatibilityLevel.BACKWARD).register("e", X_REQUIRED.replace("\"E\"", "\"F\""),
                false)).isEqualTo(id3 + 1);
    }

    @Test
    void unknownLogFormatIsRejectedWithAClearMessage() {
        log.entries.add(new SchemaLog.Entry("{\"format\":2,\"type\":\"SCHEMA\",\"subject\":\"s\",\"version\":1}",
                "{\"format\":2}", "memory@0"));
        assertThatThrownBy(() -> new SchemaStore(log, CompatibilityLevel.BACKWARD))
                .hasMessageContaining("format 2").hasMessageContaining("format 1");
    }

    @Test
    void globalConfigResetsToTheDefault() {
        store.setLevel(null, CompatibilityLevel.NONE);
        assertThat(store.levelFor("any")).isEqualTo(CompatibilityLevel.NONE);
        assertThat(store.deleteLevel(null)).isEqualTo(CompatibilityLevel.NONE);
        assertThat(store.globalLevel()).isEqualTo(CompatibilityLevel.BACKWARD);
        assertThat(List.of(CompatibilityLevel.values())).hasSize(7);
        assertThat(CompatibilityLevel.parseOrNull("full_transitive")).isEqualTo(CompatibilityLevel.FULL_TRANSITIVE);
        assertThat(CompatibilityLevel.parseOrNull("SIDEWAYS")).isNull();
    }
}
