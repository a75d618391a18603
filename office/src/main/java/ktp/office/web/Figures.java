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

    public record Alert(String kind, String station, String detail) {}

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
        Map<String, Map<String, Long>> out = new TreeMap<>();
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
            if (Boolean.FALSE.equals(s.online())) out.add(new Alert("OFFLINE", s.id(), "offline since its last state"));
            else if (s.lastSeen() != null && s.lastSeen().isBefore(now.minus(t.silent()))) out.add(new Alert("SILENT", s.id(), "nothing heard since " + s.lastSeen()));
            if (s.healthAt() != null && s.healthAt().isBefore(now.minus(t.healthStale()))) out.add(new Alert("HEALTH_STALE", s.id(), "last health at " + s.healthAt()));
            if (s.outbox() != null && s.outbox() > t.outboxHigh()) out.add(new Alert("OUTBOX_GROWING", s.id(), s.outbox() + " events waiting in its outbox"));
            if (s.blanks() != null && s.blanks() < t.blanksLow()) out.add(new Alert("BLANKS_LOW", s.id(), s.blanks() + " blanks in the feeder"));
            if (s.ribbon() != null && s.ribbon() < t.ribbonLow()) out.add(new Alert("RIBBON_LOW", s.id(), s.ribbon() + " ribbon panel sets left"));
            if (s.gaps() > 0) out.add(new Alert("SEQUENCE_GAP", s.id(), s.gaps() + " event(s) missing below #" + s.lastSequence()));
        }
        try (Connection c = ds.getConnection()) {
            try (PreparedStatement p = c.prepareStatement("SELECT kind, count(*) FROM refusals WHERE at > ? GROUP BY kind ORDER BY kind")) {
                p.setObject(1, java.sql.Timestamp.from(now.minus(Duration.ofDays(1))));
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) out.add(new Alert("REFUSED", "", rs.getLong(2) + " message(s) refused as " + rs.getString(1) + " in the last 24 h"));
                }
            }
            try (PreparedStatement p = c.prepareStatement("SELECT nik, printed, first_station, first_record, last_station, last_record FROM printed_niks WHERE printed > 1 ORDER BY last_at DESC LIMIT 100");
                 ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.add(new Alert("PRINTED_TWICE", rs.getString(5), "NIK " + rs.getString(1) + " printed " + rs.getLong(2) + " times: first " + rs.getString(3) + " "
                            + rs.getString(4) + ", last " + rs.getString(5) + " " + rs.getString(6)));
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
