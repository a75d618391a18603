package ktp.sim.central;

import static ktp.lifecycle.NationalStatus.*;
import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import ktp.job.EventType;
import ktp.lifecycle.NationalStatus;
import ktp.lifecycle.StatusFlow;
import ktp.sim.records.DataCenterKey;
import ktp.sim.records.FingerprintLibrary;
import ktp.sim.records.RecordGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataCenterTest {
    @TempDir
    Path dir;

    /** A wall clock the test moves by hand. */
    static final class ManualClock extends Clock {
        private volatile Instant now = Instant.parse("2026-11-28T08:00:00Z");

        void advance(Duration d) { now = now.plus(d); }

        @Override public ZoneId getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }
    }

    private final ManualClock clock = new ManualClock();

    private static RecordSource source(long seed) {
        return new RecordSource(new RecordGenerator(seed, FingerprintLibrary.embedded(), RecordGenerator.defaultIssueDate(seed)), DataCenterKey.fromSeed(seed), 0);
    }

    @Test
    void withDefectsEveryThirdResidentsRecordIsServedWithTheNextDefectAndTheStationRefusesItForThatReason() throws Exception {
        RecordSource withDefects = new RecordSource(new RecordGenerator(7, FingerprintLibrary.embedded(), RecordGenerator.defaultIssueDate(7)), DataCenterKey.fromSeed(7), 3);
        DataCenterKey.fromSeed(7).writePublicKey(dir.resolve("keys"));
        ktp.record.RecordValidator validator = new ktp.record.RecordValidator(ktp.record.TrustedKeys.loadDirectory(dir.resolve("keys")), Clock.systemUTC());
        for (int i = 0; i < 9; i++) {
            ktp.sim.records.Defect d = withDefects.defect(i);
            if (i % 3 != 2) {
                assertNull(d, "resident " + i);
                validator.validate(withDefects.envelope(i, 1));
                continue;
            }
            assertEquals(RecordSource.SERVABLE_DEFECTS.get(i / 3), d, "defects in turn, each still a JSON object");
            byte[] bad = withDefects.envelope(i, 1);
            ktp.record.RecordRejectedException e = assertThrows(ktp.record.RecordRejectedException.class, () -> validator.validate(bad), d.name());
            assertEquals(d.expected(), e.reason(), d.name());
        }
    }

    private DataCenter open(long seed, int population, double failureRate, Duration lease) throws IOException {
        return DataCenter.open(dir.resolve("central.log"), new DataCenter.Settings(seed, population, failureRate, 1e7, lease), source(seed), clock);
    }

    /** Runs simulated time until nobody is before PRINT_READY_RECORD any more (everyone waits for a station). */
    private void settle(DataCenter dc) {
        for (int i = 0; i < 200; i++) {
            clock.advance(Duration.ofSeconds(2));
            dc.advance();
            if (dc.counts().keySet().stream().allMatch(s -> s.phase() == ktp.lifecycle.Phase.PRINTING)) return;
        }
        fail("the population did not settle: " + dc.counts());
    }

    @Test
    void residentsTakeEveryFailureAndRetryBranchAndAllReachPrintReadyByLegalSteps() throws IOException {
        try (DataCenter dc = open(11, 300, 0.3, Duration.ofMinutes(5))) {
            assertEquals(300, dc.counts().get(UNREGISTERED));
            settle(dc);
            assertEquals(Map.of(PRINT_READY_RECORD, 300), dc.counts());
            Set<NationalStatus> visited = EnumSet.noneOf(NationalStatus.class);
            Set<String> niks = new HashSet<>();
            RecordGenerator gen = new RecordGenerator(11, FingerprintLibrary.embedded(), RecordGenerator.defaultIssueDate(11));
            for (int i = 0; i < 300; i++) {
                DataCenter.ResidentView r = dc.resident(gen.identity(i).nik());
                assertTrue(niks.add(r.nik()));
                // The history keeps the last 40 steps; a full one starts mid-way, so its first step is not checked.
                NationalStatus previous = r.history().size() < 40 ? UNREGISTERED : null;
                Instant previousAt = DataCenter.SIM_EPOCH;
                for (Map.Entry<NationalStatus, Instant> step : r.history()) {
                    if (previous != null) assertTrue(StatusFlow.isLegal(previous, step.getKey()), previous + " -> " + step.getKey());
                    assertFalse(step.getValue().isBefore(previousAt), "time runs forward");
                    visited.add(step.getKey());
                    previous = step.getKey();
                    previousAt = step.getValue();
                }
                assertTrue(r.recordVersion() >= 1);
            }
            assertTrue(visited.containsAll(EnumSet.of(ENROLL_FAILURE_AT_CENTRAL, SEARCH_FAILURE_AT_CENTRAL, ENROLL_FAILURE_AT_REGIONAL,
                    PACKET_ENTRY, DUPLICATE_RECORD, ADJUDICATE_RECORD, REQUEST_VALIDATION, REQUEST_FOR_DELETION)), "visited " + visited);
        }
    }

    @Test
    void recordsBecomeReadyOverTimeNotAllAtOnce() throws IOException {
        try (DataCenter dc = DataCenter.open(dir.resolve("central.log"), new DataCenter.Settings(3, 200, 0.1, 86_400, Duration.ofMinutes(5)), source(3), clock)) {
            int previous = 0;
            int increases = 0;
            for (int second = 0; second < 120; second++) {
                clock.advance(Duration.ofSeconds(1));
                dc.advance();
                int ready = dc.readyCount();
                if (ready > previous) increases++;
                previous = ready;
            }
            assertTrue(increases >= 10, "PRINT_READY records should trickle in; the count rose " + increases + " times");
        }
    }

    @Test
    void theStateSurvivesARestartAndBelongsToItsSeed() throws IOException {
        Map<NationalStatus, Integer> before;
        List<DataCenter.LeaseView> leased;
        try (DataCenter dc = open(5, 50, 0.2, Duration.ofMinutes(5))) {
            settle(dc);
            leased = dc.pull("ST-A", 3);
            dc.acknowledge("ST-A", leased.get(0).leaseId());
            dc.report("ST-A", "ev-1", EventType.CARD_PRINTED, leased.get(0).recordId(), "");
            dc.decline("ST-A", leased.get(1).leaseId(), "ALREADY_PRINTED", "test");
            before = dc.counts();
        }
        try (DataCenter dc = open(5, 50, 0.2, Duration.ofMinutes(5))) {
            assertEquals(before, dc.counts());
            List<DataCenter.LeaseView> held = dc.leasesOf("ST-A");
            assertEquals(Set.of(leased.get(0).leaseId(), leased.get(2).leaseId()), Set.of(held.get(0).leaseId(), held.get(1).leaseId()));
            assertEquals(1, dc.heldCount());
            assertTrue(dc.report("ST-A", "ev-1", EventType.CARD_PRINTED, leased.get(0).recordId(), "").duplicate(), "event ids survive the restart");
        }
        IllegalStateException other = assertThrows(IllegalStateException.class, () -> open(6, 50, 0.2, Duration.ofMinutes(5)));
        assertTrue(other.getMessage().contains("seed 5"), other.getMessage());
    }

    @Test
    void aTornLastLineIsDroppedAndADamagedLineStopsTheOpen() throws IOException {
        Path log = dir.resolve("central.log");
        try (DataCenter dc = open(5, 20, 0.0, Duration.ofMinutes(5))) {
            settle(dc);
        }
        Files.writeString(log, "{\"t\":\"lease\",\"i\":1,\"sta", StandardOpenOption.APPEND);
        try (DataCenter dc = open(5, 20, 0.0, Duration.ofMinutes(5))) {
            assertEquals(0, dc.activeLeaseCount());
            assertEquals(20, dc.readyCount());
        }
        List<String> lines = Files.readAllLines(log);
        lines.add(3, "this is not json");
        Files.write(log, lines, StandardCharsets.UTF_8);
        IOException e = assertThrows(IOException.class, () -> open(5, 20, 0.0, Duration.ofMinutes(5)));
        assertTrue(e.getMessage().contains("line 4"), e.getMessage());
    }

    @Test
    void aLeasedRecordGoesToNoOtherStationUntilItExpiresOrIsReleased() throws IOException {
        try (DataCenter dc = open(7, 10, 0.0, Duration.ofSeconds(60))) {
            settle(dc);
            List<DataCenter.LeaseView> a = dc.pull("ST-A", 6);
            List<DataCenter.LeaseView> b = dc.pull("ST-B", 6);
            assertEquals(6, a.size());
            assertEquals(4, b.size());
            Set<String> ids = new HashSet<>();
            for (DataCenter.LeaseView l : a) ids.add(l.recordId());
            for (DataCenter.LeaseView l : b) assertTrue(ids.add(l.recordId()), "given twice: " + l.recordId());
            assertEquals(0, dc.pull("ST-C", 10).size());

            dc.acknowledge("ST-A", a.get(0).leaseId());
            assertEquals(SENT_FOR_CARD_PRINTING, dc.resident(a.get(0).nik()).status());
            dc.release("ST-A", a.get(1).leaseId());
            clock.advance(Duration.ofSeconds(30));
            dc.renew("ST-A", a.get(2).leaseId());
            clock.advance(Duration.ofSeconds(31));
            // a[0] (acknowledged) and a[3..5] and all of b expired; a[2] was renewed; a[1] was released.
            List<DataCenter.LeaseView> c = dc.pull("ST-C", 10);
            Set<String> offered = new HashSet<>();
            c.forEach(l -> offered.add(l.recordId()));
            assertEquals(9, c.size(), "everything but the renewed lease is free again");
            assertFalse(offered.contains(a.get(2).recordId()));
            assertEquals(PRINT_READY_RECORD, dc.resident(a.get(0).nik()).status(), "an expired acknowledgement goes back to PRINT_READY_RECORD");
            ApiException expired = assertThrows(ApiException.class, () -> dc.renew("ST-A", a.get(0).leaseId()));
            assertEquals(410, expired.status());
            assertEquals("LEASE_EXPIRED", expired.code());
        }
    }

    @Test
    void printedAndIssuedReportsMoveTheNationalStatusAndOnlyTheLeaseholderMayReport() throws IOException {
        try (DataCenter dc = open(8, 5, 0.0, Duration.ofSeconds(60))) {
            settle(dc);
            DataCenter.LeaseView l = dc.pull("ST-A", 1).get(0);
            ApiException notYours = assertThrows(ApiException.class, () -> dc.report("ST-B", "e0", EventType.CARD_PRINTED, l.recordId(), ""));
            assertEquals("LEASE_NOT_YOURS", notYours.code());
            ApiException early = assertThrows(ApiException.class, () -> dc.report("ST-A", "e1", EventType.CARD_ISSUED, l.recordId(), ""));
            assertEquals("NOT_PRINTED", early.code());
            dc.acknowledge("ST-A", l.leaseId());
            assertEquals(CARD_PRINTED, dc.report("ST-A", "e2", EventType.CARD_PRINTED, l.recordId(), "").status());
            clock.advance(Duration.ofHours(2));
            assertNull(dc.renew("ST-A", l.leaseId()).expiresAt(), "a printed card's lease does not expire: the card is at that station");
            assertEquals(CARD_ISSUED, dc.report("ST-A", "e3", EventType.CARD_ISSUED, l.recordId(), "").status());
            assertEquals(List.of(), dc.leasesOf("ST-A"));
            ApiException neverLeased = assertThrows(ApiException.class,
                    () -> dc.report("ST-A", "e4", EventType.CARD_PRINTED, dc.pull("ST-B", 1).get(0).recordId(), ""));
            assertEquals(403, neverLeased.status());
        }
    }

    @Test
    void badRequestsAreRefusedByNameAndChangeNothing() throws IOException {
        try (DataCenter dc = open(9, 5, 0.0, Duration.ofSeconds(60))) {
            settle(dc);
            DataCenter.LeaseView l = dc.pull("ST-A", 1).get(0);
            Map<NationalStatus, Integer> counts = dc.counts();
            Instant expiry = dc.leasesOf("ST-A").get(0).expiresAt();
            assertEquals("LEASE_NOT_YOURS", assertThrows(ApiException.class, () -> dc.renew("ST-B", l.leaseId())).code());
            assertEquals("LEASE_NOT_YOURS", assertThrows(ApiException.class, () -> dc.release("ST-B", l.leaseId())).code());
            assertEquals("UNKNOWN_LEASE", assertThrows(ApiException.class, () -> dc.acknowledge("ST-A", "no-such-lease")).code());
            assertEquals("BAD_LIMIT", assertThrows(ApiException.class, () -> dc.pull("ST-A", 0)).code());
            assertEquals("BAD_LIMIT", assertThrows(ApiException.class, () -> dc.pull("ST-A", 101)).code());
            assertEquals("BAD_REASON", assertThrows(ApiException.class, () -> dc.decline("ST-A", l.leaseId(), "not a code", "")).code());
            assertEquals("INVALID_NIK", assertThrows(ApiException.class, () -> dc.resident("12345")).code());
            assertEquals("UNKNOWN_NIK", assertThrows(ApiException.class, () -> dc.resident("9999999999999999")).code());
            assertEquals(counts, dc.counts());
            assertEquals(1, dc.activeLeaseCount());
            assertEquals(expiry, dc.leasesOf("ST-A").get(0).expiresAt());
            assertEquals("ST-A", dc.leasesOf("ST-A").get(0).station());
        }
    }
}
