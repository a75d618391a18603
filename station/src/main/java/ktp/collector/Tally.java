package ktp.collector;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import ktp.job.EventType;
import ktp.telemetry.TelemetryCodec;

/**
 * The collector's counts, free of I/O: events once each (by event id), per station and per region for the
 * day, each station's last state and health, gaps in a station's sequence, and every message refused, by
 * why. Not thread-safe: the collector calls it under its own lock.
 */
final class Tally {
    /** Fewer blanks than this in a feeder, or ribbon panel sets than this, shows the station as running low. */
    static final int BLANKS_LOW = 50;
    static final int RIBBON_LOW = 50;

    enum Refusal { OVERSIZED, MALFORMED, UNKNOWN_VERSION, INVALID, WRONG_TOPIC, UNSIGNED, BAD_SIGNATURE, UNKNOWN_SIGNER, WRONG_SIGNER, REVOKED, STALE, REPLAYED }

    static final class Day {
        final Map<EventType, Long> counts = new EnumMap<>(EventType.class);

        void add(EventType t) { counts.merge(t, 1L, Long::sum); }

        long get(EventType t) { return counts.getOrDefault(t, 0L); }
    }

    static final class Station {
        final String id;
        final Day today = new Day();
        long lastSequence;
        long events;
        final TreeSet<Long> missing = new TreeSet<>();
        long outOfOrder;
        Boolean online;
        Instant stateSince;
        TelemetryCodec.Health health;

        Station(String id) { this.id = id; }
    }

    private final ZoneId zone;
    private final Set<String> seen = new HashSet<>();
    final Map<String, Station> stations = new TreeMap<>();
    final Map<String, Day> regions = new TreeMap<>();
    final Map<Refusal, Long> refused = new EnumMap<>(Refusal.class);
    long accepted;
    long duplicates;
    private LocalDate day;

    Tally(ZoneId zone, LocalDate today) {
        this.zone = zone;
        this.day = today;
    }

    ZoneId zone() { return zone; }

    LocalDate day() { return day; }

    /** A new day: the day's counts start again (events and gaps are kept). */
    void rollTo(LocalDate today) {
        if (today.equals(day)) return;
        day = today;
        regions.clear();
        for (Station s : stations.values()) s.today.counts.clear();
    }

    Station station(String id) { return stations.computeIfAbsent(id, Station::new); }

    /** True when the event is new (it must then be stored); false for a duplicate. */
    boolean isNew(TelemetryCodec.Event e) { return !seen.contains(e.eventId()); }

    void add(TelemetryCodec.Event e) {
        if (!seen.add(e.eventId())) {
            duplicates++;
            return;
        }
        accepted++;
        Station s = station(e.stationId());
        s.events++;
        long seq = e.sequence();
        if (seq > s.lastSequence) {
            for (long m = s.lastSequence + 1; m < seq && s.missing.size() < 100_000; m++) s.missing.add(m);
            s.lastSequence = seq;
        } else if (s.missing.remove(seq)) {
            s.outOfOrder++;
        }
        if (e.occurredAt().atZone(zone).toLocalDate().equals(day)) {
            s.today.add(e.type());
            if (!e.region().isEmpty()) regions.computeIfAbsent(e.region(), r -> new Day()).add(e.type());
        }
    }

    void duplicate() { duplicates++; }

    void refuse(Refusal why) { refused.merge(why, 1L, Long::sum); }

    long refusedTotal() { return refused.values().stream().mapToLong(Long::longValue).sum(); }
}
