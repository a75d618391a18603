package ktp.central;

/** The data center could not be used for one request, and why. */
public final class CentralException extends Exception {
    public enum Kind {
        /** Not reachable, too slow, a 5xx, or the answer broke off: try again later. */
        UNREACHABLE,
        /** The data center answered 4xx: this request will not succeed as it is. */
        REFUSED,
        /** The answer was not what the API promises (not JSON, missing fields, too large): try again later, and tell someone. */
        BAD_ANSWER
    }

    private final Kind kind;
    private final int httpStatus;
    private final String code;

    public CentralException(Kind kind, int httpStatus, String code, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.httpStatus = httpStatus;
        this.code = code;
    }

    public Kind kind() { return kind; }

    /** The HTTP status, or 0 when there was none. */
    public int httpStatus() { return httpStatus; }

    /** The data center's error code for a refusal (for example LEASE_EXPIRED), or "". */
    public String code() { return code; }
}
