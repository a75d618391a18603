package ktp.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import ktp.datafile.DataFileException;
import ktp.station.StationConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "station", mixinStandardHelpOptions = true, description = "A print station's configuration (docs/station-config.md).",
        subcommands = {StationCommand.Init.class, StationSetup.class, StationCommand.CheckConfig.class, StationCommand.Run.class, StationCommand.Status.class})
final class StationCommand extends CommandGroup {

    @Command(name = "init", mixinStandardHelpOptions = true, description = "Write a commented example configuration to edit (never over an existing file).")
    static final class Init implements Callable<Integer> {
        @Option(names = "--out", paramLabel = "FILE", defaultValue = "station.yaml", description = "where to write it (default ${DEFAULT-VALUE})") Path out;

        @Override
        public Integer call() throws IOException {
            if (Files.exists(out)) throw CliText.bad("err.init.exists", out.toString());
            try (InputStream in = StationConfig.class.getResourceAsStream("station-example.yaml")) {
                if (in == null) throw new IllegalStateException("the example configuration is missing from the station's resources");
                Files.write(out, in.readAllBytes());
            }
            System.out.println(CliText.t("init.wrote", out.toString()));
            return ExitCodes.OK;
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = {"Run the print station: lease and validate records, encode and print cards on every configured printer,",
                    "report to the central office. Stops in order on SIGTERM or Ctrl-C (the card in progress finishes)."})
    static final class Run implements Callable<Integer> {
        @Option(names = "--config", required = true, paramLabel = "FILE") Path file;

        @Override
        public Integer call() throws Exception {
            // What is wrong in the file is said in station.language (when the file reads that far) unless --lang says otherwise.
            CliText.config(file);
            StationConfig c;
            try {
                c = StationConfig.load(file, Paths.home().resolve("firmware-profiles"));
            } catch (DataFileException e) {
                throw new BadInputException(e.message(CliText.language()));
            }
            ktp.render.CardRenderer renderer;
            try {
                renderer = Templates.renderer("ktpel");
            } catch (DataFileException e) {
                throw new BadInputException(e.message(CliText.language()));
            }
            for (DataFileException warning : c.warnings()) System.err.println(CliText.t("run.warning", warning.message(CliText.language())));
            // The daemon logs what it does (one line per job change, device and link events); commands only warn.
            ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("ktp")).setLevel(ch.qos.logback.classic.Level.INFO);
            javax.smartcardio.TerminalFactory readers = javax.smartcardio.TerminalFactory.getDefault();
            String lab = labReader(file);
            if (lab != null) {
                if (!Pattern.compile(c.encoder().readerPattern()).matcher(ktp.lab.LabReader.NAME).find()) {
                    throw CliText.bad("err.run.labReaderName", file.toString(), c.encoder().readerPattern(), ktp.lab.LabReader.NAME);
                }
                URI u = URI.create(lab);
                ktp.lab.LabReader reader = ktp.lab.LabReader.listen(u.getHost(), u.getPort());
                // A lab may unplug it: docs/station-config.md, encoder.lab_reader.
                reader.unpluggedWhileExists(file.toAbsolutePath().resolveSibling("lab-reader.unplugged"));
                readers = reader.factory();
                System.out.println(CliText.t("run.labReader", ktp.lab.LabReader.NAME, u.getHost(), String.valueOf(reader.port())));
            }
            ktp.station.StationDaemon daemon = new ktp.station.StationDaemon(c, renderer, readers, java.time.Clock.systemUTC());
            java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
            ktp.console.Console[] console = new ktp.console.Console[1];
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                if (console[0] != null) console[0].close();
                daemon.close();
                stopped.countDown();
            }, "station-stop"));
            try {
                daemon.start();
                // SIGHUP reloads the trusted keys, as an operator expects of a daemon (docs/station-daemon.md).
                daemon.reloadOnSighup();
            } catch (ktp.store.StoreLockedException e) {
                System.err.println("ktp: " + e.getMessage());
                return ExitCodes.FAILURE;
            }
            if (c.console().users() != null) {
                try {
                    console[0] = ktp.console.Console.start(daemon, java.time.Clock.systemUTC());
                } catch (java.io.IOException e) {
                    // The station prints without a console; the operator is told why there is none.
                    org.slf4j.LoggerFactory.getLogger("ktp.console").error(ktp.i18n.StationLog.line("console.none", e.getMessage()));
                }
            }
            stopped.await();
            return ExitCodes.OK;
        }
    }

    /** encoder.lab_reader, checked by StationConfig (a lab only); null when the station uses PC/SC. */
    static String labReader(Path file) {
        try {
            ktp.datafile.DataFile.Node e = ktp.datafile.DataFile.load(file).object("encoder");
            if (!e.has("lab_reader")) return null;
            String v = e.text("lab_reader");
            // The old form tcp:HOST:PORT is read as tcp://HOST:PORT (StationConfig warns about it).
            return v.startsWith("tcp:") && !v.startsWith("tcp://") ? "tcp://" + v.substring(4) : v;
        } catch (DataFileException x) {
            throw new BadInputException(x.message(CliText.language()));
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = {"The station's lanes, devices, queue, outbox and alerts: from the running daemon (its status file, at most a few",
                    "seconds old), or from the store when the daemon is stopped. Exit code 0 when READY, 1 otherwise."})
    static final class Status implements Callable<Integer> {
        @picocli.CommandLine.Mixin StoreChoice from;
        @Option(names = "--json", description = "print the status as JSON") boolean json;
        /** A status file older than this is not a running daemon's. */
        static final java.time.Duration FRESH = java.time.Duration.ofSeconds(10);

        @Override
        public Integer call() throws Exception {
            Path store = from.resolve();
            CliText.config(from.config);
            ktp.station.StationHealth h = fromDaemon(store);
            // A mistyped --store is said, not answered with a new empty store made there.
            if (h == null && !ktp.store.StationStore.existsIn(store)) throw CliText.bad("err.store.none", store);
            if (h == null) h = fromStore(store);
            if (json) System.out.println(new String(h.toJson(), java.nio.charset.StandardCharsets.UTF_8));
            else print(h);
            return h.ready() ? ExitCodes.OK : ExitCodes.FAILURE;
        }

        private static ktp.station.StationHealth fromDaemon(Path store) {
            Path f = ktp.station.StationHealth.statusFile(store);
            if (!Files.isRegularFile(f)) return null;
            try {
                ktp.station.StationHealth h = ktp.station.StationHealth.fromJson(Files.readAllBytes(f));
                return h.at().plus(FRESH).isAfter(java.time.Instant.now()) ? h : null;
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }

        private ktp.station.StationHealth fromStore(Path dir) {
            List<ktp.station.LaneState> lanes = new ArrayList<>();
            java.time.Instant now = java.time.Instant.now();
            if (from.config != null) {
                for (StationConfig.Printer p : from.configuration().printers()) {
                    lanes.add(new ktp.station.LaneState(p.name(), ktp.station.LaneState.Kind.STOPPED, "STOPPED", "The station daemon is not running",
                            "Daemon stasiun tidak berjalan", "", "", now));
                }
            }
            List<ktp.station.StationHealth.Alert> alerts = new ArrayList<>();
            try (ktp.store.StationStore s = ktp.store.StationStore.open(dir, null, java.time.Clock.systemUTC())) {
                alerts.add(new ktp.station.StationHealth.Alert(ktp.station.StationHealth.DAEMON_STOPPED, "", "The station daemon is not running: start it with 'ktp station run'",
                        "Daemon stasiun tidak berjalan: jalankan dengan 'ktp station run'", "status read from the store " + dir));
                long loaded = s.blanksLoadedTotal();
                Long feeder = loaded == 0 ? null : loaded - s.ledgerSize();
                if (feeder == null) alerts.add(new ktp.station.StationHealth.Alert(ktp.station.StationHealth.FEEDER_UNKNOWN, "", "No blanks are recorded as loaded",
                        "Belum ada blanko yang dicatat dimuat", "taken " + s.ledgerSize()));
                else if (feeder < 0) alerts.add(new ktp.station.StationHealth.Alert(ktp.station.StationHealth.FEEDER_NEGATIVE, "", "More blanks taken than recorded as loaded",
                        "Blanko yang diambil lebih banyak dari yang dicatat dimuat", "loaded " + loaded + ", taken " + s.ledgerSize()));
                if (s.outboxDepth() > 0) alerts.add(new ktp.station.StationHealth.Alert(ktp.station.StationHealth.OUTBOX_GROWING, "", s.outboxDepth()
                        + " event(s) wait to be sent (they go when the daemon runs)", s.outboxDepth() + " peristiwa menunggu dikirim", ""));
                return new ktp.station.StationHealth(s.stationId(), now, "store", List.copyOf(lanes), List.copyOf(alerts), s.queueDepth(), s.outboxDepth(), feeder,
                        false, false, false);
            } catch (ktp.store.StoreLockedException locked) {
                alerts.add(new ktp.station.StationHealth.Alert("DAEMON_NOT_ANSWERING", "", "A daemon holds the store but has written no status for " + FRESH.toSeconds()
                        + " s: it may be hung; look at its log", "Daemon memegang penyimpanan tetapi tidak menulis status: periksa log-nya", locked.getMessage()));
                return new ktp.station.StationHealth("", now, "none", List.copyOf(lanes), List.copyOf(alerts), 0, 0, null, false, false, false);
            }
        }

        private static void print(ktp.station.StationHealth h) {
            // In the operator's language (CliText); the codes (lane kinds, alert codes) stay as they are, for a search in the docs.
            String source = switch (h.source()) {
                case "daemon", "store", "none" -> CliText.t("status.source." + h.source());
                default -> h.source();
            };
            System.out.println(CliText.t("status.head", h.stationId(), CliText.t(h.ready() ? "status.ready" : "status.notReady"), source, h.at().toString()));
            for (ktp.station.LaneState l : h.lanes()) {
                System.out.println(CliText.t("status.lane", l.printer(), l.kind() + (l.code().equals(l.kind().name()) ? "" : " " + l.code()), l.since().toString())
                        + (l.recordId().isEmpty() ? "" : CliText.t("status.laneRecord", l.recordId())));
                if (!l.canPrint()) System.out.println("    " + CliText.pick(l.messageEn(), l.messageId()) + (l.detail().isEmpty() ? "" : "\n    " + CliText.t("status.detail", l.detail())));
            }
            System.out.println(CliText.t("status.counts", h.queueDepth(), h.outboxDepth(), h.blanksInFeeder() == null ? CliText.t("status.unknown") : h.blanksInFeeder().toString())
                    + (h.source().equals("daemon") ? CliText.t("status.links", CliText.t(h.dataCenterReachable() ? "status.reachable" : "status.notReachable")
                    + (h.takingRecords() ? "" : " " + CliText.t("status.notTaking")), CliText.t(h.brokerConnected() ? "status.connected" : "status.notConnected")) : ""));
            if (h.alerts().isEmpty()) System.out.println(CliText.t("status.noAlerts"));
            for (ktp.station.StationHealth.Alert a : h.alerts()) {
                System.out.println(CliText.t("status.alert", a.code(), a.printer().isEmpty() ? "" : " (" + a.printer() + ")", CliText.pick(a.messageEn(), a.messageId()))
                        + (a.detail().isEmpty() ? "" : " [" + a.detail() + "]"));
            }
        }
    }

    @Command(name = "check-config", mixinStandardHelpOptions = true,
            description = {"Validate a station configuration and everything it names (files, keys, profiles) and print what it found.",
                    "With --probe, also ask each device and server in its own protocol and say which answered as what: the printer's status",
                    "reply, the scanner's handshake, a data center call with the station's credentials, the broker's CONNACK, the PC/SC reader.",
                    "Warns, naming the key, about secret or store files other users can read, a console beyond loopback without TLS,",
                    "a missing console users file and a store path that is not a folder.",
                    "Exit 0 when all is well (warnings included), 2 with a message naming the key to fix."})
    static final class CheckConfig implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "FILE") Path file;
        @Option(names = "--probe", description = "also check that every device and server answers") boolean probe;

        @Override
        public Integer call() {
            CliText.config(file);
            StationConfig c;
            try {
                c = StationConfig.load(file, Paths.home().resolve("firmware-profiles"));
            } catch (DataFileException e) {
                throw new BadInputException(e.message(CliText.language()));
            }
            System.out.println(CliText.t("check.station", c.stationId(), c.store().toString()));
            System.out.println(CliText.t("check.central", c.central().url().toString(), c.central().plainHttp() ? CliText.t("check.plain")
                    : CliText.t("check.pinned") + CliText.t(c.central().certificate() != null ? "check.certificate" : "check.token")));
            for (StationConfig.Printer p : c.printers()) {
                System.out.println(CliText.t("check.printer", p.name(), p.uri(), p.profile().id(), p.reader() == null ? "" : CliText.t("check.chipReader", p.reader())));
            }
            System.out.println(CliText.t("check.encoder", c.encoder().readerPattern(), c.encoder().profile().id(),
                    c.encoder().masterKey() == null ? CliText.t("check.testKeys") : CliText.t("check.masterKey", c.encoder().profile().diversification())));
            System.out.println(CliText.t("check.scanner", c.scanner().uri(), c.scanner().profile().id()));
            System.out.println(CliText.t("check.telemetry", c.telemetry().broker().url(), c.telemetry().healthEverySeconds()));
            System.out.println(CliText.t("check.console", c.console().users() == null ? CliText.t("check.noConsole") : CliText.t("check.consoleAt", c.console().listen(), c.console().users().toString())));
            List<String> warnings = ConfigWarnings.of(c);
            for (String warning : warnings) System.out.println(CliText.t("check.warning", warning));
            if (probe) {
                // Each device and server is asked in its own protocol, so that a port that answers as the wrong
                // device (printer and scanner swapped) or a server that refuses the station's credentials is caught.
                List<String> failed = new ArrayList<>();
                for (int i = 0; i < c.printers().size(); i++) Probes.printer("printers[" + i + "].uri", c.printers().get(i), c.scanner(), failed);
                Probes.scanner("scanner.uri", c.scanner(), c.printers().get(0), failed);
                Probes.broker("telemetry.broker", c.telemetry().broker(), c.stationId(), failed);
                Probes.central("central.url", c, failed);
                if (labReader(file) != null) report("encoder.lab_reader", labReader(file), null, failed); // served by the daemon itself
                else probeReader(c.encoder().readerPattern(), failed);
                if (!failed.isEmpty()) throw CliText.bad("err.check.probed", file.toString(), String.join("; ", failed));
            }
            System.out.println(CliText.t(probe ? "check.okProbed" : "check.ok", file.toString()) + (warnings.isEmpty() ? "" : CliText.t("check.withWarnings", warnings.size())));
            return ExitCodes.OK;
        }

        private static void probeReader(String pattern, List<String> failed) {
            try {
                List<String> readers = javax.smartcardio.TerminalFactory.getDefault().terminals().list().stream().map(javax.smartcardio.CardTerminal::getName).toList();
                boolean found = readers.stream().anyMatch(r -> Pattern.compile(pattern).matcher(r).find());
                report("encoder.reader", "/" + pattern + "/", found ? null : readers.isEmpty() ? "no PC/SC reader at all: " + ktp.card.SmartcardioTransport.NO_READER
                        : "no PC/SC reader matches; readers: " + readers, failed);
            } catch (javax.smartcardio.CardException e) {
                report("encoder.reader", "/" + pattern + "/", ktp.card.SmartcardioTransport.explain(e), failed);
            } catch (RuntimeException e) {
                report("encoder.reader", "/" + pattern + "/", "PC/SC is not available (is pcscd running?): " + e.getMessage(), failed);
            }
        }

        static void report(String key, String what, String problem, List<String> failed) {
            System.out.println(problem == null ? CliText.t("check.answers", key, what) : CliText.t("check.failed", key, what, problem));
            if (problem != null) failed.add(key + " " + what + " " + problem);
        }

        /** A probe that answered, saying as what. */
        static void answered(String key, String what, String as) {
            System.out.println(CliText.t("check.answersAs", key, what, as));
        }
    }
}
