package io.bulwark.kafka.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.avro.Schema;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The registry's state (subjects, versions, ids, compatibility configs) rebuilt from a {@link SchemaLog} and changed
 * only by appending to it first.
 *
 * <p>Log format: JSON keys and values that start with {@code "format":1}; the store refuses other formats. A key is
 * {@code {"format":1,"type":"SCHEMA","subject":S,"version":V}} or {@code {"format":1,"type":"CONFIG","subject":S}}
 * (subject null for the global config). Permanently deleted versions stay in the log with {@code "permanent":true}
 * rather than as tombstones, so their ids are never reused and old records stay decodable by id.
 */
final class SchemaStore {

    static final int FORMAT = 1;
    static final String AVRO = "AVRO";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One version of a subject. */
    record Version(String subject, int version, int id, String schema, boolean deleted, boolean permanent) {
        boolean live() {
            return !deleted && !permanent;
        }
    }

    private final SchemaLog log;
    private final CompatibilityLevel defaultLevel;
    private final Map<String, NavigableMap<Integer, Version>> subjects = new TreeMap<>();
    private final Map<Integer, String> schemasById = new TreeMap<>();
    private final Map<String, Integer> idsBySchema = new HashMap<>();
    private final Map<String, CompatibilityLevel> subjectLevels = new TreeMap<>();
    private CompatibilityLevel globalLevel;
    private int maxId;

    SchemaStore(SchemaLog log, CompatibilityLevel defaultLevel) {
        this.log = Objects.requireNonNull(log, "log");
        this.defaultLevel = Objects.requireNonNull(defaultLevel, "defaultLevel");
        this.globalLevel = defaultLevel;
        log.replay(e -> apply(e.key(), e.value(), e.position()));
    }

    // ---------------------------------------------------------------- registration and lookup

    /** Registers a schema under a subject (idempotent) and returns its id. */
    synchronized int register(String subject, String schemaText, boolean normalize) {
        Schema schema = AvroSchemas.parse(schemaText);
        String canonical = AvroSchemas.canonical(schema, normalize);
        NavigableMap<Integer, Version> versions = subjects.getOrDefault(subject, new TreeMap<>());
        for (Version v : versions.values()) {
            if (v.live() && v.schema().equals(canonical)) {
                return v.id();
            }
        }
        List<String> problems = check(subject, schema, liveVersions(subject), levelFor(subject));
        if (!problems.isEmpty()) {
            throw new RegistryError(409, RegistryError.INCOMPATIBLE_SCHEMA,
                    "Schema being registered is incompatible with an earlier schema for subject \"" + subject
                            + "\", details: " + problems);
        }
        Integer existingId = idsBySchema.get(canonical);
        int id = existingId != null ? existingId : maxId + 1;
        int version = versions.isEmpty() ? 1 : versions.lastKey() + 1;
        writeVersion(new Version(subject, version, id, canonical, false, false));
        return id;
    }

    /** Finds the version of a subject holding a schema. */
    synchronized Version lookup(String subject, String schemaText, boolean normalize, boolean includeDeleted) {
        requireSubject(subject, includeDeleted);
        String canonical = AvroSchemas.canonical(AvroSchemas.parse(schemaText), normalize);
        for (Version v : subjects.get(subject).values()) {
            if (!v.permanent() && (includeDeleted || !v.deleted()) && v.schema().equals(canonical)) {
                return v;
            }
        }
        throw RegistryError.schemaNotFound("Schema not found");
    }

    /** Returns the schema text of an id (including deleted versions' schemas). */
    synchronized String schemaById(int id) {
        String s = schemasById.get(id);
        if (s == null) {
            throw RegistryError.schemaNotFound("Schema " + id + " not found");
        }
        return s;
    }

    /** Returns the highest id assigned so far. */
    synchronized int maxId() {
        return maxId;
    }

    /** Returns the subject versions using an id. */
    synchronized List<Version> versionsById(int id, boolean includeDeleted) {
        schemaById(id);
        List<Version> out = new ArrayList<>();
        for (NavigableMap<Integer, Version> versions : subjects.values()) {
            for (Version v : versions.values()) {
                if (v.id() == id && !v.permanent() && (includeDeleted || !v.deleted())) {
                    out.add(v);
                }
            }
        }
        return out;
    }

    /** Returns subject names, optionally with soft-deleted ones, filtered by a prefix. */
    synchronized List<String> subjects(boolean includeDeleted, String prefix) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, NavigableMap<Integer, Version>> e : subjects.entrySet()) {
            if (prefix != null && !e.getKey().startsWith(prefix)) {
                continue;
            }
            if (e.getValue().values().stream().anyMatch(v -> v.live() || (includeDeleted && !v.permanent()))) {
                out.add(e.getKey());
            }
        }
        return out;
    }

    /** Returns the version numbers of a subject. */
    synchronized List<Integer> versions(String subject, boolean includeDeleted) {
        requireSubject(subject, includeDeleted);
        List<Integer> out = new ArrayList<>();
        for (Version v : subjects.get(subject).values()) {
            if (v.live() || (includeDeleted && !v.permanent())) {
                out.add(v.version());
            }
        }
        return out;
    }

    /** Returns one version ({@code latest}, {@code -1} or a number) of a subject. */
    synchronized Version version(String subject, String versionText, boolean includeDeleted) {
        int requested = parseVersion(versionText);
        requireSubject(subject, includeDeleted);
        NavigableMap<Integer, Version> versions = subjects.get(subject);
        if (requested == -1) {
            for (Version v : versions.descendingMap().values()) {
                if (v.live() || (includeDeleted && !v.permanent())) {
                    return v;
                }
            }
            throw RegistryError.versionNotFound(subject, "latest");
        }
        Version v = versions.get(requested);
        if (v == null || v.permanent() || (v.deleted() && !includeDeleted)) {
            throw RegistryError.versionNotFound(subject, requested);
        }
        return v;
    }

    // ---------------------------------------------------------------- deletion

    /** Deletes a subject: soft (hidden, ids kept) or, after a soft delete, permanently; returns the versions. */
    synchronized List<Integer> deleteSubject(String subject, boolean permanent) {
        NavigableMap<Integer, Version> versions = subjects.get(subject);
        boolean anyLive = versions != null && versions.values().stream().anyMatch(Version::live);
        boolean anySoft = versions != null && versions.values().stream().anyMatch(v -> v.deleted() && !v.permanent());
        if (!anyLive && !anySoft) {
            throw RegistryError.subjectNotFound(subject);
        }
        List<Integer> out = new ArrayList<>();
        if (!permanent) {
            if (!anyLive) {
                throw new RegistryError(404, RegistryError.SUBJECT_SOFT_DELETED, "Subject '" + subject
                        + "' was soft deleted. Set permanent=true to delete permanently");
            }
            for (Version v : List.copyOf(versions.values())) {
                if (v.live()) {
                    writeVersion(new Version(subject, v.version(), v.id(), v.schema(), true, false));
                    out.add(v.version());
                }
            }
            return out;
        }
        if (anyLive) {
            throw new RegistryError(404, RegistryError.SUBJECT_NOT_SOFT_DELETED, "Subject '" + subject
                    + "' was not deleted first before being permanently deleted");
        }
        for (Version v : List.copyOf(versions.values())) {
            if (!v.permanent()) {
                writeVersion(new Version(subject, v.version(), v.id(), v.schema(), true, true));
                out.add(v.version());
            }
        }
        return out;
    }

    /** Deletes one version: soft, or permanently after a soft delete; returns the version number. */
    synchronized int deleteVersion(String subject, String versionText, boolean permanent) {
        int requested = parseVersion(versionText);
        requireSubject(subject, true);
        Version v = requested == -1 ? version(subject, "latest", permanent) : subjects.get(subject).get(requested);
        if (v == null || v.permanent()) {
            throw RegistryError.versionNotFound(subject, versionText);
        }
        if (!permanent) {
            if (v.deleted()) {
                throw new RegistryError(404, RegistryError.VERSION_SOFT_DELETED, "Subject '" + subject + "' Version "
                        + v.version() + " was soft deleted. Set permanent=true to delete permanently");
            }
            writeVersion(new Version(subject, v.version(), v.id(), v.schema(), true, false));
        } else {
            if (!v.deleted()) {
                throw new RegistryError(404, RegistryError.VERSION_NOT_SOFT_DELETED, "Subject '" + subject
                        + "' Version " + v.version() + " was not deleted first before being permanently deleted");
            }
            writeVersion(new Version(subject, v.version(), v.id(), v.schema(), true, true));
        }
        return v.version();
    }

    // ---------------------------------------------------------------- compatibility

    /** Returns the global compatibility level. */
    synchronized CompatibilityLevel globalLevel() {
        return globalLevel;
    }

    /** Returns a subject's own level, or null when it has none. */
    synchronized CompatibilityLevel subjectLevel(String subject) {
        return subjectLevels.get(subject);
    }

    /** Returns the level in force for a subject. */
    synchronized CompatibilityLevel levelFor(String subject) {
        return subjectLevels.getOrDefault(subject, globalLevel);
    }

    /** Sets the global level ({@code subject} null) or a subject's level. */
    synchronized void setLevel(String subject, CompatibilityLevel level) {
        ObjectNode value = JSON.createObjectNode();
        value.put("format", FORMAT);
        value.put("compatibilityLevel", level.name());
        append(configKey(subject), value.toString());
    }

    /** Removes a subject's level (or resets the global one to the default); returns the level removed. */
    synchronized CompatibilityLevel deleteLevel(String subject) {
        CompatibilityLevel old = subject == null ? globalLevel : subjectLevels.get(subject);
        if (old == null) {
            throw new RegistryError(404, RegistryError.SUBJECT_LEVEL_COMPATIBILITY_NOT_CONFIGURED,
                    "Subject '" + subject + "' does not have subject-level compatibility configured");
        }
        append(configKey(subject), null);
        return old;
    }

    /**
     * Checks a schema against one version ({@code versionText}) or, when null, against the versions the subject's
     * level selects; returns the incompatibilities (empty when compatible).
     */
    synchronized List<String> testCompatibility(String subject, String versionText, String schemaText,
                                                boolean normalize) {
        Schema schema = AvroSchemas.parse(schemaText);
        CompatibilityLevel level = levelFor(subject);
        if (versionText == null) {
            if (!subjects.containsKey(subject)) {
                return List.of();
            }
            return check(subject, schema, liveVersions(subject), level);
        }
        Version v = version(subject, versionText, false);
        CompatibilityLevel single = level.transitive() ? CompatibilityLevel.valueOf(level.name()
                .replace("_TRANSITIVE", "")) : level;
        return check(subject, schema, List.of(v), single);
    }

    private List<String> check(String subject, Schema candidate, List<Version> existing, CompatibilityLevel level) {
        List<String> problems = new ArrayList<>();
        if (level == CompatibilityLevel.NONE || existing.isEmpty()) {
            return problems;
        }
        List<Version> against = level.transitive() ? existing : List.of(existing.get(existing.size() - 1));
        for (Version v : against) {
            Schema old = new Schema.Parser().parse(v.schema());
            String label = "subject '" + subject + "' version " + v.version();
            if (level.backward()) {
                problems.addAll(AvroSchemas.incompatibilities(candidate, old, "new schema reading " + label));
            }
            if (level.forward()) {
                problems.addAll(AvroSchemas.incompatibilities(old, candidate, label + " reading the new schema"));
            }
        }
        return problems;
    }

    // ---------------------------------------------------------------- log application

    private List<Version> liveVersions(String subject) {
        List<Version> out = new ArrayList<>();
        NavigableMap<Integer, Version> versions = subjects.get(subject);
        if (versions != null) {
            for (Version v : versions.values()) {
                if (v.live()) {
                    out.add(v);
                }
            }
        }
        return out;
    }

    private void requireSubject(String subject, boolean includeDeleted) {
        NavigableMap<Integer, Version> versions = subjects.get(subject);
        if (versions == null || versions.values().stream().noneMatch(v -> v.live()
                || (includeDeleted && !v.permanent()))) {
            throw RegistryError.subjectNotFound(subject);
        }
    }

    private static int parseVersion(String text) {
        if (text == null) {
            throw RegistryError.invalidVersion("null");
        }
        if (text.equalsIgnoreCase("latest")) {
            return -1;
        }
        try {
            int v = Integer.parseInt(text.trim());
            if (v == -1 || v >= 1) {
                return v;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw RegistryError.invalidVersion(text);
    }

    private void writeVersion(Version v) {
        ObjectNode key = JSON.createObjectNode();
        key.put("format", FORMAT);
        key.put("type", "SCHEMA");
        key.put("subject", v.subject());
        key.put("version", v.version());
        ObjectNode value = JSON.createObjectNode();
        value.put("format", FORMAT);
        value.put("subject", v.subject());
        value.put("version", v.version());
        value.put("id", v.id());
        value.put("schemaType", AVRO);
        value.put("schema", v.schema());
        value.put("deleted", v.deleted());
        value.put("permanent", v.permanent());
        append(key.toString(), value.toString());
    }

    private static String configKey(String subject) {
        ObjectNode key = JSON.createObjectNode();
        key.put("format", FORMAT);
        key.put("type", "CONFIG");
        if (subject == null) {
            key.putNull("subject");
        } else {
            key.put("subject", subject);
        }
        return key.toString();
    }

    private void append(String key, String value) {
        log.append(key, value);
        apply(key, value, "new write");
    }

    private void apply(String keyText, String valueText, String position) {
        JsonNode key = readFormatted(keyText, "key", position);
        String type = key.path("type").asText();
        switch (type) {
            case "SCHEMA": {
                if (valueText == null) {
                    // Tombstones are not written by this registry; tolerate them as a permanent delete.
                    NavigableMap<Integer, Version> versions = subjects.get(key.path("subject").asText());
                    if (versions != null) {
                        versions.remove(key.path("version").asInt());
                    }
                    return;
                }
                JsonNode value = readFormatted(valueText, "value", position);
                String schemaType = value.path("schemaType").asText(AVRO);
                if (!AVRO.equals(schemaType)) {
                    throw new IllegalStateException("Schema log entry at " + position + " has schemaType "
                            + schemaType + "; this registry stores AVRO only");
                }
                Version v = new Version(value.path("subject").asText(), value.path("version").asInt(),
                        value.path("id").asInt(), value.path("schema").asText(), value.path("deleted").asBoolean(),
                        value.path("permanent").asBoolean());
                subjects.computeIfAbsent(v.subject(), s -> new TreeMap<>()).put(v.version(), v);
                schemasById.putIfAbsent(v.id(), v.schema());
                idsBySchema.putIfAbsent(v.schema(), v.id());
                maxId = Math.max(maxId, v.id());
                return;
            }
            case "CONFIG": {
                String subject = key.path("subject").isNull() || key.path("subject").isMissingNode()
                        ? null : key.path("subject").asText();
                CompatibilityLevel level = null;
                if (valueText != null) {
                    JsonNode value = readFormatted(valueText, "value", position);
                    level = CompatibilityLevel.parseOrNull(value.path("compatibilityLevel").asText());
                    if (level == null) {
                        throw new IllegalStateException("Schema log entry at " + position
                                + " has an unknown compatibility level: " + valueText);
                    }
                }
                if (subject == null) {
                    globalLevel = level == null ? defaultLevel : level;
                } else if (level == null) {
                    subjectLevels.remove(subject);
                } else {
                    subjectLevels.put(subject, level);
                }
                return;
            }
            default:
                throw new IllegalStateException("Schema log entry at " + position + " has unknown type '" + type
                        + "': " + keyText);
        }
    }

    private static JsonNode readFormatted(String text, String what, String position) {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Schema log entry " + what + " at " + position + " is not JSON: " + text,
                    e);
        }
        int format = node.path("format").asInt(-1);
        if (format != FORMAT) {
            throw new IllegalStateException("Schema log entry " + what + " at " + position + " has format " + format
                    + "; this registry reads format " + FORMAT + " only: " + text);
        }
        return node;
    }
}
