package ktp.sim.central;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import ktp.card.CardProfile;
import ktp.collector.Collector;
import ktp.job.JobState;
import ktp.printer.PrinterProfile;
import ktp.sim.SharedBroker;
import ktp.sim.card.VirtualCards;
import ktp.sim.card.VpcdBlankStock;
import ktp.sim.printer.PrinterSimServer;
import ktp.sim.printer.SimulatedPrinter;
import ktp.sim.bench.StoreGrowthBench;
import ktp.store.AuditEntry;
import ktp.store.BlankFate;
import ktp.store.Job;
import ktp.store.LedgerEntry;
import ktp.store.StationStore;
import ktp.telemetry.BrokerSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The station daemon (`ktp station run`, its own process, through the real PC/SC stack: pcscd and vpcd) killed
 * with SIGKILL at 50 random moments of a 30-card run against the simulators, restarted each time, then let
 * finish and stopped in order. At the end the ledger, the data center and the collector agree: every record
 * printed exactly once, every blank that reached the encoder accounted for, every event delivered once.
 *
 * <p>Issue 20: the run goes on top of a store that already holds 10,000 issued jobs of the same station (built
 * through the store's API by the bench's builder, {@link StoreGrowthBench#build}, before the daemon's first
 * start), with the daemon's checkpoint every 10 transactions (-Dktp.store.checkpointEvery, docs/store.md) so
 * that kills land inside checkpoints of that big store; every check is over the whole store, and the base must
 * come out of it unchanged. Before the daemon runs, the store's own kill at each step of a checkpoint
 * ({@link ktp.store.CheckpointKills}) runs over a copy of the same base. -Dktp.crash.baseJobs=N changes the base's
 * size (0: an empty store, as before).
 */
class StationCrashTest {
    private static final Path REPO = Path.of(System.getProperty("ktp.repo", "..")).toAbsolutePath().normalize();
    private static final byte[] MASTER = java.util.HexFormat.of().parseHex("1122334455667788990011223344556F");
    private static final int RECORDS = 30;
    private static final int KILLS = 50;
    /** Issued jobs already in the store before the daemon's first start (issue 20: a station's history underneath). */
    private static final int BASE_JOBS = Integer.getInteger("ktp.crash.baseJobs", 10_000);
    /** The daemon's checkpoint interval in this test (5,000 in production): a few checkpoints per daemon life. */
    private static final int CHECKPOINT_EVERY = 10;
    /** A checkpoint's files being written: while one exists, the store is inside a checkpoint (docs/store.md). */
    private static final List<String> CHECKPOINT_TMP = List.of("checkpoint.db.tmp", "checkpoint.prev.db.tmp");

    @TempDir
    Path dir;

    @Test
    void fiftySigkillsDuringAThirtyCardRunLeaveNothingPrintedTwiceAndEveryBlankAndEventAccountedFor() throws Exception {
        String broker = SharedBroker.url();
        String station = ktp.telemetry.SharedBrokerLogins.station("ST-K");
        String collectorName = ktp.telemetry.SharedBrokerLogins.collector("office");
        String token = "token-of-" + station;
        Random random = new Random(20261128);
        Path storeDir = dir.resolve("station/store");
        // Before anything runs: the station's history, 10,000 issued jobs of this very station, closed cleanly.
        Base base = buildBase(storeDir, station);
        if (BASE_JOBS > 0) {
            // The store's own crash test over the same history (issue 20): a SIGKILL at each step of a checkpoint,
            // on a copy of the base, before the daemon ever runs on the original.
            Path copy = dir.resolve("store-kills/store");
            Path logs = Files.createDirectories(dir.resolve("store-kills/logs"));
            try (var walk = Files.walk(storeDir)) {
                for (Path f : (Iterable<Path>) walk::iterator) {
                    Path to = copy.resolve(storeDir.relativize(f).toString());
                    if (Files.isDirectory(f)) Files.createDirectories(to);
                    else Files.copy(f, to, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
            System.out.println("crash test base: " + ktp.store.CheckpointKills.run(copy, logs, station));
            try (var walk = Files.walk(copy.getParent())) {
                for (Path f : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(f);
            }
        }
        try (CentralServer central = CentralServer.start(new CentralServer.Options(new InetSocketAddress("127.0.0.1", 0), dir.resolve("central"), 43, RECORDS, 0.0, 1e7,
                Duration.ofSeconds(600), null, Map.of(station, token)));
             TelemetryIntake intake = TelemetryIntake.start(central, ktp.telemetry.SharedBrokerLogins.asDataCenter(), ktp.sim.TelemetryTestKeys.at(dir.resolve("telemetry-office")).registry(), "dc-" + station);
             Collector collector = new Collector(ktp.telemetry.SharedBrokerLogins.asCollector(collectorName), ktp.sim.TelemetryTestKeys.at(dir.resolve("telemetry-office")).office, ktp.sim.TelemetryTestKeys.at(dir.resolve("telemetry-office")).registry(), dir.resolve("office"), "office-" + station, collectorName,
                     ZoneId.of("Asia/Jakarta"), Clock.systemUTC()).start()) {
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (central.center().readyCount() < RECORDS && System.nanoTime() < deadline) Thread.sleep(50);
            assertEquals(RECORDS, central.center().readyCount());
            // The run's records, as the data center has them: none may share a record id or a NIK with the base.
            Map<String, String> runRecords = central.center().readyViews(RECORDS).stream()
                    .collect(Collectors.toMap(DataCenter.LeaseView::recordId, DataCenter.LeaseView::nik));
            assertEquals(RECORDS, runRecords.size());
            Set<String> baseNiks = base.jobs().values().stream().map(Job::nik).collect(Collectors.toSet());
            for (var r : runRecords.entrySet()) {
                assertFalse(base.jobs().containsKey(r.getKey()), "the base holds the data center's record " + r.getKey());
                assertFalse(baseNiks.contains(r.getValue()), "the base holds the data center's NIK " + r.getValue());
            }
            central.key().writePublicKey(dir.resolve("station/trusted-keys"));

            PrinterProfile profile = PrinterProfile.load(REPO.resolve("firmware-profiles/printers/evolis-primacy-dual-ymcko.yaml"));
            SimulatedPrinter printer = new SimulatedPrinter(profile, 60, dir.resolve("printed"));
            printer.console("feeder 200");
            CardProfile cards = VirtualCards.profile();
            // vpcd's one slot is this test's while the blanks' chips go through it (other JVMs' PC/SC tests wait).
            try (ktp.sim.Pcscd.Slot slot = ktp.sim.Pcscd.slot("StationCrashTest");
                 VpcdBlankStock stock = new VpcdBlankStock("127.0.0.1", 35963, n -> VirtualCards.blank(cards, 7000 + n, Optional.of(MASTER)));
                 PrinterSimServer server = PrinterSimServer.tcp(printer, new InetSocketAddress("127.0.0.1", 0))) {
                printer.attachContactStation(stock);
                Path config = DaemonTestConfig.write(dir, station, token, MASTER, central.uri().getPort(), server.port(), "Virtual PCD 00 00", 10, broker);
                int kills = 0;
                int killedWhilePrinting = 0;
                int killedInCheckpoint = 0;
                int waitedForCheckpoint = 0;
                int killedInCheckpointAtRandom = 0;
                List<Start> starts = new java.util.ArrayList<>();
                long runDeadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(8);
                while (kills < KILLS && System.nanoTime() < runDeadline) {
                    Set<String> before = checkpointTemporaries(storeDir);
                    Start started = start(config, kills);
                    Process daemon = started.process();
                    // Of every five kills: two at any moment from the start; one while a card is in the printer (at the
                    // encoder or being printed); one just after a card came out (its commits under way); one as soon as
                    // the store is inside a checkpoint (one of its files being written: CHECKPOINT_TMP), or after 20 s.
                    int mode = printer.printed() >= RECORDS - 2 ? 0 : new int[] {0, 1, 2, 3, 0}[kills % 5];
                    if (mode == 3) {
                        waitedForCheckpoint++;
                        awaitUpTo(20_000, () -> !before.containsAll(checkpointTemporaries(storeDir)));
                        Thread.sleep(random.nextInt(20));
                    } else if (mode == 0) {
                        Thread.sleep(300 + random.nextInt(4000));
                    } else if (mode == 1) {
                        awaitUpTo(20_000, printer::cardInside);
                        Thread.sleep(random.nextInt(1000));
                    } else {
                        long before2 = printer.printed();
                        awaitUpTo(20_000, () -> printer.printed() > before2);
                        Thread.sleep(random.nextInt(200));
                    }
                    if (printer.cardInside()) killedWhilePrinting++;
                    daemon.destroyForcibly();
                    assertTrue(daemon.waitFor(20, TimeUnit.SECONDS));
                    // A checkpoint's file that was not there before this start: the kill landed inside a checkpoint
                    // (the next writer's open deletes it; one left by an earlier kill has the identity seen before).
                    Set<String> after = checkpointTemporaries(storeDir);
                    after.removeAll(before);
                    if (!after.isEmpty()) {
                        killedInCheckpoint++;
                        if (mode != 3) killedInCheckpointAtRandom++;
                    }
                    starts.add(started);
                    kills++;
                }
                assertEquals(KILLS, kills, "50 kills within the time limit");
                // The last run: to the end, then an orderly stop.
                Start lastStart = start(config, kills);
                starts.add(lastStart);
                Process last = lastStart.process();
                deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
                while (printedAtDataCenter(central, token) < RECORDS && System.nanoTime() < deadline) Thread.sleep(250);
                // Stop once the station says, in a health message sent after the last card, that its outbox is empty.
                java.time.Instant allPrinted = java.time.Instant.now();
                while (System.nanoTime() < deadline) {
                    JsonNode h = collector.summary().get("stations").path(station).path("health");
                    if (h.has("at") && java.time.Instant.parse(h.get("at").asText()).isAfter(allPrinted) && h.get("outboxDepth").asLong() == 0) break;
                    Thread.sleep(250);
                }
                last.destroy();
                assertTrue(last.waitFor(60, TimeUnit.SECONDS), "SIGTERM stops the daemon in order");
                if (printedAtDataCenter(central, token) < RECORDS) {
                    // What went where, to find the gap: the data center's intake counters and the collector's copy of each event.
                    System.out.println("intake: applied " + intake.applied() + ", duplicates " + intake.duplicates() + ", refused " + intake.refused());
                    System.out.println(Files.readString(collector.archiveFile()).lines().filter(l -> l.contains("CARD_PRINTED")).count() + " CARD_PRINTED at the collector");
                    for (var r : central.center().leasesOf(station)) {
                        if (!r.printed()) System.out.println("not printed at the data center: " + r.recordId() + " " + Files.readString(collector.archiveFile()).lines().filter(l -> l.contains(r.recordId())).toList());
                    }
                }
                assertEquals(RECORDS, printedAtDataCenter(central, token), "the data center has every card printed");
                System.out.println("crash test: " + kills + " SIGKILLs, " + killedWhilePrinting + " with a card inside the printer, " + killedInCheckpoint
                        + " inside a checkpoint (" + killedInCheckpointAtRandom + " of them at a random moment, the others of the " + waitedForCheckpoint
                        + " kills that waited for a checkpoint's file; a checkpoint every " + CHECKPOINT_EVERY + " transactions, over a store of " + BASE_JOBS + " issued jobs before the run); "
                        + stock.issued().size() + " blanks used for " + RECORDS + " cards");
                printStartTimes(starts);
                assertTrue(killedWhilePrinting >= 10, "the kills hit cards in the printer, not only idle moments: " + killedWhilePrinting);
                assertTrue(killedInCheckpoint >= 1, "no kill landed inside a checkpoint of the store (" + BASE_JOBS + " issued jobs before the run)");

                try (StationStore store = StationStore.open(storeDir, station, Clock.systemUTC())) {
                    List<Job> jobs = store.jobs();
                    // The run's jobs are exactly the data center's records, each waiting for its holder; the base's are untouched.
                    Map<String, Job> runJobs = jobs.stream().filter(j -> !base.jobs().containsKey(j.recordId())).collect(Collectors.toMap(Job::recordId, j -> j));
                    assertEquals(runRecords.keySet(), runJobs.keySet(), "the jobs beside the base are the run's records");
                    assertEquals(BASE_JOBS + RECORDS, jobs.size());
                    for (Job j : runJobs.values()) {
                        assertEquals(JobState.AWAITING_HOLDER, j.state(), j + " " + store.countByState());
                        assertEquals(runRecords.get(j.recordId()), j.nik(), "the job's NIK is its record's");
                    }
                    assertBaseUnchanged(store, base);
                    List<LedgerEntry> ledger = store.ledger();
                    Map<String, Long> printedPerRecord = ledger.stream().filter(e -> e.fate() == BlankFate.PRINTED_AWAITING_HOLDER)
                            .collect(Collectors.groupingBy(LedgerEntry::recordId, Collectors.counting()));
                    assertEquals(runRecords.keySet(), printedPerRecord.keySet(), "a blank printed for each of the run's records, for no other");
                    assertTrue(printedPerRecord.values().stream().allMatch(n -> n == 1), "every record printed exactly once: " + printedPerRecord);
                    assertEquals(jobs.size(), jobs.stream().map(Job::nik).distinct().count(), "no NIK twice, over every job of the store");
                    Set<String> ledgered = new HashSet<>();
                    ledger.forEach(e -> ledgered.add(e.blankId()));
                    for (var card : stock.issued()) {
                        String uid = java.util.HexFormat.of().withUpperCase().formatHex(card.uid());
                        assertTrue(ledgered.contains(uid), "blank " + uid + " reached the encoder and is in the ledger");
                    }
                    List<LedgerEntry> runLedger = ledger.stream().filter(e -> !base.ledger().containsKey(e.blankId())).toList();
                    assertTrue(ledger.stream().filter(e -> e.fate() == BlankFate.SPOILED).allMatch(e -> !e.reason().isBlank()), "every spoiled blank has its reason");
                    long events = store.lastEventSequence();
                    System.out.println("crash test ledger: " + runLedger.size() + " blanks in the run, " + runLedger.stream().filter(e -> e.fate() == BlankFate.SPOILED).count()
                            + " spoiled (" + runLedger.stream().filter(e -> e.recordId().isEmpty()).count() + " found in the encoder after a restart), "
                            + (events - base.lastEvent()) + " events (sequences " + (base.lastEvent() + 1) + ".." + events + ") after the base's " + base.lastEvent());
                    var verdict = store.verifyAudit();
                    assertTrue(verdict.intact(), "the audit chain survived every kill, over the whole store: " + verdict.problem());
                    // Events: the collector has exactly those the station wrote after the base, each once. The base's were
                    // drained by its builder and never sent, so the collector, whose first event from this station is
                    // base + 1, counts 1..base as missing (Tally: every sequence below the highest one not received).
                    JsonNode st = collector.summary().get("stations").get(station);
                    assertTrue(base.lastEvent() < 100_000, "the collector lists at most 100,000 missing sequences; the base has " + base.lastEvent());
                    assertEquals(events - base.lastEvent(), st.get("events").asLong(), "every event the station wrote after the base reached the collector once");
                    assertEquals(events, st.get("lastSequence").asLong(), "the collector has the station's last event");
                    assertEquals(base.lastEvent(), st.get("missing").asLong(), "missing at the collector: exactly the base's events, never sent");
                    if (base.lastEvent() > 0) assertEquals(1, st.get("firstMissing").asLong());
                    List<Long> archived = new java.util.ArrayList<>();
                    ObjectMapper json = new ObjectMapper();
                    for (String line : Files.readAllLines(collector.archiveFile())) {
                        JsonNode e = json.readTree(line);
                        if (station.equals(e.path("stationId").asText()) && e.has("sequence")) archived.add(e.get("sequence").asLong());
                    }
                    java.util.Collections.sort(archived);
                    assertEquals(java.util.stream.LongStream.rangeClosed(base.lastEvent() + 1, events).boxed().toList(), archived,
                            "the collector's archive holds the sequences after the base, each once");
                    assertEquals(0, store.outboxDepth());
                }
            }
        }
    }

    /** The store before the daemon's first start: its jobs, ledger and audit log, and its last event sequence. */
    private record Base(Map<String, Job> jobs, Map<String, LedgerEntry> ledger, List<AuditEntry> audit, long lastEvent) {}

    /**
     * Builds BASE_JOBS issued jobs of {@code station} in the daemon's store folder through the store's API (the
     * bench's builder), in /dev/shm when it has room (no fsync cost; then copied to the disk, forced), else on
     * the disk; then reads what the run must leave unchanged.
     */
    private static Base buildBase(Path storeDir, String station) throws Exception {
        if (BASE_JOBS == 0) return new Base(Map.of(), Map.of(), List.of(), 0);
        Path shm = Path.of("/dev/shm");
        // About 60 MB at 10,000 jobs while building; a small tmpfs (a container's 64 MB) means the disk, never a failure.
        long needed = 1_000_000_000L + BASE_JOBS * 20_000L;
        Path buildIn = Files.isDirectory(shm) && Files.isWritable(shm) && Files.getFileStore(shm).getUsableSpace() > needed ? shm : null;
        long t = System.nanoTime();
        StoreGrowthBench.Built built = StoreGrowthBench.build(storeDir, station, BASE_JOBS, buildIn, System.out);
        double total = (System.nanoTime() - t) / 1e9;
        long bytes;
        try (var walk = Files.walk(storeDir)) {
            bytes = walk.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
        System.out.printf("crash test base: %d issued jobs of %s built in %.1f s %s, %.1f s in all (%d MB)%n", BASE_JOBS, station, built.buildSeconds(),
                buildIn == null ? "on the disk" : "in " + buildIn + ", then copied to the disk", total, bytes >> 20);
        try (StationStore s = StationStore.openReadOnly(storeDir, Clock.systemUTC())) {
            assertEquals(station, s.stationId());
            assertEquals(Map.of(JobState.ISSUED, (long) BASE_JOBS), s.countByState().entrySet().stream().filter(e -> e.getValue() > 0)
                    .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)), "the base holds issued jobs only");
            assertEquals(0, s.outboxDepth(), "the base's outbox is drained");
            assertTrue(s.verifyAudit().intact());
            Map<String, Job> jobs = s.jobs().stream().collect(Collectors.toMap(Job::recordId, j -> j));
            assertEquals(BASE_JOBS, jobs.values().stream().map(Job::nik).distinct().count(), "the base's NIKs are unique");
            return new Base(jobs, s.ledger().stream().collect(Collectors.toMap(LedgerEntry::blankId, e -> e)), s.auditLog(), s.lastEventSequence());
        }
    }

    /** The base's jobs, ledger entries and audit entries are as they were before the first start, entry for entry. */
    private static void assertBaseUnchanged(StationStore store, Base base) {
        long issued = 0;
        for (Job before : base.jobs().values()) {
            Job now = store.job(before.recordId()).orElseThrow(() -> new AssertionError("the base's job " + before.recordId() + " is gone"));
            assertEquals(before, now, "the base's job " + before.recordId());
            if (now.state() == JobState.ISSUED) issued++;
        }
        assertEquals(BASE_JOBS, issued, "the base's jobs are all still ISSUED");
        assertEquals(BASE_JOBS, store.countByState().getOrDefault(JobState.ISSUED, 0L), "and no other job is");
        for (LedgerEntry before : base.ledger().values()) {
            assertEquals(before, store.ledgerEntry(before.blankId()).orElse(null), "the base's ledger entry of blank " + before.blankId());
        }
        assertEquals(base.ledger().size(), store.ledger().stream().filter(e -> base.jobs().containsKey(e.recordId())).count(),
                "no new ledger entry for a base job");
        List<AuditEntry> audit = store.auditLog();
        assertTrue(audit.size() > base.audit().size());
        for (int i = 0; i < base.audit().size(); i++) {
            assertEquals(text(base.audit().get(i)), text(audit.get(i)), "the base's audit entry " + (i + 1));
        }
    }

    /** An audit entry's every field, its hashes in hex (a record compares arrays by identity). */
    private static String text(AuditEntry e) {
        var hex = java.util.HexFormat.of();
        return e.sequence() + " " + e.at() + " " + e.actor() + " " + e.action() + " " + e.detail() + " " + hex.formatHex(e.previousHash()) + " " + hex.formatHex(e.hash());
    }

    /** The checkpoint files being written in the store folder, each with its identity (inode, time, size). */
    private static Set<String> checkpointTemporaries(Path storeDir) {
        Set<String> found = new HashSet<>();
        for (String name : CHECKPOINT_TMP) {
            Path f = storeDir.resolve(name);
            try {
                var a = Files.readAttributes(f, java.nio.file.attribute.BasicFileAttributes.class);
                found.add(name + " " + a.fileKey() + " " + a.lastModifiedTime().toInstant() + " " + a.size());
            } catch (java.nio.file.NoSuchFileException gone) {
                // not being written
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return found;
    }

    /** One start of the daemon: when it was started and the file its output goes to. */
    private record Start(int n, Process process, java.time.LocalTime at, Path log) {}

    /**
     * How long each start took to open the store ("recovered" in the daemon's log) and to run ("running"), from
     * the moment the process was started (the log's own times, HH:mm:ss.SSS): the first start opens the base the
     * builder closed cleanly, every later one opens the store a SIGKILL left.
     */
    private static void printStartTimes(List<Start> starts) throws java.io.IOException {
        List<Long> recoveredAfterKill = new java.util.ArrayList<>();
        List<Long> runningAfterKill = new java.util.ArrayList<>();
        for (Start s : starts) {
            long recovered = -1;
            long running = -1;
            for (String line : Files.readAllLines(s.log())) {
                if (line.length() < 12 || !line.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} .*")) continue;
                long ms = Math.floorMod(Duration.between(s.at(), java.time.LocalTime.parse(line.substring(0, 12))).toMillis(), 86_400_000L);
                // the daemon's lines in either language (station.log.daemon.recovered and .running, Indonesian by default)
                if (recovered < 0 && (line.contains(" recovered; ") || line.contains(" dipulihkan; "))) recovered = ms;
                if (running < 0 && (line.contains(" running: ") || line.contains(" berjalan: "))) running = ms;
            }
            if (s.n() == 0) {
                System.out.println("crash test: the first start, over " + (BASE_JOBS == 0 ? "an empty folder" : "the store as its builder closed it") + ": store recovered after " + (recovered < 0 ? "(killed before)" : recovered + " ms")
                        + ", running after " + (running < 0 ? "(killed before)" : running + " ms"));
            } else {
                if (recovered >= 0) recoveredAfterKill.add(recovered);
                if (running >= 0) runningAfterKill.add(running);
            }
        }
        // most starts after a kill get that far; none would mean these lines' words changed and the figures went blind
        assertFalse(runningAfterKill.isEmpty(), "no daemon start after a kill logged its 'running' line (its words changed?)");
        java.util.Collections.sort(recoveredAfterKill);
        java.util.Collections.sort(runningAfterKill);
        System.out.println("crash test: starts after a SIGKILL: store recovered in " + recoveredAfterKill.size() + " of " + (starts.size() - 1)
                + (recoveredAfterKill.isEmpty() ? "" : ", median " + recoveredAfterKill.get(recoveredAfterKill.size() / 2) + " ms, max " + recoveredAfterKill.get(recoveredAfterKill.size() - 1) + " ms")
                + "; running in " + runningAfterKill.size()
                + (runningAfterKill.isEmpty() ? "" : ", median " + runningAfterKill.get(runningAfterKill.size() / 2) + " ms, max " + runningAfterKill.get(runningAfterKill.size() - 1) + " ms"));
    }

    private static void awaitUpTo(long ms, java.util.function.BooleanSupplier c) throws InterruptedException {
        long deadline = System.currentTimeMillis() + ms;
        while (!c.getAsBoolean() && System.currentTimeMillis() < deadline) Thread.sleep(5);
    }

    private Start start(Path config, int n) throws Exception {
        Path log = dir.resolve("daemon-" + n + ".log");
        java.time.LocalTime at = java.time.LocalTime.now();
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-Dktp.store.checkpointEvery=" + CHECKPOINT_EVERY,
                "-Dktp.home=" + REPO, "-cp", System.getProperty("java.class.path"), "ktp.cli.Ktp", "station", "run", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new Start(n, p, at, log);
    }

    private static int printedAtDataCenter(CentralServer central, String token) throws Exception {
        // The data center's front refuses a client over its connection limit (503, "too many connections", Retry-After),
        // as it should: the daemon's own connections from 127.0.0.1 count too. Ask again, for 30 s at most.
        long deadline = System.currentTimeMillis() + 30_000;
        while (true) {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(central.uri() + "/v1/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) return new ObjectMapper().readTree(r.body()).path("statuses").path("CARD_PRINTED").asInt();
            if (r.statusCode() != 503 || System.currentTimeMillis() > deadline) {
                throw new AssertionError("the data center's health answered " + r.statusCode() + ": " + r.body());
            }
            Thread.sleep(500);
        }
    }
}
