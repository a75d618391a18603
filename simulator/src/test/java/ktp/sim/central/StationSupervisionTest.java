package ktp.sim.central;

import static org.junit.jupiter.api.Assertions.*;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import javax.smartcardio.TerminalFactory;
import ktp.card.CardProfile;
import ktp.datafile.DataFileException;
import ktp.job.JobState;
import ktp.printer.PrinterProfile;
import ktp.render.CardRenderer;
import ktp.render.CardTemplate;
import ktp.sim.SharedBroker;
import ktp.sim.card.BlankStock;
import ktp.sim.card.CardSlot;
import ktp.sim.card.InProcessReaders;
import ktp.sim.card.VirtualCards;
import ktp.sim.printer.PrinterSimServer;
import ktp.sim.printer.SimulatedPrinter;
import ktp.station.LaneState;
import ktp.station.PrintLane;
import ktp.station.StationConfig;
import ktp.station.StationDaemon;
import ktp.station.StationHealth;
import ktp.store.Actor;
import ktp.store.AuditEntry;
import ktp.store.Job;
import ktp.store.LedgerEntry;
import ktp.store.Role;
import ktp.telemetry.BrokerSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The faults a technician found by hand and no script had tried (issue 15): each reproduced against the real
 * simulators on their wires, each failing on the daemon before supervision. The checks read the store, the
 * ledger, the printer simulator's own counters and the data center, not the daemon's word.
 */
class StationSupervisionTest {
    private static final Path REPO = Path.of(System.getProperty("ktp.repo", "..")).toAbsolutePath().normalize();
    private static final byte[] MASTER = java.util.HexFormat.of().parseHex("0A1B2C3D4E5F60718293A4B5C6D7E8F9");
    private static final Actor TECHNICIAN = new Actor("tech-ani", Role.TECHNICIAN);

    @TempDir
    Path dir;

    /** A station against the simulators: the data center with {@code records} ready, one printer, the given readers. */
    private final class Rig implements AutoCloseable {
        final String station = ktp.telemetry.SharedBrokerLogins.station("ST-S");
        final CentralServer central;
        final SimulatedPrinter printer;
        final PrinterSimServer server;
        final BlankStock stock;
        final StationDaemon daemon;

        Rig(int records, String profileId, boolean chipless, boolean withReader, boolean trustCentral, PrintLane.Settings lanes,
            java.util.function.Consumer<SimulatedPrinter> setup) throws Exception {
            this(records, profileId, chipless, withReader, trustCentral, lanes, setup, Clock.systemUTC(), SharedBroker.url(), 50, (store, serial, id) -> { });
        }

        /**
         * {@code clock}: the daemon's; {@code broker}: its MQTT broker; {@code loaded}: blanks recorded as loaded after the start
         * (0: none); {@code beforeStart}: given the store's folder and the printer's serial before the daemon opens it.
         */
        Rig(int records, String profileId, boolean chipless, boolean withReader, boolean trustCentral, PrintLane.Settings lanes,
            java.util.function.Consumer<SimulatedPrinter> setup, Clock clock, String broker, int loaded,
            BeforeStart beforeStart) throws Exception {
            String token = "token-of-" + station;
            central = CentralServer.start(new CentralServer.Options(new InetSocketAddress("127.0.0.1", 0), dir.resolve("central"), 77, records, 0.0, 1e7,
                    Duration.ofSeconds(120), null, Map.of(station, token)));
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (central.center().readyCount() < records && System.nanoTime() < deadline) Thread.sleep(50);
            Path keys = dir.resolve("station/trusted-keys");
            if (trustCentral) central.key().writePublicKey(keys);
            else ktp.sim.records.DataCenterKey.fromSeed(12345).writePublicKey(keys); // a key, but not the one the data center signs with
            PrinterProfile profile = PrinterProfile.load(REPO.resolve("firmware-profiles/printers/" + profileId + ".yaml"));
            printer = new SimulatedPrinter(profile, 1000, null);
            printer.console("feeder 50");
            setup.accept(printer);
            CardProfile cards = VirtualCards.profile();
            CardSlot slot = new CardSlot();
            stock = new BlankStock(slot, n -> VirtualCards.blank(cards, n, Optional.of(MASTER)));
            if (!profile.encoderStation().equals("none")) printer.attachContactStation(stock);
            server = PrinterSimServer.tcp(printer, new InetSocketAddress("127.0.0.1", 0));
            Path config = writeConfig(token, central.uri().getPort(), server.port(), profileId, chipless, broker);
            beforeStart.accept(dir.resolve("station/store"), printer.serial(), station);
            StationConfig cfg = StationConfig.load(config, REPO.resolve("firmware-profiles"));
            CardRenderer renderer = new CardRenderer(CardTemplate.load(REPO.resolve("templates/ktpel.yaml")));
            TerminalFactory readers = withReader ? InProcessReaders.factory(slot) : InProcessReaders.factory(List.<CardSlot>of());
            daemon = new StationDaemon(cfg, renderer, readers, clock).withLaneSettings(lanes).start();
            if (loaded > 0) daemon.store().blanksLoaded(loaded, "feeder of P1 at the start of the test", new Actor("op", Role.OPERATOR));
        }

        private Path writeConfig(String token, int centralPort, int printerPort, String profile, boolean chipless, String broker) throws Exception {
            Path base = dir.resolve("station");
            Files.createDirectories(base.resolve("keys"));
            Files.writeString(base.resolve("keys/token.txt"), token);
            Files.writeString(base.resolve("keys/issuer-master.hex"), java.util.HexFormat.of().formatHex(MASTER));
            // Signed telemetry (docs/telemetry.md): the station's own key and the office keys it obeys.
            ktp.sim.TelemetryTestKeys.at(dir.resolve("telemetry-office")).stationFiles(base, station);
            Path f = base.resolve("station.yaml");
            Files.writeString(f, """
                    station: { id: %s, store: store }
                    central: { url: "http://127.0.0.1:%d", plain_http: true, token_file: keys/token.txt }
                    trusted_keys: trusted-keys
                    printers:
                      - { name: P1, uri: "tcp://127.0.0.1:%d", profile: %s%s }
                    encoder: { reader: "KTP Virtual", card_profile: ktpel-virtual, master_key: keys/issuer-master.hex, insert_wait_s: 2 }
                    scanner: { uri: "tcp://127.0.0.1:1", profile: r307 }
                    telemetry: { broker: "%s"%s, health_every_s: 5, signing_key: keys/telemetry-signing.key, office_keys: office-keys }
                    """.formatted(station, centralPort, printerPort, profile, chipless ? ", chipless: true" : "", broker, ktp.telemetry.SharedBrokerLogins.yaml(station)));
            return f;
        }

        long printed() {
            return daemon.store().jobs().stream().filter(j -> j.state() == JobState.AWAITING_HOLDER).count();
        }

        LaneState lane() { return daemon.lane("P1").state(); }

        @Override
        public void close() throws Exception {
            daemon.close();
            server.close();
            central.close();
        }
    }

    private static void await(String what, Duration limit, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) fail("not within " + limit.toSeconds() + " s: " + what);
            Thread.sleep(50);
        }
    }

    private static PrintLane.Settings fast() {
        return PrintLane.Settings.defaults().withBackoff(Duration.ofMillis(200), Duration.ofSeconds(1)).withHandBackAfter(Duration.ofSeconds(60));
    }

    @Test
    void aChiplessPrinterJamsIsClearedAndGoesOnWithEveryBlankIdUniqueInTheLedger() throws Exception {
        try (Rig rig = new Rig(5, "evolis-zenius-mono", true, true, true, fast(), p -> p.jamAtCard(2))) {
            // The technician clears the jam the way the printer's own console does.
            Thread technician = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    if (rig.printer.jammed()) rig.printer.clearJam();
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            technician.setDaemon(true);
            technician.start();
            try {
                await("5 chipless cards printed after the jam: " + rig.daemon.store().countByState() + " lane " + rig.lane(), Duration.ofSeconds(60), () -> rig.printed() == 5);
            } finally {
                technician.interrupt();
            }
            List<LedgerEntry> ledger = rig.daemon.store().ledger();
            Set<String> ids = new HashSet<>();
            for (LedgerEntry e : ledger) assertTrue(ids.add(e.blankId()), "a blank id is never given twice: " + e.blankId());
            assertEquals(rig.printer.printed() + rig.printer.rejected(), ledger.size(), "every card the printer took is in the ledger (printed + rejected)");
            assertEquals(1, rig.printer.rejected(), "the jammed card");
            assertNotEquals(LaneState.Kind.FAULTED, rig.lane().kind());
            assertTrue(ledger.stream().allMatch(e -> e.blankId().startsWith("NOCHIP-")), "a chipless card says so in its blank id: " + ids);
            assertEquals(5, rig.daemon.store().auditLog().stream().filter(a -> a.action().equals("CHIPLESS_CARD")).count(), "every chipless card is flagged");
            // Validated once (Deliver 6): each record's first card was made from the record as the intake validated it; only the
            // jammed record's second card, made from the store after the requeue, was checked again.
            assertEquals(5, rig.daemon.preparation().preparedWithoutRevalidation());
        }
    }

    @Test
    void aPrinterWithoutAnEncoderIsRefusedForKtpElUnlessTheConfigurationSaysChipless() throws Exception {
        Path base = Files.createDirectories(dir.resolve("cfg"));
        ktp.sim.records.DataCenterKey.fromSeed(1).writePublicKey(base.resolve("trusted-keys"));
        Files.writeString(base.resolve("token.txt"), "t");
        ktp.sim.TelemetryTestKeys.at(dir.resolve("telemetry-office")).stationFiles(base, "ST-X");
        Path f = base.resolve("station.yaml");
        Files.writeString(f, """
                station: { id: ST-X, store: store }
                central: { url: "http://127.0.0.1:1", plain_http: true, token_file: token.txt }
                trusted_keys: trusted-keys
                printers:
                  - { name: P1, uri: "tcp://127.0.0.1:2", profile: evolis-zenius-mono }
                encoder: { reader: "KTP", card_profile: ktpel-virtual }
                scanner: { uri: "tcp://127.0.0.1:1", profile: r307 }
                telemetry: { broker: "tcp://127.0.0.1:1883", signing_key: keys/telemetry-signing.key, office_keys: office-keys }
                """);
        DataFileException e = assertThrows(DataFileException.class, () -> StationConfig.load(f, REPO.resolve("firmware-profiles")));
        assertTrue(e.getMessage().contains("chipless: true") && e.getMessage().contains("profile"), e.getMessage());
        Files.writeString(f, Files.readString(f).replace("profile: evolis-zenius-mono }", "profile: evolis-zenius-mono, chipless: true }"));
        assertTrue(StationConfig.load(f, REPO.resolve("firmware-profiles")).printers().get(0).chipless());
    }

    @Test
    void aMissingEncoderReaderPausesTheLaneWithItsReasonAndSpendsNoBlank() throws Exception {
        try (Rig rig = new Rig(3, "evolis-primacy-dual-ymcko", false, false, true, fast(), p -> { })) {
            await("three records queued", Duration.ofSeconds(20), () -> rig.daemon.store().queueDepth() >= 3);
            await("the lane paused for the reader", Duration.ofSeconds(10), () -> rig.lane().kind() == LaneState.Kind.PAUSED);
            Thread.sleep(3_000); // time enough to have spoiled three blanks before
            assertEquals(LaneState.Kind.PAUSED, rig.lane().kind(), rig.lane().toString());
            assertEquals("ENCODER_NOT_READY", rig.lane().code());
            assertTrue(rig.lane().detail().contains("no PC/SC reader"), rig.lane().detail());
            assertEquals(0, rig.printer.printed() + rig.printer.rejected(), "no blank left the feeder");
            assertTrue(rig.daemon.store().ledger().isEmpty(), "no blank in the ledger");
            StationHealth h = rig.daemon.health();
            assertTrue(h.hasAlert(StationHealth.READER_MISSING), h.alerts().toString());
            assertFalse(h.ready());
            assertEquals("ENCODER_NOT_READY", rig.daemon.publisher().health().printerStatus(), "the health message says it too");
            assertFalse(rig.daemon.publisher().health().readerPresent());
        }
    }

    @Test
    void aCoverOpenedWhileIdleIsAnAlertInHealthAndOnThePrinterPage() throws Exception {
        try (Rig rig = new Rig(1, "evolis-primacy-dual-ymcko", false, true, true, fast(), p -> { })) {
            await("the one card printed", Duration.ofSeconds(30), () -> rig.printed() == 1);
            await("the lane idle and READY", Duration.ofSeconds(5), () -> rig.lane().kind() == LaneState.Kind.READY);
            assertFalse(rig.daemon.health().hasAlert(StationHealth.COVER_OPEN));
            rig.printer.setCoverOpen(true);
            await("the open cover seen while idle", Duration.ofSeconds(5), () -> rig.daemon.health().hasAlert(StationHealth.COVER_OPEN));
            assertEquals("COVER_OPEN", rig.daemon.publisher().health().printerStatus());
            StationDaemon.PrinterView v = rig.daemon.printerView();
            assertEquals(ktp.printer.PrinterError.COVER_OPEN, v.alert(), "the console's printer page shows the alert from the same lane state");
            assertEquals("COVER_OPEN", v.state());
            // ktp station status, from the running daemon's status file: the same lane state.
            await("the status file says so", Duration.ofSeconds(6), () -> ktp.sim.KtpRun.of("station", "status", "--config", rig.daemon.config().file().toString()).out().contains("PERINGATAN COVER_OPEN"));
            ktp.sim.KtpRun st = ktp.sim.KtpRun.of("station", "status", "--config", rig.daemon.config().file().toString());
            assertEquals(1, st.exit(), st.out() + st.err());
            assertTrue(st.out().contains("dari daemon") && st.out().contains("PAUSED COVER_OPEN") && st.out().contains("Penutup terbuka"), st.out());
            rig.printer.setCoverOpen(false);
            await("the closed cover seen", Duration.ofSeconds(5), () -> rig.lane().kind() == LaneState.Kind.READY);
            assertFalse(rig.daemon.health().hasAlert(StationHealth.COVER_OPEN));
            await("status READY again", Duration.ofSeconds(6), () -> ktp.sim.KtpRun.of("station", "status", "--config", rig.daemon.config().file().toString()).exit() == 0);
            rig.daemon.close();
            ktp.sim.KtpRun stopped = ktp.sim.KtpRun.of("station", "status", "--config", rig.daemon.config().file().toString());
            assertEquals(1, stopped.exit());
            assertTrue(stopped.out().contains("dari penyimpanan") && stopped.out().contains("DAEMON_STOPPED") && stopped.out().contains("printer P1: STOPPED"), stopped.out());
        }
    }

    @Test
    void aRecordSignedWithAKeyNotYetTrustedIsHeldThenPrintedAfterTheKeysAreReloaded() throws Exception {
        try (Rig rig = new Rig(2, "evolis-primacy-dual-ymcko", false, true, false, fast(), p -> { })) {
            await("both records declined and held at the data center", Duration.ofSeconds(20), () -> rig.central.center().heldCount() == 2);
            assertTrue(rig.daemon.store().jobs().isEmpty(), "nothing stored against them, REJECTED least of all: " + rig.daemon.store().jobs());
            assertEquals(2, rig.daemon.store().auditLog().stream().filter(a -> a.action().equals("HELD_UNKNOWN_KEY")).count());
            // The technician installs the data center's new key and reloads (the console's action and SIGHUP both come here).
            rig.central.key().writePublicKey(rig.daemon.config().trustedKeys());
            Set<String> now = rig.daemon.reloadTrustedKeys(TECHNICIAN);
            assertTrue(now.contains(rig.central.key().keyId()), now.toString());
            AuditEntry reload = rig.daemon.store().auditLog().stream().filter(a -> a.action().equals("TRUSTED_KEYS_RELOADED")).findFirst().orElseThrow();
            assertTrue(reload.actor().contains(TECHNICIAN.name()), "the reload is audited with who did it");
            // The data center offers the held records again.
            for (String id : rig.central.center().heldRecordIds()) rig.central.center().reoffer(id);
            await("both printed after the reload: " + rig.daemon.store().countByState(), Duration.ofSeconds(40), () -> rig.printed() == 2);
        }
    }

    @Test
    void anUnexpectedErrorInsideTheLaneFaultsItVisiblyAndTheJobResumes() throws Exception {
        try (Rig rig = new Rig(2, "evolis-primacy-dual-ymcko", false, true, true, fast(), p -> { })) {
            AtomicInteger thrown = new AtomicInteger();
            rig.daemon.lane("P1").beforePrint(card -> {
                if (thrown.getAndIncrement() == 0) throw new IllegalStateException("injected: nobody scripted this");
            });
            await("the lane FAULTED", Duration.ofSeconds(20), () -> rig.lane().kind() == LaneState.Kind.FAULTED || thrown.get() > 1);
            // Seen at once, and in the store's audit log with the stack trace (written just after the lane's state changes).
            await("the LANE_FAULTED audit line", Duration.ofSeconds(5), () -> rig.daemon.store().auditLog().stream().anyMatch(a -> a.action().equals("LANE_FAULTED")));
            List<AuditEntry> audit = rig.daemon.store().auditLog();
            AuditEntry fault = audit.stream().filter(a -> a.action().equals("LANE_FAULTED")).findFirst().orElseThrow();
            assertTrue(fault.detail().contains("java.lang.IllegalStateException: injected") && fault.detail().contains("\tat "), fault.detail());
            await("the lane tried again by itself and printed both: " + rig.daemon.store().countByState(), Duration.ofSeconds(40), () -> rig.printed() == 2);
            assertNotEquals(LaneState.Kind.FAULTED, rig.lane().kind());
            assertEquals(2, rig.printer.printed());
            assertEquals(2, rig.daemon.store().ledger().size(), "the fault spent no blank");
        }
    }

    @Test
    void aFaultedLaneShowsInHealthInBothLanguagesAndHandsItsUnstartedLeasesBack() throws Exception {
        PrintLane.Settings s = PrintLane.Settings.defaults().withBackoff(Duration.ofMillis(200), Duration.ofMillis(500)).withHandBackAfter(Duration.ofSeconds(2));
        try (Rig rig = new Rig(3, "evolis-primacy-dual-ymcko", false, true, true, s, p -> { })) {
            rig.daemon.lane("P1").beforePrint(card -> { throw new NullPointerException("injected for good"); });
            await("the lane FAULTED", Duration.ofSeconds(20), () -> rig.lane().kind() == LaneState.Kind.FAULTED);
            StationHealth h = rig.daemon.health();
            StationHealth.Alert a = h.alerts().stream().filter(x -> x.code().equals(StationHealth.LANE_FAULTED)).findFirst().orElseThrow();
            assertTrue(a.messageEn().contains("Unexpected error") && a.messageId().contains("Kesalahan tak terduga"), a.toString());
            assertTrue(a.detail().contains("NullPointerException"), a.detail());
            assertEquals("FAULTED", rig.daemon.publisher().health().printerStatus());
            assertEquals("LANE_FAULTED", rig.daemon.printerView().state(), "the console's printer page");
            await("every unstarted record handed back: " + rig.daemon.store().countByState(), Duration.ofSeconds(20),
                    () -> rig.daemon.store().jobs().size() >= 1 && rig.daemon.store().jobs().stream().allMatch(j -> j.state() == JobState.RELEASED));
            await("the data center has them ready for another station", Duration.ofSeconds(10), () -> rig.central.center().readyCount() == 3);
            assertTrue(rig.daemon.store().ledger().isEmpty(), "no blank spent");
            assertFalse(rig.daemon.link().accepting(), "and it takes no new records while it cannot print");
            // A technician resumes the lane after fixing the cause.
            rig.daemon.lane("P1").beforePrint(null);
            rig.daemon.resumeLane("P1", TECHNICIAN);
            await("printing again after the technician", Duration.ofSeconds(40), () -> rig.printed() == 3);
        }
    }

    @Test
    void anExceptionWhileCheckingOneRecordEndsItRejectedAndDeclinedAndTheIntakeGoesOnWithTheNext() throws Exception {
        String station = "ST-I" + UUID.randomUUID().toString().substring(0, 6);
        try (CentralServer central = CentralServer.start(new CentralServer.Options(new InetSocketAddress("127.0.0.1", 0), dir.resolve("central"), 78, 3, 0.0, 1e7,
                Duration.ofSeconds(120), null, Map.of(station, "tok")));
             ktp.store.StationStore store = ktp.store.StationStore.open(dir.resolve("store"), station, Clock.systemUTC())) {
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (central.center().readyCount() < 3 && System.nanoTime() < deadline) Thread.sleep(50);
            central.key().writePublicKey(dir.resolve("keys"));
            ktp.record.RecordValidator real = new ktp.record.RecordValidator(ktp.record.TrustedKeys.loadDirectory(dir.resolve("keys")), Clock.systemUTC());
            AtomicInteger checks = new AtomicInteger();
            // The first record's check throws, as a validator choking on poison would: injected, so any exception is covered.
            ktp.station.RecordIntake intake = new ktp.station.RecordIntake(() -> {
                if (checks.incrementAndGet() == 1) throw new StringIndexOutOfBoundsException("injected: begin 0, end -1, length 0");
                return real;
            }, store, Actor.STATION);
            ktp.central.CentralLink link = new ktp.central.CentralLink(new ktp.central.CentralClient(ktp.central.CentralClient.Config.of(central.uri(), station, null,
                    Optional.of("tok"), true)), store, intake, ktp.central.CentralLink.Settings.defaults().withIdlePoll(Duration.ofMillis(100)), Clock.systemUTC(), new java.util.Random(1));
            link.start();
            try {
                await("one rejected, two validated: " + store.countByState(), Duration.ofSeconds(20),
                        () -> store.countByState().getOrDefault(JobState.REJECTED, 0L) == 1 && store.countByState().getOrDefault(JobState.VALIDATED, 0L) == 2);
                Job rejected = store.jobs().stream().filter(j -> j.state() == JobState.REJECTED).findFirst().orElseThrow();
                assertTrue(rejected.reason().startsWith("INTERNAL_CHECK_FAILED") && rejected.reason().contains("StringIndexOutOfBoundsException"), rejected.reason());
                await("the data center told (declined, held for a person)", Duration.ofSeconds(10), () -> central.center().heldCount() == 1);
                assertEquals(List.of(rejected.recordId()), central.center().heldRecordIds());
            } finally {
                link.close();
            }
        }
    }

    @FunctionalInterface
    private interface BeforeStart {
        void accept(Path storeDir, String printerSerial, String station);
    }

    /** A clock the test moves forward: the alerts that need a minute of silence are checked without waiting a minute. */
    private static final class SkewedClock extends Clock {
        private volatile Duration ahead = Duration.ZERO;

        void advance(Duration d) { ahead = ahead.plus(d); }

        @Override
        public java.time.ZoneId getZone() { return java.time.ZoneOffset.UTC; }

        @Override
        public Clock withZone(java.time.ZoneId zone) { return this; }

        @Override
        public java.time.Instant instant() { return Clock.systemUTC().instant().plus(ahead); }
    }

    @Test
    void aPrinterThatStopsAnsweringIsSilentPastItsPollIntervalAndReadyAgainWhenItAnswers() throws Exception {
        try (Rig rig = new Rig(1, "evolis-zenius-mono", true, true, true, fast(), p -> { })) {
            await("the one card printed", Duration.ofSeconds(30), () -> rig.printed() == 1);
            await("the lane idle and READY", Duration.ofSeconds(5), () -> rig.lane().kind() == LaneState.Kind.READY);
            assertFalse(rig.daemon.health().hasAlert(StationHealth.PRINTER_SILENT), "a printer answering its polls is not silent: " + rig.daemon.health().alerts());
            // Every reply from now on is swallowed: the printer is there and says nothing.
            rig.printer.silenceNext(Integer.MAX_VALUE);
            await("PRINTER_SILENT once the printer has said nothing past its poll interval: " + rig.daemon.health().alerts(), Duration.ofSeconds(20),
                    () -> rig.daemon.health().hasAlert(StationHealth.PRINTER_SILENT));
            StationHealth h = rig.daemon.health();
            assertFalse(h.ready(), "a silent printer is not ready");
            assertEquals("NO_ANSWER", rig.lane().code());
            rig.printer.silenceNext(0);
            await("READY again once it answers", Duration.ofSeconds(20), () -> rig.lane().kind() == LaneState.Kind.READY
                    && !rig.daemon.health().hasAlert(StationHealth.PRINTER_SILENT));
        }
    }

    @Test
    void aStatusNotReadForThirtySecondsIsStaleWhileThePrinterStillAnswers() throws Exception {
        SkewedClock clock = new SkewedClock();
        try (Rig rig = new Rig(1, "evolis-zenius-mono", true, true, true, fast(), p -> { }, clock, SharedBroker.url(), 50, (d, s, id) -> { })) {
            await("the one card printed", Duration.ofSeconds(30), () -> rig.printed() == 1);
            await("the lane idle and READY", Duration.ofSeconds(5), () -> rig.lane().kind() == LaneState.Kind.READY);
            clock.advance(Duration.ofSeconds(31));
            Thread.sleep(1500); // a poll at the new time: the status read again
            assertFalse(rig.daemon.health().hasAlert(StationHealth.STATUS_STALE), "a status read every poll is fresh: " + rig.daemon.health().alerts());
            // The cover opened: every status read is answered with the cover's error, so the full status is not read again.
            rig.printer.setCoverOpen(true);
            await("paused for the cover", Duration.ofSeconds(5), () -> "COVER_OPEN".equals(rig.lane().code()));
            clock.advance(Duration.ofSeconds(31));
            StationHealth h = rig.daemon.health();
            assertTrue(h.hasAlert(StationHealth.STATUS_STALE), h.alerts().toString());
            StationHealth.Alert stale = h.alerts().stream().filter(a -> a.code().equals(StationHealth.STATUS_STALE)).findFirst().orElseThrow();
            assertTrue(stale.detail().startsWith("read at "), stale.detail());
            Thread.sleep(1500); // the printer answered (with an error) meanwhile: stale, but not silent
            assertFalse(rig.daemon.health().hasAlert(StationHealth.PRINTER_SILENT), rig.daemon.health().alerts().toString());
            rig.printer.setCoverOpen(false);
            await("fresh again once the status is read", Duration.ofSeconds(10), () -> !rig.daemon.health().hasAlert(StationHealth.STATUS_STALE));
        }
    }

    @Test
    void theFeederCountIsUnknownUntilBlanksAreRecordedAsLoadedAndNegativeWhenFewerWereRecordedThanTaken() throws Exception {
        try (Rig rig = new Rig(2, "evolis-zenius-mono", true, true, true, fast(), p -> { }, Clock.systemUTC(), SharedBroker.url(), 0, (d, s, id) -> { })) {
            StationHealth h = rig.daemon.health();
            assertTrue(h.hasAlert(StationHealth.FEEDER_UNKNOWN), h.alerts().toString());
            assertNull(h.blanksInFeeder(), "no count is made up");
            await("two cards printed", Duration.ofSeconds(30), () -> rig.printed() == 2);
            assertTrue(rig.daemon.health().hasAlert(StationHealth.FEEDER_UNKNOWN));
            Actor op = new Actor("op", Role.OPERATOR);
            rig.daemon.store().blanksLoaded(1, "one card recorded, two taken", op);
            h = rig.daemon.health();
            assertTrue(h.hasAlert(StationHealth.FEEDER_NEGATIVE), h.alerts().toString());
            assertFalse(h.hasAlert(StationHealth.FEEDER_UNKNOWN));
            assertEquals(-1L, h.blanksInFeeder());
            assertTrue(h.alerts().stream().filter(a -> a.code().equals(StationHealth.FEEDER_NEGATIVE)).findFirst().orElseThrow().detail().contains("loaded 1, taken 2"));
            rig.daemon.store().blanksLoaded(10, "the delivery note found", op);
            h = rig.daemon.health();
            assertFalse(h.hasAlert(StationHealth.FEEDER_NEGATIVE) || h.hasAlert(StationHealth.FEEDER_UNKNOWN), h.alerts().toString());
            assertEquals(9L, h.blanksInFeeder());
        }
    }

    @Test
    void anOutboxThatNobodyCollectsForAMinuteIsAnAlert() throws Exception {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        SkewedClock clock = new SkewedClock();
        try (Rig rig = new Rig(1, "evolis-zenius-mono", true, true, true, fast(), p -> { }, clock, "tcp://127.0.0.1:" + closedPort, 50, (d, s, id) -> { })) {
            await("the card printed", Duration.ofSeconds(30), () -> rig.printed() == 1);
            assertTrue(rig.daemon.store().outboxDepth() > 0, "its events wait: no broker");
            assertFalse(rig.daemon.health().hasAlert(StationHealth.OUTBOX_GROWING), "not yet: only " + StationWatchLimits.OUTBOX_S + " s without a collection is");
            clock.advance(Duration.ofSeconds(61));
            await("OUTBOX_GROWING", Duration.ofSeconds(5), () -> rig.daemon.health().hasAlert(StationHealth.OUTBOX_GROWING));
            StationHealth.Alert a = rig.daemon.health().alerts().stream().filter(x -> x.code().equals(StationHealth.OUTBOX_GROWING)).findFirst().orElseThrow();
            assertTrue(a.detail().contains("broker not connected") && a.messageEn().contains("event(s) wait"), a.toString());
        }
    }

    /** How long the station's watch waits before it calls an outbox uncollected (StationWatch.OUTBOX_STUCK). */
    private static final class StationWatchLimits {
        static final int OUTBOX_S = 60;
    }

    @Test
    void aBlankIdTheLedgerAlreadyHoldsFaultsTheLaneWithBothEntriesNamedAndSpoilsNothingSilently() throws Exception {
        String[] seeded = new String[1];
        BeforeStart seed = (storeDir, serial, station) -> {
            // A blank the ledger already knows by the id the station's counter gives next (a store restored over a newer one, say).
            seeded[0] = "NOCHIP-" + serial + "-" + station + "-0000001";
            try (ktp.store.StationStore st = ktp.store.StationStore.open(storeDir, station, Clock.systemUTC())) {
                st.ledgerFoundBlank(seeded[0], "an entry from before: the same id", Actor.STATION);
            }
        };
        try (Rig rig = new Rig(2, "evolis-zenius-mono", true, true, true, fast(), p -> { }, Clock.systemUTC(), SharedBroker.url(), 50, seed)) {
            await("the lane FAULTED on the conflict: " + rig.lane(), Duration.ofSeconds(30), () -> rig.lane().kind() == LaneState.Kind.FAULTED);
            LaneState s = rig.lane();
            assertEquals("BLANK_ID_CONFLICT", s.code());
            String held = s.recordId();
            assertFalse(held.isEmpty(), "the record it was printing is named");
            assertTrue(s.detail().contains("blank id " + seeded[0] + " for record " + held) && s.detail().contains("blank " + seeded[0] + " of record (none) (SPOILED: an entry from before"),
                    "both ledger entries named: " + s.detail());
            StationHealth h = rig.daemon.health();
            assertTrue(h.alerts().stream().anyMatch(a -> a.code().equals(StationHealth.LANE_FAULTED) && a.detail().contains(seeded[0])), h.alerts().toString());
            List<LedgerEntry> ledger = rig.daemon.store().ledger();
            assertEquals(1, ledger.stream().filter(e -> e.blankId().equals(seeded[0])).count(), "the old entry is untouched");
            LedgerEntry own = ledger.stream().filter(e -> e.blankId().startsWith(seeded[0] + "-CONFLICT-")).findFirst().orElseThrow(() -> new AssertionError(ledger.toString()));
            assertEquals(ktp.store.BlankFate.SPOILED, own.fate(), "the physical card has its own entry and its fate");
            assertEquals(JobState.VALIDATED, rig.daemon.store().job(held).orElseThrow().state(), "the record waits for a fresh blank");
            Thread.sleep(1500);
            assertEquals(LaneState.Kind.FAULTED, rig.lane().kind(), "it waits for a technician, not a back-off");
            rig.daemon.resumeLane("P1", TECHNICIAN);
            await("both printed after the technician: " + rig.daemon.store().countByState(), Duration.ofSeconds(40), () -> rig.printed() == 2);
            assertEquals(rig.printer.printed() + rig.printer.rejected(), rig.daemon.store().ledger().size() - 1, "every card the printer took is in the ledger, beside the old entry");
        }
    }
}
