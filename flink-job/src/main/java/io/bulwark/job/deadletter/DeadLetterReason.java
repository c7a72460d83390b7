package io.bulwark.job.deadletter;

/**
 * Why an input record was dead-lettered; the name is written to {@code DeadLetter.reason}. The job writes the first
 * eight; the last three are written by Bulwark's own producers ({@code produce}, {@code demo}) for a record that never
 * reached the input topic (partition and offset -1).
 */
public enum DeadLetterReason {
    /** The value is null, not in the registry wire format, or corrupt Avro. */
    UNDECODABLE,
    /** The value names a schema id the registry does not know. */
    UNKNOWN_SCHEMA,
    /** The writer schema cannot be read as LabeledText. */
    INCOMPATIBLE_SCHEMA,
    /** The text field is null. */
    MISSING_TEXT,
    /** The text is empty or only whitespace. */
    EMPTY_TEXT,
    /** The text is longer than {@code text.max-length}. */
    TEXT_TOO_LONG,
    /** The weight is NaN, infinite or negative. */
    BAD_WEIGHT,
    /** The label is not in the fixed label set, or is new while the learned set is full. */
    UNKNOWN_LABEL,
    /** The producer or the broker refused the record for its size ({@code max.request.size}, {@code max.message.bytes}). */
    RECORD_TOO_LARGE,
    /** The record could not be serialized (its schema was rejected, or a required field is missing). */
    SERIALIZATION_FAILED,
    /** The record could not be sent for another reason (time-out, authorization, a broker error). */
    SEND_FAILED
}
