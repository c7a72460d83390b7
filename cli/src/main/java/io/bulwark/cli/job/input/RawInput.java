package io.bulwark.cli.job.input;

import io.bulwark.avro.LabeledText;

/**
 * One record of an input file as it will be sent: a LabeledText built from the record's fields without any
 * validation, or, for a line that is not even a record (invalid JSON, wrong CSV field count), the line's raw bytes,
 * which the job dead-letters as UNDECODABLE.
 *
 * @param event the event, or null for a raw line
 * @param raw the raw bytes, or null for an event
 * @param line the 1-based line the record starts on
 * @param sortTime the record's time for {@code --order time}, or {@link Long#MAX_VALUE} when it has none
 */
public record RawInput(LabeledText event, byte[] raw, long line, long sortTime) {

    /** Returns true when this record is raw bytes rather than an event. */
    public boolean isRaw() {
        return event == null;
    }
}
