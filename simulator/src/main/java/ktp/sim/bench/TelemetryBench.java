package ktp.sim.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.function.Function;
import ktp.collector.Collector;
import ktp.job.EventType;
import ktp.job.JobState;
import ktp.store.Actor;
import ktp.store.OutboxEvent;
import ktp.store.StationStore;
import ktp.telemetry.BrokerSettings;
import ktp.telemetry.CommandHandler;
import ktp.telemetry.DeviceHealth;
import ktp.telemetry.Keyring;
import ktp.telemetry.OutboxPublisher;
import ktp.telemetry.SignedMessage;
import ktp.telemetry.TelemetryCodec;
import ktp.telemetry.TelemetryKey;
import ktp.telemetry.Topics;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * Telemetry cost and throughput, signed (docs/telemetry.md): (0) in process, the cost of signing an event at
 * the station (a batch of 32 sealed, per event; and a lone event) and the rate one thread verifies events at
 * (batches opened, verified, parsed); (1) one station's outbox drained to a collector through the broker, from
 * the first publish until the last event is receipted and deleted; (2) the collector's ingest: N simulated
 * stations publishing pre-signed batches at once, from the first publish until the collector stored the last
 * (every signature verified); (3) the burst: N real stations (store, outbox, publisher) with M events each,
 * all started at once, until every outbox is empty, then checked: every event stored exactly once at the
 * collector, no outbox left with anything.
 */
public final class TelemetryBench {
    public record Result(double signMicrosPerEventBatched, double signMicrosLoneEvent, double verifyEventsPerSecondOneThread,
                         List<Double> drainPerSecond, List<Double> ingestPerSecond, List<Double> burstSeconds, int events, int stations, int perStation) {}

    /** How each client logs in to the broker: by its role and name (a plain broker ignores it). */
    public interface Login extends Function<String, BrokerSettings> {}

    private TelemetryBench() {}

    /** A tag for one invocation's client names, so that runs against the same broker never share a station's topics. */
    public static String newTag() { return unique().substring(0, 6); }

    /**
     * Every client name one invocation uses, for a broker set up for exactly these clients ({@code ktp broker
     * setup}): {stations, collectors}.
     */
    public static List<List<String>> names(String tag, int runs, int stations) {
        List<String> st = new ArrayList<>();
        List<String> col = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            st.add(drainStation(tag, r));
            col.add(drainCollector(tag, r));
            for (int s = 0; s < stations; s++) st.add(ingestStation(tag, r, s));
            col.add(ingestCollector(tag, r));
            for (int s = 0; s < stations; s++) st.add(burstStation(tag, r, s));
            col.add(burstCollector(tag, r));
        }
        return List.of(st, col);
    }

    private static String drainStation(String tag, int run) { return "BENCH-" + tag + "-D" + run; }
    private static String drainCollector(String tag, int run) { return "bench-" + tag + "-d" + run; }
    private static String ingestStation(String tag, int run, int s) { return "BENCH-" + tag + "-I" + run + "-" + s; }
    private static String ingestCollector(String tag, int run) { return "bench-" + tag + "-i" + run; }
    private static String burstStation(String tag, int run, int s) { return "BURST-" + tag + "-" + run + "-" + s; }
    private static String burstCollector(String tag, int run) { return "burst-" + tag + "-" + run; }

    public static Result run(String broker, Login login, String tag, int events, int stations, int perStation, int runs, boolean burst, Path work) throws Exception {
        TelemetryKey office = TelemetryKey.generate();
        Path officeKeys = work.resolve("office-keys");
        Keyring.add(officeKeys, "bench-office", office.publicKey());
        double[] crypto = crypto();
        List<Double> drain = new ArrayList<>();
        List<Double> ingest = new ArrayList<>();
        List<Double> bursts = new ArrayList<>();
        for (int run = 0; run < runs; run++) {
            drain.add(drain(login, office, officeKeys, events, drainStation(tag, run), drainCollector(tag, run), work.resolve("drain-" + run)));
            List<String> ingestIds = new ArrayList<>();
            List<String> burstIds = new ArrayList<>();
            for (int s = 0; s < stations; s++) {
                ingestIds.add(ingestStation(tag, run, s));
                burstIds.add(burstStation(tag, run, s));
            }
            ingest.add(ingest(login, office, ingestIds, ingestCollector(tag, run), perStation, work.resolve("ingest-" + run)));
            if (burst) bursts.add(burst(login, office, officeKeys, burstIds, burstCollector(tag, run), perStation, work.resolve("burst-" + run)));
        }
        return new Result(crypto[0], crypto[1], crypto[2], drain, ingest, bursts, events, stations, perStation);
    }

    private static String unique() { return UUID.randomUUID().toString().substring(0, 8); }

    private static List<OutboxEvent> sampleEvents(String station, long from, int n) {
        List<OutboxEvent> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long seq = from + i;
            out.add(new OutboxEvent(seq, UUID.randomUUID().toString(), seq % 2 == 0 ? EventType.CARD_ISSUED : EventType.CARD_PRINTED, station, "PRR-000001-" + String.format("%06d", seq % 1_000_000),
                    String.format("3171%012d", seq), "04AABBCC" + String.format("%06X", seq & 0xFFFFFF), "finger 2 matched (score 117.2, attempt 1 of 6)", Instant.now()));
        }
        return out;
    }

    /** {sign us/event in a batch of 32, sign us for a lone event, events verified per second on one thread}. */
    static double[] crypto() throws Exception {
        TelemetryKey key = TelemetryKey.generate();
        Path dir = Files.createTempDirectory("ktp-bench-keys");
        try {
            Keyring.add(dir, "BENCH-C", key.publicKey());
            Keyring ring = Keyring.load(dir);
            List<byte[]> bodies = new ArrayList<>();
            for (int i = 0; i < 200; i++) bodies.add(TelemetryCodec.eventBatch("BENCH-C", "0123456789abcdef", sampleEvents("BENCH-C", 1 + i * 32L, 32), Instant.now()));
            byte[] lone = TelemetryCodec.eventBatch("BENCH-C", "0123456789abcdef", sampleEvents("BENCH-C", 1, 1), Instant.now());
            List<byte[]> sealed = new ArrayList<>();
            for (int warm = 0; warm < 3; warm++) for (byte[] b : bodies) sealed.add(SignedMessage.seal(SignedMessage.Kind.EVENTS, b, key));
            int rounds = 5;
            long t0 = System.nanoTime();
            for (int r = 0; r < rounds; r++) for (byte[] b : bodies) SignedMessage.seal(SignedMessage.Kind.EVENTS, b, key);
            double batched = (System.nanoTime() - t0) / 1e3 / (rounds * bodies.size() * 32.0);
            for (int i = 0; i < 2000; i++) SignedMessage.seal(SignedMessage.Kind.EVENTS, lone, key);
            t0 = System.nanoTime();
            for (int i = 0; i < 4000; i++) SignedMessage.seal(SignedMessage.Kind.EVENTS, lone, key);
            double loneUs = (System.nanoTime() - t0) / 1e3 / 4000;
            long events = 0;
            t0 = System.nanoTime();
            for (int r = 0; r < 2; r++) {
                for (byte[] m : sealed) {
                    Keyring.Verified v = ring.open(m, SignedMessage.Kind.EVENTS, "BENCH-C");
                    events += TelemetryCodec.parseEventBatch(v.body()).events().size();
                }
            }
            double verify = events / ((System.nanoTime() - t0) / 1e9);
            return new double[] {batched, loneUs, verify};
        } finally {
            WorkDirs.delete(dir);
        }
    }

    private static Keyring registry(Path dir, List<String> stations, List<TelemetryKey> keys) throws Exception {
        for (int i = 0; i < stations.size(); i++) Keyring.add(dir, stations.get(i), keys.get(i).publicKey());
        return Keyring.load(dir);
    }

    static double drain(Login login, TelemetryKey office, Path officeKeys, int events, String station, String name, Path dir) throws Exception {
        TelemetryKey key = TelemetryKey.generate();
        Keyring stations = registry(dir.resolve("registry"), List.of(station), List.of(key));
        try (StationStore store = StationStore.open(dir.resolve("store"), station, Clock.systemUTC());
             Collector c = new Collector(login.apply("collector:" + name), office, stations, dir.resolve("collector"), "bench-" + unique(), name, ZoneId.of("Asia/Jakarta"), Clock.systemUTC()).start()) {
            for (int i = 1; i <= events; i++) {
                String id = String.format("B%07d", i);
                store.admit(id, 1, String.format("3171%012d", i), ("e" + i).getBytes(), Actor.STATION);
                store.transition(id, JobState.VALIDATED, Actor.STATION, "", null);
            }
            long t0;
            try (OutboxPublisher p = new OutboxPublisher(store, login.apply("station:" + station), key, Keyring.load(officeKeys), DeviceHealth.UNKNOWN, CommandHandler.NONE,
                    Duration.ofSeconds(30), Clock.systemUTC()).start()) {
                // The clock starts at the first publish, not while the station waits for the collector's first heartbeat.
                while (!p.status().collectorListening()) Thread.sleep(1);
                t0 = System.nanoTime();
                long deadline = t0 + 300_000_000_000L;
                while (store.outboxDepth() > 0 && System.nanoTime() < deadline) Thread.sleep(1);
                if (store.outboxDepth() > 0) throw new IllegalStateException("the outbox did not drain in 5 minutes: " + p.status());
            }
            return events / ((System.nanoTime() - t0) / 1e9);
        }
    }

    static double ingest(Login login, TelemetryKey office, List<String> ids, String name, int perStation, Path dir) throws Exception {
        int stations = ids.size();
        int total = stations * perStation;
        String run = unique();
        List<TelemetryKey> keys = new ArrayList<>();
        for (int s = 0; s < stations; s++) keys.add(TelemetryKey.generate());
        Keyring registry = registry(dir.resolve("registry"), ids, keys);
        // Signed before the clock starts: this measures the collector (and the broker), not the stations' signing.
        List<List<byte[]>> messages = new ArrayList<>();
        for (int s = 0; s < stations; s++) {
            List<byte[]> m = new ArrayList<>();
            List<OutboxEvent> all = sampleEvents(ids.get(s), 1, perStation);
            for (int i = 0; i < all.size(); i += TelemetryCodec.MAX_BATCH) {
                m.add(SignedMessage.seal(SignedMessage.Kind.EVENTS, TelemetryCodec.eventBatch(ids.get(s), "0123456789abcdef", all.subList(i, Math.min(all.size(), i + TelemetryCodec.MAX_BATCH)), Instant.now()), keys.get(s)));
            }
            messages.add(m);
        }
        try (Collector c = new Collector(login.apply("collector:" + name), office, registry, dir, "bench-" + unique(), name, ZoneId.of("Asia/Jakarta"), Clock.systemUTC()).start()) {
            List<MqttAsyncClient> clients = new ArrayList<>();
            for (int s = 0; s < stations; s++) {
                BrokerSettings b = login.apply("station:" + ids.get(s));
                MqttAsyncClient m = new MqttAsyncClient(b.url(), "bench-st-" + run + "-" + s, new MemoryPersistence());
                MqttConnectOptions o = b.options();
                o.setMaxInflight(100);
                m.connect(o).waitForCompletion(10_000);
                clients.add(m);
            }
            List<Thread> threads = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int s = 0; s < stations; s++) {
                MqttAsyncClient m = clients.get(s);
                String station = ids.get(s);
                List<byte[]> mine = messages.get(s);
                Thread t = new Thread(() -> publishAll(m, station, mine));
                threads.add(t);
                t.start();
            }
            for (Thread t : threads) t.join();
            long deadline = System.nanoTime() + 300_000_000_000L;
            while (c.summary().get("accepted").asLong() < total && System.nanoTime() < deadline) Thread.sleep(2);
            long stored = c.summary().get("accepted").asLong();
            double perSecond = stored / ((System.nanoTime() - t0) / 1e9);
            for (MqttAsyncClient m : clients) {
                m.disconnect().waitForCompletion(5000);
                m.close();
            }
            if (stored < total) throw new IllegalStateException("the collector stored " + stored + " of " + total + " events in 5 minutes");
            return perSecond;
        }
    }

    private static void publishAll(MqttAsyncClient m, String station, List<byte[]> messages) {
        Semaphore window = new Semaphore(4);
        try {
            for (byte[] payload : messages) {
                window.acquire();
                m.publish(Topics.events(station), payload, 1, false, null, new IMqttActionListener() {
                    @Override
                    public void onSuccess(IMqttToken token) { window.release(); }

                    @Override
                    public void onFailure(IMqttToken token, Throwable e) { window.release(); }
                });
            }
            window.acquire(4);
        } catch (Exception e) {
            throw new IllegalStateException(station + ": " + e.getMessage(), e);
        }
    }

    /**
     * The burst: {@code stations} real stations, each with {@code perStation} events in its outbox, all started
     * at once. Returns the seconds until every outbox was empty; fails unless every event is then stored exactly
     * once at the collector.
     */
    static double burst(Login login, TelemetryKey office, Path officeKeys, List<String> ids, String name, int perStation, Path dir) throws Exception {
        int stations = ids.size();
        List<TelemetryKey> keys = new ArrayList<>();
        for (int s = 0; s < stations; s++) keys.add(TelemetryKey.generate());
        Keyring registry = registry(dir.resolve("registry"), ids, keys);
        List<StationStore> stores = new ArrayList<>();
        List<OutboxPublisher> publishers = new ArrayList<>();
        try (Collector c = new Collector(login.apply("collector:" + name), office, registry, dir.resolve("collector"), "burst-" + unique(), name, ZoneId.of("Asia/Jakarta"), Clock.systemUTC()).start()) {
            for (int s = 0; s < stations; s++) stores.add(StationStore.open(dir.resolve("store-" + s), ids.get(s), Clock.systemUTC()));
            // Filled in parallel: every job change is an fsync'd transaction, and 100 stores one after the other take minutes.
            java.util.concurrent.ExecutorService fill = java.util.concurrent.Executors.newFixedThreadPool(16);
            List<java.util.concurrent.Future<?>> filled = new ArrayList<>();
            for (int s = 0; s < stations; s++) {
                int st = s;
                filled.add(fill.submit(() -> {
                    StationStore store = stores.get(st);
                    for (int i = 1; i <= perStation; i++) {
                        String id = String.format("B%03d%05d", st, i);
                        store.admit(id, 1, String.format("3171%012d", st * 100_000L + i), new byte[] {1}, Actor.STATION);
                        store.transition(id, JobState.VALIDATED, Actor.STATION, "", null);
                    }
                }));
            }
            for (java.util.concurrent.Future<?> f : filled) f.get();
            fill.shutdown();
            Keyring officeRing = Keyring.load(officeKeys);
            long t0 = System.nanoTime();
            for (int s = 0; s < stations; s++) {
                publishers.add(new OutboxPublisher(stores.get(s), login.apply("station:" + ids.get(s)), keys.get(s), officeRing, DeviceHealth.UNKNOWN, CommandHandler.NONE,
                        Duration.ofSeconds(30), Clock.systemUTC()).start());
            }
            long deadline = t0 + 300_000_000_000L;
            while (System.nanoTime() < deadline && stores.stream().anyMatch(st -> st.outboxDepth() > 0)) Thread.sleep(20);
            double seconds = (System.nanoTime() - t0) / 1e9;
            long stuck = stores.stream().filter(st -> st.outboxDepth() > 0).count();
            if (stuck > 0) throw new IllegalStateException(stuck + " of " + stations + " station outboxes still hold events after 5 minutes");
            for (OutboxPublisher p : publishers) p.close();
            publishers.clear();
            // The independent check: the collector's archive itself, every event once.
            List<String> lines = Files.readAllLines(c.archiveFile());
            Set<String> eventIds = new HashSet<>();
            com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
            for (String l : lines) eventIds.add(json.readTree(l).get("eventId").asText());
            int total = stations * perStation;
            if (lines.size() != total || eventIds.size() != total) {
                throw new IllegalStateException("the collector's archive holds " + lines.size() + " lines, " + eventIds.size() + " distinct events, of " + total);
            }
            return seconds;
        } finally {
            for (OutboxPublisher p : publishers) p.close();
            for (StationStore st : stores) st.close();
        }
    }

    public static void clean(Path work) throws Exception {
        WorkDirs.delete(work);
    }
}
