package io.bulwark.serving.api;

/** An error answered to the client with an HTTP status and a message saying what is wrong. */
public final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;

    /** Creates an error with {@code status} and {@code message}. */
    public ApiException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** The HTTP status. */
    public int status() {
        return status;
    }

    /** 400 Bad Request. */
    public static ApiException badRequest(String message) {
        return new ApiException(400, message);
    }

    /** 404 Not Found. */
    public static ApiException notFound(String message) {
        return new ApiException(404, message);
    }

    /** 409 Conflict. */
    public static ApiException conflict(String message) {
        return new ApiException(409, message);
    }

    /** 413 Content Too Large. */
    public static ApiException tooLarge(String message) {
        return new ApiException(413, message);
    }

    /** 503 Service Unavailable. */
    public static ApiException unavailable(String message) {
        return new ApiException(503, message);
    }
}
