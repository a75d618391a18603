package ktp.office.web;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;

/** What the dashboard shows, read from day_counts, stations, refusals and printed_niks (never a scan of events). */
public final class Figures {
    public static final List<String> TYPES = List.of("CARD_PRINTED", "CARD_ISSUED", "CARD_SPOILED", "RECORD_REJECTED", "ACTIVATION_FAILED", "SENT_FOR_CARD_PRINTING");

    /** Alert thresholds. */
    public record Thresholds(Duration silent, Duration healthStale, long outboxHigh, int blanksLow, int ribbonLow) {
        public static final Thresholds DEFAULT = new Thresholds(Duration.ofMinutes(15), Duration.ofMinutes(10), 500, 50, 50);
    }

    public record Station(String id, Boolean online, Instant lastSeen, Instant healthAt, Long outbox, Integer blanks, Integer ribbon, long events, long lastSequence) {
        public long gaps() { return lastSequence - events; }
    }

    /**
     * An alert: its kind, the station, and its detail as a template of its kind with {@code args} filled in, in
     * Indonesian or English ({@link #detail(String)}); {@code detail} is the English one (the JSON feed's and the
     * webhook's {@code detail}, kept stable for what reads them).
     */
    public record Alert(String kind, String station, String detail, List<String> args) {
        public Alert {
            args = List.copyOf(args);
        }

        static Alert of(String kind, String station, Object... args) {
            List<String> a = java.util.Arrays.stream(args).map(String::valueOf).toList();
            return new Alert(kind, station, fill(DETAILS.get(kind)[1], a), a);
        }

        /** The detail in "id" (Indonesian, the dashboard's default) or "en". */
        public String detail(String lang) {
            String[] t = DETAILS.get(kind);
            return t == null ? detail : fill(t["en".equals(lang) ? 1 : 0], args);
        }

        private static String fill(String template, List<String> args) {
            String out = template;
            for (int i = 0; i < args.size(); i++) out = out.replace("{" + i + "}", args.get(i));
            return out;
        }
    }

    /** Each alert kind's detail: {Indonesian, English}, {n} the n-th argument. */
    static final Map<String, String[]> DETAILS = Map.of(
            "OFFLINE", new String[] {"luring sejak status terakhirnya", "offline since its last state"},
            "SILENT", new String[] {"tidak ada kabar sejak {0}", "nothing heard since {0}"},
            "HEALTH_STALE", new String[] {"laporan kesehatan terakhir pada {0}", "last health at {0}"},
            "OUTBOX_GROWING", new String[] {"{0} peristiwa menunggu di antrean kirimnya", "{0} events waiting in its outbox"},
            "BLANKS_LOW", new String[] {"{0} blangko di pengumpan", "{0} blanks in the feeder"},
            "RIBBON_LOW", new String[] {"pita tersisa untuk {0} set panel", "{0} ribbon panel sets left"},
            "SEQUENCE_GAP", new String[] {"{0} peristiwa hilang di bawah #{1}", "{0} event(s) missing below #{1}"},
            "REFUSED", new String[] {"{0} pesan ditolak sebagai {1} dalam 24 jam terakhir", "{0} message(s) refused as {1} in the last 24 h"},
            "PRINTED_TWICE", new String[] {"NIK {0} dicetak {1} kali: pertama {2} {3}, terakhir {4} {5}", "NIK {0} printed {1} times: first {2} {3}, last {4} {5}"});

    private final DataSource ds;

    public Figures(DataSource ds) { this.ds = ds; }

    /**
     * Counts by area and type over [from, to]: by province when {@code province} is null, else by that
     * province's regencies.
     */
    public Map<String, Map<String, Long>> byArea(LocalDate from, LocalDate to, String province) throws SQLException {
        String area = province == null ? "substr(region, 1, 2)" : "region";
        String sql = "SELECT " + area + ", type, sum(n) FROM day_counts WHERE day BETWEEN ? AND ?"
                + (province == null ? "" : " AND region >= ? AND region < ?") + " GROUP BY 1, 2 ORDER BY 1";
        return grouped(sql, from, to, province, new TreeMap<>());
    }

    /** The types broken down by reason (Deliver 3: spoiled with reasons, rejected with reasons). */
    public static final List<String> REASON_TYPES = List.of("CARD_SPOILED", "RECORD_REJECTED");

    /**
     * Spoiled cards and rejected records over [from, to], nationally or in one province: type -> reason kind -> n,
     * the most frequent reason first (from reason_counts, kept by the ingest transaction).
     */
    public Map<String, Map<String, Long>> reasons(LocalDate from, LocalDate to, String province) throws SQLException {
        String sql = "SELECT type, reason, sum(n) FROM reason_counts WHERE day BETWEEN ? AND ?"
                + (province == null ? "" : " AND region >= ? AND region < ?") + " GROUP BY 1, 2 ORDER BY 1, 3 DESC, 2";
        Map<String, Map<String, Long>> out = new LinkedHashMap<>();
        for (String t : REASON_TYPES) out.put(t, new LinkedHashMap<>());
        return grouped(sql, from, to, province, out);
    }

    /**
     * Runs a query over [from, to] (and, when {@code province} is given, that province's regions) whose rows are
     * (key, sub-key, n), into {@code out}: key -> sub-key -> n, in the query's order within each key.
     */
    private Map<String, Map<String, Long>> grouped(String sql, LocalDate from, LocalDate to, String province, Map<String, Map<String, Long>> out)
            throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement p = c.prepareStatement(sql)) {
            p.setObject(1, from);
            p.setObject(2, to);
            if (province != null) {
                p.setString(3, province);
                p.setString(4, province + "\uffff");
            }
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) out.computeIfAbsent(rs.getString(1), k -> new LinkedHashMap<>()).put(rs.getString(2), rs.getLong(3));
            }
            c.commit();
        }
        return out;
    }

    /** Cards issued per day over [from, to] (nationally, or in one province). */
    public Map<LocalDate, Long> issuedPerDay(LocalDate from, LocalDate to, String province) throws SQLException {
        String sql = "SELECT day, sum(n) FROM day_counts WHERE type = 'CARD_ISSUED' AND day BETWEEN ? AND ?"
                + (province == null ? "" : " AND region >= ? AND region < ?") + " GROUP BY day ORDER BY day";
        Map<LocalDate, Long> out = new TreeMap<>();
        for (LocalDate d = from; !d.isAfter(to) && out.size() < 400; d = d.plusDays(1)) out.put(d, 0L);
        try (Connection c = ds.getConnection(); PreparedStatement p = c.prepareStatement(sql)) {
            p.setObject(1, from);
            p.setObject(2, to);
            if (province != null) {
                p.setString(3, province);
                p.setString(4, province + "\uffff");
            }
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) out.put(rs.getObject(1, LocalDate.class), rs.getLong(2));
            }
            c.commit();
        }
        return out;
    }

    public record ResidentEvent(Instant at, String station, long sequence, String type, String record, String blank, String reason) {}

    /** A resident's events by NIK, oldest first (through the NIK index). */
    public List<ResidentEvent> byNik(String nik) throws SQLException {
        if (!nik.matches("\\d{16}")) throw new IllegalArgumentException("nik: a NIK is 16 digits");
        List<ResidentEvent> out = new ArrayList<>();
        try (Connection c = ds.getConnection(); PreparedStatement p = c.prepareStatement(
                "SELECT occurred_at, station_id, sequence, type, record_id, blank_id, reason FROM events WHERE nik = ? ORDER BY occurred_at, station_id, sequence LIMIT 1000")) {
            p.setString(1, nik);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) out.add(new ResidentEvent(instant(rs, 1), rs.getString(2), rs.getLong(3), rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7)));
            }
            c.commit();
        }
        return out;
    }

    public List<Station> stations() throws SQLException {
        List<Station> out = new ArrayList<>();
        try (Connection c = ds.getConnection(); PreparedStatement p = c.prepareStatement("""
                SELECT station_id, online, last_seen, health_at, (health->>'outboxDepth')::bigint, (health->'printer'->>'blanksInFeeder')::int,
                       (health->'printer'->>'ribbonRemaining')::int, events, last_sequence FROM stations ORDER BY station_id""");
             ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
                out.add(new Station(rs.getString(1), (Boolean) rs.getObject(2), instant(rs, 3), instant(rs, 4), (Long) rs.getObject(5), (Integer) rs.getObject(6),
                        (Integer) rs.getObject(7), rs.getLong(8), rs.getLong(9)));
            }
            c.commit();
        }
        return out;
    }

    public List<Alert> alerts(Instant now, Thresholds t) throws SQLException {
        List<Alert> out = new ArrayList<>();
        for (Station s : stations()) {
            if (Boolean.FALSE.equals(s.online())) out.add(Alert.of("OFFLINE", s.id()));
            else if (s.lastSeen() != null && s.lastSeen().isBefore(now.minus(t.silent()))) out.add(Alert.of("SILENT", s.id(), s.lastSeen()));
            if (s.healthAt() != null && s.healthAt().isBefore(now.minus(t.healthStale()))) out.add(Alert.of("HEALTH_STALE", s.id(), s.healthAt()));
            if (s.outbox() != null && s.outbox() > t.outboxHigh()) out.add(Alert.of("OUTBOX_GROWING", s.id(), s.outbox()));
            if (s.blanks() != null && s.blanks() < t.blanksLow()) out.add(Alert.of("BLANKS_LOW", s.id(), s.blanks()));
            if (s.ribbon() != null && s.ribbon() < t.ribbonLow()) out.add(Alert.of("RIBBON_LOW", s.id(), s.ribbon()));
            if (s.gaps() > 0) out.add(Alert.of("SEQUENCE_GAP", s.id(), s.gaps(), s.lastSequence()));
        }
        try (Connection c = ds.getConnection()) {
            try (PreparedStatement p = c.prepareStatement("SELECT kind, count(*) FROM refusals WHERE at > ? GROUP BY kind ORDER BY kind")) {
                p.setObject(1, java.sql.Timestamp.from(now.minus(Duration.ofDays(1))));
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) out.add(Alert.of("REFUSED", "", rs.getLong(2), rs.getString(1)));
                }
            }
            try (PreparedStatement p = c.prepareStatement("SELECT nik, printed, first_station, first_record, last_station, last_record FROM printed_niks WHERE printed > 1 ORDER BY last_at DESC LIMIT 100");
                 ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.add(Alert.of("PRINTED_TWICE", rs.getString(5), rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6)));
                }
            }
            c.commit();
        }
        return out;
    }

    private static Instant instant(ResultSet rs, int i) throws SQLException {
        java.sql.Timestamp t = rs.getTimestamp(i);
        return t == null ? null : t.toInstant();
    }
}
