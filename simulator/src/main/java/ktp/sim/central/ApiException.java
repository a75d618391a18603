package ktp.sim.central;

/** A request the data center refuses: the HTTP status, a stable error code and a message naming the problem. */
final class ApiException extends RuntimeException {
    private final int status;
    private final String code;

    ApiException(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    int status() { return status; }

    String code() { return code; }
}
