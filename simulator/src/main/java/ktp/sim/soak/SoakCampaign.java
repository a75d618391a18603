package ktp.sim.soak;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import ktp.card.CardProfile;
import ktp.collector.Collector;
import ktp.printer.PrinterProfile;
import ktp.sim.broker.EmbeddedBroker;
import ktp.sim.card.VirtualCard;
import ktp.sim.card.VirtualCards;
import ktp.sim.card.VpcdBlankStock;
import ktp.sim.central.CentralServer;
import ktp.sim.central.TelemetryIntake;
import ktp.sim.printer.PrinterSimServer;
import ktp.sim.printer.SimulatedPrinter;
import ktp.sim.scanner.SimulatedScanner;
import ktp.telemetry.BrokerSettings;

/**
 * The randomized fault campaign ({@code ktp soak}): the station daemon in its own process ({@code ktp station run},
 * its chip encoder on the daemon's own lab reader, which the campaign can unplug) against the data-center simulator, the printer simulator with virtual chips at its
 * contacts, an MQTT broker, the data center's telemetry intake and the office's collector; faults drawn from the
 * seed are injected at the moments the schedule says and cleared as a technician would, the daemon is killed
 * with SIGKILL and restarted; at the end {@link SoakChecker} asserts the invariants from the simulators' and the
 * store's own records. A failure prints the seed, the schedule and the first invariant broken.
 */
public final class SoakCampaign {
    public static final String STATION = "SOAK-01";
    private static final byte[] MASTER = java.util.HexFormat.of().parseHex("5A5A1122334455667788990011223344");

    /** {@code budget}: the whole run's limit; {@code pace}: the schedule's waits and holds are multiplied by it (CI runs at 0.4: the same faults, closer together). */
    public record Options(long seed, int cards, int faults, int kills, Path dir, double speed, Duration budget, double pace) {
        public Options(long seed, int cards, int faults, int kills, Path dir, double speed, Duration budget) {
            this(seed, cards, faults, kills, dir, speed, budget, 1.0);
        }
    }

    /** The moments the encoder's reader was unplugged (from the flag's creation to its removal), for the checker. */
    public record Unplugged(java.time.Instant from, java.time.Instant to, boolean pausedForIt) {}

    public record Result(long seed, FaultSchedule schedule, List<String> broken, String summary) {
        public boolean passed() { return broken.isEmpty(); }
    }

    private final Options o;
    private final PrintStream progress;

    /** The office's registry of station keys, which the data center's intake verifies with (again after each restart). */
    private ktp.telemetry.Keyring registry;

    private final List<Unplugged> unplugged = new ArrayList<>();

    public SoakCampaign(Options options, PrintStream progress) {
        this.o = options;
        this.progress = progress;
    }

    public Result run() throws Exception {
        FaultSchedule schedule = FaultSchedule.of(o.seed(), o.faults(), o.kills());
        progress.println("soak: seed " + o.seed() + ", " + o.cards() + " cards, " + o.faults() + " faults, " + o.kills() + " SIGKILLs; " + schedule.counts());
        Path dir = o.dir();
        Files.createDirectories(dir.resolve("station/keys"));
        String token = "soak-token-" + Long.toHexString(o.seed());
        long deadline = System.nanoTime() + o.budget().toNanos();
        int centralPort = ktp.sim.net.LoopbackPorts.free();
        int brokerPort = ktp.sim.net.LoopbackPorts.free();
        // The broker keeps its sessions on disk, as a production broker does: the data center's durable subscription
        // and the messages queued for it survive the broker's restart (in memory, a restart lost them for the data center).
        Path brokerData = Files.createDirectories(dir.resolve("broker"));
        AtomicReference<EmbeddedBroker> broker = new AtomicReference<>(EmbeddedBroker.start("127.0.0.1", brokerPort, brokerData));
        BrokerSettings brokerSettings = BrokerSettings.plain(broker.get().url());
        AtomicReference<CentralServer> central = new AtomicReference<>(startCentral(centralPort, token));
        // Telemetry is signed (docs/telemetry.md): the station's key, the office's key it obeys, the office's registry.
        ktp.sim.demo.DemoTelemetryKeys signing = ktp.sim.demo.DemoTelemetryKeys.create(dir.resolve("station"), STATION);
        registry = signing.stationRegistry();
        AtomicReference<TelemetryIntake> intake = new AtomicReference<>(TelemetryIntake.start(central.get(), brokerSettings, registry, null));
        Collector collector = new Collector(brokerSettings, signing.office(), registry, dir.resolve("office"), null, "soak-office", ZoneId.of("Asia/Jakarta"), Clock.systemUTC()).start();
        CardProfile cardProfile = VirtualCards.profile();
        // The next blank's chip fault, armed by the schedule (the card is made when the printer takes it).
        AtomicReference<FaultSchedule.Kind> nextChip = new AtomicReference<>();
        // The daemon serves its own lab reader (encoder.lab_reader), which the campaign can unplug; the printer's contact
        // station puts each blank's virtual chip into it over vpcd's protocol, as it would into pcscd's vpcd.
        int labPort = ktp.sim.net.LoopbackPorts.free();
        VpcdBlankStock stock = new VpcdBlankStock("127.0.0.1", labPort, n -> {
            VirtualCard c = VirtualCards.blank(cardProfile, 90_000 + n, Optional.of(MASTER));
            FaultSchedule.Kind k = nextChip.getAndSet(null);
            if (k == FaultSchedule.Kind.CHIP_WRITE_FAILS) c.failWritesWith(0x6581);
            else if (k == FaultSchedule.Kind.CHIP_MUTE) c.mute(true);
            else if (k == FaultSchedule.Kind.CARD_PULLED_OUT) c.pullOutAfter(6);
            else if (k == FaultSchedule.Kind.CARD_TAMPERED) c.tamperWrites();
            return c;
        });
        PrinterProfile profile = PrinterProfile.load(ktp.cli.Paths.printerProfiles().resolve("evolis-primacy-dual-ymcko.yaml"));
        SimulatedPrinter printer = new SimulatedPrinter(profile, o.speed(), null);
        int loaded = o.cards() * 3 + 20;
        printer.console("feeder " + loaded);
        printer.console("ribbon 1000");
        printer.attachContactStation(stock);
        AtomicReference<PrinterSimServer> printerServer = new AtomicReference<>(PrinterSimServer.tcp(printer, new InetSocketAddress("127.0.0.1", 0)));
        int printerPort = printerServer.get().port();
        central.get().key().writePublicKey(dir.resolve("station/trusted-keys"));
        // The counter: the scanner simulator the daemon reads over R30x/TCP, an operator's console account.
        SimulatedScanner scanner = new SimulatedScanner(256, 288, new InetSocketAddress("127.0.0.1", 0));
        int consolePort = ktp.sim.net.LoopbackPorts.free();
        ktp.console.Users.load(dir.resolve("station/console-users.json")).put(CounterVisits.OPERATOR, ktp.store.Role.OPERATOR,
                new ktp.console.PasswordHasher().hash(CounterVisits.PASSWORD.toCharArray()));
        Path config = writeConfig(dir, token, centralPort, printerPort, labPort, scanner.port(), consolePort, brokerSettings.url());
        Daemon daemon = new Daemon(config, dir.resolve("daemon.log"));
        List<String> broken = new ArrayList<>();
        String summary;
        try {
            // The operator records the blanks loaded, as `ktp ledger load` would, before the daemon starts.
            recordLoaded(dir, loaded);
            daemon.start();
            for (FaultSchedule.Step step : schedule.steps()) {
                if (System.nanoTime() > deadline) {
                    broken.add("budget: the run did not finish its schedule within " + o.budget().toSeconds() + " s (at step " + step + ")");
                    break;
                }
                Thread.sleep((long) (step.afterMs() * o.pace()));
                progress.println("soak: " + step);
                apply(step, printer, printerServer, printerPort, central, centralPort, token, intake, broker, brokerPort, brokerSettings, nextChip, daemon);
            }
            // Run to the end: every record printed or declined, the outbox empty.
            SoakChecker.awaitSettled(central.get(), o.cards(), dir.resolve("station"), deadline);
            // The holders come for their cards, meeting the schedule's scanner faults; then the CARD_ISSUED events drain.
            ktp.sim.records.FingerprintLibrary fingers = ktp.sim.records.FingerprintLibrary.embedded();
            List<CounterVisits.Visit> visits = CounterVisits.signIn(consolePort).run(schedule.counter(), 1, stock, labPort, scanner, fingers,
                    new ktp.sim.records.RecordGenerator(o.seed(), fingers, ktp.sim.records.RecordGenerator.defaultIssueDate(o.seed())), o.cards(), progress);
            SoakChecker.awaitSettled(central.get(), o.cards(), dir.resolve("station"), deadline);
            SoakChecker checker = new SoakChecker(dir.resolve("station"), STATION, printer, stock, central.get(), collector, o.cards(), loaded, List.copyOf(unplugged),
                    visits);
            broken.addAll(checker.whileRunning());
            daemon.stop();
            broken.addAll(checker.afterStop());
            summary = checker.summary();
        } finally {
            daemon.kill();
            closeQuietly(printerServer.get());
            closeQuietly(scanner);
            closeQuietly(stock);
            closeQuietly(collector);
            closeQuietly(intake.get());
            closeQuietly(central.get());
            broker.get().close();
        }
        Result r = new Result(o.seed(), schedule, List.copyOf(broken), summary);
        if (r.passed()) {
            progress.println("soak: seed " + o.seed() + ": every invariant held. " + summary);
        } else {
            progress.println("soak: seed " + o.seed() + ": FAILED: first invariant broken: " + broken.get(0));
            for (String b : broken.subList(1, broken.size())) progress.println("  also: " + b);
            progress.print(schedule.describe());
            progress.println("reproduce: ktp soak --seed " + o.seed() + " --cards " + o.cards() + " --faults " + o.faults() + " --kills " + o.kills());
        }
        return r;
    }

    private void apply(FaultSchedule.Step step, SimulatedPrinter printer, AtomicReference<PrinterSimServer> printerServer, int printerPort,
                       AtomicReference<CentralServer> central, int centralPort, String token, AtomicReference<TelemetryIntake> intake,
                       AtomicReference<EmbeddedBroker> broker, int brokerPort, BrokerSettings brokerSettings, AtomicReference<FaultSchedule.Kind> nextChip,
                       Daemon daemon) throws Exception {
        int hold = (int) (step.holdMs() * o.pace());
        switch (step.kind()) {
            case PRINTER_JAM -> {
                printer.console("jam");
                Thread.sleep(hold);
                // The technician opens the printer when it has jammed, takes the card out and clears it.
                long until = System.currentTimeMillis() + 15_000;
                while (!printer.jammed() && System.currentTimeMillis() < until) Thread.sleep(50);
                printer.console("clear");
                printer.jamAtCard(-1);
            }
            case RIBBON_OUT -> { printer.console("ribbon 0"); Thread.sleep(hold); printer.console("ribbon 1000"); }
            case FEEDER_EMPTY -> {
                // The blanks taken out for a while and put back: the physical count is unchanged.
                int left = printer.feeder();
                printer.setFeeder(0);
                Thread.sleep(hold);
                printer.setFeeder(left + printer.feeder());
            }
            case COVER_OPEN -> { printer.setCoverOpen(true); Thread.sleep(hold); printer.setCoverOpen(false); }
            case REJECT_BOX_FULL -> { printer.setHopperFull(true); Thread.sleep(hold); printer.setHopperFull(false); }
            case PRINTER_GARBAGE -> printer.garbageNext(3);
            case PRINTER_SILENT -> printer.silenceNext(2);
            case HEAD_HOT -> printer.console("heat 3");
            case PRINTER_UNPLUGGED -> {
                printerServer.get().close();
                Thread.sleep(hold);
                printerServer.set(bindAgain(() -> PrinterSimServer.tcp(printer, new InetSocketAddress("127.0.0.1", printerPort))));
            }
            case CHIP_WRITE_FAILS, CHIP_MUTE, CARD_PULLED_OUT, CARD_TAMPERED -> nextChip.set(step.kind());
            case DATA_CENTER_SLOW -> {
                // Every answer 1-3 s late (the station's deadline is 30 s): leases, renewals, acks all slowed.
                central.get().slowBy(Duration.ofMillis(1000 + (step.holdMs() % 2000)));
                Thread.sleep(hold);
                central.get().slowBy(Duration.ZERO);
            }
            case DATA_CENTER_5XX -> {
                central.get().failWith(step.n() % 2 == 0 ? 503 : 500);
                Thread.sleep(hold);
                central.get().failWith(0);
            }
            case DATA_CENTER_DOWN -> {
                intake.get().close();
                central.get().close();
                Thread.sleep(hold);
                central.set(bindAgain(() -> startCentral(centralPort, token)));
                // The data center's intake takes its durable session back; the broker may still be closing the old one.
                intake.set(bindAgain(() -> TelemetryIntake.start(central.get(), brokerSettings, registry, null)));
            }
            case BROKER_DOWN -> {
                broker.get().close();
                Thread.sleep(hold);
                broker.set(bindAgain(() -> EmbeddedBroker.start("127.0.0.1", brokerPort, o.dir().resolve("broker"))));
            }
            case READER_UNPLUGGED -> {
                // The encoder's reader unplugged: the lane must pause with READER_MISSING and take no blank until it is back.
                Path flag = o.dir().resolve("station/lab-reader.unplugged");
                java.time.Instant from = java.time.Instant.now();
                Files.writeString(flag, "unplugged by ktp soak, step " + step.n() + "\n");
                boolean paused = false;
                long until = System.currentTimeMillis() + 20_000;
                while (!paused && System.currentTimeMillis() < until) {
                    paused = SoakChecker.readerMissingShown(o.dir().resolve("station"), from);
                    if (!paused) Thread.sleep(100);
                }
                Thread.sleep(hold);
                unplugged.add(new Unplugged(from, java.time.Instant.now(), paused));
                Files.deleteIfExists(flag);
            }
            case DAEMON_SIGKILL -> {
                daemon.kill();
                daemon.start();
            }
        }
    }

    @FunctionalInterface
    private interface Starter<T> {
        T start() throws IOException;
    }

    /** A server started again on its own port (the port may linger a moment after the close). */
    private static <T> T bindAgain(Starter<T> s) throws IOException, InterruptedException {
        IOException last = null;
        for (int i = 0; i < 50; i++) {
            try {
                return s.start();
            } catch (IOException e) {
                last = e;
                Thread.sleep(100);
            }
        }
        throw last;
    }

    private CentralServer startCentral(int port, String token) throws IOException {
        return CentralServer.start(new CentralServer.Options(new InetSocketAddress("127.0.0.1", port), o.dir().resolve("central"), o.seed(), o.cards(), 0.0, 1e7,
                Duration.ofMinutes(10), null, Map.of(STATION, token)));
    }

    private void recordLoaded(Path dir, int loaded) {
        try (ktp.store.StationStore s = ktp.store.StationStore.open(dir.resolve("station/store"), STATION, Clock.systemUTC())) {
            s.blanksLoaded(loaded, "soak seed " + o.seed() + ": printer P1 feeder", new ktp.store.Actor("soak-operator", ktp.store.Role.OPERATOR));
        }
    }

    private Path writeConfig(Path dir, String token, int centralPort, int printerPort, int labPort, int scannerPort, int consolePort, String broker) throws IOException {
        Path base = dir.resolve("station");
        Files.writeString(base.resolve("keys/token.txt"), token);
        Files.writeString(base.resolve("keys/issuer-master.hex"), java.util.HexFormat.of().formatHex(MASTER));
        Path f = base.resolve("station.yaml");
        Files.writeString(f, """
                # Written by ktp soak (docs/station-daemon.md): the configuration its daemon ran with.
                station: { id: %s, store: store }
                central: { url: "http://127.0.0.1:%d", plain_http: true, token_file: keys/token.txt }
                trusted_keys: trusted-keys
                printers:
                  - { name: P1, uri: "tcp://127.0.0.1:%d", profile: evolis-primacy-dual-ymcko }
                encoder: { reader: "%s", lab_reader: "tcp://127.0.0.1:%d", card_profile: ktpel-virtual, master_key: keys/issuer-master.hex, insert_wait_s: 5 }
                scanner: { uri: "tcp://127.0.0.1:%d", profile: r307 }
                console: { listen: "127.0.0.1:%d", users: console-users.json }
                telemetry: { broker: "%s", health_every_s: 5, signing_key: keys/telemetry-signing.key, office_keys: office-keys }
                """.formatted(STATION, centralPort, printerPort, ktp.lab.LabReader.NAME, labPort, scannerPort, consolePort, broker));
        return f;
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            if (c != null) c.close();
        } catch (Exception e) {
            // the run's outcome is decided; a part that will not close says nothing more
        }
    }

    /** The daemon as its own process, so that SIGKILL is a real one. */
    static final class Daemon {
        private final Path config;
        private final Path log;
        private Process process;

        Daemon(Path config, Path log) {
            this.config = config;
            this.log = log;
        }

        void start() throws IOException {
            process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                    "-Dktp.home=" + ktp.cli.Paths.home(), "-cp", System.getProperty("java.class.path"), "ktp.cli.Ktp", "station", "run", "--config", config.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        }

        void kill() throws InterruptedException {
            if (process == null || !process.isAlive()) return;
            process.destroyForcibly();
            process.waitFor(20, TimeUnit.SECONDS);
        }

        /** SIGTERM: the daemon stops in order. */
        void stop() throws InterruptedException {
            if (process == null || !process.isAlive()) return;
            process.destroy();
            if (!process.waitFor(90, TimeUnit.SECONDS)) kill();
        }
    }
}
