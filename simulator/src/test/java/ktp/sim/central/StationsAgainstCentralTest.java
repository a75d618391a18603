package ktp.sim.central;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLContext;
import ktp.central.CentralClient;
import ktp.central.CentralException;
import ktp.central.CentralLink;
import ktp.central.Tls;
import ktp.job.JobState;
import ktp.lifecycle.NationalStatus;
import ktp.record.PrintRecord;
import ktp.record.RecordJson;
import ktp.record.RecordValidator;
import ktp.record.TrustedKeys;
import ktp.sim.records.FingerprintLibrary;
import ktp.sim.records.RecordGenerator;
import ktp.station.RecordIntake;
import ktp.store.Actor;
import ktp.store.BlankFate;
import ktp.store.LedgerEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real stations (store, intake, link) against the real simulated data center, over HTTPS and HTTP. */
class StationsAgainstCentralTest {
    private static final CentralLink.Settings FAST = CentralLink.Settings.defaults().withIdlePoll(Duration.ofMillis(100))
            .withRetry(Duration.ofMillis(100), Duration.ofMillis(800));

    @TempDir
    Path dir;

    private static void await(String what, Duration limit, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) fail("timed out after " + limit + " waiting for: " + what);
            Thread.sleep(50);
        }
    }

    private static int printedAtCentral(CentralServer s) {
        return s.center().counts().getOrDefault(NationalStatus.CARD_PRINTED, 0);
    }

    private static long audited(TestStation s, String action) {
        return s.store.auditLog().stream().filter(e -> e.action().equals(action)).count();
    }

    private Path trustedKeys(CentralServer s) throws IOException {
        Path keys = dir.resolve("trusted-keys");
        s.key().writePublicKey(keys);
        return keys;
    }

    @Test
    void twoStationsOverMutualTlsPrintEachOf200RecordsExactlyOnce() throws Exception {
        TestPki pki = TestPki.create(dir.resolve("pki"));
        pki.issueStation("ST-A");
        pki.issueStation("ST-B");
        try (CentralServer server = CentralServer.start(new CentralServer.Options(new InetSocketAddress("127.0.0.1", 0), dir.resolve("central"),
                31, 200, 0.1, 1e7, Duration.ofSeconds(30), pki, Map.of("ST-A", "", "ST-B", "")))) {
            Path keys = trustedKeys(server);
            SSLContext tlsA = Tls.context(pki.caFile(), pki.certificate("ST-A"), pki.key("ST-A"));
            SSLContext tlsB = Tls.context(pki.caFile(), pki.certificate("ST-B"), pki.key("ST-B"));
            try (TestStation a = new TestStation("ST-A", dir.resolve("a"), server.uri(), tlsA, Optional.empty(), keys, FAST, Duration.ZERO).start();
                 TestStation b = new TestStation("ST-B", dir.resolve("b"), server.uri(), tlsB, Optional.empty(), keys, FAST, Duration.ZERO).start()) {
                await("200 CARD_PRINTED at the data center", Duration.ofSeconds(150), () -> printedAtCentral(server) == 200);
                List<String> byA = a.printedRecords();
                List<String> byB = b.printedRecords();
                Set<String> all = new HashSet<>(byA);
                for (String r : byB) assertTrue(all.add(r), "printed by both stations: " + r);
                assertEquals(200, all.size());
                assertTrue(byA.size() > 20 && byB.size() > 20, "both stations worked: " + byA.size() + " and " + byB.size());
                for (TestStation s : List.of(a, b)) {
                    List<LedgerEntry> ledger = s.store.ledger();
                    assertEquals(s.printedRecords().size(), ledger.size(), s.id + ": one blank per printed card");
                    assertTrue(ledger.stream().allMatch(e -> e.fate() == BlankFate.PRINTED_AWAITING_HOLDER));
                    assertEquals(0, s.store.countByState().getOrDefault(JobState.REJECTED, 0L));
                }
                await("both outboxes reported", Duration.ofSeconds(20), () -> a.store.outboxDepth() == 0 && b.store.outboxDepth() == 0);
            }
        }
    }

    @Test
    void tlsRefusesAStrangerServerAndAClientWithoutACertificate() throws Exception {
        TestPki pki = TestPki.create(dir.resolve("pki"));
        pki.issueStation("ST-A");
        TestPki other = TestPki.create(dir.resolve("other-pki"));
        other.issueStation("ST-A");
        try (CentralServer server = CentralServer.start(new CentralServer.Options(new InetSocketAddress("127.0.0.1", 0), dir.resolve("central"),
                32, 5, 0.0, 1e7, Duration.ofSeconds(30), pki, Map.of("ST-A", "")))) {
            // The station pins another CA: the data center's certificate is not trusted.
            CentralClient pinnedElsewhere = new CentralClient(CentralClient.Config.of(server.uri(), "ST-A",
                    Tls.context(other.caFile(), other.certificate("ST-A"), other.key("ST-A")), Optional.empty(), false));
            CentralException e1 = assertThrows(CentralException.class, () -> pinnedElsewhere.pull(1));
            assertEquals(CentralException.Kind.UNREACHABLE, e1.kind());
            assertTrue(e1.getMessage().contains("TLS") || e1.getMessage().contains("SSL"), e1.getMessage());
            // No client certificate: the handshake or the API refuses it.
            CentralClient anonymous = new CentralClient(CentralClient.Config.of(server.uri(), "ST-A",
                    Tls.context(pki.caFile(), null, null), Optional.empty(), false));
            assertThrows(CentralException.class, () -> anonymous.pull(1));
            // The right certificate works.
            CentralClient good = new CentralClient(CentralClient.Config.of(server.uri(), "ST-A",
                    Tls.context(pki.caFile(), pki.certificate("ST-A"), pki.key("ST-A")), Optional.empty(), false));
            assertNotNull(good.leases());
        }
    }

    @Test
    void theStationWorksThroughADataCenterOutageAndCatchesUpWithNothingLostOrDuplicated() throws Exception {
        Path state = dir.resolve("central");
        Map<String, String> tokens = Map.of("ST-A", "token-a-123456");
        CentralServer.Options options = new CentralServer.Options(new InetSocketAddress("127.0.0.1", 0), state, 33, 60, 0.1, 1e7,
                Duration.ofSeconds(30), null, tokens);
        CentralServer server = CentralServer.start(options);
        int port = server.port();
        Path keys = trustedKeys(server);
        CentralLink.Settings settings = FAST.withQueueTarget(8);
        try (TestStation a = new TestStation("ST-A", dir.resolve("a"), server.uri(), null, Optional.of("token-a-123456"), keys, settings,
                Duration.ofMillis(150)).start()) {
            await("10 cards printed", Duration.ofSeconds(60), () -> printedAtCentral(server) >= 10);
            await("a full queue", Duration.ofSeconds(20), () -> a.store.countByState().getOrDefault(JobState.VALIDATED, 0L) >= 5);
            server.close();
            int printedWhenCut = a.printedRecords().size();
            await("the station to notice", Duration.ofSeconds(10), () -> a.link.health().failuresInARow() >= 2);
            await("printing to go on from the queue", Duration.ofSeconds(20), () -> a.printedRecords().size() >= printedWhenCut + 4);
            assertFalse(a.link.health().reachable());
            Thread.sleep(1500);
            CentralServer back = CentralServer.start(new CentralServer.Options(new InetSocketAddress("127.0.0.1", port), state, 33, 60, 0.1, 1e7,
                    Duration.ofSeconds(30), null, tokens));
            try {
                await("all 60 printed at the data center", Duration.ofSeconds(90), () -> printedAtCentral(back) == 60);
                assertEquals(60, new HashSet<>(a.printedRecords()).size());
                assertEquals(60, a.printedRecords().size());
                assertEquals(60, a.store.ledger().size(), "one blank per record");
                await("outbox drained", Duration.ofSeconds(20), () -> a.store.outboxDepth() == 0);
                assertTrue(a.link.health().reachable());
            } finally {
                a.close();
                back.close();
            }
        }
    }

    @Test
    void aRecordPrintedHereAndOfferedAgainAfterItsLeaseRanOutIsDeclinedNotPrinted() throws Exception {
        Map<String, String> tokens = Map.of("ST-A", "token-a-123456");
        try (CentralServer server = CentralServer.start(new CentralServer.Options(new InetSocketAddress("127.0.0.1", 0), dir.resolve("central"),
                34, 4, 0.0, 1e7, Duration.ofSeconds(2), null, tokens))) {
            Path keys = trustedKeys(server);
            await("4 ready", Duration.ofSeconds(20), () -> server.center().readyCount() == 4);
            // Resident 0's NIK was printed here before under another record id (an older capture).
            RecordGenerator gen = new RecordGenerator(34, FingerprintLibrary.embedded(), RecordGenerator.defaultIssueDate(34));
            PrintRecord r0 = gen.resident(0).record();
            PrintRecord older = new PrintRecord("PRR-OLDER-0001", 1, r0.nik(), r0.region(), r0.front(), r0.issue(), r0.photoJpeg(),
                    r0.signaturePng(), r0.fingerprints());
            CentralLink.Settings silent = FAST.withReportEvents(false);
            try (TestStation a = new TestStation("ST-A", dir.resolve("a"), server.uri(), null, Optional.of("token-a-123456"), keys, silent, Duration.ZERO)) {
                RecordIntake intake = new RecordIntake(new RecordValidator(TrustedKeys.loadDirectory(keys), java.time.Clock.systemUTC()), a.store, Actor.STATION);
                assertEquals(RecordIntake.Outcome.Kind.VALIDATED, intake.offer(older.recordId(), server.key().signRecord(older).toJson()).kind());
                a.store.transition(older.recordId(), JobState.ENCODING, Actor.STATION, "", "OLD-BLANK");
                a.store.transition(older.recordId(), JobState.ENCODED, Actor.STATION, "", null);
                a.store.transition(older.recordId(), JobState.PRINTING, Actor.STATION, "", null);
                a.store.transition(older.recordId(), JobState.PRINTED, Actor.STATION, "", null);
                a.start();
                // Three records print; their CARD_PRINTED is not reported (silent link), so their leases run out
                // (printed jobs are not renewed) and the data center offers them again: each is declined.
                await("three declines held at the data center", Duration.ofSeconds(60), () -> server.center().heldCount() == 4);
                await("the station's audit of the declines", Duration.ofSeconds(10), () -> audited(a, "DECLINE_ALREADY_PRINTED") >= 3
                        && audited(a, "DECLINE_NIK_ALREADY_PRINTED") >= 1);
                assertEquals(4, a.printedRecords().size(), "the 3 offered records and the older one; nothing twice");
                assertEquals(4, a.store.ledger().size(), "no blank used for a record offered again");
                assertTrue(server.center().resident(r0.nik()).held().contains("NIK_ALREADY_PRINTED"), server.center().resident(r0.nik()).held());
            }
            // The station comes back with reporting on: its CARD_PRINTED events reach the data center, which
            // lifts the holds of the three records; the NIK printed under another record stays held for a person.
            try (TestStation a = new TestStation("ST-A", dir.resolve("a"), server.uri(), null, Optional.of("token-a-123456"), keys, FAST, Duration.ZERO).start()) {
                await("three CARD_PRINTED", Duration.ofSeconds(30), () -> printedAtCentral(server) == 3);
                assertEquals(1, server.center().heldCount());
                assertEquals(4, a.store.ledger().size());
            }
        }
    }

    @Test
    void anOrderlyStopHandsBackUnstartedRecordsAndTheyCanBeLeasedAgain() throws Exception {
        Map<String, String> tokens = Map.of("ST-A", "token-a-123456");
        try (CentralServer server = CentralServer.start(new CentralServer.Options(new InetSocketAddress("127.0.0.1", 0), dir.resolve("central"),
                35, 10, 0.0, 1e7, Duration.ofSeconds(60), null, tokens))) {
            Path keys = trustedKeys(server);
            await("10 ready", Duration.ofSeconds(20), () -> server.center().readyCount() == 10);
            TestStation a = new TestStation("ST-A", dir.resolve("a"), server.uri(), null, Optional.of("token-a-123456"), keys,
                    FAST.withQueueTarget(4), Duration.ZERO).startLinkOnly();
            try {
                // The station stores a record as VALIDATED a moment before its acknowledgement reaches the data center.
                await("a queue of 4, acknowledged", Duration.ofSeconds(20), () -> a.store.countByState().getOrDefault(JobState.VALIDATED, 0L) == 4
                        && server.center().counts().getOrDefault(NationalStatus.SENT_FOR_CARD_PRINTING, 0) == 4);
                assertEquals(4, server.center().activeLeaseCount());
            } finally {
                a.close();
            }
            assertEquals(0, server.center().activeLeaseCount(), "every unstarted lease released");
            assertEquals(10, server.center().readyCount());
            assertEquals(10, server.center().counts().get(NationalStatus.PRINT_READY_RECORD));
            try (TestStation again = new TestStation("ST-A", dir.resolve("a"), server.uri(), null, Optional.of("token-a-123456"), keys,
                    FAST.withQueueTarget(10), Duration.ZERO)) {
                assertEquals(4, again.store.countByState().get(JobState.RELEASED), "the stopped station's jobs are RELEASED");
                assertTrue(again.store.jobs().stream().allMatch(j -> j.state() != JobState.RELEASED || again.store.envelope(j.recordId()).isEmpty()),
                        "a released record's biometrics are not kept");
                again.start();
                await("all 10 printed after the restart", Duration.ofSeconds(30), () -> printedAtCentral(server) == 10);
                assertEquals(10, again.printedRecords().size());
            }
        }
    }
}
