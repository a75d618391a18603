package ktp.sim.bench;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import ktp.collector.Collector;
import ktp.job.EventType;
import ktp.job.JobState;
import ktp.store.Actor;
import ktp.store.OutboxEvent;
import ktp.store.StationStore;
import ktp.telemetry.BrokerSettings;
import ktp.telemetry.CommandHandler;
import ktp.telemetry.DeviceHealth;
import ktp.telemetry.OutboxPublisher;
import ktp.telemetry.TelemetryCodec;
import ktp.telemetry.Topics;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * Telemetry throughput against a real broker: (1) one station's outbox drained to a collector, from the first
 * publish until the last event is receipted and deleted (events/s); (2) a collector ingesting from N simulated
 * stations publishing at once with QoS 1 (events/s from the first publish until the collector stored the last).
 */
public final class TelemetryBench {
    public record Result(List<Double> drainPerSecond, List<Double> ingestPerSecond, int events, int stations, int perStation) {}

    private TelemetryBench() {}

    public static Result run(String broker, int events, int stations, int perStation, int runs, Path work) throws Exception {
        List<Double> drain = new ArrayList<>();
        List<Double> ingest = new ArrayList<>();
        for (int run = 0; run < runs; run++) {
            drain.add(drain(broker, events, work.resolve("drain-" + run)));
            ingest.add(ingest(broker, stations, perStation, work.resolve("ingest-" + run)));
        }
        return new Result(drain, ingest, events, stations, perStation);
    }

    private static String unique() { return UUID.randomUUID().toString().substring(0, 8); }

    static double drain(String broker, int events, Path dir) throws Exception {
        String station = "BENCH-" + unique();
        BrokerSettings b = BrokerSettings.plain(broker);
        try (StationStore store = StationStore.open(dir.resolve("store"), station, Clock.systemUTC());
             Collector c = new Collector(b, dir.resolve("collector"), "bench-" + unique(), "bench-" + unique(), ZoneId.of("Asia/Jakarta"), Clock.systemUTC()).start()) {
            for (int i = 1; i <= events; i++) {
                String id = String.format("B%07d", i);
                store.admit(id, 1, String.format("3171%012d", i), ("e" + i).getBytes(), Actor.STATION);
                store.transition(id, JobState.VALIDATED, Actor.STATION, "", null);
            }
            long t0 = System.nanoTime();
            try (OutboxPublisher p = new OutboxPublisher(store, b, DeviceHealth.UNKNOWN, CommandHandler.NONE, Duration.ofSeconds(30), Clock.systemUTC()).start()) {
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

    static double ingest(String broker, int stations, int perStation, Path dir) throws Exception {
        BrokerSettings b = BrokerSettings.plain(broker);
        int total = stations * perStation;
        try (Collector c = new Collector(b, dir, "bench-" + unique(), "bench-" + unique(), ZoneId.of("Asia/Jakarta"), Clock.systemUTC()).start()) {
            List<MqttAsyncClient> clients = new ArrayList<>();
            String run = unique();
            for (int s = 0; s < stations; s++) {
                MqttAsyncClient m = new MqttAsyncClient(broker, "bench-st-" + run + "-" + s, new MemoryPersistence());
                MqttConnectOptions o = b.options();
                o.setMaxInflight(100);
                m.connect(o).waitForCompletion(10_000);
                clients.add(m);
            }
            List<Thread> threads = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int s = 0; s < stations; s++) {
                MqttAsyncClient m = clients.get(s);
                String station = "BENCH-" + run + "-" + s;
                Thread t = new Thread(() -> publishAll(m, station, perStation));
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

    private static void publishAll(MqttAsyncClient m, String station, int count) {
        Semaphore window = new Semaphore(50);
        try {
            for (int i = 1; i <= count; i++) {
                window.acquire();
                byte[] payload = TelemetryCodec.event(new OutboxEvent(i, UUID.randomUUID().toString(), i % 2 == 0 ? EventType.CARD_ISSUED : EventType.CARD_PRINTED,
                        station, "R" + i, String.format("3171%012d", i), "04AABBCC" + String.format("%06X", i), "", Instant.now()), Instant.now());
                m.publish(Topics.events(station), payload, 1, false, null, new IMqttActionListener() {
                    @Override
                    public void onSuccess(IMqttToken token) { window.release(); }

                    @Override
                    public void onFailure(IMqttToken token, Throwable e) { window.release(); }
                });
            }
            window.acquire(50);
        } catch (Exception e) {
            throw new IllegalStateException(station + ": " + e.getMessage(), e);
        }
    }

    public static void clean(Path work) throws Exception {
        WorkDirs.delete(work);
    }
}
