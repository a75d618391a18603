package ktp.sim;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import ktp.job.JobState;
import ktp.sim.demo.DemoRun;
import ktp.store.BlankFate;
import ktp.store.LedgerEntry;
import ktp.store.StationStore;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo drives the station daemon through every simulator on its wire; what it reports must agree with
 * the station's store, the printer's decoded output, the office's archive, the data center and the daily report.
 */
class DemoRunTest {
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    @TempDir
    Path out;

    @Test
    void aDemoWithFaultsAccountsForEveryRecordBlankAndEventAndItsReportAgrees() throws Exception {
        DemoRun.Summary s = new DemoRun(new DemoRun.Options(20, out, 3, true), QUIET).run();

        assertEquals(22, s.recordsIn(), "20 cards plus a defective record after every 10");
        assertEquals(2, s.rejected(), "the defective records are refused");
        assertEquals(20, s.printed(), "every good record printed: " + s);
        assertEquals(s.printed(), s.issued() + s.awaitingHolder() + s.activationFailed(), s.toString());
        assertTrue(s.spoiledBlanks() >= 3, "a jam and a chip fault on every 7th blank: " + s);
        assertTrue(s.activationFailed() >= 2, "an impostor at every 8th holder, an altered chip at the 4th: " + s);

        try (StationStore store = StationStore.open(out.resolve("station"), null, Clock.systemUTC())) {
            assertEquals(DemoRun.STATION_ID, store.stationId());
            assertTrue(store.verifyAudit().intact());
            List<LedgerEntry> ledger = store.ledger();
            Map<BlankFate, Long> fates = ledger.stream().collect(Collectors.groupingBy(LedgerEntry::fate, Collectors.counting()));
            assertEquals(s.issued(), fates.getOrDefault(BlankFate.ISSUED, 0L).intValue());
            assertEquals(s.spoiledBlanks(), fates.getOrDefault(BlankFate.SPOILED, 0L).intValue());
            assertEquals(s.awaitingHolder() + s.activationFailed(), fates.getOrDefault(BlankFate.PRINTED_AWAITING_HOLDER, 0L).intValue());
            assertEquals(0, fates.getOrDefault(BlankFate.IN_PRINTER, 0L).intValue(), "no blank left unaccounted for");
            assertEquals(s.blanksUsed(), ledger.size(), "blanks the printer took = issued + awaiting + spoiled, each in the ledger");
            assertTrue(ledger.stream().filter(e -> e.fate() == BlankFate.SPOILED).anyMatch(e -> e.reason().startsWith("JAM")), "the jam is on record");
            assertTrue(ledger.stream().filter(e -> e.fate() == BlankFate.SPOILED).anyMatch(e -> e.reason().contains("6581")), "a chip fault is on record");
            assertEquals(0, store.outboxDepth(), "every event receipted by the office");
            assertEquals(store.lastEventSequence(), s.eventsPublished());
            assertEquals(s.rejected(), store.countByState().getOrDefault(JobState.REJECTED, 0L).intValue());
        }

        List<String> telemetry = Files.readAllLines(out.resolve("telemetry.jsonl"), StandardCharsets.UTF_8);
        ObjectMapper json = new ObjectMapper();
        Set<Long> sequences = new TreeSet<>();
        for (String line : telemetry) assertTrue(sequences.add(json.readTree(line).get("sequence").asLong()), "once each: " + line);
        assertEquals(s.eventsPublished(), sequences.size());
        assertEquals(s.eventsPublished(), ((TreeSet<Long>) sequences).last().intValue(), "no gap");
        assertEquals(s.issued(), telemetry.stream().filter(l -> l.contains("\"type\":\"CARD_ISSUED\"")).count());
        assertEquals(s.printed(), telemetry.stream().filter(l -> l.contains("\"type\":\"CARD_PRINTED\"")).count());
        assertFalse(telemetry.stream().anyMatch(l -> l.contains("photo") || l.contains("template")), "no biometrics in telemetry");
        assertEquals(s.issued(), s.issuedAtDataCenter(), "the data center heard every CARD_ISSUED");
        assertEquals(s.printed() - s.issued(), s.printedAtDataCenter(), "and every CARD_PRINTED");

        // The reconciliation: blanks in = issued + awaiting holder + spoiled + left in the feeder, the feeder's
        // count taken from the printer simulator, independent of the station's ledger.
        assertEquals(s.blanksLoaded(), s.issued() + s.awaitingHolder() + s.activationFailed() + s.spoiledBlanks() + s.blanksLeftInFeeder(), s.toString());
        assertTrue(s.reconciled(), s.toString());
        try (var files = Files.list(out)) {
            Path rec = files.filter(f -> f.getFileName().toString().startsWith("reconciliation-")).findFirst().orElseThrow();
            try (PDDocument pdf = Loader.loadPDF(rec.toFile())) {
                String text = new PDFTextStripper().getText(pdf);
                assertTrue(text.contains("Blanks in (loaded) " + s.blanksLoaded()), text);
                assertTrue(text.contains("counted in the feeder " + s.blanksLeftInFeeder()), text);
                assertTrue(text.contains("0 (reconciled)"), text);
                try (StationStore store = StationStore.open(out.resolve("station"), null, Clock.systemUTC())) {
                    for (LedgerEntry e : store.ledger()) {
                        if (e.fate() == BlankFate.SPOILED) assertTrue(text.contains(e.blankId()), "spoiled blank " + e.blankId() + " listed for destruction");
                    }
                }
            }
        }

        try (var cards = Files.list(out.resolve("cards"))) {
            assertEquals(2 * s.printed(), cards.count(), "a front and a back per printed card, decoded from the printer's wire");
        }
        JsonNode summary = json.readTree(out.resolve("summary.json").toFile());
        assertEquals(s.issued(), summary.get("issued").asInt());

        Path report;
        try (var files = Files.list(out)) {
            report = files.filter(f -> f.getFileName().toString().startsWith("daily-report-")).findFirst().orElseThrow();
        }
        try (PDDocument pdf = Loader.loadPDF(report.toFile())) {
            String text = new PDFTextStripper().getText(pdf);
            assertTrue(text.contains("Cards printed " + s.printed()), text);
            assertTrue(text.contains("Cards issued " + s.issued()), text);
            assertTrue(text.contains("Activation failed " + s.activationFailed()), text);
            assertTrue(text.contains("Spoiled blanks " + s.spoiledBlanks()), text);
            assertTrue(text.contains("Records refused " + s.rejected()), text);
        }

        IllegalArgumentException again = assertThrows(IllegalArgumentException.class, () -> new DemoRun(new DemoRun.Options(2, out, 3, false), QUIET).run());
        assertTrue(again.getMessage().contains("already holds an earlier demo"), again.getMessage());
        assertEquals(0, ktp.cli.Ktp.commandLine().execute("audit", "verify", "--store", out.resolve("station").toString()));
        assertEquals(0, ktp.cli.Ktp.commandLine().execute("report", "daily", "--store", out.resolve("station").toString(), "--out", out.resolve("again.pdf").toString()));
        assertTrue(Files.size(out.resolve("again.pdf")) > 1000);
    }

    @Test
    void aDemoWithoutFaultsIssuesEveryCard() throws Exception {
        DemoRun.Summary s = new DemoRun(new DemoRun.Options(6, out, 1, false), QUIET).run();
        assertEquals(6, s.recordsIn());
        assertEquals(6, s.issued());
        assertEquals(6, s.blanksUsed());
        assertEquals(0, s.spoiledBlanks() + s.rejected() + s.awaitingHolder() + s.activationFailed());
    }

    /** The same flow through the real PC/SC stack: the blanks' chips in pcscd's vpcd reader, read by javax.smartcardio. */
    @Test
    void aDemoThroughPcscdIssuesEveryCard() throws Exception {
        DemoRun.Summary s;
        try (Pcscd.Slot slot = Pcscd.slot("DemoRunTest.aDemoThroughPcscdIssuesEveryCard")) {
            s = new DemoRun(new DemoRun.Options(3, out, 5, false, null, "127.0.0.1:35963", DemoRun.DEFAULT_SPEED), QUIET).run();
        }
        assertEquals(3, s.issued(), s.toString());
        assertEquals(3, s.blanksUsed());
        assertTrue(Files.readString(out.resolve("station.yaml")).contains("Virtual PCD"));
    }
}
