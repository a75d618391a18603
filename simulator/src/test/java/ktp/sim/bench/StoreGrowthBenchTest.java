package ktp.sim.bench;

import static org.junit.jupiter.api.Assertions.*;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.stream.Collectors;
import ktp.job.JobState;
import ktp.record.Nik;
import ktp.sim.KtpRun;
import ktp.store.BlankFate;
import ktp.store.Job;
import ktp.store.StationStore;
import ktp.store.StoreException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bench's builder, which the daemon's crash test uses for its 10,000-job base: a store of the station it is
 * told, every job issued, the outbox drained, NIKs no data center sends; and `ktp bench store --station`.
 */
class StoreGrowthBenchTest {
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    @TempDir
    Path dir;

    @Test
    void theBuilderMakesAStoreOfIssuedJobsOfTheStationItIsTold() throws Exception {
        Path store = dir.resolve("store");
        StoreGrowthBench.Built built = StoreGrowthBench.build(store, "ST-GROW-7", 30, null, QUIET);
        assertEquals(30, built.jobs());
        assertEquals(30 * 9, built.commitNanos().length, "one admission and eight changes a job, each timed");
        try (StationStore s = StationStore.openReadOnly(store, Clock.systemUTC())) {
            assertEquals("ST-GROW-7", s.stationId());
            assertEquals(30L, s.countByState().getOrDefault(JobState.ISSUED, 0L));
            assertEquals(30, s.jobCount());
            assertEquals(0, s.outboxDepth(), "the outbox drained, as a publisher would");
            assertTrue(s.lastEventSequence() > 0, "the jobs' events were written (and published)");
            assertEquals(30, s.ledger().stream().filter(e -> e.fate() == BlankFate.ISSUED).count());
            assertTrue(s.verifyAudit().intact());
            Map<String, Long> perNik = s.jobs().stream().collect(Collectors.groupingBy(Job::nik, Collectors.counting()));
            assertEquals(30, perNik.size(), "no NIK twice");
            for (String nik : perNik.keySet()) {
                // Day 00 of month 00: no resident's NIK, so no record a data center sends can share one.
                assertTrue(Nik.parse(nik).birthDateInCentury(1900).isEmpty() && Nik.parse(nik).birthDateInCentury(2000).isEmpty(), nik);
            }
        }
        try (var envelopes = Files.list(store.resolve("envelopes"))) {
            assertEquals(0, envelopes.count(), "an issued job's envelope is shredded");
        }
        // The store is that station's: another station's daemon may not open it.
        StoreException e = assertThrows(StoreException.class, () -> StationStore.open(store, "ST-OTHER", Clock.systemUTC()).close());
        assertTrue(e.getMessage().contains("ST-GROW-7"), e.getMessage());
    }

    @Test
    void aStoreBuiltElsewhereIsCopiedWholeAndTheBuildFolderRemoved() throws Exception {
        Path buildIn = Files.createDirectories(dir.resolve("tmpfs"));
        Path store = dir.resolve("store");
        StoreGrowthBench.build(store, "ST-GROW-8", 12, buildIn, QUIET);
        try (var left = Files.list(buildIn)) {
            assertEquals(0, left.count(), "nothing left where it was built");
        }
        try (StationStore s = StationStore.open(store, "ST-GROW-8", Clock.systemUTC())) {
            assertEquals(12L, s.countByState().getOrDefault(JobState.ISSUED, 0L));
            assertTrue(s.verifyAudit().intact());
        }
        java.io.IOException refused = assertThrows(java.io.IOException.class, () -> StoreGrowthBench.build(store, "ST-GROW-8", 12, null, QUIET));
        assertTrue(refused.getMessage().contains("already holds a store"), refused.getMessage());
    }

    @Test
    void theStationOptionIsCheckedBeforeAnythingIsBuilt() {
        KtpRun bad = KtpRun.of("bench", "store", "--jobs", "10", "--station", "ST 01!", "--out", dir.resolve("never").toString());
        assertNotEquals(0, bad.exit());
        assertTrue(bad.err().contains("--station 'ST 01!'"), bad.err());
        assertFalse(Files.exists(dir.resolve("never")), "nothing built");
        KtpRun without = KtpRun.of("bench", "store", "--station", "ST-01");
        assertNotEquals(0, without.exit());
        assertTrue(without.err().contains("--station") && without.err().contains("--jobs"), without.err());
    }
}
