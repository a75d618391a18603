package ktp.telemetry;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Signatures seen recently, to refuse the same signed message published again: each is remembered until its
 * own time plus the window it is valid in, so the memory stays bounded by the message rate times the window
 * (what is older is refused as stale anyway).
 */
final class ReplayGuard {
    private final Map<String, Instant> seen = new HashMap<>();
    private long checks;

    /** True the first time a signature is seen; {@code at} is the message's own time. */
    synchronized boolean firstTime(byte[] signature, Instant at, Duration keep, Instant now) {
        if (++checks % 1000 == 0) seen.values().removeIf(until -> until.isBefore(now));
        String k = java.util.Base64.getEncoder().encodeToString(signature);
        if (seen.containsKey(k)) return false;
        seen.put(k, at.plus(keep));
        return true;
    }
}
