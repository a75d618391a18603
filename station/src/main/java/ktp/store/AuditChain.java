package ktp.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The hash chain of the audit log: each entry's hash covers its own fields and the previous entry's hash,
 * so changing, removing or reordering any entry breaks every hash after it. Pure functions.
 */
public final class AuditChain {
    static final byte[] GENESIS = new byte[32];

    private AuditChain() {}

    static byte[] hash(long sequence, long atMillis, String actor, String action, String detail, byte[] previous) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update("ktp-audit-v1".getBytes(StandardCharsets.US_ASCII));
            d.update(ByteBuffer.allocate(16).putLong(sequence).putLong(atMillis).array());
            for (String s : new String[] {actor, action, detail}) {
                byte[] b = s.getBytes(StandardCharsets.UTF_8);
                d.update(ByteBuffer.allocate(4).putInt(b.length).array());
                d.update(b);
            }
            d.update(previous);
            return d.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** A verdict on the log: intact, or the first entry that breaks it and how. */
    public record Verdict(boolean intact, long entries, Optional<String> problem) {}

    /**
     * Checks sequence continuity, each link and each hash, and that the last hash equals the head the store
     * recorded (which catches entries cut off the end).
     */
    public static Verdict verify(List<AuditEntry> log, long expectedCount, byte[] expectedHead) {
        byte[] previous = GENESIS;
        long expectedSeq = 1;
        for (AuditEntry e : log) {
            if (e.sequence() != expectedSeq) {
                return broken(log, "entry " + expectedSeq + " is missing (found " + e.sequence() + " next)");
            }
            if (!Arrays.equals(e.previousHash(), previous)) {
                return broken(log, "entry " + e.sequence() + " does not link to entry " + (e.sequence() - 1) + " (previous hash differs)");
            }
            byte[] recomputed = hash(e.sequence(), e.at().toEpochMilli(), e.actor(), e.action(), e.detail(), e.previousHash());
            if (!Arrays.equals(recomputed, e.hash())) {
                return broken(log, "entry " + e.sequence() + " was altered after it was written (its hash does not match its content)");
            }
            previous = e.hash();
            expectedSeq++;
        }
        if (log.size() != expectedCount) {
            return broken(log, "the log holds " + log.size() + " entries but the store recorded " + expectedCount + " (entries removed from the end?)");
        }
        if (!Arrays.equals(previous, expectedHead)) {
            return broken(log, "the last entry's hash differs from the head the store recorded");
        }
        return new Verdict(true, log.size(), Optional.empty());
    }

    private static Verdict broken(List<AuditEntry> log, String problem) {
        return new Verdict(false, log.size(), Optional.of(problem));
    }
}
