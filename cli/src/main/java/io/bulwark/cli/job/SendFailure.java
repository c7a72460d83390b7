package io.bulwark.cli.job;

import io.bulwark.job.deadletter.DeadLetterReason;

import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An input record the producer could not send, with the reason and whether it reached the dead-letter topic.
 *
 * @param line the record's 1-based line in its input file (0 when it has none)
 * @param reason why it was not sent
 * @param detail the producer's or broker's message
 * @param key the record's key bytes, or null
 * @param value the record's value bytes (for a record that could not be serialized: the event as JSON)
 * @param deadLetterError null when the dead letter was written, else why it was not (also when there is no
 *     dead-letter topic)
 */
public record SendFailure(long line, DeadLetterReason reason, String detail, byte[] key, byte[] value,
                          String deadLetterError) {

    /** Returns the reason for a producer exception: the record's size, its serialization, or anything else. */
    static DeadLetterReason reasonOf(Throwable error) {
        if (error instanceof RecordTooLargeException || error instanceof RecordBatchTooLargeException) {
            return DeadLetterReason.RECORD_TOO_LARGE;
        }
        if (error instanceof SerializationException) {
            return DeadLetterReason.SERIALIZATION_FAILED;
        }
        return DeadLetterReason.SEND_FAILED;
    }

    /** Returns true when the failure is in the dead-letter topic. */
    public boolean deadLettered() {
        return deadLetterError == null;
    }

    /** Returns this failure with the outcome of writing its dead letter. */
    SendFailure withDeadLetterError(String error) {
        return new SendFailure(line, reason, detail, key, value, error);
    }

    /** Returns the failure as a JSON-ready map (without the bytes). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("line", line);
        m.put("reason", reason.name());
        m.put("detail", detail);
        m.put("value_bytes", value == null ? 0 : value.length);
        m.put("dead_lettered", deadLettered());
        if (!deadLettered()) {
            m.put("dead_letter_error", deadLetterError);
        }
        return m;
    }
}
