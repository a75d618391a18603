package ktp.sim.central;

import static ktp.lifecycle.NationalStatus.*;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import ktp.job.EventType;
import ktp.lifecycle.NationalStatus;
import ktp.lifecycle.StatusFlow;
import ktp.sim.records.RecordGenerator;

/**
 * The simulated national data center: a population of residents moving through the six phases in simulated
 * time, and the leases under which print stations take PRINT_READY records. Every change is one entry in
 * the {@link CentralLog}, applied by the same code live and at replay, so a restart continues exactly where
 * the last run stopped. Thread-safe: every public method holds the lock.
 *
 * <p>Leases run on the wall clock (they are a protocol promise to real stations); residents move on the
 * simulated clock ({@code speed} simulated seconds per real second).
 */
final class DataCenter implements AutoCloseable {
    static final int MAX_PULL = 100;
    /** Simulated time starts here for a new population. */
    static final Instant SIM_EPOCH = Instant.parse("2024-01-01T00:00:00Z");
    private static final Pattern STATION_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    private static final Pattern REASON_CODE = Pattern.compile("[A-Z][A-Z0-9_]{0,63}");
    private static final int HISTORY = 40;

    /** What a data center is made of. Changing any of the first three makes a different population. */
    record Settings(long seed, int population, double failureRate, double speed, Duration lease) {
        Settings {
            if (population < 1 || population > RecordGenerator.MAX_RESIDENTS) {
                throw new IllegalArgumentException("population must be 1.." + RecordGenerator.MAX_RESIDENTS + ", got " + population);
            }
            if (!(speed >= 1 && speed <= 1e7)) throw new IllegalArgumentException("speed must be 1..10000000 simulated seconds per second, got " + speed);
            if (lease.compareTo(Duration.ofSeconds(1)) < 0 || lease.compareTo(Duration.ofDays(7)) > 0) {
                throw new IllegalArgumentException("lease period must be 1 s..7 days, got " + lease);
            }
            new FlowPlan(failureRate); // validates the rate
        }
    }

    /** A lease as the API shows it. {@code expiresAt} is null once the card is printed: the card is at that station. */
    record LeaseView(String leaseId, String recordId, int recordVersion, String nik, String station, Instant expiresAt,
                     boolean acknowledged, boolean printed, int index) {}

    /** A resident as the "where is my KTP-el?" question sees it. */
    record ResidentView(String nik, String recordId, int recordVersion, NationalStatus status, Instant since,
                        List<Map.Entry<NationalStatus, Instant>> history, String station, String held, List<String> notes) {}

    /** The data center's answer to an event report. */
    record EventOutcome(boolean duplicate, NationalStatus status) {}

    private static final class Resident {
        final int index;
        final String recordId;
        final String nik;
        NationalStatus status = UNREGISTERED;
        long sinceSim = SIM_EPOCH.toEpochMilli();
        int steps;
        int version;
        String held = "";
        String lastStation = "";
        Lease lease;
        final Deque<Map.Entry<NationalStatus, Instant>> history = new ArrayDeque<>();
        final Deque<String> notes = new ArrayDeque<>();

        Resident(int index, String recordId, String nik) {
            this.index = index;
            this.recordId = recordId;
            this.nik = nik;
        }
    }

    private static final class Lease {
        final String id;
        final Resident resident;
        final String station;
        long expiresAt;
        boolean acknowledged;
        boolean printed;
        String ended = "";

        Lease(String id, Resident resident, String station, long expiresAt) {
            this.id = id;
            this.resident = resident;
            this.station = station;
            this.expiresAt = expiresAt;
        }
    }

    private final Settings settings;
    private final Clock wall;
    private final FlowPlan plan;
    private final Resident[] residents;
    private final Map<String, Resident> byNik = new HashMap<>();
    private final Map<String, Resident> byRecordId = new HashMap<>();
    private final Map<String, Lease> leases = new HashMap<>();
    private final Map<String, Lease> activeLeases = new LinkedHashMap<>();
    /** PRINT_READY records free to lease, oldest first. */
    private final LinkedHashSet<Integer> ready = new LinkedHashSet<>();
    /** Residents' next scheduled steps: {simulated time, index, steps when scheduled}; stale ones are skipped. */
    private final PriorityQueue<long[]> schedule = new PriorityQueue<>((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
    private final Set<String> seenEvents = new HashSet<>();
    private final CentralLog log;
    private long simResume = SIM_EPOCH.toEpochMilli();
    private final long wallStart;
    private boolean broken;

    private DataCenter(Settings settings, RecordSource source, Clock wall, Path stateFile) throws IOException {
        this.settings = settings;
        this.wall = wall;
        this.plan = new FlowPlan(settings.failureRate());
        this.residents = new Resident[settings.population()];
        for (int i = 0; i < residents.length; i++) {
            RecordGenerator.Identity id = source.identity(i);
            Resident r = new Resident(i, id.recordId(), id.nik());
            residents[i] = r;
            byNik.put(r.nik, r);
            byRecordId.put(r.recordId, r);
        }
        boolean[] sawInit = {false};
        this.log = CentralLog.open(stateFile, entry -> {
            if ("init".equals(entry.path("t").asText())) {
                checkSameWorld(stateFile, entry);
                sawInit[0] = true;
            } else {
                apply(entry);
            }
        });
        if (!sawInit[0]) {
            ObjectNode init = log.entry("init");
            init.put("seed", settings.seed());
            init.put("population", settings.population());
            init.put("failureRate", settings.failureRate());
            log.add(init);
            log.sync();
        }
        for (Resident r : residents) schedule(r);
        this.wallStart = wall.millis();
    }

    /** Opens the data center whose state lives in {@code stateFile}, creating it when missing. */
    static DataCenter open(Path stateFile, Settings settings, RecordSource source, Clock wall) throws IOException {
        return new DataCenter(settings, source, wall, stateFile);
    }

    private void checkSameWorld(Path file, ObjectNode init) throws IllegalStateException {
        long seed = init.path("seed").asLong();
        int population = init.path("population").asInt();
        double rate = init.path("failureRate").asDouble();
        if (seed != settings.seed() || population != settings.population() || rate != settings.failureRate()) {
            throw new IllegalStateException(file + " holds a data center made with seed " + seed + ", population " + population
                    + " and failure rate " + rate + "; start it with those, or use another state folder for a new one");
        }
    }

    Settings settings() { return settings; }

    // ---------------------------------------------------------------- time

    /** Simulated now: where the last run stopped, plus the wall time since this run started, times the speed. */
    synchronized Instant simNow() { return Instant.ofEpochMilli(simNowMillis()); }

    private long simNowMillis() { return simResume + (long) ((wall.millis() - wallStart) * settings.speed()); }

    /** Moves residents whose time has come and expires overdue leases. Returns how many residents moved. */
    synchronized int advance() {
        checkUsable();
        int moved = 0;
        expireLeases();
        long now = simNowMillis();
        while (!schedule.isEmpty() && schedule.peek()[0] <= now && moved < 50_000) {
            long[] due = schedule.poll();
            Resident r = residents[(int) due[1]];
            if (r.steps != due[2]) continue;
            Optional<FlowPlan.Step> step = plan.next(r.status, random(r));
            if (step.isEmpty()) continue;
            record(statusEntry(r, step.get().to(), due[0]));
            moved++;
        }
        sync();
        return moved;
    }

    private Random random(Resident r) {
        return new Random(settings.seed() * 0x9E3779B97F4A7C15L ^ (r.index * 1_000_003L + r.steps * 7_919L));
    }

    private void schedule(Resident r) {
        plan.next(r.status, random(r)).ifPresent(step -> schedule.add(new long[] {r.sinceSim + step.after().toMillis(), r.index, r.steps}));
    }

    private void expireLeases() {
        long now = wall.millis();
        for (Lease l : List.copyOf(activeLeases.values())) {
            if (l.printed || l.expiresAt > now) continue;
            if (l.acknowledged && l.resident.status == SENT_FOR_CARD_PRINTING) record(statusEntry(l.resident, PRINT_READY_RECORD, simNowMillis()));
            record(endEntry(l, "expired"));
        }
    }

    // ---------------------------------------------------------------- the stations' API

    synchronized List<LeaseView> pull(String station, int limit) {
        checkUsable();
        requireStation(station);
        if (limit < 1 || limit > MAX_PULL) throw new ApiException(400, "BAD_LIMIT", "limit must be 1.." + MAX_PULL + ", got " + limit);
        expireLeases();
        List<LeaseView> out = new ArrayList<>();
        for (Integer index : List.copyOf(ready)) {
            if (out.size() >= limit) break;
            Resident r = residents[index];
            ObjectNode e = log.entry("lease");
            e.put("id", UUID.randomUUID().toString());
            e.put("i", r.index);
            e.put("station", station);
            e.put("exp", wall.millis() + settings.lease().toMillis());
            record(e);
            out.add(view(r.lease));
        }
        sync();
        return out;
    }

    synchronized List<LeaseView> leasesOf(String station) {
        checkUsable();
        requireStation(station);
        expireLeases();
        sync();
        List<LeaseView> out = new ArrayList<>();
        for (Lease l : activeLeases.values()) if (l.station.equals(station)) out.add(view(l));
        return out;
    }

    synchronized LeaseView renew(String station, String leaseId) {
        Lease l = activeLease(station, leaseId);
        if (!l.printed) {
            ObjectNode e = log.entry("renew");
            e.put("id", l.id);
            e.put("exp", wall.millis() + settings.lease().toMillis());
            record(e);
        }
        sync();
        return view(l);
    }

    synchronized LeaseView acknowledge(String station, String leaseId) {
        Lease l = activeLease(station, leaseId);
        acknowledge(l);
        sync();
        return view(l);
    }

    private void acknowledge(Lease l) {
        if (l.acknowledged) return;
        ObjectNode e = log.entry("ack");
        e.put("id", l.id);
        record(e);
        if (l.resident.status == PRINT_READY_RECORD) record(statusEntry(l.resident, SENT_FOR_CARD_PRINTING, simNowMillis()));
    }

    synchronized void release(String station, String leaseId) {
        Lease l = activeLease(station, leaseId);
        if (l.printed) throw new ApiException(409, "LEASE_PRINTED", "lease " + leaseId + " is for a card already printed; it ends when the card is issued");
        if (l.resident.status == SENT_FOR_CARD_PRINTING) record(statusEntry(l.resident, PRINT_READY_RECORD, simNowMillis()));
        record(endEntry(l, "released"));
        sync();
    }

    /** A station will not print a record (it failed validation there, or was printed there already): it is held for a person. */
    synchronized void decline(String station, String leaseId, String reason, String detail) {
        if (reason == null || !REASON_CODE.matcher(reason).matches()) {
            throw new ApiException(400, "BAD_REASON", "reason must be an upper-case code such as ALREADY_PRINTED, got " + quote(reason));
        }
        if (detail != null && detail.length() > 1000) throw new ApiException(400, "BAD_DETAIL", "detail must be at most 1000 characters");
        Lease l = activeLease(station, leaseId);
        if (l.printed) throw new ApiException(409, "LEASE_PRINTED", "lease " + leaseId + " is for a card already printed");
        if (l.resident.status == SENT_FOR_CARD_PRINTING) record(statusEntry(l.resident, PRINT_READY_RECORD, simNowMillis()));
        record(holdEntry(l.resident, "declined by " + station + ": " + reason + (detail == null || detail.isBlank() ? "" : " (" + detail + ")")));
        record(endEntry(l, "declined"));
        sync();
    }

    /**
     * A person at the data center offers a held record again (for example one a station held back because it did
     * not trust the signing key yet, declined SIGNATURE_UNKNOWN_KEY): the hold is lifted and the record is ready.
     * Returns whether it was held.
     */
    /** The record ids of every held resident (what a person at the data center would look through). */
    synchronized List<String> heldRecordIds() {
        List<String> ids = new java.util.ArrayList<>();
        for (Resident r : residents) if (!r.held.isEmpty()) ids.add(r.recordId);
        return ids;
    }

    public synchronized boolean reoffer(String recordId) {
        Resident r = byRecordId.get(recordId);
        if (r == null || r.held.isEmpty()) return false;
        record(holdEntry(r, ""));
        note(r, "offered again by a person at the data center");
        sync();
        return true;
    }

    /**
     * An event a station reports about a record it holds or held last (the interim path until telemetry goes
     * over MQTT). Reports are idempotent by event id. CARD_PRINTED and CARD_ISSUED move the national status.
     */
    synchronized EventOutcome report(String station, String eventId, EventType type, String recordId, String detail) {
        checkUsable();
        requireStation(station);
        if (eventId == null || eventId.isBlank() || eventId.length() > 100) throw new ApiException(400, "BAD_EVENT_ID", "eventId must be 1..100 characters");
        Resident r = byRecordId.get(recordId);
        if (r == null) throw new ApiException(404, "UNKNOWN_RECORD", "no record " + quote(recordId) + " at this data center");
        if (seenEvents.contains(eventId)) return new EventOutcome(true, r.status);
        expireLeases();
        if (!r.lastStation.equals(station)) {
            if (r.lastStation.isEmpty()) throw new ApiException(403, "NOT_LEASED", "record " + recordId + " was never leased to " + station);
            throw new ApiException(403, "LEASE_NOT_YOURS", "record " + recordId + " is leased to another station");
        }
        String note = station + " reported " + type + (detail == null || detail.isBlank() ? "" : ": " + detail);
        switch (type) {
            case SENT_FOR_CARD_PRINTING -> { if (r.lease != null) acknowledge(r.lease); }
            case CARD_PRINTED -> {
                if (r.status == PRINT_READY_RECORD) record(statusEntry(r, SENT_FOR_CARD_PRINTING, simNowMillis()));
                if (r.status == SENT_FOR_CARD_PRINTING) {
                    record(statusEntry(r, CARD_PRINTED, simNowMillis()));
                    if (!r.held.isEmpty()) record(holdEntry(r, ""));
                    if (r.lease != null) {
                        ObjectNode e = log.entry("printed");
                        e.put("id", r.lease.id);
                        record(e);
                    }
                }
            }
            case CARD_ISSUED -> {
                if (r.status == CARD_PRINTED) {
                    record(statusEntry(r, CARD_ISSUED, simNowMillis()));
                    if (r.lease != null) record(endEntry(r.lease, "issued"));
                } else if (r.status != CARD_ISSUED) {
                    throw new ApiException(409, "NOT_PRINTED", "record " + recordId + " is " + r.status + "; CARD_PRINTED must be reported before CARD_ISSUED");
                }
            }
            case RECORD_REJECTED -> { if (r.held.isEmpty() && r.status != CARD_PRINTED && r.status != CARD_ISSUED) record(holdEntry(r, note)); }
            case CARD_SPOILED, ACTIVATION_FAILED -> { }
        }
        ObjectNode e = log.entry("event");
        e.put("id", eventId);
        e.put("i", r.index);
        e.put("note", note);
        record(e);
        sync();
        return new EventOutcome(false, r.status);
    }

    synchronized ResidentView resident(String nik) {
        checkUsable();
        if (nik == null || !nik.matches("\\d{16}")) throw new ApiException(400, "INVALID_NIK", "a NIK is 16 digits, got " + quote(nik));
        Resident r = byNik.get(nik);
        if (r == null) throw new ApiException(404, "UNKNOWN_NIK", "no resident with NIK " + nik + " at this data center");
        return new ResidentView(r.nik, r.recordId, r.version, r.status, Instant.ofEpochMilli(r.sinceSim), List.copyOf(r.history),
                r.lastStation, r.held, List.copyOf(r.notes));
    }

    synchronized Map<NationalStatus, Integer> counts() {
        Map<NationalStatus, Integer> m = new EnumMap<>(NationalStatus.class);
        for (Resident r : residents) m.merge(r.status, 1, Integer::sum);
        return m;
    }

    synchronized int activeLeaseCount() { return activeLeases.size(); }

    synchronized int heldCount() {
        int n = 0;
        for (Resident r : residents) if (!r.held.isEmpty()) n++;
        return n;
    }

    synchronized int readyCount() { return ready.size(); }

    /** The first {@code limit} residents free to lease, as lease-less views (index and version only matter). */
    synchronized List<LeaseView> readyViews(int limit) {
        List<LeaseView> out = new ArrayList<>();
        for (Integer i : ready) {
            if (out.size() >= limit) break;
            Resident r = residents[i];
            out.add(new LeaseView("", r.recordId, r.version, r.nik, "", null, false, false, r.index));
        }
        return out;
    }

    // ---------------------------------------------------------------- checks

    private void requireStation(String station) {
        if (station == null || !STATION_ID.matcher(station).matches()) {
            throw new ApiException(400, "BAD_STATION", "station must be 1..64 letters, digits, '.', '_' or '-', got " + quote(station));
        }
    }

    private Lease activeLease(String station, String leaseId) {
        checkUsable();
        requireStation(station);
        expireLeases();
        sync();
        Lease l = leaseId == null ? null : leases.get(leaseId);
        if (l == null) throw new ApiException(404, "UNKNOWN_LEASE", "no lease " + quote(leaseId));
        if (!l.station.equals(station)) throw new ApiException(403, "LEASE_NOT_YOURS", "lease " + leaseId + " belongs to another station");
        if (l.ended.equals("expired")) throw new ApiException(410, "LEASE_EXPIRED", "lease " + leaseId + " expired; pull the record again if it is still offered");
        if (!l.ended.isEmpty()) throw new ApiException(410, "LEASE_ENDED", "lease " + leaseId + " ended (" + l.ended + ")");
        return l;
    }

    private void checkUsable() {
        if (broken) throw new ApiException(503, "STATE_UNWRITABLE", "the data center could not write its state; restart it");
    }

    private static String quote(String s) { return s == null ? "nothing" : "\"" + (s.length() > 80 ? s.substring(0, 80) + "..." : s) + "\""; }

    // ---------------------------------------------------------------- entries: made live, applied live and at replay

    private ObjectNode statusEntry(Resident r, NationalStatus to, long simMillis) {
        ObjectNode e = log.entry("status");
        e.put("i", r.index);
        e.put("to", to.name());
        e.put("sim", simMillis);
        return e;
    }

    private ObjectNode endEntry(Lease l, String why) {
        ObjectNode e = log.entry("end");
        e.put("id", l.id);
        e.put("why", why);
        return e;
    }

    private ObjectNode holdEntry(Resident r, String reason) {
        ObjectNode e = log.entry("hold");
        e.put("i", r.index);
        e.put("reason", reason);
        return e;
    }

    private void record(ObjectNode entry) {
        apply(entry);
        log.add(entry);
    }

    private void sync() {
        try {
            log.sync();
        } catch (UncheckedIOException e) {
            broken = true;
            throw new ApiException(503, "STATE_UNWRITABLE", e.getMessage());
        }
    }

    private void apply(ObjectNode e) {
        String type = e.path("t").asText();
        switch (type) {
            case "status" -> {
                Resident r = resident(e.path("i").asInt());
                NationalStatus to = NationalStatus.valueOf(e.path("to").asText());
                StatusFlow.require(r.status, to);
                r.status = to;
                r.sinceSim = e.path("sim").asLong();
                r.steps++;
                if (to == BIO_CAPTURED) r.version++;
                r.history.addLast(Map.entry(to, Instant.ofEpochMilli(r.sinceSim)));
                while (r.history.size() > HISTORY) r.history.removeFirst();
                simResume = Math.max(simResume, r.sinceSim);
                updateReady(r);
                schedule(r);
            }
            case "lease" -> {
                Resident r = resident(e.path("i").asInt());
                Lease l = new Lease(e.path("id").asText(), r, e.path("station").asText(), e.path("exp").asLong());
                leases.put(l.id, l);
                activeLeases.put(l.id, l);
                r.lease = l;
                r.lastStation = l.station;
                updateReady(r);
            }
            case "renew" -> lease(e).expiresAt = e.path("exp").asLong();
            case "ack" -> lease(e).acknowledged = true;
            case "printed" -> lease(e).printed = true;
            case "end" -> {
                Lease l = lease(e);
                l.ended = e.path("why").asText();
                activeLeases.remove(l.id);
                if (l.resident.lease == l) l.resident.lease = null;
                updateReady(l.resident);
            }
            case "hold" -> {
                Resident r = resident(e.path("i").asInt());
                r.held = e.path("reason").asText();
                if (!r.held.isEmpty()) note(r, "held: " + r.held);
                updateReady(r);
            }
            case "event" -> {
                seenEvents.add(e.path("id").asText());
                note(resident(e.path("i").asInt()), e.path("note").asText());
            }
            default -> throw new IllegalStateException("unknown entry type " + type + " in the data center's state");
        }
    }

    private Resident resident(int index) {
        if (index < 0 || index >= residents.length) throw new IllegalStateException("entry names resident " + index + " of " + residents.length);
        return residents[index];
    }

    private Lease lease(ObjectNode e) {
        Lease l = leases.get(e.path("id").asText());
        if (l == null) throw new IllegalStateException("entry names unknown lease " + e.path("id").asText());
        return l;
    }

    private static void note(Resident r, String note) {
        r.notes.addLast(note);
        while (r.notes.size() > 10) r.notes.removeFirst();
    }

    private void updateReady(Resident r) {
        if (r.status == PRINT_READY_RECORD && r.lease == null && r.held.isEmpty()) ready.add(r.index);
        else ready.remove(r.index);
    }

    private LeaseView view(Lease l) {
        return new LeaseView(l.id, l.resident.recordId, l.resident.version, l.resident.nik, l.station,
                l.printed ? null : Instant.ofEpochMilli(l.expiresAt), l.acknowledged, l.printed, l.resident.index);
    }

    @Override
    public synchronized void close() throws IOException {
        log.close();
    }
}
