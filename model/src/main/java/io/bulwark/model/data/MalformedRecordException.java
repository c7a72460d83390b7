package io.bulwark.model.data;

/** A record of an input file that cannot be read, with the source and 1-based line where it starts. */
public final class MalformedRecordException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final long line;
    private final String reason;

    /** Creates the exception for the record starting at {@code line} of {@code source}. */
    public MalformedRecordException(String source, long line, String reason) {
        super(source + ":" + line + ": " + reason);
        this.source = source;
        this.line = line;
        this.reason = reason;
    }

    /** The file or stream name. */
    public String source() {
        return source;
    }

    /** The 1-based line where the bad record starts. */
    public long line() {
        return line;
    }

    /** What is wrong with the record, without the location. */
    public String reason() {
        return reason;
    }
}
