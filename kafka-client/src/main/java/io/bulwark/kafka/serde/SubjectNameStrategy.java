package io.bulwark.kafka.serde;

import java.util.Locale;

/** How a subject name is derived from a topic and a record schema, as in Confluent's subject name strategies. */
public enum SubjectNameStrategy {
    /** {@code <topic>-value} or {@code <topic>-key} (Confluent's TopicNameStrategy, the default). */
    TOPIC,
    /** The record's full name, e.g. {@code io.bulwark.avro.LabeledText} (RecordNameStrategy). */
    RECORD,
    /** {@code <topic>-<record full name>} (TopicRecordNameStrategy). */
    TOPIC_RECORD;

    /** Returns the subject for a topic, a record full name and whether the schema is for the key. */
    public String subject(String topic, String recordFullName, boolean isKey) {
        switch (this) {
            case TOPIC:
                requireTopic(topic);
                return topic + (isKey ? "-key" : "-value");
            case RECORD:
                return recordFullName;
            case TOPIC_RECORD:
                requireTopic(topic);
                return topic + "-" + recordFullName;
            default:
                throw new IllegalStateException("Unhandled strategy " + this);
        }
    }

    /**
     * Parses a strategy from its name ({@code TOPIC}, {@code RECORD}, {@code TOPIC_RECORD}) or from a Confluent
     * strategy class name ({@code ...TopicNameStrategy}, {@code ...RecordNameStrategy},
     * {@code ...TopicRecordNameStrategy}).
     */
    public static SubjectNameStrategy parse(String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("Subject name strategy must not be empty");
        }
        String v = value.trim();
        String simple = v.substring(v.lastIndexOf('.') + 1);
        switch (simple) {
            case "TopicNameStrategy":
                return TOPIC;
            case "RecordNameStrategy":
                return RECORD;
            case "TopicRecordNameStrategy":
                return TOPIC_RECORD;
            default:
                break;
        }
        try {
            return valueOf(v.toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Unknown subject name strategy '" + value
                    + "'; expected TOPIC, RECORD, TOPIC_RECORD or a Confluent strategy class name", e);
        }
    }

    private static void requireTopic(String topic) {
        if (topic == null || topic.isEmpty()) {
            throw new IllegalArgumentException("A topic is required by the topic-based subject name strategies");
        }
    }
}
