package ktp.sim.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import javax.smartcardio.TerminalFactory;
import ktp.biometric.HolderVerification;
import ktp.biometric.RetryPolicy;
import ktp.biometric.ScannerSource;
import ktp.biometric.r30x.R30xScanner;
import ktp.card.CardProfile;
import ktp.job.JobState;
import ktp.printer.PrinterProfile;
import ktp.render.CardRenderer;
import ktp.render.CardTemplate;
import ktp.report.DailyReport;
import ktp.report.ReportPdf;
import ktp.sim.broker.EmbeddedBroker;
import ktp.sim.card.BlankStock;
import ktp.sim.card.CardSlot;
import ktp.sim.card.InProcessReaders;
import ktp.sim.card.VirtualCard;
import ktp.sim.card.VirtualCards;
import ktp.sim.card.VpcdBlankStock;
import ktp.sim.card.VpcdClient;
import ktp.sim.central.CentralServer;
import ktp.sim.central.TelemetryIntake;
import ktp.sim.printer.PrinterSimServer;
import ktp.sim.printer.SimulatedPrinter;
import ktp.sim.records.FingerprintLibrary;
import ktp.sim.records.RecordGenerator;
import ktp.sim.scanner.SimulatedScanner;
import ktp.station.HolderActivation;
import ktp.station.StationConfig;
import ktp.station.StationDaemon;
import ktp.store.Actor;
import ktp.store.AuditEntry;
import ktp.store.BlankFate;
import ktp.store.Job;
import ktp.store.LedgerEntry;
import ktp.store.Role;
import ktp.store.StationStore;
import ktp.telemetry.BrokerSettings;

/**
 * The demo: the station daemon ({@code ktp station run}, in this process) against every simulator on its real
 * wire. The data-center simulator serves signed records over HTTP; the printer simulator takes the daemon's
 * Evolis commands over TCP and decodes each card's panels; a virtual card sits in every blank at the printer's
 * contact station (an in-process javax.smartcardio reader, or pcscd's vpcd with {@code --pcsc}); the R307
 * scanner simulator serves the holders' fingers; events go through an MQTT broker to the central office's
 * collector and to the data center. Then the holders come to the counter one by one. Nothing is counted that
 * did not happen: the summary is read back from the station's store and the collector's archive.
 */
public final class DemoRun {
    public static final String STATION_ID = "DEMO-01";
    /** The printer simulator's default speed-up: a 25-second card in half a second. */
    public static final double DEFAULT_SPEED = 50;
    private static final String PRINTER_PROFILE = "evolis-primacy-dual-ymcko";
    private static final ZoneId ZONE = ZoneId.of("Asia/Jakarta");

    /**
     * {@code broker}: an MQTT broker URL, or null for the embedded one; {@code vpcd}: HOST:PORT of pcscd's vpcd
     * driver to put the virtual cards in (the real PC/SC stack), or null for the in-process reader.
     */
    public record Options(int cards, Path out, long seed, boolean faults, String broker, String vpcd, double speed) {
        public Options(int cards, Path out, long seed, boolean faults) { this(cards, out, seed, faults, null, null, DEFAULT_SPEED); }
    }

    /**
     * What the demo did, read back from the station's store ({@code blanksUsed}: blanks the printer took), the
     * collector's archive ({@code eventsPublished}) and the data center ({@code printedAtDataCenter},
     * {@code issuedAtDataCenter}: residents at CARD_PRINTED and CARD_ISSUED when the demo ended).
     */
    public record Summary(int recordsIn, int printed, int issued, int spoiledBlanks, int rejected, int awaitingHolder,
                          int activationFailed, int eventsPublished, int blanksUsed, int printedAtDataCenter, int issuedAtDataCenter) {
        public String line(Path out) {
            return "demo: " + recordsIn + " records in, " + printed + " printed, " + issued + " issued, " + spoiledBlanks + " blanks spoiled, " + rejected
                    + " refused" + (awaitingHolder > 0 ? ", " + awaitingHolder + " awaiting holder" : "")
                    + (activationFailed > 0 ? ", " + activationFailed + " activation failed" : "")
                    + "; " + eventsPublished + " telemetry events at the office; outputs in " + out;
        }
    }

    private final Options options;
    private final PrintStream progress;

    public DemoRun(Options options, PrintStream progress) {
        this.options = options;
        this.progress = progress;
    }

    public Summary run() throws IOException {
        Path out = options.out();
        if (StationStore.existsIn(out.resolve("station")) || Files.exists(out.resolve("central"))) {
            throw new IllegalArgumentException(out + " already holds an earlier demo (station/, central/); choose another --out or remove it");
        }
        if (options.speed() < 1 || options.speed() > 1000) throw new IllegalArgumentException("--speed must be 1..1000, got " + options.speed());
        long t0 = System.nanoTime();
        Files.createDirectories(out.resolve("keys"));
        // Every tenth good record is followed by a defective one the station must refuse (with --faults).
        int population = options.cards() + (options.faults() ? options.cards() / 10 : 0);
        String token = "demo-token-" + Long.toHexString(options.seed() * 0x9E3779B97F4A7C15L);
        FingerprintLibrary fingers = FingerprintLibrary.embedded();
        byte[] master = demoMasterKey(options.seed());
        CardProfile cardProfile = VirtualCards.profile();
        LongFunction<VirtualCard> blanks = n -> {
            VirtualCard c = VirtualCards.blank(cardProfile, n, Optional.of(master));
            // Demo fault: every 7th blank's chip has a failing memory (it answers writes with 6581).
            if (options.faults() && n % 7 == 0) c.failWritesWith(0x6581);
            return c;
        };

        progress.println("data center: " + population + " synthetic residents (seed " + options.seed() + ")"
                + (options.faults() ? ", every 11th record with a defect the station must refuse" : ""));
        try (CentralServer central = CentralServer.start(new CentralServer.Options(new InetSocketAddress("127.0.0.1", 0), out.resolve("central"),
                options.seed(), population, 0.0, 1e7, Duration.ofMinutes(30), null, Map.of(STATION_ID, token), options.faults() ? 11 : 0));
             Broker broker = Broker.start(options.broker());
             TelemetryIntake intake = TelemetryIntake.start(central, broker.settings, broker.embedded ? null : "ktp-demo-datacenter");
             ktp.collector.Collector collector = new ktp.collector.Collector(broker.settings, out.resolve("office"), broker.embedded ? null : "ktp-demo-collectors",
                     "demo-office", ZONE, Clock.systemUTC()).start();
             Cards cards = options.vpcd() == null ? Cards.inProcess(blanks) : Cards.vpcd(options.vpcd(), blanks);
             SimulatedScanner scanner = new SimulatedScanner(256, 288, new InetSocketAddress("127.0.0.1", 0))) {
            awaitReady(central, population);
            central.key().writePublicKey(out.resolve("trusted-keys"));
            PrinterProfile printerProfile;
            try {
                printerProfile = PrinterProfile.load(ktp.cli.Paths.printerProfiles().resolve(PRINTER_PROFILE + ".yaml"));
            } catch (ktp.datafile.DataFileException e) {
                throw new IOException("the printer profile: " + e.getMessage(), e);
            }
            SimulatedPrinter printer = new SimulatedPrinter(printerProfile, options.speed(), Files.createDirectories(out.resolve("cards")));
            printer.console("feeder " + (population * 2 + 10));
            // Demo fault: the fourth card jams; a technician clears it a moment later.
            if (options.faults() && population >= 4) printer.jamAtCard(4);
            printer.attachContactStation(cards.station());
            try (PrinterSimServer printerServer = PrinterSimServer.tcp(printer, new InetSocketAddress("127.0.0.1", 0))) {
                Path config = writeConfig(out, token, master, central.port(), printerServer.port(), cards.readerPattern(), scanner.port(), broker.settings.url());
                progress.println("station: " + config + "; printer simulator tcp://127.0.0.1:" + printerServer.port() + " at " + options.speed() + "x, "
                        + cards.describe() + ", scanner simulator tcp://127.0.0.1:" + scanner.port() + ", broker " + broker.settings.url()
                        + (broker.embedded ? " (embedded)" : ""));
                StationConfig cfg;
                try {
                    cfg = StationConfig.load(config, ktp.cli.Paths.home().resolve("firmware-profiles"));
                } catch (ktp.datafile.DataFileException e) {
                    throw new IllegalStateException("the demo's own configuration is refused: " + e.getMessage(), e);
                }
                StationDaemon daemon = new StationDaemon(cfg, renderer(), cards.readers(), Clock.systemUTC()).start();
                Progress follow = new Progress(daemon.store(), population);
                Thread technician = technician(printer);
                try {
                    awaitPrinted(daemon.store(), population, follow);
                    holdersComeToTheCounter(daemon, cards, scanner, fingers, population, follow);
                    long until = System.nanoTime() + 60_000_000_000L;
                    while (daemon.store().outboxDepth() > 0 && System.nanoTime() < until) sleep(50);
                    follow.poll();
                } finally {
                    technician.interrupt();
                    daemon.close();
                }
                List<Long> gaps = printer.idleGapsMillis();
                if (!gaps.isEmpty()) progress.println("printer: " + printer.printed() + " printed, " + printer.rejected() + " to the reject box; idle gap between cards median "
                        + gaps.stream().sorted().toList().get(gaps.size() / 2) + " ms");
            }
            // The data center hears CARD_PRINTED and CARD_ISSUED over MQTT; give the last ones a moment to arrive.
            long until = System.nanoTime() + 10_000_000_000L;
            int[] atCenter = centerCounts(central);
            while (atCenter[0] + atCenter[1] < collectorCount(collector, "printedToday") && System.nanoTime() < until) {
                sleep(50);
                atCenter = centerCounts(central);
            }
            Files.copy(collector.archiveFile(), out.resolve("telemetry.jsonl"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            int atOffice = (int) collector.summary().get("accepted").asLong();
            int blanksUsed = cards.issued().size();
            try (StationStore store = StationStore.open(out.resolve("station"), STATION_ID, Clock.systemUTC())) {
                LocalDate today = LocalDate.now(ZONE);
                Path report = out.resolve("daily-report-" + today + ".pdf");
                ReportPdf.daily(DailyReport.of(store, today, ZONE, Clock.systemUTC().instant()), report);
                progress.println("report: " + report);
                Summary s = summarize(store, population, atOffice, blanksUsed, atCenter);
                writeSummary(out.resolve("summary.json"), s, (System.nanoTime() - t0) / 1e9);
                return s;
            }
        }
    }

    private static void awaitReady(CentralServer central, int population) throws IOException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (central.readyCount() < population && System.nanoTime() < deadline) sleep(50);
        if (central.readyCount() < population) throw new IOException("the data center simulator has only " + central.readyCount() + " of " + population + " records ready after a minute");
    }

    /** Until every record is printed, refused or held (or the time allowed for N cards has passed). */
    private void awaitPrinted(StationStore store, int population, Progress follow) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60 + 5L * population).toNanos();
        while (System.nanoTime() < deadline) {
            follow.poll();
            List<Job> jobs = store.jobs();
            boolean settled = jobs.size() >= population && jobs.stream().noneMatch(j -> j.state().ordinal() <= JobState.PRINTED.ordinal() || j.state() == JobState.SPOILED);
            if (settled) return;
            sleep(100);
        }
        progress.println("station: not every record was printed in the time allowed: " + store.countByState());
    }

    /**
     * Each holder of a printed card comes to the counter: the card into the counter's reader, the finger on
     * the scanner (the right index first, the left if it will not match). With --faults every 8th holder
     * places someone else's finger and the 4th of every 16 brings a card whose chip was altered after printing.
     */
    private void holdersComeToTheCounter(StationDaemon daemon, Cards cards, SimulatedScanner scanner, FingerprintLibrary fingers, int population,
                                         Progress follow) throws IOException {
        RecordGenerator generator = new RecordGenerator(options.seed(), fingers, RecordGenerator.defaultIssueDate(options.seed()));
        Map<String, Integer> indexOf = new HashMap<>();
        for (int i = 0; i < population; i++) indexOf.put(generator.identity(i).recordId(), i);
        List<Job> waiting = daemon.store().jobs().stream().filter(j -> j.state() == JobState.AWAITING_HOLDER)
                .sorted(Comparator.comparing(Job::createdAt)).toList();
        progress.println("counter: " + waiting.size() + " holders come for their cards");
        Actor operator = new Actor("demo", Role.OPERATOR);
        try (R30xScanner r307 = R30xScanner.tcp("127.0.0.1", scanner.port(), new R30xScanner.Geometry(256, 288, fingers.dpi()), Duration.ofSeconds(2))) {
            ScannerSource glass = new ScannerSource(r307, Duration.ofSeconds(2));
            int holder = 0;
            for (Job job : waiting) {
                holder++;
                boolean impostor = options.faults() && holder % 8 == 0;
                boolean tampered = options.faults() && holder % 16 == 4;
                VirtualCard card = cards.issued().stream().filter(c -> java.util.HexFormat.of().withUpperCase().formatHex(c.uid()).equals(job.blankId())).findFirst().orElse(null);
                if (card == null) {
                    progress.println("        " + job.recordId() + "  its card " + job.blankId() + " is not at the counter");
                    continue;
                }
                if (tampered) card.tamper(2, 100);
                RecordGenerator.Resident resident = generator.resident(indexOf.get(job.recordId()));
                Map<Integer, Iterator<byte[]>> placed = Map.of(
                        RecordGenerator.RIGHT_INDEX, captures(fingers, resident.rightIndexFinger(), resident, job.recordId(), impostor).iterator(),
                        RecordGenerator.LEFT_INDEX, captures(fingers, resident.leftIndexFinger(), resident, job.recordId(), impostor).iterator());
                HolderActivation.Result r;
                cards.awaitEmptyReader();
                try (AutoCloseable inReader = cards.atCounter(card)) {
                    r = daemon.issueToHolder(job.recordId(), position -> {
                        Iterator<byte[]> next = placed.get(position);
                        if (next == null || !next.hasNext()) throw new HolderVerification.Unavailable("the holder left the counter");
                        try {
                            scanner.place(next.next());
                        } catch (IOException e) {
                            throw new HolderVerification.Unavailable("the scanner simulator: " + e.getMessage());
                        }
                        return glass.capture(position);
                    }, fingers.dpi(), operator, prompt -> { });
                } catch (HolderActivation.ActivationException e) {
                    follow.poll();
                    progress.println("        " + job.recordId() + "  NOT ISSUED: " + e.getMessage());
                    continue;
                } catch (Exception e) {
                    throw new IOException("the counter's reader: " + e.getMessage(), e);
                } finally {
                    scanner.lift();
                }
                follow.poll();
                String note = r.state() != JobState.ACTIVATION_FAILED ? ""
                        : impostor ? " (demo fault: another person's finger)" : tampered ? " (demo fault: the chip's photo altered after printing)" : "";
                progress.println(String.format("        %s  %s  %s%s", job.recordId(), r.state(), r.detail(), note));
            }
        } catch (R30xScanner.ScannerException e) {
            throw new IOException("the scanner simulator: " + e.getMessage(), e);
        }
    }

    /** The captures one finger gives at the counter, enough for the attempts and a few retakes (a stranger's finger for an impostor). */
    private static List<byte[]> captures(FingerprintLibrary fingers, String finger, RecordGenerator.Resident resident, String recordId, boolean impostor) {
        String placed = impostor ? someoneElsesFinger(fingers, resident) : finger;
        // Never impression 1, from which the chip's template was made; a different starting impression per holder.
        List<Integer> later = new ArrayList<>(fingers.impressions(placed).subList(impostor ? 0 : 1, fingers.impressions(placed).size()));
        java.util.Collections.rotate(later, Math.floorMod(recordId.hashCode(), later.size()));
        List<byte[]> images = new ArrayList<>();
        for (int i = 0; i < RetryPolicy.STATION.attemptsPerFinger() + 3; i++) images.add(fingers.image(placed, later.get(i % later.size())));
        return images;
    }

    private static String someoneElsesFinger(FingerprintLibrary fingers, RecordGenerator.Resident resident) {
        for (String f : fingers.fingers()) {
            if (!f.equals(resident.rightIndexFinger()) && !f.equals(resident.leftIndexFinger())) return f;
        }
        throw new IllegalStateException("the fingerprint library has no third finger");
    }

    /** A technician who clears a jam a moment after it happens (the printer waits, the operator is told). */
    private Thread technician(SimulatedPrinter printer) {
        Thread t = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(200);
                    if (printer.jammed()) {
                        Thread.sleep(1500);
                        printer.clearJam();
                        progress.println("        technician: took the jammed card out of the printer and closed it");
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "demo-technician");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private Path writeConfig(Path out, String token, byte[] master, int centralPort, int printerPort, String reader, int scannerPort, String broker) throws IOException {
        Files.writeString(out.resolve("keys/token.txt"), token);
        Files.writeString(out.resolve("keys/issuer-master.hex"), java.util.HexFormat.of().formatHex(master));
        Path f = out.resolve("station.yaml");
        Files.writeString(f, """
                # Written by ktp demo: the station configuration the demo's daemon ran with (see docs/station-daemon.md).
                # The ports are the simulators' for this run; the master key is a demo key made from the seed.
                station: { id: %s, store: station }
                central: { url: "http://127.0.0.1:%d", plain_http: true, token_file: keys/token.txt }
                trusted_keys: trusted-keys
                printers:
                  - { name: P1, uri: "tcp://127.0.0.1:%d", profile: %s }
                encoder: { reader: "%s", card_profile: ktpel-virtual, master_key: keys/issuer-master.hex, insert_wait_s: 5 }
                scanner: { uri: "tcp://127.0.0.1:%d", profile: r307 }
                telemetry: { broker: "%s", health_every_s: 5 }
                """.formatted(STATION_ID, centralPort, printerPort, PRINTER_PROFILE, reader, scannerPort, broker));
        return f;
    }

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

    private static int[] centerCounts(CentralServer central) {
        Map<ktp.lifecycle.NationalStatus, Integer> c = central.statusCounts();
        return new int[] {c.getOrDefault(ktp.lifecycle.NationalStatus.CARD_PRINTED, 0), c.getOrDefault(ktp.lifecycle.NationalStatus.CARD_ISSUED, 0)};
    }

    private static int collectorCount(ktp.collector.Collector collector, String field) {
        return collector.summary().path("stations").path(STATION_ID).path(field).asInt();
    }

    private static Summary summarize(StationStore store, int recordsIn, int atOffice, int blanksUsed, int[] atCenter) {
        Map<JobState, Long> byState = store.countByState();
        int spoiled = 0;
        int printed = 0;
        for (LedgerEntry e : store.ledger()) {
            if (e.fate() == BlankFate.SPOILED) spoiled++;
            else if (e.fate() != BlankFate.IN_PRINTER) printed++;
        }
        return new Summary(recordsIn, printed, byState.getOrDefault(JobState.ISSUED, 0L).intValue(), spoiled,
                byState.getOrDefault(JobState.REJECTED, 0L).intValue(), byState.getOrDefault(JobState.AWAITING_HOLDER, 0L).intValue(),
                byState.getOrDefault(JobState.ACTIVATION_FAILED, 0L).intValue(), atOffice, blanksUsed, atCenter[0], atCenter[1]);
    }

    private static void writeSummary(Path file, Summary s, double seconds) throws IOException {
        ObjectNode n = new ObjectMapper().createObjectNode();
        n.put("recordsIn", s.recordsIn());
        n.put("printed", s.printed());
        n.put("issued", s.issued());
        n.put("spoiledBlanks", s.spoiledBlanks());
        n.put("rejected", s.rejected());
        n.put("awaitingHolder", s.awaitingHolder());
        n.put("activationFailed", s.activationFailed());
        n.put("telemetryEvents", s.eventsPublished());
        n.put("blanksUsed", s.blanksUsed());
        n.put("printedAtDataCenter", s.printedAtDataCenter());
        n.put("issuedAtDataCenter", s.issuedAtDataCenter());
        n.put("seconds", Math.round(seconds * 10) / 10.0);
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(file.toFile(), n);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The broker the demo's telemetry goes through: an embedded Moquette, or the one --broker names. */
    private static final class Broker implements AutoCloseable {
        final BrokerSettings settings;
        final boolean embedded;
        private final EmbeddedBroker server;

        private Broker(BrokerSettings settings, EmbeddedBroker server) {
            this.settings = settings;
            this.server = server;
            this.embedded = server != null;
        }

        static Broker start(String url) throws IOException {
            if (url != null) {
                try {
                    return new Broker(BrokerSettings.plain(url), null);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("--broker: " + e.getMessage());
                }
            }
            EmbeddedBroker b = EmbeddedBroker.start("127.0.0.1", 0, null);
            return new Broker(BrokerSettings.plain(b.url()), b);
        }

        @Override
        public void close() {
            if (server != null) server.close();
        }
    }

    /**
     * The blanks with their chips and the readers the station sees them in: the printer's contact station
     * and, at the holder's visit, the counter's reader.
     */
    private interface Cards extends AutoCloseable {
        SimulatedPrinter.ContactStation station();

        TerminalFactory readers();

        String readerPattern();

        List<VirtualCard> issued();

        String describe();

        /** Puts a printed card in the counter's reader until the returned handle is closed. */
        AutoCloseable atCounter(VirtualCard card) throws IOException;

        /**
         * Until the reader has seen the last card go: pcscd polls its readers, so a card swapped at once would
         * be taken for the one still there (SCARD_E_NOT_TRANSACTED at the first command).
         */
        default void awaitEmptyReader() throws IOException {
            try {
                for (javax.smartcardio.CardTerminal t : readers().terminals().list()) {
                    if (t.getName().contains(readerPattern()) && !t.waitForCardAbsent(5000)) throw new IOException("a card stays in " + t.getName());
                }
            } catch (javax.smartcardio.CardException e) {
                throw new IOException("the counter's reader: " + e.getMessage(), e);
            }
        }

        @Override
        void close() throws IOException;

        static Cards inProcess(LongFunction<VirtualCard> blanks) throws IOException {
            CardSlot slot = new CardSlot();
            BlankStock stock = new BlankStock(slot, blanks);
            TerminalFactory readers;
            try {
                readers = InProcessReaders.factory(slot);
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IOException("the in-process card reader: " + e.getMessage(), e);
            }
            return simple(stock, readers, InProcessReaders.READER, stock::issued, "virtual cards in an in-process reader", card -> {
                slot.insert(card);
                return slot::remove;
            }, () -> { });
        }

        static Cards vpcd(String hostPort, LongFunction<VirtualCard> blanks) {
            int colon = hostPort.lastIndexOf(':');
            if (colon < 1) throw new IllegalArgumentException("--pcsc: HOST:PORT of pcscd's vpcd driver, got \"" + hostPort + "\"");
            String host = hostPort.substring(0, colon);
            int port;
            try {
                port = Integer.parseInt(hostPort.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--pcsc: not a port in \"" + hostPort + "\"");
            }
            VpcdBlankStock stock = new VpcdBlankStock(host, port, blanks);
            return simple(stock, TerminalFactory.getDefault(), "Virtual PCD", stock::issued, "virtual cards through pcscd (vpcd " + hostPort + ")", card -> {
                VpcdClient c = VpcdClient.connect(host, port, card);
                return c::close;
            }, stock::close);
        }

        interface Counter {
            AutoCloseable insert(VirtualCard card) throws IOException;
        }

        interface Closer {
            void close() throws IOException;
        }

        private static Cards simple(SimulatedPrinter.ContactStation station, TerminalFactory readers, String pattern, Supplier<List<VirtualCard>> issued,
                                    String description, Counter counter, Closer closer) {
            return new Cards() {
                @Override public SimulatedPrinter.ContactStation station() { return station; }
                @Override public TerminalFactory readers() { return readers; }
                @Override public String readerPattern() { return pattern; }
                @Override public List<VirtualCard> issued() { return issued.get(); }
                @Override public String describe() { return description; }
                @Override public AutoCloseable atCounter(VirtualCard card) throws IOException { return counter.insert(card); }
                @Override public void close() throws IOException { closer.close(); }
            };
        }
    }

    /** Shows the station's job changes as they are committed, read from its audit log. */
    private final class Progress {
        private final StationStore store;
        private final int population;
        private long seen;
        private final AtomicInteger printed = new AtomicInteger();

        Progress(StationStore store, int population) {
            this.store = store;
            this.population = population;
        }

        synchronized void poll() {
            for (List<AuditEntry> batch = store.auditAfter(seen, 500); !batch.isEmpty(); batch = store.auditAfter(seen, 500)) {
                for (AuditEntry e : batch) {
                    seen = e.sequence();
                    String line = describe(e);
                    if (line != null) progress.println(line);
                }
            }
        }

        private String describe(AuditEntry e) {
            String time = java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss").format(e.at().atZone(ZONE));
            String a = e.action();
            if (a.startsWith("JOB ")) {
                String to = a.substring(a.indexOf("-> ") + 3);
                return switch (to) {
                    case "VALIDATED", "REJECTED", "ENCODING", "SPOILED" -> String.format("%s  %-18s %s", time, to, e.detail());
                    case "AWAITING_HOLDER" -> String.format("%s  %-18s %s   [%d/%d printed]", time, "PRINTED", e.detail(), printed.incrementAndGet(), population);
                    case "ISSUED", "ACTIVATION_FAILED" -> String.format("%s  %-18s %s (%s)", time, to, e.detail(), e.actor());
                    default -> null;
                };
            }
            if (a.startsWith("PRINTER_") || a.equals("BLANK_FOUND") || a.equals("HELD_FOR_TECHNICIAN") || a.equals("NOT_PRINTABLE")) {
                return String.format("%s  %-18s %s", time, a, e.detail());
            }
            return null;
        }
    }
}
