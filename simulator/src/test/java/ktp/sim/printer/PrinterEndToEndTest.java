package ktp.sim.printer;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import ktp.job.JobState;
import ktp.printer.PrintJob;
import ktp.printer.PrinterDriver;
import ktp.printer.PrinterError;
import ktp.printer.PrinterProfile;
import ktp.printer.link.PrinterLink;
import ktp.record.CardSeal;
import ktp.record.Envelope;
import ktp.record.PrintRecord;
import ktp.record.RecordValidator;
import ktp.record.TrustedKeys;
import ktp.render.CardRenderer;
import ktp.render.CardTemplate;
import ktp.sim.records.DataCenterKey;
import ktp.sim.records.FingerprintLibrary;
import ktp.sim.records.RecordGenerator;
import ktp.station.PrintRunner;
import ktp.station.RecordIntake;
import ktp.store.Actor;
import ktp.store.BlankFate;
import ktp.store.LedgerEntry;
import ktp.store.StationStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The station printing through the real codec and links to the printer simulator: over TCP and over a serial
 * pty pair from socat; the card decoded from the wire equals the renderer's panels; every fault ends in the
 * right job state, ledger entry and operator message, and printing goes on once the cause is gone.
 */
// Each test prints a few cards in seconds; the bound turns a print that waits for ever (a printer error nobody
// clears, with stop = () -> false: a fork run on a loaded machine hung here 15 minutes) into a failure that names it.
@Timeout(value = 180, unit = java.util.concurrent.TimeUnit.SECONDS)
class PrinterEndToEndTest {
    static final Path REPO = Path.of(System.getProperty("ktp.repo", "..")).toAbsolutePath().normalize();
    static PrinterProfile colour;
    static CardRenderer renderer;
    static RecordGenerator generator;
    static DataCenterKey key = DataCenterKey.fromSeed(61);

    @TempDir
    Path dir;

    private final List<AutoCloseable> closing = new CopyOnWriteArrayList<>();
    private final List<String> told = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void load() throws Exception {
        PrinterProfile p = PrinterProfile.load(REPO.resolve("firmware-profiles/printers/evolis-primacy-dual-ymcko.yaml"));
        // Quicker time-outs than a real printer's, so the silent-printer case takes a second, not five.
        colour = new PrinterProfile(p.id(), p.dialect(), p.model(), p.firmwareMin(), p.firmwareMax(), p.dualSided(), p.raster(), p.ribbon(),
                p.panels(), p.overlayHoles(), p.encoderStation(), p.encoderOffsetDots(), p.compressedDownloads(),
                new PrinterProfile.Link(115200, 800, 2000), p.replies(), p.simulator());
        renderer = new CardRenderer(CardTemplate.load(REPO.resolve("templates/ktpel.yaml")));
        generator = new RecordGenerator(61, FingerprintLibrary.embedded(), RecordGenerator.defaultIssueDate(61));
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closing) c.close();
    }

    /** A record stored as VALIDATED, with its card rendered and its print job prepared. */
    private record Card(PrintRecord record, Map<String, BufferedImage> front, Map<String, BufferedImage> back, PrintJob job, ktp.card.ChipPayload chip) {}

    private StationStore store;
    private int next;

    @org.junit.jupiter.api.BeforeEach
    void openStore() throws Exception {
        store = StationStore.open(dir.resolve("store"), "ST-PRN", Clock.systemUTC());
        key.writePublicKey(dir.resolve("keys"));
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    private Card validatedCard() throws Exception {
        PrintRecord r = generator.resident(next++).record();
        Envelope e = key.signRecord(r);
        RecordIntake intake = new RecordIntake(new RecordValidator(TrustedKeys.loadDirectory(dir.resolve("keys")), Clock.systemUTC(), renderer.fitCheck()),
                store, Actor.STATION);
        assertEquals(RecordIntake.Outcome.Kind.VALIDATED, intake.offer(r.recordId(), e.toJson()).kind());
        CardRenderer.RenderedCard card = renderer.render(r, CardSeal.qrText(CardSeal.Contents.of(r, e.keyId()), e.cardSeal()));
        Map<String, BufferedImage> f = renderer.panels(card.side(CardTemplate.Side.FRONT), colour.panelLayout());
        Map<String, BufferedImage> b = renderer.panels(card.side(CardTemplate.Side.BACK), colour.panelLayout());
        Map<Integer, byte[]> dgs = ktp.record.ChipData.dataGroups(r);
        ktp.card.ChipPayload chip = new ktp.card.ChipPayload(dgs, ktp.record.ChipData.securityObject(e.keyId(), ktp.record.ChipData.hashList(dgs), e.chipSeal()));
        return new Card(r, f, b, PrintJob.prepare(r.recordId(), colour, f, b, true), chip);
    }

    private SimulatedPrinter simulator(double speed) {
        return new SimulatedPrinter(colour, speed, dir.resolve("printed"));
    }

    private PrinterSimServer tcp(SimulatedPrinter sim, int port) throws Exception {
        PrinterSimServer s = PrinterSimServer.tcp(sim, new InetSocketAddress("127.0.0.1", port));
        closing.add(s);
        return s;
    }

    private PrintRunner runner(PrinterDriver driver) {
        return new PrintRunner(store, driver, null, Actor.STATION, Duration.ofMillis(50), (error, message) -> told.add(error + " " + message));
    }

    private static void assertSamePixels(BufferedImage expected, BufferedImage actual, String what) {
        assertEquals(expected.getWidth(), actual.getWidth(), what);
        assertEquals(expected.getHeight(), actual.getHeight(), what);
        for (int y = 0; y < expected.getHeight(); y++) {
            for (int x = 0; x < expected.getWidth(); x++) {
                if ((expected.getRGB(x, y) & 0xffffff) != (actual.getRGB(x, y) & 0xffffff)) fail(what + " differs at " + x + "," + y);
            }
        }
    }

    private void assertDecodedCardEqualsRendered(SimulatedPrinter sim, int index, Card card) {
        Map<String, BufferedImage> front = sim.printedFronts().get(index);
        Map<String, BufferedImage> back = sim.printedBacks().get(index);
        assertEquals(card.front().keySet(), front.keySet());
        for (String p : card.front().keySet()) assertSamePixels(card.front().get(p), front.get(p), "front " + p);
        for (String p : card.back().keySet()) assertSamePixels(card.back().get(p), back.get(p), "back " + p);
    }

    @Test
    void overTcpTheCardDecodedFromTheWireIsTheRenderersAndTheLedgerHasTheBlank() throws Exception {
        SimulatedPrinter sim = simulator(1000);
        PrinterSimServer server = tcp(sim, 0);
        PrinterDriver driver = new PrinterDriver(colour, () -> PrinterLink.open("tcp://127.0.0.1:" + server.port(), colour.link()));
        closing.add(driver);
        Card card = validatedCard();
        PrintRunner.Result r = runner(driver).print(card.job(), () -> false);
        assertEquals(JobState.AWAITING_HOLDER, r.state());
        assertEquals(1, sim.printed());
        assertDecodedCardEqualsRendered(sim, 0, card);
        List<LedgerEntry> ledger = store.ledger();
        assertEquals(1, ledger.size());
        assertEquals(BlankFate.PRINTED_AWAITING_HOLDER, ledger.get(0).fate());
        assertTrue(ledger.get(0).blankId().startsWith("PRN-SIM"), ledger.get(0).blankId());
        assertTrue(Files.exists(dir.resolve("printed/card-0001-front.png")) && Files.exists(dir.resolve("printed/card-0001-back.png")));
        assertTrue(card.job().wireBytes() < card.job().uncompressedBytes() / 4,
                "compression: " + card.job().wireBytes() + " of " + card.job().uncompressedBytes() + " bytes");
    }

    @Test
    void overASerialPtyPairFromSocatTheCardArrivesIntact() throws Exception {
        Path a = dir.resolve("printer-side");
        Path b = dir.resolve("station-side");
        Process socat;
        try {
            socat = new ProcessBuilder("socat", "-d", "-d", "pty,raw,echo=0,link=" + a, "pty,raw,echo=0,link=" + b)
                    .redirectErrorStream(true).redirectOutput(dir.resolve("socat.log").toFile()).start();
        } catch (java.io.IOException e) {
            throw new AssertionError("socat is missing: install Debian's socat (./ktp test does)", e);
        }
        closing.add(() -> {
            socat.destroy();
            socat.waitFor(5, TimeUnit.SECONDS);
        });
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!(Files.exists(a) && Files.exists(b)) && System.nanoTime() < deadline) Thread.sleep(20);
        assertTrue(Files.exists(a) && Files.exists(b), "socat made no pty pair: " + Files.readString(dir.resolve("socat.log")));
        SimulatedPrinter sim = simulator(1000);
        closing.add(PrinterSimServer.serial(sim, a.toRealPath().toString(), 115200));
        PrinterDriver driver = new PrinterDriver(colour, () -> PrinterLink.open("serial:" + b.toRealPath() + "?baud=115200", colour.link()));
        closing.add(driver);
        Card card = validatedCard();
        assertEquals(JobState.AWAITING_HOLDER, runner(driver).print(card.job(), () -> false).state());
        assertDecodedCardEqualsRendered(sim, 0, card);
    }

    /** Runs a print in the background; the test plays the operator. */
    private CompletableFuture<PrintRunner.Result> printInBackground(PrintRunner runner, PrintJob job, AtomicBoolean stop) {
        return CompletableFuture.supplyAsync(() -> runner.print(job, stop::get));
    }

    private void awaitPaused(String error) throws InterruptedException {
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (store.auditLog().stream().noneMatch(e -> e.action().equals("PRINTER_PAUSED") && e.detail().startsWith(error))) {
            if (System.nanoTime() > deadline) fail("the printer never paused for " + error + "; audit: " + store.auditLog());
            Thread.sleep(20);
        }
    }

    private PrinterDriver tcpDriver(PrinterSimServer server) {
        PrinterDriver d = new PrinterDriver(colour, () -> PrinterLink.open("tcp://127.0.0.1:" + server.port(), colour.link()));
        closing.add(d);
        return d;
    }

    @Test
    void ribbonOutSpoilsTheCardInsideAndPrintingResumesWhenTheRibbonIsReplaced() throws Exception {
        SimulatedPrinter sim = simulator(1000);
        sim.ribbonOutAfter(1);
        PrinterDriver driver = tcpDriver(tcp(sim, 0));
        PrintRunner runner = runner(driver);
        assertEquals(JobState.AWAITING_HOLDER, runner.print(validatedCard().job(), () -> false).state());
        Card second = validatedCard();
        AtomicBoolean stop = new AtomicBoolean();
        var result = printInBackground(runner, second.job(), stop);
        awaitPaused("RIBBON_OUT");
        assertEquals(JobState.VALIDATED, store.job(second.record().recordId()).orElseThrow().state(), "requeued while the ribbon is out");
        LedgerEntry spoiled = store.ledger().stream().filter(e -> e.recordId().equals(second.record().recordId())).findFirst().orElseThrow();
        assertEquals(BlankFate.SPOILED, spoiled.fate());
        assertTrue(spoiled.reason().contains("RIBBON_OUT") && spoiled.reason().contains("reject box"), spoiled.reason());
        assertTrue(told.stream().anyMatch(t -> t.contains("Ribbon finished: replace the ribbon")), told.toString());
        assertEquals(1, sim.rejected(), "the spoiled card went to the reject box");
        sim.console("ribbon 100");
        assertEquals(JobState.AWAITING_HOLDER, result.get(20, TimeUnit.SECONDS).state());
        assertEquals(2, store.ledger().stream().filter(e -> e.recordId().equals(second.record().recordId())).count(), "one spoiled, one printed");
    }

    @Test
    void anEmptyFeederWaitsWithoutSpoilingAnythingAndGoesOnWhenLoaded() throws Exception {
        SimulatedPrinter sim = simulator(1000);
        sim.setFeeder(0);
        PrintRunner runner = runner(tcpDriver(tcp(sim, 0)));
        Card card = validatedCard();
        AtomicBoolean stop = new AtomicBoolean();
        var result = printInBackground(runner, card.job(), stop);
        awaitPaused("FEEDER_EMPTY");
        assertEquals(JobState.VALIDATED, store.job(card.record().recordId()).orElseThrow().state());
        assertEquals(0, store.ledger().size(), "no blank entered the printer");
        assertTrue(told.stream().anyMatch(t -> t.contains("load blank cards")), told.toString());
        sim.console("feeder 10");
        assertEquals(JobState.AWAITING_HOLDER, result.get(20, TimeUnit.SECONDS).state());
        assertEquals(1, store.ledger().size());
    }

    @Test
    void aJamSpoilsTheCardAndTheReprintWaitsUntilTheJamIsCleared() throws Exception {
        SimulatedPrinter sim = simulator(1000);
        sim.jamAtCard(1);
        PrintRunner runner = runner(tcpDriver(tcp(sim, 0)));
        Card card = validatedCard();
        var result = printInBackground(runner, card.job(), new AtomicBoolean());
        awaitPaused("JAM");
        LedgerEntry jammed = store.ledger().get(0);
        assertEquals(BlankFate.SPOILED, jammed.fate());
        assertTrue(jammed.reason().contains("JAM") && jammed.reason().contains("by hand"), jammed.reason());
        assertTrue(told.stream().anyMatch(t -> t.contains("Card jam")), told.toString());
        Thread.sleep(200);
        assertFalse(result.isDone(), "nothing prints while the jam is there");
        sim.console("clear");
        assertEquals(JobState.AWAITING_HOLDER, result.get(20, TimeUnit.SECONDS).state());
        assertEquals(List.of(BlankFate.PRINTED_AWAITING_HOLDER, BlankFate.SPOILED), store.ledger().stream().map(LedgerEntry::fate).sorted().toList());
    }

    @Test
    void anOpenCoverPausesAndClosingItResumes() throws Exception {
        SimulatedPrinter sim = simulator(1000);
        sim.setCoverOpen(true);
        PrintRunner runner = runner(tcpDriver(tcp(sim, 0)));
        Card card = validatedCard();
        var result = printInBackground(runner, card.job(), new AtomicBoolean());
        awaitPaused("COVER_OPEN");
        assertTrue(told.stream().anyMatch(t -> t.contains("close the printer's cover")), told.toString());
        sim.console("cover close");
        assertEquals(JobState.AWAITING_HOLDER, result.get(20, TimeUnit.SECONDS).state());
    }

    @Test
    void aGarbageReplyOrSilenceIsATimeOutWithTheBytesInHexNeverAHang() throws Exception {
        SimulatedPrinter sim = simulator(1000);
        PrintRunner runner = runner(tcpDriver(tcp(sim, 0)));
        sim.garbageNext(1);
        Card card = validatedCard();
        long t0 = System.nanoTime();
        assertEquals(JobState.AWAITING_HOLDER, runner.print(card.job(), () -> false).state());
        String paused = store.auditLog().stream().filter(e -> e.action().equals("PRINTER_PAUSED")).findFirst().orElseThrow().detail();
        assertTrue(paused.startsWith("NO_ANSWER") && paused.matches(".*garbage reply ([0-9A-F]{2} ){6}0D.*"), paused);

        sim.silenceNext(1);
        Card second = validatedCard();
        assertEquals(JobState.AWAITING_HOLDER, runner.print(second.job(), () -> false).state());
        String silent = store.auditLog().stream().filter(e -> e.action().equals("PRINTER_PAUSED")).reduce((x, y) -> y).orElseThrow().detail();
        assertTrue(silent.contains("no complete reply within 800 ms"), silent);
        assertTrue((System.nanoTime() - t0) / 1e9 < 20, "no hang");
    }

    @Test
    void aDisconnectedPrinterPausesTheQueueAndItGoesOnWhenThePrinterReturns() throws Exception {
        SimulatedPrinter sim = simulator(1000);
        PrinterSimServer server = tcp(sim, 0);
        int port = server.port();
        PrinterDriver driver = new PrinterDriver(colour, () -> PrinterLink.open("tcp://127.0.0.1:" + port, colour.link()));
        closing.add(driver);
        PrintRunner runner = runner(driver);
        assertEquals(JobState.AWAITING_HOLDER, runner.print(validatedCard().job(), () -> false).state());
        server.close();
        Card card = validatedCard();
        var result = printInBackground(runner, card.job(), new AtomicBoolean());
        awaitPaused("NO_ANSWER");
        assertEquals(JobState.VALIDATED, store.job(card.record().recordId()).orElseThrow().state());
        assertTrue(told.stream().anyMatch(t -> t.contains("does not answer")), told.toString());
        tcp(sim, port);
        assertEquals(JobState.AWAITING_HOLDER, result.get(20, TimeUnit.SECONDS).state());
        assertEquals(2, sim.printed());
    }

    @Test
    void aHotHeadDelaysThePanelWithoutSpoilingAndAFullRejectBoxWaitsToBeEmptied() throws Exception {
        SimulatedPrinter sim = simulator(1000);
        PrintRunner runner = runner(tcpDriver(tcp(sim, 0)));
        sim.headHotNext(2);
        Card card = validatedCard();
        assertEquals(JobState.AWAITING_HOLDER, runner.print(card.job(), () -> false).state());
        assertEquals(1, store.ledger().size(), "no blank spoiled by the heat");
        assertDecodedCardEqualsRendered(sim, 0, card);

        sim.setHopperFull(true);
        Card second = validatedCard();
        var result = printInBackground(runner, second.job(), new AtomicBoolean());
        awaitPaused("REJECT_BOX_FULL");
        assertTrue(told.stream().anyMatch(t -> t.contains("Reject box full")), told.toString());
        sim.console("hopper empty");
        assertEquals(JobState.AWAITING_HOLDER, result.get(20, TimeUnit.SECONDS).state());
    }

    @Test
    void theChipIsEncodedBeforePrintingSoABadChipWastesNoRibbon() throws Exception {
        SimulatedPrinter sim = simulator(1000);
        PrinterDriver driver = tcpDriver(tcp(sim, 0));
        List<String> encoded = new CopyOnWriteArrayList<>();
        int[] calls = {0};
        ktp.printer.ChipStation chip = recordId -> {
            calls[0]++;
            if (calls[0] == 1) throw new ktp.printer.ChipStation.ChipFailure("04A1B2C3D4E5F6", "read-back of DG2 differs");
            encoded.add(recordId);
            return "04A1B2C3D4E5F7";
        };
        PrintRunner runner = new PrintRunner(store, driver, chip, Actor.STATION, Duration.ofMillis(50), (e, m) -> told.add(e + " " + m));
        int ribbonBefore = sim.ribbon();
        Card card = validatedCard();
        PrintRunner.Result r = runner.print(card.job(), () -> false);
        assertEquals(JobState.AWAITING_HOLDER, r.state());
        assertEquals("04A1B2C3D4E5F7", r.blankId(), "the chip's UID is the blank's id");
        LedgerEntry bad = store.ledger().stream().filter(e -> e.blankId().equals("04A1B2C3D4E5F6")).findFirst().orElseThrow();
        assertEquals(BlankFate.SPOILED, bad.fate());
        assertTrue(bad.reason().contains("chip: read-back of DG2 differs"), bad.reason());
        assertEquals(1, sim.rejected());
        assertEquals(1, sim.printed());
        assertEquals(ribbonBefore - 1, sim.ribbon(), "one ribbon panel set used: the bad chip's card was never printed");
        assertEquals(List.of(card.record().recordId()), encoded);
    }

    @Test
    void aFileLinkWritesTheExactStreamTheSimulatorWouldDecode() throws Exception {
        Card card = validatedCard();
        Path file = dir.resolve("job.bin");
        PrinterDriver driver = new PrinterDriver(colour, () -> PrinterLink.open("file:" + file, colour.link()));
        assertEquals(JobState.AWAITING_HOLDER, runner(driver).print(card.job(), () -> false).state());
        driver.close();
        byte[] stream = Files.readAllBytes(file);
        SimulatedPrinter sim = simulator(1000);
        List<byte[]> replies = sim.receive(stream, stream.length);
        assertTrue(replies.stream().allMatch(r -> new String(r, java.nio.charset.StandardCharsets.US_ASCII).equals("OK\r")), "every command accepted");
        assertEquals(1, sim.printed());
        assertDecodedCardEqualsRendered(sim, 0, card);
        String head = new String(stream, 0, 40, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(head.startsWith("\u001bPem;2\r\u001bPr;ymcko\r\u001bSs\r\u001bSr\r\u001bDbc;y;64;"), head);
    }

    @Test
    void theEncoderPersonalizesEachBlankAtTheContactStationThroughPcscAndABadChipGoesToTheRejectBox() throws Exception {
        SimulatedPrinter sim = simulator(1000);
        ktp.card.CardProfile profile = ktp.sim.card.VirtualCards.profile();
        byte[] master = java.util.HexFormat.of().parseHex("A1A2A3A4A5A6A7A8A9AAABACADAEAFB0");
        ktp.sim.card.CardSlot slot = new ktp.sim.card.CardSlot();
        // The first blank's chip fails its writes (6581, memory failure); the second is sound.
        ktp.sim.card.BlankStock stock = new ktp.sim.card.BlankStock(slot, n -> {
            ktp.sim.card.VirtualCard c = ktp.sim.card.VirtualCards.blank(profile, n, java.util.Optional.of(master));
            if (n == 1) c.failWritesWith(0x6581);
            return c;
        });
        sim.attachContactStation(stock);
        Card card = validatedCard();
        ktp.card.ChipEncoder encoder = new ktp.card.ChipEncoder(ktp.sim.card.InProcessReaders.factory(slot), "KTP Virtual", profile,
                ktp.card.CardKeys.master(profile, master), Duration.ofSeconds(2),
                id -> id.equals(card.record().recordId()) ? java.util.Optional.of(card.chip()) : java.util.Optional.empty());
        PrintRunner runner = new PrintRunner(store, tcpDriver(tcp(sim, 0)), ktp.station.EncoderStep.of(encoder), Actor.STATION, Duration.ofMillis(50), (e, m) -> told.add(e + " " + m));
        PrintRunner.Result r = runner.print(card.job(), () -> false);

        assertEquals(JobState.AWAITING_HOLDER, r.state());
        List<ktp.sim.card.VirtualCard> blanks = stock.issued();
        assertEquals(2, blanks.size());
        String firstUid = java.util.HexFormat.of().withUpperCase().formatHex(blanks.get(0).uid());
        String secondUid = java.util.HexFormat.of().withUpperCase().formatHex(blanks.get(1).uid());
        assertEquals(secondUid, r.blankId(), "the chip's UID is the blank's id in the ledger");
        LedgerEntry bad = store.ledger().stream().filter(e -> e.blankId().equals(firstUid)).findFirst().orElseThrow();
        assertEquals(BlankFate.SPOILED, bad.fate());
        assertTrue(bad.reason().contains("chip: writing DG1: the chip answered 6581"), bad.reason());
        assertEquals(ktp.card.KtpelApplet.State.PERSONALIZED, blanks.get(1).state());
        assertEquals(1, sim.rejected());
        assertEquals(1, sim.printed());
        assertTrue(slot.card().isEmpty(), "the printed card left the contact station");
        assertTrue(encoder.lastResult().orElseThrow().apdus() > 50);
    }
}
