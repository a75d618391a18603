package ktp.office.db;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.sql.DataSource;
import ktp.telemetry.TelemetryCodec;

/**
 * Where a collector writes: one transaction per call stores the events not stored yet (by station and
 * sequence, and by event id, whichever collector got them first), adds them to the day's counts and the
 * station's row, keeps refusals, and records the receipts to send. The caller publishes those receipts only
 * after this returns (the commit), then tells {@link #receiptsSent}. Nothing here reads the history: a start
 * costs the same with ten events stored or ten million.
 */
public final class EventLedger {
    /** One verified event of a signed batch, as it came (its JSON byte for byte). */
    public record Incoming(String station, String run, TelemetryCodec.Event event, byte[] json) {}

    /** A message refused before it reached the database (signature, schema, topic), or here (a sequence conflict). */
    public record Refused(Instant at, String topic, String kind, String why, byte[] payload) {}

    /** A receipt to publish: a range of one station run's sequences that are in the database. */
    public record ReceiptDue(long id, String station, String run, long from, long to) {}

    /** What one call did. */
    public record Outcome(int stored, int duplicates, List<Refused> conflicts, List<ReceiptDue> receipts, int staleStatus) {}

    /** A station's state or health message, verified. */
    public record Status(String station, TelemetryCodec.State state, TelemetryCodec.Health health, String topic, byte[] payload) {}

    private final DataSource ds;
    private final String collector;
    private final ZoneId zone;

    public EventLedger(DataSource ds, String collector, ZoneId zone) {
        this.ds = ds;
        this.collector = collector;
        this.zone = zone;
    }

    public String collector() { return collector; }

    /** Stores a cycle's events, statuses and refusals in one transaction (retried by the caller on failure). */
    public Outcome ingest(List<Incoming> incoming, List<Status> statuses, List<Refused> refused) throws SQLException {
        return ingest(incoming, statuses, refused, List.of());
    }

    /**
     * As {@link #ingest(List, List, List)}, and forgets in the same transaction the receipts published since the
     * last one ({@code published}, ids of {@link ReceiptDue}): one commit a cycle instead of two. A crash before
     * that commit only leaves them to be published again at the next start, which a station takes as a duplicate.
     */
    public Outcome ingest(List<Incoming> incoming, List<Status> statuses, List<Refused> refused, List<Long> published) throws SQLException {
        // Sorted by station and sequence, once each: two transactions (of two collectors, or two writers of one) then
        // take their row locks in one order and never deadlock, and a resend arriving in the same cycle as its first
        // copy counts once. States and health go first, in a transaction of their own (below).
        int stale = statuses.isEmpty() ? 0 : storeStatuses(statuses);
        TreeMap<Key, Incoming> byKey = new TreeMap<>();
        int sameCycle = 0;
        for (Incoming i : incoming) if (byKey.putIfAbsent(key(i), i) != null) sameCycle++;
        List<Incoming> events = new ArrayList<>(byKey.values());
        List<Refused> conflicts = new ArrayList<>();
        List<Refused> allRefused = new ArrayList<>(refused);
        List<ReceiptDue> receipts = new ArrayList<>();
        int stored = 0;
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                Set<Key> isNew = events.isEmpty() ? Set.of() : insertEvents(c, events);
                stored = isNew.size();
                Set<Key> receiptable = new HashSet<>(isNew);
                if (isNew.size() < events.size()) {
                    Map<Key, String> held = heldEventIds(c, events, isNew);
                    for (Incoming i : events) {
                        Key k = key(i);
                        if (isNew.contains(k)) continue;
                        if (i.event().eventId().equals(held.get(k))) {
                            receiptable.add(k); // a true duplicate: receipted again, the first receipt may have been lost
                        } else {
                            Refused r = new Refused(Instant.now(), "ktpel/v2/stations/" + i.station() + "/events", "SEQUENCE_CONFLICT",
                                    i.station() + " #" + i.event().sequence() + " event " + i.event().eventId() + ": the database holds "
                                            + (held.containsKey(k) ? "event " + held.get(k) + " at that sequence" : "that event id at another station or sequence")
                                            + "; not stored, not receipted", i.json());
                            conflicts.add(r);
                            allRefused.add(r);
                        }
                    }
                }
                if (stored > 0) {
                    addCounts(c, events, isNew);
                    addReasonCounts(c, events, isNew);
                    countPrinted(c, events, isNew);
                }
                touchStations(c, events, isNew);
                if (!allRefused.isEmpty()) keepRefusals(c, allRefused);
                receipts = recordReceipts(c, events, receiptable);
                if (!published.isEmpty()) forget(c, published);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException ignored) {
                    // the connection is gone; the transaction with it
                }
                throw e;
            }
        }
        return new Outcome(stored, events.size() - stored - conflicts.size() + sameCycle, conflicts, receipts, stale);
    }

    /** An event's place: its station and sequence (ordered so, which is the order row locks are taken in). */
    private record Key(String station, long sequence) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            int c = station.compareTo(o.station);
            return c != 0 ? c : Long.compare(sequence, o.sequence);
        }
    }

    private static Key key(Incoming i) { return new Key(i.station(), i.event().sequence()); }

    /**
     * States and health in a transaction of their own, in station order, before the events' (which take their
     * station rows after the events and counts): a status of station R in one writer's cycle and R's events in
     * another's would otherwise take the rows in two orders and deadlock. Applying one again (a retried cycle) changes
     * nothing and is not refused: only an older one than held is (REPLAYED, kept with the refusals).
     */
    private int storeStatuses(List<Status> statuses) throws SQLException {
        List<Status> sorted = new ArrayList<>(statuses);
        sorted.sort(java.util.Comparator.comparing(Status::station)); // stable: one station's messages keep their order
        List<Refused> replayed = new ArrayList<>();
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                for (Status s : sorted) {
                    if (!status(c, s)) {
                        replayed.add(new Refused(Instant.now(), s.topic(), "REPLAYED", (s.state() != null ? "state" : "health") + " of " + s.station() + " older than the one held", s.payload()));
                    }
                }
                if (!replayed.isEmpty()) keepRefusals(c, replayed);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException ignored) {
                    // the connection is gone; the transaction with it
                }
                throw e;
            }
        }
        return replayed.size();
    }

    private Set<Key> insertEvents(Connection c, List<Incoming> events) throws SQLException {
        int n = events.size();
        String[] st = new String[n], id = new String[n], ty = new String[n], rec = new String[n], nik = new String[n], reg = new String[n],
                blank = new String[n], why = new String[n], at = new String[n], day = new String[n], body = new String[n];
        Long[] seq = new Long[n];
        for (int i = 0; i < n; i++) {
            Incoming x = events.get(i);
            TelemetryCodec.Event e = x.event();
            st[i] = x.station();
            seq[i] = e.sequence();
            id[i] = e.eventId();
            ty[i] = e.type().name();
            rec[i] = e.recordId();
            nik[i] = e.nik().isEmpty() ? null : e.nik();
            reg[i] = e.region();
            blank[i] = e.blankId().isEmpty() ? null : e.blankId();
            why[i] = e.reason().isEmpty() ? null : e.reason();
            at[i] = e.occurredAt().toString();
            day[i] = e.occurredAt().atZone(zone).toLocalDate().toString();
            body[i] = new String(x.json(), java.nio.charset.StandardCharsets.UTF_8);
        }
        Set<Key> out = new HashSet<>(n * 2);
        try (PreparedStatement p = c.prepareStatement("""
                INSERT INTO events (station_id, sequence, event_id, type, record_id, nik, region, blank_id, reason, occurred_at, day, received_at, collector, body)
                SELECT s, q, id, t, r, n, g, b, w, o::timestamptz, d::date, now(), ?, body
                FROM unnest(?::text[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
                     AS u(s, q, id, t, r, n, g, b, w, o, d, body)
                ON CONFLICT DO NOTHING
                RETURNING station_id, sequence""")) {
            p.setString(1, collector);
            Object[][] cols = {st, seq, id, ty, rec, nik, reg, blank, why, at, day, body};
            for (int i = 0; i < cols.length; i++) p.setArray(i + 2, c.createArrayOf(i == 1 ? "bigint" : "text", cols[i]));
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) out.add(new Key(rs.getString(1), rs.getLong(2)));
            }
        }
        return out;
    }

    private static Map<Key, String> heldEventIds(Connection c, List<Incoming> events, Set<Key> isNew) throws SQLException {
        List<String> st = new ArrayList<>();
        List<Long> seq = new ArrayList<>();
        for (Incoming i : events) {
            if (isNew.contains(key(i))) continue;
            st.add(i.station());
            seq.add(i.event().sequence());
        }
        Map<Key, String> out = new HashMap<>();
        try (PreparedStatement p = c.prepareStatement(
                "SELECT e.station_id, e.sequence, e.event_id FROM events e JOIN unnest(?::text[], ?::bigint[]) AS u(s, q) ON e.station_id = u.s AND e.sequence = u.q")) {
            p.setArray(1, c.createArrayOf("text", st.toArray()));
            p.setArray(2, c.createArrayOf("bigint", seq.toArray()));
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) out.put(new Key(rs.getString(1), rs.getLong(2)), rs.getString(3));
            }
        }
        return out;
    }

    private void addCounts(Connection c, List<Incoming> events, Set<Key> isNew) throws SQLException {
        TreeMap<String, long[]> counts = new TreeMap<>();
        for (Incoming i : events) {
            if (!isNew.contains(key(i))) continue;
            String k = i.event().occurredAt().atZone(zone).toLocalDate() + "|" + i.event().region() + "|" + i.event().type().name();
            counts.computeIfAbsent(k, x -> new long[1])[0]++;
        }
        List<String> day = new ArrayList<>(), reg = new ArrayList<>(), ty = new ArrayList<>();
        List<Long> n = new ArrayList<>();
        counts.forEach((k, v) -> {
            String[] p = k.split("\\|", -1);
            day.add(p[0]);
            reg.add(p[1]);
            ty.add(p[2]);
            n.add(v[0]);
        });
        try (PreparedStatement p = c.prepareStatement("""
                INSERT INTO day_counts (day, region, type, n)
                SELECT d::date, g, t, k FROM unnest(?::text[], ?::text[], ?::text[], ?::bigint[]) AS u(d, g, t, k)
                ON CONFLICT (day, region, type) DO UPDATE SET n = day_counts.n + excluded.n""")) {
            p.setArray(1, c.createArrayOf("text", day.toArray()));
            p.setArray(2, c.createArrayOf("text", reg.toArray()));
            p.setArray(3, c.createArrayOf("text", ty.toArray()));
            p.setArray(4, c.createArrayOf("bigint", n.toArray()));
            p.executeUpdate();
        }
    }

    private static final java.util.regex.Pattern REASON_CODE = java.util.regex.Pattern.compile("^[A-Z][A-Z0-9_]{2,}");
    private static final java.util.regex.Pattern REASON_TEXT = java.util.regex.Pattern.compile("^[^:;,(\\[]*");

    /**
     * A reason reduced to its kind, for the breakdown of spoiled cards and rejected records (the same rule as the
     * backfill in V4__reason_counts.sql): its leading code (BAD_SIGNATURE, JAM), else the text before the first
     * ':', ';', ',', '(' or '[' (what follows names a card, a printer, a count), at most 80 characters.
     */
    public static String reasonKind(String reason) {
        if (reason == null || reason.isEmpty()) return "";
        java.util.regex.Matcher code = REASON_CODE.matcher(reason);
        if (code.lookingAt()) return code.group();
        java.util.regex.Matcher text = REASON_TEXT.matcher(reason);
        String kind = text.lookingAt() ? text.group().replaceAll("^ +| +$", "") : "";
        return kind.length() > 80 ? kind.substring(0, 80) : kind;
    }

    /** Newly stored spoiled cards and rejected records by day, regency and reason kind. */
    private void addReasonCounts(Connection c, List<Incoming> events, Set<Key> isNew) throws SQLException {
        TreeMap<List<String>, long[]> counts = new TreeMap<>(java.util.Comparator.comparing((List<String> k) -> String.join("\u0000", k)));
        for (Incoming i : events) {
            ktp.job.EventType t = i.event().type();
            if ((t != ktp.job.EventType.CARD_SPOILED && t != ktp.job.EventType.RECORD_REJECTED) || !isNew.contains(key(i))) continue;
            List<String> k = List.of(i.event().occurredAt().atZone(zone).toLocalDate().toString(), i.event().region(), t.name(), reasonKind(i.event().reason()));
            counts.computeIfAbsent(k, x -> new long[1])[0]++;
        }
        if (counts.isEmpty()) return;
        List<String> day = new ArrayList<>(), reg = new ArrayList<>(), ty = new ArrayList<>(), why = new ArrayList<>();
        List<Long> n = new ArrayList<>();
        counts.forEach((k, v) -> {
            day.add(k.get(0));
            reg.add(k.get(1));
            ty.add(k.get(2));
            why.add(k.get(3));
            n.add(v[0]);
        });
        try (PreparedStatement p = c.prepareStatement("""
                INSERT INTO reason_counts (day, region, type, reason, n)
                SELECT d::date, g, t, w, k FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[]) AS u(d, g, t, w, k)
                ON CONFLICT (day, region, type, reason) DO UPDATE SET n = reason_counts.n + excluded.n""")) {
            p.setArray(1, c.createArrayOf("text", day.toArray()));
            p.setArray(2, c.createArrayOf("text", reg.toArray()));
            p.setArray(3, c.createArrayOf("text", ty.toArray()));
            p.setArray(4, c.createArrayOf("text", why.toArray()));
            p.setArray(5, c.createArrayOf("bigint", n.toArray()));
            p.executeUpdate();
        }
    }

    /** Every newly stored CARD_PRINTED counted by NIK: a NIK printed twice anywhere is an alert. */
    private static void countPrinted(Connection c, List<Incoming> events, Set<Key> isNew) throws SQLException {
        TreeMap<String, List<Incoming>> byNik = new TreeMap<>();
        for (Incoming i : events) {
            if (i.event().type() != ktp.job.EventType.CARD_PRINTED || i.event().nik().isEmpty() || !isNew.contains(key(i))) continue;
            byNik.computeIfAbsent(i.event().nik(), k -> new ArrayList<>()).add(i);
        }
        if (byNik.isEmpty()) return;
        try (PreparedStatement p = c.prepareStatement("""
                INSERT INTO printed_niks (nik, printed, first_station, first_record, last_station, last_record, last_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (nik) DO UPDATE SET printed = printed_niks.printed + excluded.printed, last_station = excluded.last_station,
                    last_record = excluded.last_record, last_at = excluded.last_at""")) {
            for (Map.Entry<String, List<Incoming>> e : byNik.entrySet()) {
                Incoming first = e.getValue().get(0);
                Incoming last = e.getValue().get(e.getValue().size() - 1);
                p.setString(1, e.getKey());
                p.setLong(2, e.getValue().size());
                p.setString(3, first.station());
                p.setString(4, first.event().recordId());
                p.setString(5, last.station());
                p.setString(6, last.event().recordId());
                p.setTimestamp(7, Timestamp.from(last.event().occurredAt()));
                p.addBatch();
            }
            p.executeBatch();
        }
    }

    private static void touchStations(Connection c, List<Incoming> events, Set<Key> isNew) throws SQLException {
        if (events.isEmpty()) return;
        TreeMap<String, long[]> per = new TreeMap<>(); // station -> {new events, highest sequence}
        for (Incoming i : events) {
            long[] v = per.computeIfAbsent(i.station(), x -> new long[2]);
            if (isNew.contains(key(i))) v[0]++;
            v[1] = Math.max(v[1], i.event().sequence());
        }
        List<String> st = new ArrayList<>(per.keySet());
        List<Long> added = new ArrayList<>(), high = new ArrayList<>();
        per.values().forEach(v -> { added.add(v[0]); high.add(v[1]); });
        try (PreparedStatement p = c.prepareStatement("""
                INSERT INTO stations (station_id, first_seen, last_seen, last_sequence, events)
                SELECT s, now(), now(), q, k FROM unnest(?::text[], ?::bigint[], ?::bigint[]) AS u(s, k, q)
                ON CONFLICT (station_id) DO UPDATE SET last_seen = now(),
                    last_sequence = greatest(stations.last_sequence, excluded.last_sequence), events = stations.events + excluded.events""")) {
            p.setArray(1, c.createArrayOf("text", st.toArray()));
            p.setArray(2, c.createArrayOf("bigint", added.toArray()));
            p.setArray(3, c.createArrayOf("bigint", high.toArray()));
            p.executeUpdate();
        }
    }

    /** False when what is held is newer (a replayed or late state or health): nothing changed then. */
    private static boolean status(Connection c, Status s) throws SQLException {
        String sql = s.state() != null
                ? """
                  INSERT INTO stations (station_id, first_seen, last_seen, online, state_since, state_cause) VALUES (?, now(), now(), ?, ?, ?)
                  ON CONFLICT (station_id) DO UPDATE SET last_seen = now(), online = excluded.online, state_since = excluded.state_since, state_cause = excluded.state_cause
                  WHERE stations.state_since IS NULL OR stations.state_since <= excluded.state_since"""
                : """
                  INSERT INTO stations (station_id, first_seen, last_seen, health, health_at) VALUES (?, now(), now(), ?::jsonb, ?)
                  ON CONFLICT (station_id) DO UPDATE SET last_seen = now(), health = excluded.health, health_at = excluded.health_at
                  WHERE stations.health_at IS NULL OR stations.health_at <= excluded.health_at""";
        try (PreparedStatement p = c.prepareStatement(sql)) {
            p.setString(1, s.station());
            if (s.state() != null) {
                p.setBoolean(2, s.state().online());
                p.setTimestamp(3, Timestamp.from(s.state().since()));
                p.setString(4, s.state().cause());
            } else {
                p.setString(2, new String(TelemetryCodec.health(s.health()), java.nio.charset.StandardCharsets.UTF_8));
                p.setTimestamp(3, Timestamp.from(s.health().at()));
            }
            return p.executeUpdate() > 0;
        }
    }

    private void keepRefusals(Connection c, List<Refused> refused) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("INSERT INTO refusals (at, collector, topic, kind, why, excerpt) VALUES (?, ?, ?, ?, ?, ?)")) {
            for (Refused r : refused) {
                p.setTimestamp(1, Timestamp.from(r.at()));
                p.setString(2, collector);
                p.setString(3, r.topic());
                p.setString(4, r.kind());
                p.setString(5, r.why());
                // The first 4 KB, with NUL bytes (which PostgreSQL text refuses) shown as '?'.
                p.setString(6, new String(r.payload(), 0, Math.min(r.payload().length, 4096), java.nio.charset.StandardCharsets.UTF_8).replace('\u0000', '?'));
                p.addBatch();
            }
            p.executeBatch();
        }
        TreeMap<String, Long> byKind = new TreeMap<>();
        refused.forEach(r -> byKind.merge(r.kind(), 1L, Long::sum));
        try (PreparedStatement p = c.prepareStatement("INSERT INTO refusal_counts (kind, n) VALUES (?, ?) ON CONFLICT (kind) DO UPDATE SET n = refusal_counts.n + excluded.n")) {
            for (Map.Entry<String, Long> e : byKind.entrySet()) {
                p.setString(1, e.getKey());
                p.setLong(2, e.getValue());
                p.addBatch();
            }
            p.executeBatch();
        }
    }

    /** The receipts to send, one per range of consecutive sequences of a station's run, in one statement. */
    private List<ReceiptDue> recordReceipts(Connection c, List<Incoming> events, Set<Key> receiptable) throws SQLException {
        Map<String, TreeSet<Long>> byRun = new LinkedHashMap<>();
        Map<String, String[]> runOf = new HashMap<>();
        for (Incoming i : events) {
            if (!receiptable.contains(key(i))) continue;
            String k = i.station() + "/" + i.run();
            runOf.putIfAbsent(k, new String[] {i.station(), i.run()});
            byRun.computeIfAbsent(k, x -> new TreeSet<>()).add(i.event().sequence());
        }
        List<ReceiptDue> out = new ArrayList<>();
        if (byRun.isEmpty()) return out;
        List<String> st = new ArrayList<>(), run = new ArrayList<>();
        List<Long> from = new ArrayList<>(), to = new ArrayList<>();
        for (Map.Entry<String, TreeSet<Long>> e : byRun.entrySet()) {
            String[] sr = runOf.get(e.getKey());
            for (long[] range : ranges(e.getValue())) {
                st.add(sr[0]);
                run.add(sr[1]);
                from.add(range[0]);
                to.add(range[1]);
            }
        }
        // WITH ORDINALITY and ORDER BY: the ids come back in the order the rows were given.
        try (PreparedStatement p = c.prepareStatement("""
                INSERT INTO receipts_due (collector, station_id, run, seq_from, seq_to, created_at)
                SELECT ?, s, r, f, t, now() FROM unnest(?::text[], ?::text[], ?::bigint[], ?::bigint[]) WITH ORDINALITY AS u(s, r, f, t, o) ORDER BY o
                RETURNING id, station_id, run, seq_from, seq_to""")) {
            p.setString(1, collector);
            p.setArray(2, c.createArrayOf("text", st.toArray()));
            p.setArray(3, c.createArrayOf("text", run.toArray()));
            p.setArray(4, c.createArrayOf("bigint", from.toArray()));
            p.setArray(5, c.createArrayOf("bigint", to.toArray()));
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) out.add(new ReceiptDue(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getLong(5)));
            }
        }
        if (out.size() != st.size()) throw new SQLException("receipts_due: " + out.size() + " rows written of " + st.size());
        return out;
    }

    static List<long[]> ranges(TreeSet<Long> seqs) {
        List<long[]> out = new ArrayList<>();
        long from = -1, to = -1;
        for (long s : seqs) {
            if (from >= 0 && s == to + 1) { to = s; continue; }
            if (from >= 0) out.add(new long[] {from, to});
            from = s;
            to = s;
        }
        if (from >= 0) out.add(new long[] {from, to});
        return out;
    }

    /** Receipts this collector recorded and had not published when it stopped (a crash): a few rows, never the history. */
    public List<ReceiptDue> leftoverReceipts() throws SQLException {
        List<ReceiptDue> out = new ArrayList<>();
        try (Connection c = ds.getConnection();
             PreparedStatement p = c.prepareStatement("SELECT id, station_id, run, seq_from, seq_to FROM receipts_due WHERE collector = ? ORDER BY id LIMIT 100000")) {
            p.setString(1, collector);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) out.add(new ReceiptDue(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getLong(5)));
            }
            c.commit();
        }
        return out;
    }

    /** The receipts published: their rows go (on their own, when no cycle comes to take them along). */
    public void receiptsSent(List<Long> ids) throws SQLException {
        if (ids.isEmpty()) return;
        try (Connection c = ds.getConnection()) {
            forget(c, ids);
            c.commit();
        }
    }

    private static void forget(Connection c, List<Long> ids) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("DELETE FROM receipts_due WHERE id = ANY(?)")) {
            Array a = c.createArrayOf("bigint", ids.toArray());
            p.setArray(1, a);
            p.executeUpdate();
        }
    }
}
