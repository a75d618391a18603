package ktp.sim.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import ktp.job.JobState;
import ktp.record.Envelope;
import ktp.record.RecordJson;
import ktp.record.RecordRejectedException;
import ktp.record.RecordValidator;
import ktp.record.Signatures;
import ktp.record.TrustedKeys;
import ktp.sim.records.DataCenterKey;
import ktp.sim.records.FingerprintLibrary;
import ktp.sim.records.RecordGenerator;
import ktp.store.Actor;
import ktp.store.StationStore;

/**
 * Record validation throughput (with the signature check) and store commit latency, measured on this
 * machine. Each figure is a median over many timed operations after a warm-up; p99 shows the tail.
 */
public final class StoreBench {
    public record Result(int records, Stats validation, Stats signatureOnly, Stats commit, Stats jobCycle, int commitsPerCycle,
                         long storeBytes) {}

    private StoreBench() {}

    public static Result run(int distinctRecords, double seconds, int commits, PrintStream log) throws IOException, RecordRejectedException {
        log.println("bench store: generating " + distinctRecords + " signed records ...");
        DataCenterKey key = DataCenterKey.fromSeed(77);
        RecordGenerator gen = new RecordGenerator(77, FingerprintLibrary.embedded(), LocalDate.now());
        List<byte[]> envelopes = new ArrayList<>();
        for (int i = 0; i < distinctRecords; i++) envelopes.add(key.signRecord(gen.next().record()).toJson());
        RecordValidator validator = new RecordValidator(new TrustedKeys(Map.of(key.keyId(), key.keyPair().getPublic())), Clock.systemDefaultZone());

        log.println("bench store: validating for " + seconds + " s (after a warm-up) ...");
        // Warm-up long enough for the JIT to compile the hot paths (schema, JSON, EC arithmetic).
        timeLoop(envelopes, validator, Math.max(3, seconds / 2));
        Stats validation = timeLoop(envelopes, validator, seconds);

        List<Envelope> parsed = new ArrayList<>();
        for (byte[] e : envelopes) parsed.add(Envelope.parse(e));
        long[] sig = new long[Math.max(2000, distinctRecords * 20)];
        for (int i = 0; i < sig.length; i++) {
            Envelope e = parsed.get(i % parsed.size());
            long t = System.nanoTime();
            if (!Signatures.verify(e.payload(), e.signature(), key.keyPair().getPublic())) throw new IllegalStateException("signature");
            sig[i] = System.nanoTime() - t;
        }

        log.println("bench store: " + commits + " store commits ...");
        Path dir = Files.createTempDirectory("ktp-bench-store");
        try (StationStore store = StationStore.open(dir, "BENCH-01", Clock.systemUTC())) {
            for (int i = 0; i < 100; i++) store.audit(Actor.STATION, "WARMUP", "x");
            long[] commitNanos = new long[commits];
            List<Long> cycleNanos = new ArrayList<>();
            int done = 0;
            int job = 0;
            JobState[] path = {JobState.VALIDATED, JobState.ENCODING, JobState.ENCODED, JobState.PRINTING, JobState.PRINTED,
                    JobState.AWAITING_HOLDER, JobState.ACTIVATING, JobState.ISSUED};
            while (done < commits) {
                job++;
                String id = String.format("B%06d", job);
                byte[] env = envelopes.get(job % envelopes.size());
                long cycleStart = System.nanoTime();
                long t = System.nanoTime();
                store.admit(id, 1, String.format("327301450690%04d", job % 9999 + 1) + "", env, Actor.STATION);
                if (done < commits) commitNanos[done++] = System.nanoTime() - t;
                for (JobState s : path) {
                    t = System.nanoTime();
                    store.transition(id, s, Actor.STATION, "", s == JobState.ENCODING ? "UID-" + job : null);
                    if (done < commits) commitNanos[done++] = System.nanoTime() - t;
                }
                cycleNanos.add(System.nanoTime() - cycleStart);
                if (store.outboxDepth() > 500) store.removePublished(store.lastEventSequence());
            }
            long bytes = 0;
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) bytes += Files.size(p);
            }
            return new Result(distinctRecords, validation, Stats.of(sig), Stats.of(commitNanos),
                    Stats.of(cycleNanos.stream().mapToLong(Long::longValue).toArray()), 1 + path.length, bytes);
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) Files.deleteIfExists(p);
            }
            Files.deleteIfExists(dir);
        }
    }

    private static Stats timeLoop(List<byte[]> envelopes, RecordValidator validator, double seconds) throws RecordRejectedException {
        List<Long> times = new ArrayList<>();
        long end = System.nanoTime() + (long) (seconds * 1e9);
        int i = 0;
        while (System.nanoTime() < end) {
            long t = System.nanoTime();
            validator.validate(envelopes.get(i++ % envelopes.size()));
            times.add(System.nanoTime() - t);
        }
        return Stats.of(times.stream().mapToLong(Long::longValue).toArray());
    }
}
