package ktp.store;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import ktp.job.JobState;
import ktp.job.JobStateMachine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a process that is writing store transactions with SIGKILL at many different points; after each kill
 * the store must reopen with every committed change present and no change half applied.
 */
class StoreCrashTest {
    private static final int REQUIRED_KILL_POINTS = 50;
    private static final int MAX_RUNS = 90;
    /** A checkpoint every 10 transactions in the worker, so that many kills land inside one. */
    private static final int CHECKPOINT_EVERY = 10;

    @TempDir
    Path dir;

    @TempDir
    Path logs;

    /**
     * With -Dktp.store.crashBase=DIR (a store kept by `ktp bench store --jobs 10000 --out DIR`), the kills land on a
     * copy of that store: the worker's transactions go on top of its history, and every invariant is checked over
     * all of it. Not part of the CI run (building the base takes minutes); docs/store.md gives the measured run.
     */
    private static final String BASE = System.getProperty("ktp.store.crashBase", "");

    /** With -Dktp.store.crashBase: copies that store into the test's folder and returns its station; else CRASH-01 on an empty folder. */
    private String copyBase() throws java.io.IOException {
        if (BASE.isEmpty()) return "CRASH-01";
        String station;
        try (StationStore base = StationStore.openReadOnly(Path.of(BASE), Clock.systemUTC())) {
            station = base.stationId();
        }
        try (var files = Files.walk(Path.of(BASE))) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path to = dir.resolve(Path.of(BASE).relativize(f).toString());
                if (Files.isDirectory(f)) Files.createDirectories(to);
                else Files.copy(f, to);
            }
        }
        return station;
    }

    @Test
    void noCommittedChangeIsLostAndNoneIsHalfApplied() throws Exception {
        String station = copyBase();
        Random random = new Random(20261128);
        Set<Long> killPoints = new TreeSet<>();
        long previous = 0;
        int runs = 0;
        int killsInCheckpoint = 0;
        while (killPoints.size() < REQUIRED_KILL_POINTS && runs < MAX_RUNS) {
            runs++;
            // The worker's output goes to a file, read once the worker is dead: a pipe read concurrently with the
            // JDK's process reaper can lose its last lines, which would make a report look stale.
            Path output = logs.resolve("worker-" + runs + ".out");
            Process p = new ProcessBuilder(StationStoreTest.javaBin(), "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                    "-Dktp.store.checkpointEvery=" + CHECKPOINT_EVERY, "-cp",
                    System.getProperty("java.class.path"), CrashWorker.class.getName(), dir.toString(), "100000", station)
                    .redirectOutput(output.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.readString(output, StandardCharsets.US_ASCII).contains("READY ")) {
                assertTrue(p.isAlive(), "worker died before it was ready");
                assertTrue(System.nanoTime() < deadline, "worker did not start");
                Thread.sleep(2);
            }
            // Over a kept 10,000-job store each step is slower (the worker scans every job), so the kills wait longer
            // to reach its checkpoints (a 43 MB file copy each).
            Thread.sleep(5 + random.nextInt(BASE.isEmpty() ? 150 : 1_500));
            p.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no close()
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(137, p.exitValue(), "the worker must die by SIGKILL, not finish");
            long lastCommitted = -1;
            String text = Files.readString(output, StandardCharsets.US_ASCII);
            // Only whole lines count: a line cut by the kill ("C 26" of "C 261") has no number to trust.
            for (String line : text.substring(0, text.lastIndexOf('\n') + 1).split("\n")) {
                if (line.startsWith("READY ")) lastCommitted = Long.parseLong(line.substring(6));
                else if (line.matches("C [0-9]+")) lastCommitted = Long.parseLong(line.substring(2));
            }

            long reported = lastCommitted;
            // A checkpoint's temporary file left behind: this kill landed inside a checkpoint.
            if (Files.exists(dir.resolve("checkpoint.db.tmp"))) killsInCheckpoint++;
            try (StationStore s = StationStore.open(dir, station, Clock.systemUTC())) {
                long found = s.auditSize();
                assertTrue(found >= reported, "run " + runs + ": " + reported + " changes were committed but only " + found + " survived");
                assertTrue(found <= reported + 1, "run " + runs + ": more changes than were ever made: " + found + " > " + reported + " + 1");
                assertTrue(found >= previous, "the store went backwards");
                assertConsistent(s);
                previous = found;
                killPoints.add(found);
            }
        }
        System.out.println("store crash test: " + runs + " kills, " + killPoints.size() + " distinct kill points, " + killsInCheckpoint
                + " inside a checkpoint" + (BASE.isEmpty() ? "" : ", over a copy of " + BASE));
        assertTrue(killPoints.size() >= REQUIRED_KILL_POINTS,
                "only " + killPoints.size() + " distinct kill points in " + runs + " runs");
        assertTrue(killsInCheckpoint >= 3, "only " + killsInCheckpoint + " of " + runs + " kills landed inside a checkpoint");
    }

    /**
     * Issue 20: a SIGKILL at each step of a checkpoint that writes into the spare ({@link CheckpointKills}); the
     * daemon's crash test runs the same over its 10,000-job base in CI.
     */
    @Test
    void aKillAtEachStepOfACheckpointLosesNothing() throws Exception {
        System.out.println(CheckpointKills.run(dir, logs, copyBase()));
    }

    /** Every invariant that ties the maps together; a half-applied transaction breaks at least one. */
    static void assertConsistent(StationStore s) {
        var verdict = s.verifyAudit();
        assertTrue(verdict.intact(), verdict.problem().orElse(""));

        long jobChanges = s.auditLog().stream().filter(e -> e.action().equals("ADMIT") || e.action().startsWith("JOB ")).count();
        assertEquals(jobChanges, s.jobs().stream().mapToLong(Job::revision).sum(), "job revisions vs audit lines");

        long eventful = s.auditLog().stream().filter(e -> e.action().startsWith("JOB ")).filter(e -> {
            String[] parts = e.action().substring(4).split(" -> ");
            return JobStateMachine.find(JobState.valueOf(parts[0]), JobState.valueOf(parts[1])).orElseThrow().event().isPresent();
        }).count();
        assertEquals(eventful, s.lastEventSequence(), "outbox sequence vs audited changes that emit an event");
        var pending = s.pendingEvents(Integer.MAX_VALUE);
        for (int i = 0; i < pending.size(); i++) {
            assertEquals(s.lastEventSequence() - pending.size() + 1 + i, pending.get(i).sequence(), "outbox has a gap");
        }

        Map<String, LedgerEntry> ledger = new HashMap<>();
        for (LedgerEntry e : s.ledger()) ledger.put(e.blankId(), e);
        int inPrinter = 0;
        int spoiledBlanks = 0;
        for (Job j : s.jobs()) {
            spoiledBlanks += j.spoiledBlanks();
            LedgerEntry blank = j.blankId().isEmpty() ? null : ledger.get(j.blankId());
            switch (j.state()) {
                case ENCODING, ENCODED, PRINTING -> {
                    inPrinter++;
                    assertNotNull(blank, j.toString());
                    assertEquals(BlankFate.IN_PRINTER, blank.fate(), j.toString());
                    assertEquals(j.recordId(), blank.recordId());
                }
                case PRINTED, AWAITING_HOLDER, ACTIVATING, ACTIVATION_FAILED -> {
                    assertNotNull(blank, j.toString());
                    assertEquals(BlankFate.PRINTED_AWAITING_HOLDER, blank.fate(), j.toString());
                    assertEquals(j.recordId(), s.printedRecordOf(j.nik()).orElseThrow());
                }
                case ISSUED -> assertEquals(BlankFate.ISSUED, blank.fate(), j.toString());
                default -> assertEquals("", j.blankId(), j.toString());
            }
        }
        assertEquals(inPrinter, ledger.values().stream().filter(e -> e.fate() == BlankFate.IN_PRINTER).count());
        assertEquals(spoiledBlanks, ledger.values().stream().filter(e -> e.fate() == BlankFate.SPOILED).count());
        for (LedgerEntry e : ledger.values()) assertTrue(s.job(e.recordId()).isPresent(), "ledger entry without a job: " + e);
        assertIndexesAgree(s);
    }

    /** The indexes, kept in the same transactions, say exactly what a scan of the tables says. */
    static void assertIndexesAgree(StationStore s) {
        Map<JobState, Long> counted = new java.util.EnumMap<>(JobState.class);
        for (Job j : s.jobs()) counted.merge(j.state(), 1L, Long::sum);
        assertEquals(counted, s.countByState(), "per-state counts");
        for (JobState st : JobState.values()) {
            assertEquals(s.jobs().stream().filter(j -> j.state() == st).map(Job::recordId).sorted().toList(),
                    s.jobsIn(st, Integer.MAX_VALUE).stream().map(Job::recordId).sorted().toList(), "state index " + st);
        }
        assertEquals(s.jobs().stream().filter(j -> j.state() == JobState.VALIDATED || j.state() == JobState.LEASED).count(), s.queueDepth());
        assertEquals(s.jobs().size(), s.jobCount(), "job count");
        List<Job> everyJob = s.jobs();
        for (Job j : everyJob.size() <= 200 ? everyJob : java.util.stream.Stream.concat(everyJob.subList(0, 100).stream(),
                everyJob.subList(everyJob.size() - 100, everyJob.size()).stream()).toList()) {
            assertEquals(everyJob.stream().filter(x -> x.nik().equals(j.nik())).map(Job::recordId).sorted().toList(),
                    s.jobsWithNik(j.nik()).stream().map(Job::recordId).sorted().toList(), "NIK index " + j.nik());
        }
        var latest = s.jobs().stream().sorted(java.util.Comparator.comparing(Job::createdAt).thenComparing(Job::recordId)).toList();
        assertEquals(latest.subList(Math.max(0, latest.size() - 7), latest.size()).stream().map(Job::recordId).sorted().toList(),
                s.latestJobs(7).stream().map(Job::recordId).sorted().toList(), "the newest jobs");
        var all = s.auditLog();
        assertEquals(all.stream().map(AuditEntry::sequence).toList(),
                s.auditBetween(java.time.Instant.EPOCH, java.time.Instant.parse("2100-01-01T00:00:00Z")).stream().map(AuditEntry::sequence).toList(),
                "audit time index");
        assertEquals(all.stream().filter(e -> e.action().equals(StationStore.BLANKS_LOADED)).map(AuditEntry::sequence).toList(),
                s.blanksLoadedBetween(java.time.Instant.EPOCH, java.time.Instant.parse("2100-01-01T00:00:00Z")).stream().map(AuditEntry::sequence).toList(),
                "deliveries index");
        long[] totals = s.ledgerTotalsBefore(java.time.Instant.parse("2100-01-01T00:00:00Z"));
        assertEquals(s.ledgerSize(), totals[1], "blanks entered");
        assertEquals(s.blanksLoadedTotal(), totals[0], "blanks loaded");
        for (BlankFate f : BlankFate.values()) {
            assertEquals(s.ledger().stream().filter(e -> e.fate() == f).count(), totals[2 + f.ordinal()], "running total of " + f);
            assertEquals(s.ledger().stream().filter(e -> e.fate() == f).count(), s.ledgerIn(f, Integer.MAX_VALUE).size(), "fate index " + f);
        }
    }
}
