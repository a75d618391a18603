package ktp.biometric;

/**
 * How many times a holder may try: {@code attemptsPerFinger} captures on the first finger on the chip, then as
 * many on the second. A capture refused for too little detail does not count as an attempt.
 */
public record RetryPolicy(int attemptsPerFinger, int fingers) {
    public static final RetryPolicy STATION = new RetryPolicy(3, 2);

    public RetryPolicy {
        if (attemptsPerFinger < 1 || attemptsPerFinger > 10 || fingers < 1 || fingers > 2) {
            throw new IllegalArgumentException("1..10 attempts on 1 or 2 fingers, got " + attemptsPerFinger + " on " + fingers);
        }
    }

    public int attemptsPerTransaction() { return attemptsPerFinger * fingers; }
}
