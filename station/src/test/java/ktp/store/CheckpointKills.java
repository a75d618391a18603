package ktp.store;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Issue 20: a SIGKILL at each step of a checkpoint that writes into the spare, landed deterministically, over any
 * store folder: the worker ({@link CrashWorker}, its own JVM) waits at the step (-Dktp.store.pauseAt, a test-only
 * pause that creates -Dktp.store.pauseFile) and is killed there. After each kill the store reopens with every
 * committed change, every invariant holds ({@link StoreCrashTest#assertConsistent}), and the checkpoint after it
 * works (a spare again after the next clean close). {@code StoreCrashTest} runs it over its own small store, the
 * daemon's {@code StationCrashTest} over its 10,000-job base.
 */
public final class CheckpointKills {
    /** A checkpoint every 10 transactions in the worker, so that its first periodic one comes soon. */
    private static final int CHECKPOINT_EVERY = 10;

    private CheckpointKills() {}

    /**
     * Kills a worker at each step in the store in {@code dir} (of {@code station}; its outputs in {@code logs});
     * returns a line of figures.
     */
    public static String run(Path dir, Path logs, String station) throws Exception {
        long t0 = System.nanoTime();
        // A store with a checkpoint, a spare and a clean working file: a worker's 40 steps, then its clean close.
        Process first = worker(dir, station, 40, null, logs.resolve("setup.out"));
        assertTrue(first.waitFor(300, TimeUnit.SECONDS) && first.exitValue() == 0, "the setup worker finished");
        assertTrue(Files.exists(dir.resolve(StationStore.SPARE_FILE)), "a spare after two checkpoints");
        long previous = 0;
        for (String step : List.of("checkpoint-applied", "checkpoint-linked", "checkpoint-renamed", "spare-applied", "close-forced")) {
            Path pause = logs.resolve(step + ".paused");
            Path output = logs.resolve(step + ".out");
            // close-forced is reached by the worker's own close after its last step; the others by its first periodic checkpoint.
            Process p = worker(dir, station, step.equals("close-forced") ? 25 : 100_000, step, output, "-Dktp.store.pauseFile=" + pause);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
            while (!Files.exists(pause)) {
                assertTrue(p.isAlive(), step + ": the worker ended before it reached the step");
                assertTrue(System.nanoTime() < deadline, step + ": the worker did not reach the step");
                Thread.sleep(5);
            }
            Files.readString(pause); // written before the pause: the worker is inside the step now
            p.destroyForcibly();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(137, p.exitValue(), step + ": the worker must die by SIGKILL");
            if (step.equals("checkpoint-applied")) {
                assertTrue(Files.exists(dir.resolve("checkpoint.db.tmp")), "killed inside a checkpoint: its file is there");
                assertFalse(Files.exists(dir.resolve(StationStore.SPARE_FILE)), "the spare became the checkpoint's file");
            }
            if (step.equals("spare-applied")) {
                assertTrue(Files.exists(dir.resolve(StationStore.SPARE_FILE + ".tmp")) && !Files.exists(dir.resolve(StationStore.SPARE_FILE)),
                        "killed while the spare was brought up to date: it is not named the spare");
            }
            if (step.equals("checkpoint-linked")) {
                assertTrue(Files.isSameFile(dir.resolve("checkpoint.db"), dir.resolve(StationStore.SPARE_FILE)), "killed between the link and the rename");
            }
            long reported = lastCommitted(output);
            try (StationStore s = StationStore.open(dir, station, Clock.systemUTC())) {
                long found = s.auditSize();
                assertTrue(found >= reported, step + ": " + reported + " changes were committed but only " + found + " survived");
                assertTrue(found <= reported + 1, step + ": more changes than were ever made");
                assertTrue(found >= previous, step + ": the store went backwards");
                StoreCrashTest.assertConsistent(s);
                previous = found;
                s.audit(new Actor("crash-test", Role.SYSTEM), "NOTE", "after a kill at " + step);
            }
            assertTrue(Files.exists(dir.resolve(StationStore.SPARE_FILE)) && !Files.isSameFile(dir.resolve("checkpoint.db"), dir.resolve(StationStore.SPARE_FILE)),
                    step + ": the clean close after it left a spare of its own");
            assertTrue(Files.exists(dir.resolve(StationStore.WORKING_CLEAN_FILE)), step + ": and a clean working file");
        }
        try (StationStore r = StationStore.openReadOnly(dir, Clock.systemUTC())) {
            StoreCrashTest.assertConsistent(r);
            assertEquals(5, r.auditLog().stream().filter(e -> e.action().equals("NOTE")).count());
        }
        return "checkpoint kills: 5 steps over a store of " + jobsIn(dir, station) + " jobs, every invariant held, in "
                + Math.round((System.nanoTime() - t0) / 1e9) + " s";
    }

    private static long jobsIn(Path dir, String station) throws java.io.IOException {
        try (StationStore r = StationStore.openReadOnly(dir, Clock.systemUTC())) {
            return r.jobCount();
        }
    }

    private static Process worker(Path dir, String station, int steps, String pauseAt, Path output, String... more) throws java.io.IOException {
        List<String> cmd = new java.util.ArrayList<>(List.of(StationStoreTest.javaBin(), "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-Dktp.store.checkpointEvery=" + CHECKPOINT_EVERY));
        if (pauseAt != null) cmd.add("-Dktp.store.pauseAt=" + pauseAt);
        cmd.addAll(List.of(more));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), CrashWorker.class.getName(), dir.toString(), Integer.toString(steps), station));
        return new ProcessBuilder(cmd).redirectOutput(output.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    /** The last committed audit count the worker printed in a whole line. */
    private static long lastCommitted(Path output) throws java.io.IOException {
        long last = -1;
        String text = Files.readString(output, StandardCharsets.US_ASCII);
        for (String line : text.substring(0, text.lastIndexOf('\n') + 1).split("\n")) {
            if (line.startsWith("READY ")) last = Long.parseLong(line.substring(6));
            else if (line.matches("C [0-9]+")) last = Long.parseLong(line.substring(2));
        }
        return last;
    }
}
