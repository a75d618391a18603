package ktp.office;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import ktp.job.EventType;
import ktp.office.db.EventLedger;
import ktp.office.db.OfficeDatabase;
import ktp.telemetry.TelemetryCodec;
import org.junit.jupiter.api.Test;

/** The ingest transaction against Debian's PostgreSQL: once by sequence and event id, conflicts refused, counts kept. */
class EventLedgerTest {
    private static EventLedger.Incoming event(String station, long seq, String id, String region, Instant at) {
        TelemetryCodec.Event e = new TelemetryCodec.Event(EventType.CARD_ISSUED, id, seq, station, "R" + seq, region + "011606650007", region, "", "", "", at, at);
        return new EventLedger.Incoming(station, "run1", e, ("{\"sequence\":" + seq + "}").getBytes());
    }

    @Test
    void anEventIsStoredOnceAConflictIsRefusedAndKeptAndDuplicatesAreReceiptedAgain() throws Exception {
        String url = DebianPostgres.freshDatabase();
        try (OfficeDatabase db = OfficeDatabase.connect(url, null, null, 4)) {
            Instant at = Instant.parse("2026-11-30T03:00:00Z");
            EventLedger a = new EventLedger(db.dataSource(), "a", OfficeCli.ZONE);
            EventLedger.Outcome first = a.ingest(List.of(event("S1", 1, "e1", "3171", at), event("S1", 2, "e2", "3171", at), event("S1", 2, "e2", "3171", at)), List.of(), List.of());
            assertEquals(2, first.stored());
            assertEquals(1, first.duplicates());
            assertEquals(1, first.receipts().size());
            assertEquals(1, first.receipts().get(0).from());
            assertEquals(2, first.receipts().get(0).to());
            EventLedger b = new EventLedger(db.dataSource(), "b", OfficeCli.ZONE);
            // The same event at another collector, and another event claiming sequence 1.
            EventLedger.Outcome second = b.ingest(List.of(event("S1", 2, "e2", "3171", at), event("S1", 1, "other", "3171", at), event("S1", 3, "e3", "3273", at)), List.of(), List.of());
            assertEquals(1, second.stored());
            assertEquals(1, second.duplicates());
            assertEquals(1, second.conflicts().size());
            assertTrue(second.conflicts().get(0).why().contains("the database holds event e1"), second.conflicts().get(0).why());
            assertEquals(1, second.receipts().size(), "sequences 2 and 3 receipted, 1 (the conflict) not");
            assertEquals(2, second.receipts().get(0).from());
            assertEquals(3, second.receipts().get(0).to());
            // The receipts stay recorded for their collector until published: a's start reads a's, never b's.
            assertEquals(1, a.leftoverReceipts().size());
            a.receiptsSent(List.of(first.receipts().get(0).id()));
            assertEquals(0, a.leftoverReceipts().size());
            assertEquals(1, b.leftoverReceipts().size());
            // b's next cycle takes its published receipt's row along (one commit a cycle): stored and forgotten together.
            EventLedger.Outcome third = b.ingest(List.of(event("S1", 4, "e4", "3273", at)), List.of(), List.of(), List.of(second.receipts().get(0).id()));
            assertEquals(1, third.stored());
            assertEquals(List.of(third.receipts().get(0).id()), b.leftoverReceipts().stream().map(EventLedger.ReceiptDue::id).toList());
            b.receiptsSent(List.of(third.receipts().get(0).id()));
            // States go in their own transaction, station by station: a newer one is kept, an older one refused as REPLAYED.
            EventLedger.Outcome newer = b.ingest(List.of(), List.of(new EventLedger.Status("S1", new TelemetryCodec.State("S1", false, at.plusSeconds(60), "stopped"), null, "t", new byte[0])), List.of());
            assertEquals(0, newer.staleStatus());
            EventLedger.Outcome older = a.ingest(List.of(event("S1", 5, "e5", "3273", at)), List.of(new EventLedger.Status("S1", new TelemetryCodec.State("S1", true, at, null), null, "t", new byte[0])), List.of());
            assertEquals(1, older.staleStatus(), "a state older than the one held");
            assertEquals(1, older.stored(), "the cycle's events are stored all the same");
            a.receiptsSent(List.of(older.receipts().get(0).id()));
            try (Connection c = DriverManager.getConnection(url)) {
                assertEquals(5, one(c, "SELECT count(*) FROM events"));
                assertEquals(1, one(c, "SELECT count(*) FROM refusals WHERE kind = 'REPLAYED'"));
                assertEquals(0, one(c, "SELECT count(*) FROM stations WHERE station_id = 'S1' AND online"), "the newer state (offline) is held");
                assertEquals(2, one(c, "SELECT n FROM day_counts WHERE region = '3171' AND type = 'CARD_ISSUED' AND day = '2026-11-30'"));
                assertEquals(1, one(c, "SELECT n FROM refusal_counts WHERE kind = 'SEQUENCE_CONFLICT'"));
                assertEquals(1, one(c, "SELECT count(*) FROM refusals WHERE why LIKE '%S1 #1 event other%'"));
                assertEquals(5, one(c, "SELECT events FROM stations WHERE station_id = 'S1'"));
            }
        }
    }

    @Test
    void twoCollectorsWritingTheSameEventsAtOnceStoreEachOnceAndCountEachOnce() throws Exception {
        String url = DebianPostgres.freshDatabase();
        try (OfficeDatabase db = OfficeDatabase.connect(url, null, null, 6)) {
            Instant at = Instant.parse("2026-11-30T03:00:00Z");
            List<EventLedger.Incoming> all = new ArrayList<>();
            for (int s = 0; s < 4; s++) for (int q = 1; q <= 500; q++) all.add(event("S" + s, q, "S" + s + "-" + q, s % 2 == 0 ? "3171" : "3578", at));
            ExecutorService pool = Executors.newFixedThreadPool(2);
            List<Future<Integer>> stored = new ArrayList<>();
            long seed = System.nanoTime();
            for (int w = 0; w < 2; w++) {
                EventLedger l = new EventLedger(db.dataSource(), "c" + w, OfficeCli.ZONE);
                List<EventLedger.Incoming> mine = new ArrayList<>(all);
                Collections.shuffle(mine, new Random(seed + w));
                stored.add(pool.submit(() -> {
                    int n = 0;
                    for (int i = 0; i < mine.size(); i += 100) n += l.ingest(mine.subList(i, Math.min(mine.size(), i + 100)), List.of(), List.of()).stored();
                    return n;
                }));
            }
            int total = 0;
            for (Future<Integer> f : stored) total += f.get();
            pool.shutdown();
            assertEquals(2000, total, "seed " + seed + ": stored between the two");
            try (Connection c = DriverManager.getConnection(url)) {
                assertEquals(2000, one(c, "SELECT count(*) FROM events"));
                assertEquals(2000, one(c, "SELECT sum(n) FROM day_counts"));
                assertEquals(1000, one(c, "SELECT sum(n) FROM day_counts WHERE region >= '31' AND region < '32'"));
                assertEquals(2000, one(c, "SELECT sum(events) FROM stations"));
            }
        }
    }

    private static long one(Connection c, String sql) throws Exception {
        try (ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
