package ktp.store;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

/** Helpers shared by the store tests: a snapshot of everything stored, to show that nothing changed. */
final class StoreFixtures {
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-28T08:00:00Z"), ZoneOffset.UTC);
    static final Actor OPERATOR = new Actor("budi", Role.OPERATOR);
    static final Actor SUPERVISOR = new Actor("ani", Role.SUPERVISOR);

    private StoreFixtures() {}

    record Snapshot(List<Job> jobs, List<LedgerEntry> ledger, List<String> outbox, List<String> audit) {}

    static Snapshot snapshot(StationStore s) {
        return new Snapshot(s.jobs(), s.ledger(),
                s.pendingEvents(Integer.MAX_VALUE).stream().map(e -> e.sequence() + " " + e.type() + " " + e.recordId() + " " + e.eventId()).toList(),
                s.auditLog().stream().map(e -> e.sequence() + " " + e.action() + " " + e.detail()).toList());
    }

    static byte[] envelope(String text) { return text.getBytes(StandardCharsets.UTF_8); }
}
