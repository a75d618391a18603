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
    public record Verdict(boolean intact, long entries, Optional<String> problem, List<String> gaps) {
        Verdict(boolean intact, long entries, Optional<String> problem) { this(intact, entries, problem, List.of()); }
    }

    /** Entries lost to damage and recorded by a store repair, as "from-to,from-to" (meta auditGaps). */
    static List<long[]> gaps(String recorded) {
        List<long[]> out = new java.util.ArrayList<>();
        if (recorded == null || recorded.isBlank()) return out;
        for (String g : recorded.split(",")) {
            String[] ab = g.split("-");
            out.add(new long[] {Long.parseLong(ab[0]), Long.parseLong(ab[1])});
        }
        return out;
    }

    public static Verdict verify(List<AuditEntry> log, long expectedCount, byte[] expectedHead) {
        return verify(log, expectedCount, expectedHead, List.of());
    }

    /**
     * Checks sequence continuity, each link and each hash, and that the last hash equals the head the store
     * recorded (which catches entries cut off the end).
     */
    public static Verdict verify(List<AuditEntry> log, long expectedCount, byte[] expectedHead, List<long[]> repairedGaps) {
        return verify(log, log.size(), expectedCount, expectedHead, repairedGaps, n -> { });
    }

    /**
     * The same over any iteration of the log in sequence order (the store's table, read as it goes rather than
     * copied), reporting every 10,000 entries verified to {@code progress}.
     */
    static Verdict verify(Iterable<AuditEntry> log, long size, long expectedCount, byte[] expectedHead, List<long[]> repairedGaps,
                          java.util.function.LongConsumer progress) {
        byte[] previous = GENESIS;
        long expectedSeq = 1;
        List<String> gapNotes = new java.util.ArrayList<>();
        for (AuditEntry e : log) {
            long seq = expectedSeq;
            boolean known = repairedGaps.stream().anyMatch(g -> g[0] == seq && g[1] == e.sequence() - 1);
            if (e.sequence() != expectedSeq && known) {
                // Lost to damage and recorded by a repair: the link across the gap cannot be checked, the rest can.
                gapNotes.add("entries " + expectedSeq + ".." + (e.sequence() - 1) + " were lost to damage (recorded by a store repair)");
                previous = e.previousHash();
                expectedSeq = e.sequence();
            }
            if (e.sequence() != expectedSeq) {
                return broken(size, "entry " + expectedSeq + " is missing (found " + e.sequence() + " next)");
            }
            if (!Arrays.equals(e.previousHash(), previous)) {
                return broken(size, "entry " + e.sequence() + " does not link to entry " + (e.sequence() - 1) + " (previous hash differs)");
            }
            byte[] recomputed = hash(e.sequence(), e.at().toEpochMilli(), e.actor(), e.action(), e.detail(), e.previousHash());
            if (!Arrays.equals(recomputed, e.hash())) {
                return broken(size, "entry " + e.sequence() + " was altered after it was written (its hash does not match its content)");
            }
            previous = e.hash();
            expectedSeq++;
            if ((expectedSeq - 1) % 10_000 == 0) progress.accept(expectedSeq - 1);
        }
        if (expectedSeq - 1 != expectedCount) {
            return broken(size, "the log holds " + (expectedSeq - 1) + " entries but the store recorded " + expectedCount + " (entries removed from the end?)");
        }
        if (!Arrays.equals(previous, expectedHead)) {
            return broken(size, "the last entry's hash differs from the head the store recorded");
        }
        return new Verdict(true, size, Optional.empty(), List.copyOf(gapNotes));
    }

    private static Verdict broken(long size, String problem) {
        return new Verdict(false, size, Optional.of(problem));
    }
}
