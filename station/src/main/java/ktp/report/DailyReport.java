package ktp.report;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import ktp.store.AuditEntry;
import ktp.store.BlankFate;
import ktp.store.LedgerEntry;
import ktp.store.StationStore;

/**
 * One day's issuance at a station (docs/reports.md), computed from the store alone: job changes from the
 * hash-chained audit log (who did what, when), spoiled blanks from the ledger. Days are the station's local
 * days ({@code zone}: WIB, WITA or WIT). No biometrics, names or NIKs: counts, blank ids, record ids and reasons,
 * so the report may be printed and filed.
 */
public record DailyReport(String stationId, LocalDate day, ZoneId zone, Instant generatedAt,
                          long recordsIn, long rejected, long printed, long issued, long activationFailed, long overrides,
                          List<Spoiled> spoiled, List<ByOperator> operators, long auditEntries, String auditHead) {

    /** A blank spoiled that day: destroyed with a written record (berita acara). */
    public record Spoiled(String blankId, String recordId, Instant at, String reason) {}

    /** What one person (or the station itself) did that day. */
    public record ByOperator(String actor, long printed, long issued, long activationFailed, long overrides) {}

    public static DailyReport of(StationStore store, LocalDate day, ZoneId zone, Instant now) {
        Instant from = day.atStartOfDay(zone).toInstant();
        Instant to = day.plusDays(1).atStartOfDay(zone).toInstant();
        long in = 0, rejected = 0, printed = 0, issued = 0, failed = 0, overrides = 0;
        Map<String, long[]> byActor = new TreeMap<>();
        // The day's entries from the time index: a day costs a day, whatever the store's history.
        for (AuditEntry e : store.auditBetween(from, to)) {
            if (e.action().equals("ADMIT")) {
                in++;
                continue;
            }
            if (!e.action().startsWith("JOB ")) continue;
            String[] change = e.action().substring(4).split(" -> ");
            if (change.length != 2) continue;
            long[] a = byActor.computeIfAbsent(e.actor(), k -> new long[4]);
            switch (change[1]) {
                case "REJECTED" -> rejected++;
                case "PRINTED" -> { printed++; a[0]++; }
                case "ISSUED" -> {
                    issued++;
                    a[1]++;
                    if (change[0].equals("ACTIVATION_FAILED")) { overrides++; a[3]++; }
                }
                case "ACTIVATION_FAILED" -> { failed++; a[2]++; }
                default -> { }
            }
        }
        List<ByOperator> operators = new ArrayList<>();
        byActor.forEach((actor, a) -> {
            if (a[0] + a[1] + a[2] + a[3] > 0) operators.add(new ByOperator(actor, a[0], a[1], a[2], a[3]));
        });
        List<Spoiled> spoiled = new ArrayList<>();
        for (LedgerEntry l : store.ledgerChanged(BlankFate.SPOILED, from, to, Integer.MAX_VALUE)) {
            spoiled.add(new Spoiled(l.blankId(), l.recordId(), l.updatedAt(), l.reason()));
        }
        spoiled.sort(java.util.Comparator.comparing(Spoiled::at).thenComparing(Spoiled::blankId));
        return new DailyReport(store.stationId(), day, zone, now, in, rejected, printed, issued, failed, overrides,
                List.copyOf(spoiled), List.copyOf(operators), store.auditSize(), store.auditHead());
    }
}
