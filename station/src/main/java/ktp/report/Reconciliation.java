package ktp.report;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalInt;
import ktp.store.AuditEntry;
import ktp.store.BlankFate;
import ktp.store.LedgerEntry;
import ktp.store.StationStore;

/**
 * The blank-card reconciliation (docs/reports.md). Blank cards are state documents: every one put into a
 * printer's feeder must be found again as issued, printed and waiting for its holder, spoiled (and destroyed
 * with a written record), still inside a printer, or left in the feeder. The store knows what was loaded (the
 * BLANKS_LOADED entries of the audit log) and what each printer took (the ledger), so it knows how many should
 * be left; the operator counts what is left, and any difference is a discrepancy to explain.
 *
 * <p>Up to the end of the period: {@code loaded = issued + awaitingHolder + spoiled + inPrinter + expectedInFeeder}.
 * Within the period: what was loaded and taken, and the spoiled blanks for destruction.
 */
public record Reconciliation(String stationId, LocalDate from, LocalDate to, ZoneId zone, Instant generatedAt,
                             long loadedInPeriod, long takenInPeriod, long loaded, long issued, long awaitingHolder, long spoiled,
                             long inPrinter, long expectedInFeeder, OptionalInt countedInFeeder, List<DailyReport.Spoiled> forDestruction) {

    /** Counted minus expected blanks in the feeder; zero when they agree (empty when nobody counted). */
    public OptionalInt difference() {
        return countedInFeeder.isPresent() ? OptionalInt.of((int) (countedInFeeder.getAsInt() - expectedInFeeder)) : OptionalInt.empty();
    }

    public static Reconciliation of(StationStore store, LocalDate from, LocalDate to, ZoneId zone, OptionalInt counted, Instant now) {
        if (to.isBefore(from)) throw new IllegalArgumentException("the period ends (" + to + ") before it starts (" + from + ")");
        Instant start = from.atStartOfDay(zone).toInstant();
        Instant end = to.plusDays(1).atStartOfDay(zone).toInstant();
        long loaded = 0, loadedIn = 0;
        for (AuditEntry e : store.auditLog()) {
            if (!e.action().equals(StationStore.BLANKS_LOADED) || !e.at().isBefore(end)) continue;
            long n = Long.parseLong(e.detail().substring(0, e.detail().indexOf(' ')));
            loaded += n;
            if (!e.at().isBefore(start)) loadedIn += n;
        }
        long issued = 0, awaiting = 0, spoiled = 0, inPrinter = 0, takenIn = 0;
        List<DailyReport.Spoiled> destroy = new ArrayList<>();
        for (LedgerEntry l : store.ledger()) {
            if (!l.enteredAt().isBefore(end)) continue;
            if (!l.enteredAt().isBefore(start)) takenIn++;
            // A blank's fate as it was at the end of the period: a later change (issued tomorrow) does not count yet.
            BlankFate fate = l.updatedAt().isBefore(end) ? l.fate() : fateBefore(l);
            switch (fate) {
                case ISSUED -> issued++;
                case PRINTED_AWAITING_HOLDER -> awaiting++;
                case SPOILED -> {
                    spoiled++;
                    if (!l.updatedAt().isBefore(start)) destroy.add(new DailyReport.Spoiled(l.blankId(), l.recordId(), l.updatedAt(), l.reason()));
                }
                case IN_PRINTER -> inPrinter++;
            }
        }
        destroy.sort(Comparator.comparing(DailyReport.Spoiled::at).thenComparing(DailyReport.Spoiled::blankId));
        long expected = loaded - issued - awaiting - spoiled - inPrinter;
        return new Reconciliation(store.stationId(), from, to, zone, now, loadedIn, takenIn, loaded, issued, awaiting, spoiled, inPrinter, expected,
                counted, List.copyOf(destroy));
    }

    /**
     * What a blank was before its last change, for a period that ends between the two: the ledger keeps only
     * the latest fate: a blank spoiled inside the printer was in the printer; one issued, or spoiled because a
     * reprint superseded it, was printed and waiting for its holder.
     */
    private static BlankFate fateBefore(LedgerEntry l) {
        boolean spoiledInPrinter = l.fate() == BlankFate.SPOILED && !l.reason().startsWith("superseded by a reprint");
        return l.fate() == BlankFate.IN_PRINTER || spoiledInPrinter ? BlankFate.IN_PRINTER : BlankFate.PRINTED_AWAITING_HOLDER;
    }
}
