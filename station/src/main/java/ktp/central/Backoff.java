package ktp.central;

import java.time.Duration;
import java.util.Random;

/**
 * How long to wait before trying an unreachable data center again: exponential, capped, with full jitter
 * (a random wait between zero and the current ceiling), so that stations cut off together do not all come
 * back in the same instant. Pure; not thread-safe.
 */
public final class Backoff {
    private final long baseMillis;
    private final long maxMillis;
    private final Random random;
    private int failures;

    public Backoff(Duration base, Duration max, Random random) {
        if (base.isNegative() || base.isZero() || max.compareTo(base) < 0) throw new IllegalArgumentException("need 0 < base <= max, got " + base + " and " + max);
        this.baseMillis = base.toMillis();
        this.maxMillis = max.toMillis();
        this.random = random;
    }

    /** The ceiling after {@code failures} failures in a row: base x 2^(failures-1), at most max. */
    public long ceilingMillis(int failures) {
        if (failures <= 0) return 0;
        int shift = Math.min(failures - 1, 30);
        return Math.min(maxMillis, baseMillis << shift);
    }

    /** Records one more failure and returns the wait before the next try. */
    public Duration next() {
        failures++;
        long ceiling = ceilingMillis(failures);
        return Duration.ofMillis(ceiling == 0 ? 0 : (long) (random.nextDouble() * (ceiling + 1)));
    }

    public int failures() { return failures; }

    public void reset() { failures = 0; }
}
