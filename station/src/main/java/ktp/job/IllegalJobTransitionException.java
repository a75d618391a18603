package ktp.job;

/** A job change the station's state machine does not allow, or one missing what it requires. */
public final class IllegalJobTransitionException extends RuntimeException {
    public IllegalJobTransitionException(String message) { super(message); }
}
