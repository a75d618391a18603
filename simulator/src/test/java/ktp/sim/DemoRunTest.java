package ktp.sim;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import ktp.job.JobState;
import ktp.sim.demo.DemoRun;
import ktp.store.BlankFate;
import ktp.store.LedgerEntry;
import ktp.store.StationStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoRunTest {
    @TempDir
    Path out;

    @Test
    void aDemoWithFaultsAccountsForEveryRecordBlankAndEvent() throws Exception {
        DemoRun.Summary s = new DemoRun(new DemoRun.Options(20, out, 3, true), new java.io.PrintStream(java.io.OutputStream.nullOutputStream())).run();

        assertEquals(22, s.recordsIn(), "20 cards plus one faulty record in every 10");
        assertEquals(2, s.rejected());
        assertEquals(s.recordsIn(), s.issued() + s.rejected() + s.awaitingHolder() + s.activationFailed(), s.toString());
        assertTrue(s.spoiledBlanks() >= 2, "a chip fault on every 7th blank: " + s);
        assertTrue(s.activationFailed() >= 1, "an impostor at every 8th holder: " + s);

        try (StationStore store = StationStore.open(out.resolve("station"), null, Clock.systemUTC())) {
            assertEquals(DemoRun.STATION_ID, store.stationId());
            assertTrue(store.verifyAudit().intact());
            List<LedgerEntry> ledger = store.ledger();
            Map<BlankFate, Long> fates = ledger.stream().collect(Collectors.groupingBy(LedgerEntry::fate, Collectors.counting()));
            assertEquals(s.issued(), fates.getOrDefault(BlankFate.ISSUED, 0L).intValue());
            assertEquals(s.spoiledBlanks(), fates.getOrDefault(BlankFate.SPOILED, 0L).intValue());
            assertEquals(s.awaitingHolder() + s.activationFailed(), fates.getOrDefault(BlankFate.PRINTED_AWAITING_HOLDER, 0L).intValue());
            assertEquals(0, fates.getOrDefault(BlankFate.IN_PRINTER, 0L).intValue(), "no blank left unaccounted for");
            assertEquals(s.issued() + s.spoiledBlanks() + s.awaitingHolder() + s.activationFailed(), ledger.size(), "blanks in = issued + awaiting + spoiled");
            assertEquals(0, store.outboxDepth(), "everything published");
            assertEquals(store.lastEventSequence(), s.eventsPublished());
            assertEquals(s.rejected(), store.countByState().getOrDefault(JobState.REJECTED, 0L).intValue());
        }

        List<String> telemetry = Files.readAllLines(out.resolve("telemetry.jsonl"), StandardCharsets.UTF_8);
        assertEquals(s.eventsPublished(), telemetry.size());
        for (int i = 0; i < telemetry.size(); i++) assertTrue(telemetry.get(i).contains("\"sequence\":" + (i + 1) + ","), "in order, once each: " + telemetry.get(i));
        assertEquals(s.issued(), telemetry.stream().filter(l -> l.contains("\"type\":\"CARD_ISSUED\"")).count());
        assertEquals(s.spoiledBlanks(), telemetry.stream().filter(l -> l.contains("\"type\":\"CARD_SPOILED\"")).count());
        assertFalse(telemetry.stream().anyMatch(l -> l.contains("photo") || l.contains("template")), "no biometrics in telemetry");
        try (var cards = Files.list(out.resolve("cards"))) {
            assertEquals(2 * (s.issued() + s.awaitingHolder() + s.activationFailed()), cards.count(), "a front and a back per printed card");
        }
        var summary = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertEquals(s.issued(), summary.get("issued").asInt());

        IllegalArgumentException again = assertThrows(IllegalArgumentException.class,
                () -> new DemoRun(new DemoRun.Options(2, out, 3, false), System.out).run());
        assertTrue(again.getMessage().contains("already holds a station store"));
        assertEquals(0, ktp.cli.Ktp.commandLine().execute("audit", "verify", "--store", out.resolve("station").toString()));
    }

    @Test
    void aDemoWithoutFaultsIssuesEveryCard() throws Exception {
        DemoRun.Summary s = new DemoRun(new DemoRun.Options(6, out, 1, false), new java.io.PrintStream(java.io.OutputStream.nullOutputStream())).run();
        assertEquals(6, s.recordsIn());
        assertEquals(6, s.issued());
        assertEquals(0, s.spoiledBlanks() + s.rejected() + s.awaitingHolder() + s.activationFailed());
    }
}
