package ktp.sim.demo;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongFunction;
import ktp.card.CardProfile;
import ktp.collector.Collector;
import ktp.printer.PrinterProfile;
import ktp.render.CardRenderer;
import ktp.render.CardTemplate;
import ktp.sim.card.VirtualCard;
import ktp.sim.card.VirtualCards;
import ktp.sim.central.CentralServer;
import ktp.sim.central.TelemetryIntake;
import ktp.sim.printer.PrinterSimServer;
import ktp.sim.printer.SimulatedPrinter;
import ktp.sim.scanner.SimulatedScanner;
import ktp.station.StationConfig;
import ktp.station.StationDaemon;

/**
 * A print station made of simulators, every one on its real wire, and the station daemon running against
 * them in this process: the data-center simulator over HTTP (with the data center taking the station's events
 * over MQTT), an MQTT broker with the central office's collector, the printer simulator over TCP with a
 * virtual card in each blank at its contact station (in process, or through pcscd's vpcd), and the R307
 * scanner simulator. The demo and the station benchmark both run on it. Its folder holds the configuration the
 * daemon runs with (station.yaml), the store (station/), the data center's state (central/), the office's
 * archive (office/) and the printed cards as the printer decoded them (cards/).
 */
public final class SimulatedStation implements AutoCloseable {
    public static final String STATION_ID = "DEMO-01";
    public static final String PRINTER_PROFILE = "evolis-primacy-dual-ymcko";
    public static final ZoneId ZONE = ZoneId.of("Asia/Jakarta");

    /**
     * @param defectEvery every so many records served with a defect (0: none)
     * @param broker      an MQTT broker URL, or null for an embedded one
     * @param vpcd        HOST:PORT of pcscd's vpcd driver, or null for the in-process reader
     * @param speed       the printer simulator's speed-up over real timings (1 = real)
     * @param chipFaultEvery every so many blanks with a chip whose memory fails (0: none)
     * @param jamAtCard   the printer card that jams (0: none)
     * @param writeCards  whether the printer simulator writes each card's decoded panels to cards/
     * @param consoleUsers the operator console's users file (null: no console), served on a free loopback port
     * @param consoleIdleSeconds how long a console session may stay idle
     */
    public record Settings(Path dir, long seed, int population, int defectEvery, String broker, String vpcd, double speed,
                           int chipFaultEvery, int jamAtCard, boolean writeCards, Path consoleUsers, int consoleIdleSeconds) {
        public Settings(Path dir, long seed, int population, int defectEvery, String broker, String vpcd, double speed,
                        int chipFaultEvery, int jamAtCard, boolean writeCards) {
            this(dir, seed, population, defectEvery, broker, vpcd, speed, chipFaultEvery, jamAtCard, writeCards, null, 900);
        }
    }

    private final Settings settings;
    private final CentralServer central;
    private final Broker broker;
    private final TelemetryIntake intake;
    private final Collector collector;
    private final Cards cards;
    private final SimulatedScanner scanner;
    private final SimulatedPrinter printer;
    private final PrinterSimServer printerServer;
    private final Path config;
    private final StationDaemon daemon;
    private ktp.console.Console console;

    private SimulatedStation(Settings settings, CentralServer central, Broker broker, TelemetryIntake intake, Collector collector, Cards cards,
                             SimulatedScanner scanner, SimulatedPrinter printer, PrinterSimServer printerServer, Path config, StationDaemon daemon) {
        this.settings = settings;
        this.central = central;
        this.broker = broker;
        this.intake = intake;
        this.collector = collector;
        this.cards = cards;
        this.scanner = scanner;
        this.printer = printer;
        this.printerServer = printerServer;
        this.config = config;
        this.daemon = daemon;
    }

    /** Starts every simulator, waits until the data center has the whole population ready, then starts the daemon. */
    public static SimulatedStation start(Settings s) throws IOException {
        Path dir = s.dir();
        ktp.datafile.PrivateFiles.createDirectories(dir);
        ktp.datafile.PrivateFiles.restrictDirectory(dir.resolve("keys"));
        String token = "demo-token-" + Long.toHexString(s.seed() * 0x9E3779B97F4A7C15L);
        byte[] master = demoMasterKey(s.seed());
        CardProfile cardProfile = VirtualCards.profile();
        LongFunction<VirtualCard> blanks = n -> {
            VirtualCard c = VirtualCards.blank(cardProfile, n, Optional.of(master));
            if (s.chipFaultEvery() > 0 && n % s.chipFaultEvery() == 0) c.failWritesWith(0x6581); // a failing chip memory
            return c;
        };
        PrinterProfile printerProfile;
        try {
            printerProfile = PrinterProfile.load(ktp.cli.Paths.printerProfiles().resolve(PRINTER_PROFILE + ".yaml"));
        } catch (ktp.datafile.DataFileException e) {
            throw new IOException("the printer profile: " + e.getMessage(), e);
        }
        // Each part is closed again if a later one cannot start, so a failed start leaves no port or thread behind.
        java.util.Deque<AutoCloseable> started = new java.util.ArrayDeque<>();
        try {
            CentralServer central = push(started, CentralServer.start(new CentralServer.Options(new InetSocketAddress("127.0.0.1", 0), dir.resolve("central"),
                    s.seed(), s.population(), 0.0, 1e7, Duration.ofMinutes(30), null, Map.of(STATION_ID, token), s.defectEvery())));
            Broker broker = push(started, Broker.start(s.broker(), STATION_ID));
            DemoTelemetryKeys signing = DemoTelemetryKeys.create(dir, STATION_ID);
            TelemetryIntake intake = push(started, TelemetryIntake.start(central, broker.login(ktp.broker.BrokerSetup.DATACENTER), signing.stationRegistry(), broker.embedded ? null : "ktp-demo-datacenter"));
            Collector collector = push(started, new Collector(broker.login(ktp.broker.BrokerSetup.collectorUser(Broker.COLLECTOR)), signing.office(), signing.stationRegistry(), dir.resolve("office"), broker.embedded ? null : "ktp-demo-collectors",
                    Broker.COLLECTOR, ZONE, Clock.systemUTC()).start());
            Cards cards = push(started, s.vpcd() == null ? Cards.inProcess(blanks) : Cards.vpcd(s.vpcd(), blanks));
            SimulatedScanner scanner = push(started, new SimulatedScanner(256, 288, new InetSocketAddress("127.0.0.1", 0)));
            awaitReady(central, s.population());
            central.key().writePublicKey(dir.resolve("trusted-keys"));
            SimulatedPrinter printer = new SimulatedPrinter(printerProfile, s.speed(), s.writeCards() ? ktp.datafile.PrivateFiles.createDirectories(dir.resolve("cards")) : null);
            int loaded = s.population() * 2 + 10;
            printer.console("feeder " + loaded);
            if (s.jamAtCard() > 0) printer.jamAtCard(s.jamAtCard());
            printer.attachContactStation(cards.station());
            PrinterSimServer printerServer = push(started, PrinterSimServer.tcp(printer, new InetSocketAddress("127.0.0.1", 0)));
            if (broker.embedded) {
                Path pw = dir.resolve("keys/mqtt-password.txt");
                Files.deleteIfExists(pw);
                Files.createFile(pw, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
                Files.writeString(pw, broker.password(STATION_ID) + "\n");
            }
            Path config = writeConfig(dir, token, master, central.port(), printerServer.port(), cards.readerPattern(), scanner.port(), broker.settings.url(), broker.embedded,
                    s.consoleUsers(), s.consoleIdleSeconds());
            StationConfig cfg;
            try {
                cfg = StationConfig.load(config, ktp.cli.Paths.home().resolve("firmware-profiles"));
            } catch (ktp.datafile.DataFileException e) {
                throw new IllegalStateException("the simulated station's own configuration is refused: " + e.getMessage(), e);
            }
            StationDaemon daemon = new StationDaemon(cfg, renderer(), cards.readers(), Clock.systemUTC()).start();
            // The operator records the blanks put into the feeder: the reconciliation's "in" side.
            daemon.store().blanksLoaded(loaded, "printer P1 feeder at the start of the run", new ktp.store.Actor("demo", ktp.store.Role.OPERATOR));
            SimulatedStation station = new SimulatedStation(s, central, broker, intake, collector, cards, scanner, printer, printerServer, config, daemon);
            if (s.consoleUsers() != null) {
                try {
                    station.console = ktp.console.Console.start(daemon, Clock.systemUTC());
                } catch (IOException | RuntimeException e) {
                    daemon.close();
                    throw e;
                }
            }
            return station;
        } catch (IOException | RuntimeException e) {
            closeAll(started);
            throw e;
        }
    }

    private static <T extends AutoCloseable> T push(java.util.Deque<AutoCloseable> started, T part) {
        started.push(part);
        return part;
    }

    private static void closeAll(java.util.Deque<AutoCloseable> parts) {
        while (!parts.isEmpty()) {
            try {
                parts.pop().close();
            } catch (Exception e) {
                // closing what is left matters more than one part's complaint
            }
        }
    }

    public StationDaemon daemon() { return daemon; }

    public SimulatedPrinter printer() { return printer; }

    public SimulatedScanner scanner() { return scanner; }

    public Cards cards() { return cards; }

    public CentralServer central() { return central; }

    public Collector collector() { return collector; }

    public Path config() { return config; }

    public Settings settings() { return settings; }

    /** The operator console, when the settings name a users file. */
    public java.util.Optional<ktp.console.Console> console() { return java.util.Optional.ofNullable(console); }

    /** One line naming every simulator and where it listens. */
    public String describe() {
        return "station " + STATION_ID + " (" + config + "): data center " + central.uri() + ", printer simulator tcp://127.0.0.1:" + printerServer.port()
                + " at " + settings.speed() + "x, " + cards.describe() + ", scanner simulator tcp://127.0.0.1:" + scanner.port() + ", broker "
                + broker.settings.url() + (broker.embedded ? " (embedded)" : "");
    }

    /** Stops the daemon in order (card finished, leases handed back, outbox flushed), then every simulator. */
    @Override
    public void close() {
        if (console != null) console.close();
        daemon.close();
        java.util.Deque<AutoCloseable> parts = new java.util.ArrayDeque<>();
        for (AutoCloseable c : new AutoCloseable[] {central, broker, intake, collector, cards, scanner, printerServer}) parts.push(c);
        closeAll(parts);
    }

    private static void awaitReady(CentralServer central, int population) throws IOException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (central.readyCount() < population && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while the data center made its records ready", e);
            }
        }
        if (central.readyCount() < population) throw new IOException("the data center simulator has only " + central.readyCount() + " of " + population + " records ready after a minute");
    }

    private static Path writeConfig(Path dir, String token, byte[] master, int centralPort, int printerPort, String reader, int scannerPort, String broker, boolean login,
                                    Path consoleUsers, int idleSeconds) throws IOException {
        ktp.datafile.PrivateFiles.writeString(dir.resolve("keys/token.txt"), token);
        ktp.datafile.PrivateFiles.writeString(dir.resolve("keys/issuer-master.hex"), java.util.HexFormat.of().formatHex(master));
        Path f = dir.resolve("station.yaml");
        ktp.datafile.PrivateFiles.writeString(f, """
                # Written by ktp demo (or ktp bench station): the configuration its daemon ran with (docs/station-daemon.md).
                # The ports are the simulators' for that run; the master key is a demo key made from the seed.
                station: { id: %s, store: station }
                central: { url: "http://127.0.0.1:%d", plain_http: true, token_file: keys/token.txt }
                trusted_keys: trusted-keys
                printers:
                  - { name: P1, uri: "tcp://127.0.0.1:%d", profile: %s }
                encoder: { reader: "%s", card_profile: ktpel-virtual, master_key: keys/issuer-master.hex, insert_wait_s: 5 }
                scanner: { uri: "tcp://127.0.0.1:%d", profile: r307 }
                telemetry: { broker: "%s", health_every_s: 5, signing_key: keys/telemetry-signing.key, office_keys: office-keys%s }
                """.formatted(STATION_ID, centralPort, printerPort, PRINTER_PROFILE, reader, scannerPort, broker,
                        login ? ", username: " + STATION_ID + ", password_file: keys/mqtt-password.txt" : "")
                + (consoleUsers == null ? "" : "console: { listen: \"127.0.0.1:" + ktp.sim.net.LoopbackPorts.free() + "\", users: \"" + consoleUsers.toAbsolutePath() + "\", session_idle_s: " + idleSeconds + " }\n"));
        return f;
    }

    /** A free loopback port for the console, written into the configuration so that the command line finds it. */
    private static CardRenderer renderer() throws IOException {
        try {
            return new CardRenderer(CardTemplate.load(ktp.cli.Paths.templates().resolve("ktpel.yaml")));
        } catch (ktp.datafile.DataFileException e) {
            throw new IOException("the card template: " + e.getMessage(), e);
        }
    }

    /** A demo-only issuer master key from the seed; a real station reads its master key from a protected file. */
    private static byte[] demoMasterKey(long seed) {
        try {
            byte[] h = java.security.MessageDigest.getInstance("SHA-256").digest(("ktp-station demo issuer master key " + seed).getBytes(StandardCharsets.US_ASCII));
            return java.util.Arrays.copyOf(h, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
