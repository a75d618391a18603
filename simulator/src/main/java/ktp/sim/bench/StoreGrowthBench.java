package ktp.sim.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import ktp.job.JobState;
import ktp.report.DailyReport;
import ktp.report.Reconciliation;
import ktp.sim.records.DataCenterKey;
import ktp.sim.records.FingerprintLibrary;
import ktp.sim.records.RecordGenerator;
import ktp.store.Actor;
import ktp.store.StationStore;

/**
 * A year in a box: builds a store of N issued jobs through StationStore's public API (real signed envelopes of
 * 16-18 KB from the record generator, unique NIKs, every job LEASED ... ISSUED with its ledger and outbox
 * entries, the outbox drained as a publisher would), timing every commit, then measures the operations that
 * must not grow with history, warm (in this process) and cold (each CLI command in a fresh JVM).
 */
public final class StoreGrowthBench {
    /** One measured operation: median and worst of its runs, in milliseconds. */
    public record Op(String name, double medianMillis, double p99Millis, double maxMillis, int runs) {}

    /** Jobs a busy station issues a day: the bench's clock moves 86,400 s / 200 = 432 s per job. */
    static final int JOBS_PER_DAY = 200;

    /**
     * The station's clock as the bench moves it: the store is built over N / 200 days ending now, so that one
     * day holds about 200 jobs as at a real station (the daily report's day), and the jobs, ledger and audit
     * entries carry the times they would have had.
     */
    static final class BenchClock extends Clock {
        private volatile long millis;

        BenchClock(Instant start) { this.millis = start.toEpochMilli(); }

        void advance(long ms) { millis += ms; }

        @Override public ZoneId getZone() { return java.time.ZoneOffset.UTC; }
        @Override public Clock withZone(ZoneId zone) { return this; }
        @Override public Instant instant() { return Instant.ofEpochMilli(millis); }
    }

    public record Result(int jobs, double buildSeconds, Stats commits, double commitP999Micros, double commitMaxMicros,
                         List<Op> warm, List<Op> cold, long storeBytes) {}

    private static final JobState[] PATH = {JobState.VALIDATED, JobState.ENCODING, JobState.ENCODED, JobState.PRINTING,
            JobState.PRINTED, JobState.AWAITING_HOLDER, JobState.ACTIVATING, JobState.ISSUED};

    private StoreGrowthBench() {}

    public static Result run(int jobs, Path out, PrintStream log) throws IOException, InterruptedException { return run(jobs, out, null, DEFAULT_STATION, log); }

    /** The station id of a store the bench builds unless told another (`ktp bench store --station`). */
    public static final String DEFAULT_STATION = "BENCH-01";

    /**
     * {@code buildIn} (null: build where it is measured): a folder on another file system (a tmpfs such as
     * /dev/shm) to build the store in, through the same API, without the disk's cost of each fsync; the built
     * store is then copied file by file to the measured folder on disk before anything is measured, so every
     * warm and cold figure reads the disk's copy. The commit times of such a build are the tmpfs's, not the disk's.
     */
    public static Result run(int jobs, Path out, Path buildIn, String stationId, PrintStream log) throws IOException, InterruptedException {
        Path dir = out != null ? out : Files.createTempDirectory("ktp-bench-growth");
        try {
            Built b = build(dir, stationId, jobs, buildIn, log);
            long[] sorted = b.commitNanos().clone();
            java.util.Arrays.sort(sorted);
            double p999 = sorted[(int) Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.999) - 1)] / 1e3;
            double max = sorted[sorted.length - 1] / 1e3;
            return measure(dir, jobs, b.buildSeconds(), Stats.of(b.commitNanos()), p999, max, log);
        } finally {
            if (out == null) WorkDirs.delete(dir);
        }
    }

    /**
     * A store built: its size, the build's time (the commits and drains in the building folder, not the copy)
     * and every commit's time, in nanoseconds.
     */
    public record Built(int jobs, double buildSeconds, long[] commitNanos) {}

    /**
     * Builds, in {@code dir} (empty or absent), a store of {@code jobs} issued jobs of station {@code stationId}
     * through StationStore's public API, and closes it cleanly (the daemon's crash test builds its base with
     * this). Each job is admitted with a real signed envelope and moved LEASED ... ISSUED, one commit per change,
     * with its ledger entry (blank "UID-n") and outbox events; the outbox is drained as a publisher would
     * (removePublished), so nothing of the history waits to be sent. Record ids are "Y" + 7 digits, NIKs "32" +
     * 14 digits: their DDMMYY is "000000...", a date no real NIK (nor the record generator's) has, so a base
     * never shares a NIK or a record id with the records a data center sends. The bench's clock puts the jobs
     * over the N / 200 days before now, 200 a day, each ISSUED a few seconds after its admission.
     * {@code buildIn} (null: in {@code dir}): build in a fresh folder under it (a tmpfs) and copy the closed
     * store file by file to {@code dir}, forced.
     */
    public static Built build(Path dir, String stationId, int jobs, Path buildIn, PrintStream log) throws IOException {
        if (StationStore.existsIn(dir)) throw new IOException(dir + " already holds a store; choose an empty --out");
        Path built = buildIn == null ? dir : Files.createTempDirectory(buildIn, "ktp-bench-build");
        try {
            DataCenterKey key = DataCenterKey.fromSeed(77);
            RecordGenerator gen = new RecordGenerator(77, FingerprintLibrary.embedded(), LocalDate.now());
            List<byte[]> envelopes = new ArrayList<>();
            // 50 distinct envelopes in turn (fewer for a small store: each costs its fingerprint templates).
            for (int i = 0; i < Math.min(50, jobs); i++) envelopes.add(key.signRecord(gen.next().record()).toJson());
            log.printf("bench store: building %d issued jobs of station %s (envelopes of %d..%d bytes) in %s%n", jobs, stationId,
                    envelopes.stream().mapToInt(e -> e.length).min().orElse(0), envelopes.stream().mapToInt(e -> e.length).max().orElse(0), built);
            int commitsPerJob = 1 + PATH.length;
            long[] commitNanos = new long[jobs * commitsPerJob];
            int c = 0;
            long start = System.nanoTime();
            long dayMillis = 86_400_000L;
            long perJob = dayMillis / JOBS_PER_DAY;
            BenchClock clock = new BenchClock(Instant.now().minusMillis(perJob * (long) jobs));
            try (StationStore store = StationStore.open(built, stationId, clock)) {
                for (int j = 1; j <= jobs; j++) {
                    clock.advance(perJob - PATH.length * 1_000L);
                    String id = String.format("Y%07d", j);
                    long t = System.nanoTime();
                    store.admit(id, 1, String.format("32%014d", j), envelopes.get(j % envelopes.size()), Actor.STATION);
                    commitNanos[c++] = System.nanoTime() - t;
                    for (JobState s : PATH) {
                        clock.advance(1_000);
                        t = System.nanoTime();
                        store.transition(id, s, Actor.STATION, "", s == JobState.ENCODING ? "UID-" + j : null);
                        commitNanos[c++] = System.nanoTime() - t;
                    }
                    if (store.outboxDepth() > 500) store.removePublished(store.lastEventSequence());
                    if (j % Math.max(1, jobs / 20) == 0) log.printf("bench store: %d / %d jobs, %.0f s%n", j, jobs, (System.nanoTime() - start) / 1e9);
                }
                store.removePublished(store.lastEventSequence());
            }
            double buildSeconds = (System.nanoTime() - start) / 1e9;
            if (built != dir) {
                log.printf("bench store: built in %s in %.0f s; copying it to %s%n", built, buildSeconds, dir);
                copyStore(built, dir);
            }
            return new Built(jobs, buildSeconds, commitNanos);
        } finally {
            if (built != dir && Files.exists(built)) WorkDirs.delete(built);
        }
    }

    /**
     * Measures a store a bench built before (kept with --out), without building one: every warm and cold
     * operation as after a build; no commit figures while loading ({@code commits} null). A writer's open
     * changes the store (its own commits, and an earlier layout upgraded), so give it a copy to keep the original.
     */
    public static Result measureExisting(Path dir, PrintStream log) throws IOException, InterruptedException {
        if (!StationStore.existsIn(dir)) throw new IOException(dir + " holds no store");
        // A writer first: it brings a store of an earlier layout (or one a crash left) to this version's, once,
        // so that what follows measures the store as a station runs it; its time is printed, not in the table.
        int jobs;
        long t = System.nanoTime();
        StationStore first = StationStore.open(dir, null, Clock.systemUTC());
        double opened = (System.nanoTime() - t) / 1e6;
        jobs = (int) first.jobCount();
        t = System.nanoTime();
        first.close();
        log.printf("bench store: measuring the store of %d jobs in %s (not built); its first writer's open %.0f ms, close %.0f ms%n",
                jobs, dir, opened, (System.nanoTime() - t) / 1e6);
        return measure(dir, jobs, 0, null, 0, 0, log);
    }

    private static Result measure(Path dir, int jobs, double buildSeconds, Stats commits, double p999, double max, PrintStream log)
            throws IOException, InterruptedException {
        {
            log.println("bench store: warm operations ...");
            List<Op> warm = new ArrayList<>();
            // The last whole day of the bench's history (about 200 jobs): the day before its newest job's (yesterday
            // for a store just built; for a measured one, the day before it stopped growing).
            LocalDate today;
            try (StationStore s = StationStore.openReadOnly(dir, Clock.systemUTC())) {
                today = s.latestJobs(1).stream().findFirst().map(j -> LocalDate.ofInstant(j.createdAt(), ZoneId.of("Asia/Jakarta")))
                        .orElse(LocalDate.now(ZoneId.of("Asia/Jakarta"))).minusDays(1);
            }
            log.printf("bench store: the daily report's day is %s, the reconciliation's month the 30 days before%n", today);
            warm.add(time("open and close (writer; close checkpoints)", 5, () -> StationStore.open(dir, null, Clock.systemUTC()).close()));
            try (StationStore s = StationStore.openReadOnly(dir, Clock.systemUTC())) {
                warm.add(time("queue depth (health, every 200 ms)", 200, s::queueDepth));
                warm.add(time("lane's next job (oldest VALIDATED)", 200, () -> s.jobsIn(JobState.VALIDATED, 1)));
                warm.add(time("a page of 50 ISSUED jobs", 50, () -> s.jobsIn(EnumSet.of(JobState.ISSUED), 50)));
                warm.add(time("the newest 200 jobs (queue without --state)", 50, () -> s.latestJobs(200)));
                warm.add(time("the jobs of one NIK (search, ktp issue)", 200, () -> s.jobsWithNik(String.format("32%014d", 1 + (int) (Math.random() * jobs)))));
                warm.add(time("daily report, one day", 5, () -> DailyReport.of(s, today, ZoneId.of("Asia/Jakarta"), Clock.systemUTC().instant())));
                warm.add(time("reconciliation, one month", 5, () -> Reconciliation.of(s, today.minusDays(30), today, ZoneId.of("Asia/Jakarta"),
                        OptionalInt.empty(), Clock.systemUTC().instant())));
                warm.add(time("audit verify (reads everything)", 1, s::verifyAudit));
            }
            try (StationStore s = StationStore.open(dir, null, Clock.systemUTC())) {
                warm.add(time("one more commit", 50, () -> s.audit(Actor.STATION, "BENCH", "one more")));
                long t = System.nanoTime();
                s.close();
                double ms = (System.nanoTime() - t) / 1e6;
                warm.add(new Op("close() after 50 commits (checkpoint)", ms, ms, ms, 1));
            }

            log.println("bench store: cold commands (a fresh JVM each) ...");
            List<Op> cold = new ArrayList<>();
            Map<String, String[]> commands = new LinkedHashMap<>();
            commands.put("ktp queue --state VALIDATED", new String[] {"queue", "--store", dir.toString(), "--state", "VALIDATED"});
            commands.put("ktp queue (newest 200)", new String[] {"queue", "--store", dir.toString()});
            commands.put("ktp queue --nik (one NIK)", new String[] {"queue", "--store", dir.toString(), "--nik", String.format("32%014d", jobs / 2)});
            commands.put("ktp report daily (one day)", new String[] {"report", "daily", "--store", dir.toString(), "--date", today.toString(), "--out", dir.resolveSibling(dir.getFileName() + "-daily.pdf").toString()});
            commands.put("ktp store check", new String[] {"store", "check", "--store", dir.toString()});
            commands.put("ktp audit verify", new String[] {"audit", "verify", "--store", dir.toString()});
            commands.put("ktp ledger load (one more commit)", new String[] {"ledger", "load", "--store", dir.toString(), "--count", "1", "--reference", "BENCH", "--operator", "bench"});
            for (Map.Entry<String, String[]> e : commands.entrySet()) cold.add(cold(e.getKey(), e.getValue(), 3));
            Files.deleteIfExists(dir.resolveSibling(dir.getFileName() + "-daily.pdf"));
            long bytes = 0;
            try (var walk = Files.walk(dir)) {
                for (Path p : walk.filter(Files::isRegularFile).toList()) bytes += Files.size(p);
            }
            return new Result(jobs, buildSeconds, commits, p999, max, warm, cold, bytes);
        }
    }

    /** The store's files (and its envelope folder), bytes and permissions as they are, forced to the disk. */
    private static void copyStore(Path from, Path to) throws IOException {
        try (var walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                    try (var c = java.nio.channels.FileChannel.open(target, java.nio.file.StandardOpenOption.WRITE)) {
                        c.force(true);
                    }
                }
                Files.setPosixFilePermissions(target, Files.getPosixFilePermissions(p));
            }
        }
    }

    private static Op time(String name, int runs, Runnable r) {
        r.run(); // warm-up
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t = System.nanoTime();
            r.run();
            ms[i] = (System.nanoTime() - t) / 1e6;
        }
        return op(name, ms);
    }

    private static Op op(String name, double[] ms) {
        java.util.Arrays.sort(ms);
        int n = ms.length;
        return new Op(name, ms[n / 2], ms[(int) Math.min(n - 1, Math.ceil(n * 0.99) - 1)], ms[n - 1], n);
    }

    private static Op cold(String name, String[] args, int runs) throws IOException, InterruptedException {
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xshare:auto", "-cp", System.getProperty("java.class.path"), "ktp.cli.Ktp"));
            cmd.addAll(List.of(args));
            long t = System.nanoTime();
            Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(600, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(name + " did not finish in 600 s");
            }
            ms[i] = (System.nanoTime() - t) / 1e6;
            if (p.exitValue() != 0) throw new IOException(name + " exited " + p.exitValue());
        }
        return op(name, ms);
    }
}
