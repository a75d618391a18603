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
                             long inPrinter, long expectedInFeeder, OptionalInt countedInFeeder, List<DailyReport.Spoiled> forDestruction,
                             List<Delivery> deliveries) {

    /** One load of blanks into a feeder in the period: when, how many, the delivery's reference, who loaded them. */
    public record Delivery(Instant at, long count, String reference, String actor) {}

    /** Counted minus expected blanks in the feeder; zero when they agree (empty when nobody counted). */
    public OptionalInt difference() {
        return countedInFeeder.isPresent() ? OptionalInt.of((int) (countedInFeeder.getAsInt() - expectedInFeeder)) : OptionalInt.empty();
    }

    public static Reconciliation of(StationStore store, LocalDate from, LocalDate to, ZoneId zone, OptionalInt counted, Instant now) {
        if (to.isBefore(from)) throw new IllegalArgumentException("the period ends (" + to + ") before it starts (" + from + ")");
        Instant start = from.atStartOfDay(zone).toInstant();
        Instant end = to.plusDays(1).atStartOfDay(zone).toInstant();
        // Running totals kept with every ledger change (StationStore.ledgerTotalsBefore): the state of the blanks at
        // the period's start and end is two lookups, and only the period's spoiled blanks are read one by one.
        long[] atStart = store.ledgerTotalsBefore(start);
        long[] atEnd = store.ledgerTotalsBefore(end);
        long loaded = atEnd[0];
        long loadedIn = atEnd[0] - atStart[0];
        long takenIn = atEnd[1] - atStart[1];
        long inPrinter = atEnd[2 + BlankFate.IN_PRINTER.ordinal()];
        long awaiting = atEnd[2 + BlankFate.PRINTED_AWAITING_HOLDER.ordinal()];
        long issued = atEnd[2 + BlankFate.ISSUED.ordinal()];
        long spoiled = atEnd[2 + BlankFate.SPOILED.ordinal()];
        List<DailyReport.Spoiled> destroy = new ArrayList<>();
        for (LedgerEntry l : store.ledgerChanged(BlankFate.SPOILED, start, end, Integer.MAX_VALUE)) {
            destroy.add(new DailyReport.Spoiled(l.blankId(), l.recordId(), l.updatedAt(), l.reason()));
        }
        destroy.sort(Comparator.comparing(DailyReport.Spoiled::at).thenComparing(DailyReport.Spoiled::blankId));
        // The period's loads with their delivery references, from the audit log's BLANKS_LOADED lines ("N blanks;
        // reference: REF"), from the store's index of them (a month's audit log is some 50,000 lines at 200 cards a day).
        List<Delivery> deliveries = new ArrayList<>();
        for (AuditEntry e : store.blanksLoadedBetween(start, end)) {
            String d = e.detail();
            int space = d.indexOf(' ');
            int ref = d.indexOf("reference: ");
            long count = space > 0 ? Long.parseLong(d.substring(0, space)) : 0;
            deliveries.add(new Delivery(e.at(), count, ref < 0 ? "" : d.substring(ref + "reference: ".length()), e.actor()));
        }
        long expected = loaded - issued - awaiting - spoiled - inPrinter;
        return new Reconciliation(store.stationId(), from, to, zone, now, loadedIn, takenIn, loaded, issued, awaiting, spoiled, inPrinter, expected,
                counted, List.copyOf(destroy), List.copyOf(deliveries));
    }

}
