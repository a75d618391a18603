package ktp.sim.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import ktp.central.CentralClient;
import ktp.central.CentralException;
import ktp.central.Tls;
import ktp.record.RecordValidator;
import ktp.record.TrustedKeys;
import ktp.sim.central.CentralServer;
import ktp.sim.central.TestPki;
import ktp.station.RecordIntake;
import ktp.store.Actor;
import ktp.store.StationStore;

/**
 * The data center link under load, on loopback: how fast one station takes records (pull, validate, store,
 * acknowledge), and how the simulated data center serves many stations polling at once.
 */
public final class CentralBench {
    /** One station taking records: per-record rate, and the parts' medians. */
    public record Intake(String transport, int records, double recordsPerSecond, Stats pullOf10, Stats validateAndStore, Stats acknowledge) {}

    /** Many stations polling: requests per second over the run, and the latency of each request. */
    public record Polling(String scenario, int stations, int requests, int errors, double requestsPerSecond, Stats latency) {}

    public record Result(List<Intake> intake, List<Polling> polling) {}

    private CentralBench() {}

    public static Result run(int records, int stations, double seconds, PrintStream progress) throws IOException, InterruptedException {
        Path work = Files.createTempDirectory("ktp-bench-central");
        try {
            TestPki pki = TestPki.create(work.resolve("pki"));
            pki.issueStation("ST-BENCH");
            List<Intake> intake = new ArrayList<>();
            intake.add(intake(work.resolve("plain"), null, records, progress));
            intake.add(intake(work.resolve("tls"), pki, records, progress));
            List<Polling> polling = new ArrayList<>();
            polling.add(polling(work.resolve("poll-empty"), stations, seconds, false, progress));
            polling.add(polling(work.resolve("poll-lease"), stations, seconds, true, progress));
            return new Result(intake, polling);
        } finally {
            WorkDirs.delete(work);
        }
    }

    private static CentralServer server(Path dir, int population, TestPki pki, Map<String, String> stations) throws IOException, InterruptedException {
        CentralServer s = CentralServer.start(new CentralServer.Options(new InetSocketAddress("127.0.0.1", 0), dir, 77, population, 0.1, 1e7,
                Duration.ofMinutes(10), pki, stations));
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (s.readyToLease() < population) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("the data center did not make " + population + " records ready in 2 minutes");
            Thread.sleep(50);
        }
        s.prepareEnvelopes();
        return s;
    }

    private static Intake intake(Path dir, TestPki pki, int records, PrintStream progress) throws IOException, InterruptedException {
        String transport = pki == null ? "HTTP + token" : "HTTPS + client certificate";
        progress.println("one station pulling " + records + " records over " + transport + " ...");
        try (CentralServer server = server(dir.resolve("central"), records, pki, Map.of("ST-BENCH", "bench-token-123"))) {
            server.key().writePublicKey(dir.resolve("keys"));
            SSLContext tls = pki == null ? null : Tls.context(pki.caFile(), pki.certificate("ST-BENCH"), pki.key("ST-BENCH"));
            CentralClient client = new CentralClient(CentralClient.Config.of(server.uri(), "ST-BENCH", tls,
                    pki == null ? Optional.of("bench-token-123") : Optional.empty(), pki == null));
            try (StationStore store = StationStore.open(dir.resolve("station"), "ST-BENCH", Clock.systemUTC())) {
                RecordIntake in = new RecordIntake(new RecordValidator(TrustedKeys.loadDirectory(dir.resolve("keys")), Clock.systemUTC()), store, Actor.STATION);
                List<Long> pulls = new ArrayList<>();
                List<Long> intakes = new ArrayList<>();
                List<Long> acks = new ArrayList<>();
                int taken = 0;
                long start = System.nanoTime();
                while (taken < records) {
                    long t0 = System.nanoTime();
                    List<CentralClient.Offer> offers = client.pull(10);
                    pulls.add(System.nanoTime() - t0);
                    if (offers.isEmpty()) break;
                    for (CentralClient.Offer o : offers) {
                        long t1 = System.nanoTime();
                        RecordIntake.Outcome outcome = in.offer(o.recordId(), o.envelope());
                        long t2 = System.nanoTime();
                        if (outcome.kind() != RecordIntake.Outcome.Kind.VALIDATED) throw new IllegalStateException("record " + o.recordId() + ": " + outcome.detail());
                        client.acknowledge(o.leaseId());
                        acks.add(System.nanoTime() - t2);
                        intakes.add(t2 - t1);
                        taken++;
                    }
                }
                double secs = (System.nanoTime() - start) / 1e9;
                return new Intake(transport, taken, taken / secs, Stats.of(toArray(pulls)), Stats.of(toArray(intakes)), Stats.of(toArray(acks)));
            } catch (CentralException e) {
                throw new IOException("the benchmark's station failed: " + e.getMessage(), e);
            }
        }
    }

    private static Polling polling(Path dir, int stations, double seconds, boolean lease, PrintStream progress) throws IOException, InterruptedException {
        String scenario = lease ? "each poll leases a record, then releases it" : "polls find nothing (all records leased)";
        progress.println(stations + " stations polling for " + seconds + " s: " + scenario + " ...");
        Map<String, String> registry = new LinkedHashMap<>();
        for (int i = 0; i < stations; i++) registry.put(String.format("ST-%03d", i), "token-of-station-" + i);
        registry.put("ST-HOG", "token-of-the-hog");
        int population = lease ? Math.max(200, stations * 2) : 100;
        try (CentralServer server = server(dir, population, null, registry)) {
            if (!lease) {
                CentralClient hog = new CentralClient(CentralClient.Config.of(server.uri(), "ST-HOG", null, Optional.of("token-of-the-hog"), true));
                try {
                    while (!hog.pull(100).isEmpty()) { /* take everything */ }
                } catch (CentralException e) {
                    throw new IOException(e.getMessage(), e);
                }
            }
            long[][] latencies = new long[stations][];
            AtomicInteger errors = new AtomicInteger();
            CountDownLatch ready = new CountDownLatch(stations);
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            long[] window = new long[2];
            for (int i = 0; i < stations; i++) {
                final int n = i;
                String id = String.format("ST-%03d", i);
                CentralClient c = new CentralClient(CentralClient.Config.of(server.uri(), id, null, Optional.of(registry.get(id)), true));
                Thread t = new Thread(() -> {
                    List<Long> mine = new ArrayList<>();
                    ready.countDown();
                    try {
                        go.await();
                        long end = window[1];
                        while (System.nanoTime() < end && mine.size() < 1_000_000) {
                            long t0 = System.nanoTime();
                            try {
                                List<CentralClient.Offer> got = c.pull(1);
                                mine.add(System.nanoTime() - t0);
                                for (CentralClient.Offer o : got) {
                                    long t1 = System.nanoTime();
                                    c.release(o.leaseId());
                                    mine.add(System.nanoTime() - t1);
                                }
                            } catch (CentralException e) {
                                errors.incrementAndGet();
                            }
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    latencies[n] = toArray(mine);
                }, "poller-" + i);
                threads.add(t);
                t.start();
            }
            ready.await();
            window[0] = System.nanoTime();
            window[1] = window[0] + (long) (seconds * 1e9);
            go.countDown();
            for (Thread t : threads) t.join();
            double secs = (System.nanoTime() - window[0]) / 1e9;
            int total = 0;
            for (long[] l : latencies) total += l.length;
            long[] all = new long[total];
            int k = 0;
            for (long[] l : latencies) for (long v : l) all[k++] = v;
            return new Polling(scenario, stations, total, errors.get(), total / secs, Stats.of(all));
        }
    }

    private static long[] toArray(List<Long> list) {
        long[] a = new long[list.size()];
        for (int i = 0; i < a.length; i++) a[i] = list.get(i);
        return a;
    }
}
