package ktp.office;

import ktp.broker.BrokerSetup;
import ktp.telemetry.SharedBrokerLogins;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import ktp.job.JobState;
import ktp.telemetry.Keyring;
import ktp.telemetry.TelemetryKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18's must-show, against Debian's PostgreSQL (a cluster of this test's own, so it can be crashed) and
 * the run's Mosquitto: two collector processes in one shared group, three stations publishing; one collector
 * SIGKILLed mid-run (and started again), a receipt dropped so its station sends those events again (to
 * whichever collector the broker picks), the database crashed and started again mid-run. Then an independent
 * check that reads the database with plain SQL and each station's own store: every event stored exactly once,
 * sequences 1..N without a gap for each station (N from the station's store), the records those events name
 * exactly the station's validated records, and the day counts and station rows equal to the events.
 * The fault times come from a seed, printed on failure; -Dktp.seed=N reproduces them.
 */
class ExactlyOnceAcrossCollectorsTest {
    @TempDir Path dir;

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void everyEventStoredOnceAcrossTwoCollectorsThroughKillsLostReceiptsAndADatabaseCrash() throws Exception {
        long seed = Long.getLong("ktp.seed", System.nanoTime());
        Random rnd = new Random(seed);
        String broker = "tcp://" + mosquitto();
        String tag = Long.toHexString(seed & 0xffffffL);
        String group = "office-test-" + tag;
        long started = System.currentTimeMillis();
        try (DebianPostgres pg = DebianPostgres.start()) {
            System.out.println("seed " + seed + "; PostgreSQL cluster ready in " + (System.currentTimeMillis() - started) + " ms");
            pg.createDatabase("office");
            String url = pg.url("office");
            TelemetryKey office = TelemetryKey.generate();
            Path officeKey = dir.resolve("office.key");
            office.writePrivate(officeKey);
            Path officeKeys = dir.resolve("office-keys");
            Keyring.add(officeKeys, "office", office.publicKey());
            Path registry = dir.resolve("registry");
            List<TestStation> stations = new ArrayList<>();
            String[] regions = {"3171", "3273", "3578"};
            Map<String, Process> collectors = new ConcurrentHashMap<>();
            try {
                // The collectors first: the schema is theirs to migrate.
                String nameA = SharedBrokerLogins.collector("a"), nameB = SharedBrokerLogins.collector("b");
                collectors.put("A", collector(url, broker, officeKey, registry, nameA, group, 0));
                collectors.put("B", collector(url, broker, officeKey, registry, nameB, group, 3 + rnd.nextInt(5)));
                for (int i = 0; i < 3; i++) {
                    String id = SharedBrokerLogins.station("OT");
                    TelemetryKey k = TelemetryKey.generate();
                    Keyring.add(registry, id, k.publicKey());
                    stations.add(new TestStation(id, dir.resolve(id), broker, k, Keyring.load(officeKeys)));
                }
                long killAt = 1_500 + rnd.nextInt(2_000);
                long crashAt = 4_000 + rnd.nextInt(2_000);
                long t0 = System.currentTimeMillis();
                boolean killed = false, crashed = false;
                // Each station writes its events on a thread of its own (a store commit costs a disk flush), 8 per 100 ms
                // for 10 s and 400 events at most, or until both faults have come if that is later (a loaded machine can
                // take seconds to start collector A again), 60 s at most; the faults come meanwhile, at the seed's times.
                java.util.concurrent.atomic.AtomicBoolean bothFaults = new java.util.concurrent.atomic.AtomicBoolean();
                List<Thread> producers = new ArrayList<>();
                for (int i = 0; i < stations.size(); i++) {
                    TestStation st = stations.get(i);
                    String region = regions[i];
                    Thread p = new Thread(() -> {
                        // 50 rounds within 10 s as a rule; past that only while the faults have not both come, for
                        // 60 s at most (the 10 s bound used to end the writing before a crash that a slow restart of
                        // collector A had delayed: seed 40060008161675 in CI)
                        long until = System.currentTimeMillis() + 10_000;
                        long cap = System.currentTimeMillis() + 60_000;
                        for (int r = 0; System.currentTimeMillis() < cap
                                && ((r < 50 && System.currentTimeMillis() < until) || !bothFaults.get()); r++) {
                            st.events(8, region);
                            try {
                                Thread.sleep(100);
                            } catch (InterruptedException e) {
                                return;
                            }
                        }
                    });
                    p.start();
                    producers.add(p);
                }
                while (producers.stream().anyMatch(Thread::isAlive)) {
                    long t = System.currentTimeMillis() - t0;
                    if (!killed && t >= killAt) {
                        collectors.get("A").destroyForcibly().waitFor(); // SIGKILL
                        killed = true;
                        collectors.put("A", collector(url, broker, officeKey, registry, nameA, group, 0));
                    }
                    if (!crashed && t >= crashAt) {
                        pg.crash();
                        Thread.sleep(1_500);
                        pg.startServer();
                        crashed = true;
                    }
                    if (killed && crashed) bothFaults.set(true);
                    Thread.sleep(50);
                }
                assertTrue(killed && crashed, "seed " + seed + ": the events were written before both faults came");
                System.out.println("events written in " + (System.currentTimeMillis() - t0) + " ms; killed " + killed + ", crashed " + crashed);
                long deadline = System.currentTimeMillis() + 90_000;
                while (System.currentTimeMillis() < deadline && stations.stream().anyMatch(s -> s.store.outboxDepth() > 0)) Thread.sleep(200);
                for (TestStation s : stations) {
                    if (s.store.outboxDepth() > 0) fail("seed " + seed + ": " + s.id + " still has " + s.store.outboxDepth() + " event(s) without a receipt after 90 s");
                }
                System.out.println("outboxes empty after " + (System.currentTimeMillis() - t0) + " ms");
                check(url, stations, seed);
                // The dropped receipt: B stored those events and never told the station, so they stayed in its outbox; the
                // outbox is empty now, so a later receipt covered them, and a collector receipts only what it received in a
                // cycle: the station sent them again and a collector found them stored (a duplicate). The collectors report
                // their counts every 200 ms, and that duplicate is often the last thing to happen before the outboxes empty:
                // wait for the report (5 s at most) rather than read a line printed before it.
                String dropLine = lastLine(collectors.get("B"));
                java.util.regex.Matcher range = java.util.regex.Pattern.compile("DROPPED 1 RANGE (\\S+) (\\d+)-(\\d+)").matcher(dropLine);
                assertTrue(range.find(), "seed " + seed + ": collector B did not drop a receipt: " + dropLine);
                String dropStation = range.group(1);
                TestStation dropped = stations.stream().filter(s -> s.id.equals(dropStation)).findFirst().orElseThrow();
                assertTrue(Long.parseLong(range.group(3)) <= dropped.store.lastEventSequence(), "seed " + seed + ": the dropped range is the station's: " + dropLine);
                assertEquals(0, dropped.store.outboxDepth(), "seed " + seed + ": the dropped receipt's events " + range.group(2) + "-" + range.group(3) + " left the outbox");
                long waitUntil = System.currentTimeMillis() + 5_000;
                while (duplicates(collectors) == 0 && System.currentTimeMillis() < waitUntil) Thread.sleep(100);
                assertTrue(duplicates(collectors) > 0, "seed " + seed + ": no duplicate reached a collector (receipt dropped for " + dropStation + " " + range.group(2) + "-"
                        + range.group(3) + "), so nothing was sent again");
            } finally {
                for (TestStation s : stations) s.close();
                for (Process p : collectors.values()) p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** The independent check: plain SQL against each station's own store. */
    private static void check(String url, List<TestStation> stations, long seed) throws Exception {
        try (Connection c = DriverManager.getConnection(url)) {
            long total = 0;
            for (TestStation s : stations) {
                long n = s.store.lastEventSequence();
                assertTrue(n >= 100, "seed " + seed + ": " + s.id + " wrote only " + n + " events");
                List<Long> seqs = new ArrayList<>();
                Set<String> ids = new HashSet<>();
                Set<String> records = new HashSet<>();
                try (PreparedStatement p = c.prepareStatement("SELECT sequence, event_id, record_id FROM events WHERE station_id = ? ORDER BY sequence")) {
                    p.setString(1, s.id);
                    try (ResultSet rs = p.executeQuery()) {
                        while (rs.next()) {
                            seqs.add(rs.getLong(1));
                            assertTrue(ids.add(rs.getString(2)), "seed " + seed + ": event id " + rs.getString(2) + " stored twice");
                            records.add(rs.getString(3));
                        }
                    }
                }
                assertEquals(n, seqs.size(), "seed " + seed + ": " + s.id + ": the store wrote " + n + " events, the database holds " + seqs.size());
                for (int i = 0; i < seqs.size(); i++) {
                    if (seqs.get(i) != i + 1) fail("seed " + seed + ": " + s.id + ": sequence " + seqs.get(i) + " at position " + (i + 1) + " (a gap or a duplicate)");
                }
                Set<String> validated = new HashSet<>();
                s.store.jobsIn(JobState.VALIDATED, Integer.MAX_VALUE).forEach(j -> validated.add(j.recordId()));
                assertEquals(validated, records, "seed " + seed + ": " + s.id + ": the records in the database are not the station's validated records");
                try (PreparedStatement p = c.prepareStatement("SELECT events, last_sequence FROM stations WHERE station_id = ?")) {
                    p.setString(1, s.id);
                    try (ResultSet rs = p.executeQuery()) {
                        assertTrue(rs.next(), s.id + " has no station row");
                        assertEquals(n, rs.getLong(1), "seed " + seed + ": " + s.id + ": stations.events");
                        assertEquals(n, rs.getLong(2), "seed " + seed + ": " + s.id + ": stations.last_sequence");
                    }
                }
                total += n;
            }
            // The dashboard's figures (day_counts, kept in the ingest transaction) add up to the events, region by region.
            Map<String, Long> byRegion = new TreeMap<>();
            try (ResultSet rs = c.createStatement().executeQuery("SELECT region, sum(n) FROM day_counts GROUP BY region")) {
                while (rs.next()) byRegion.put(rs.getString(1), rs.getLong(2));
            }
            Map<String, Long> fromEvents = new TreeMap<>();
            try (ResultSet rs = c.createStatement().executeQuery("SELECT region, count(*) FROM events GROUP BY region")) {
                while (rs.next()) fromEvents.put(rs.getString(1), rs.getLong(2));
            }
            assertEquals(fromEvents, byRegion, "seed " + seed + ": day_counts disagree with the events");
            assertEquals(total, byRegion.values().stream().mapToLong(Long::longValue).sum(), "seed " + seed + ": day_counts total");
        }
    }

    private static long duplicates(Map<String, Process> collectors) {
        long d = 0;
        for (Process p : collectors.values()) {
            String l = lastLine(p);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("DUPLICATES (\\d+)").matcher(l);
            if (m.find()) d += Long.parseLong(m.group(1));
        }
        return d;
    }

    private static final Map<Process, String> LAST = new ConcurrentHashMap<>();

    private static String lastLine(Process p) { return LAST.getOrDefault(p, ""); }

    private Process collector(String url, String broker, Path key, Path registry, String name, String group, int drop) throws Exception {
        Path log = dir.resolve(name + "-" + System.nanoTime() + ".log");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), CollectorWorker.class.getName(), url, broker, key.toString(), registry.toString(), name, group, Integer.toString(drop),
                login(name), loginFile(name))
                .redirectError(log.toFile()).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
        String first = out.readLine();
        if (!"READY".equals(first)) fail("collector " + name + " did not start: " + first + "\n" + Files.readString(log));
        Thread t = new Thread(() -> {
            try {
                String l;
                while ((l = out.readLine()) != null) LAST.put(p, l);
            } catch (java.io.IOException ignored) {
                // the process ended
            }
        });
        t.setDaemon(true);
        t.start();
        return p;
    }

    /** The collector's broker user and password file, "-" on a developer's anonymous broker. */
    private static String login(String name) {
        return SharedBrokerLogins.authenticated() ? BrokerSetup.collectorUser(name) : "-";
    }

    private static String loginFile(String name) {
        Path f = SharedBrokerLogins.passwordFile(BrokerSetup.collectorUser(name));
        return f == null ? "-" : f.toString();
    }

    static String mosquitto() {
        String hostPort = System.getProperty("ktp.mosquitto", "127.0.0.1:18830");
        String[] hp = hostPort.split(":");
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(hp[0], Integer.parseInt(hp[1])), 2000);
        } catch (java.io.IOException e) {
            fail("Mosquitto is not listening on " + hostPort + " (-Dktp.mosquitto; ./ktp test installs and starts it): " + e.getMessage());
        }
        return hostPort;
    }
}
