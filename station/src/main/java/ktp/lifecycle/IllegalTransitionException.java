package ktp.lifecycle;

/** A status change the national flow does not allow; the message names both statuses. */
public final class IllegalTransitionException extends RuntimeException {
    private final NationalStatus from;
    private final NationalStatus to;

    public IllegalTransitionException(NationalStatus from, NationalStatus to) {
        super("illegal status transition " + from + " -> " + to + ": the national flow has no such edge");
        this.from = from;
        this.to = to;
    }

    public NationalStatus from() { return from; }
    public NationalStatus to() { return to; }
}
