package ktp.store;

import java.time.Instant;

/** One line of the append-only audit log; {@code hash} chains it to every entry before it. */
public record AuditEntry(long sequence, Instant at, String actor, String action, String detail,
                         byte[] previousHash, byte[] hash) {}
