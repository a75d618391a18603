package ktp.sim.central;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import ktp.i18n.Catalogue;
import ktp.i18n.Language;
import ktp.i18n.StationLog;
import ktp.job.JobState;
import ktp.printer.PrinterError;
import ktp.printer.PrinterProfile;
import ktp.render.CardRenderer;
import ktp.render.CardTemplate;
import ktp.sim.card.CardSlot;
import ktp.sim.card.InProcessReaders;
import ktp.sim.printer.PrinterSimServer;
import ktp.sim.printer.SimulatedPrinter;
import ktp.station.StationConfig;
import ktp.station.StationDaemon;
import ktp.store.Job;
import ktp.store.LedgerEntry;
import ktp.store.StationStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The station log's operator lines, read from the real daemon against the data center and a printer simulator on TCP,
 * once with {@code language: en} and once with the default (Indonesian): a card printed, one jammed and spoiled, the
 * feeder running empty and loaded again, a broker that does not answer, the start and the stop. Every INFO/WARN/ERROR
 * line of the daemon's own loggers is one of the catalogue's texts in the station's language, and the lines that name a
 * printed card carry the record and blank ids the store and the ledger hold (read after the stop), as they are.
 * Run alone: mvn -B -o -pl station,simulator -am test -Dtest=StationLogLanguageTest -Dsurefire.failIfNoSpecifiedTests=false
 */
class StationLogLanguageTest {
    private static final Path REPO = Path.of(System.getProperty("ktp.repo", "..")).toAbsolutePath().normalize();
    /** Loggers whose lines are not the station log's operator lines (StationLogWordsTest lists why), and the simulators'. */
    private static final List<String> NOT_OPERATOR_LOGGERS = List.of("ktp.sim.", "ktp.collector.");

    @TempDir
    Path dir;

    @AfterEach
    void indonesianAgain() { StationLog.use(Language.ID); }

    @Test
    void theDaemonLogsTheOperatorsLinesInTheStationsLanguage() throws Exception {
        for (Language language : Language.values()) {
            List<String> lines = runStation(language);
            Path store = dir.resolve(language.code() + "/station/store");
            checkLines(language, lines, store, "ST-LOG-" + language.code().toUpperCase());
        }
    }

    /** Runs the station until three records are printed (one jam and one empty feeder on the way); its log lines. */
    private List<String> runStation(Language language) throws Exception {
        Path root = dir.resolve(language.code());
        String station = "ST-LOG-" + language.code().toUpperCase();
        String token = "token-of-" + station;
        Logger ktpLogger = (Logger) LoggerFactory.getLogger("ktp");
        Level before = ktpLogger.getLevel();
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        ktpLogger.addAppender(log);
        ktpLogger.setLevel(Level.INFO);
        try (CentralServer central = CentralServer.start(new CentralServer.Options(new InetSocketAddress("127.0.0.1", 0), root.resolve("central"), 91, 3, 0.0, 1e7,
                Duration.ofSeconds(120), null, Map.of(station, token)))) {
            await("the data center's records", Duration.ofSeconds(20), () -> central.center().readyCount() >= 3);
            Path base = Files.createDirectories(root.resolve("station/keys"));
            central.key().writePublicKey(root.resolve("station/trusted-keys"));
            Files.writeString(base.resolve("token.txt"), token);
            ktp.sim.TelemetryTestKeys.at(root.resolve("telemetry-office")).stationFiles(root.resolve("station"), station);
            SimulatedPrinter printer = new SimulatedPrinter(PrinterProfile.load(REPO.resolve("firmware-profiles/printers/evolis-zenius-mono.yaml")), 1000, null);
            printer.console("feeder 3");
            printer.jamAtCard(2);
            try (PrinterSimServer server = PrinterSimServer.tcp(printer, new InetSocketAddress("127.0.0.1", 0))) {
                // The broker: a loopback port nobody listens on, so that the station says it cannot reach it.
                Path config = root.resolve("station/station.yaml");
                Files.writeString(config, """
                        station: { id: %s, store: store%s }
                        central: { url: "http://127.0.0.1:%d", plain_http: true, token_file: keys/token.txt }
                        trusted_keys: trusted-keys
                        printers:
                          - { name: P1, uri: "tcp://127.0.0.1:%d", profile: evolis-zenius-mono, chipless: true }
                        encoder: { reader: "none", card_profile: ktpel-virtual }
                        scanner: { uri: "tcp://127.0.0.1:1", profile: r307 }
                        telemetry: { broker: "tcp://127.0.0.1:1", health_every_s: 5, signing_key: keys/telemetry-signing.key, office_keys: office-keys }
                        """.formatted(station, language == Language.EN ? ", language: en" : "", central.uri().getPort(), server.port()));
                StationConfig cfg = StationConfig.load(config, REPO.resolve("firmware-profiles"));
                CardRenderer renderer = new CardRenderer(CardTemplate.load(REPO.resolve("templates/ktpel.yaml")));
                try (StationDaemon daemon = new StationDaemon(cfg, renderer, InProcessReaders.factory(List.<CardSlot>of()), Clock.systemUTC()).start()) {
                    await("the jam", Duration.ofSeconds(60), printer::jammed);
                    printer.clearJam();
                    await("the feeder empty, the lane paused: " + daemon.lane("P1").state(), Duration.ofSeconds(60),
                            () -> daemon.lane("P1").state().code().equals(PrinterError.FEEDER_EMPTY.name()));
                    printer.console("feeder 5");
                    await("three cards printed: " + daemon.store().countByState(), Duration.ofSeconds(60),
                            () -> daemon.store().jobs().stream().filter(j -> j.state() == JobState.AWAITING_HOLDER).count() == 3);
                }
            }
        } finally {
            ktpLogger.detachAppender(log);
            ktpLogger.setLevel(before);
            log.stop();
        }
        List<String> lines = new ArrayList<>();
        for (ILoggingEvent e : log.list) {
            if (e.getLevel().isGreaterOrEqual(Level.INFO) && NOT_OPERATOR_LOGGERS.stream().noneMatch(e.getLoggerName()::startsWith)) lines.add(e.getFormattedMessage());
        }
        return lines;
    }

    private static void checkLines(Language language, List<String> lines, Path storeDir, String station) throws Exception {
        List<String> strangers = new ArrayList<>();
        Set<String> said = new TreeSet<>();
        for (String line : lines) {
            String key = keyOf(language, line);
            if (key == null) strangers.add(line);
            else said.add(key);
        }
        assertEquals(List.of(), strangers, language + ": lines that are not the catalogue's in the station's language");
        for (String expected : List.of("daemon.recovered", "daemon.running", "central.leased", "runner.printed", "lane.resultOnBlank", "runner.spoiled",
                "runner.paused", "runner.resumed", "lane.changedDetail", "telemetry.unreachable", "daemon.stopping", "daemon.stopped")) {
            assertTrue(said.contains("station.log." + expected), language + ": no " + expected + " line among " + said + "\n" + String.join("\n", lines));
        }
        // The empty feeder: the printer error's own words in this language, its code after them for a search.
        String empty = StationLog.pick(PrinterError.FEEDER_EMPTY.operatorMessage(), PrinterError.FEEDER_EMPTY.operatorMessageId());
        assertTrue(lines.stream().anyMatch(l -> l.contains(empty) && l.contains("PAUSED/FEEDER_EMPTY")), language + ": the pause names the empty feeder: " + lines);
        // The ids as the store and the ledger hold them, read after the stop (not the daemon's word).
        try (StationStore store = StationStore.open(storeDir, station, Clock.systemUTC())) {
            List<Job> printed = store.jobs().stream().filter(j -> j.state() == JobState.AWAITING_HOLDER).toList();
            assertEquals(3, printed.size());
            for (Job j : printed) {
                String line = Catalogue.text(language, "station.log.runner.printed", j.recordId(), j.blankId());
                assertTrue(lines.contains(line), language + ": '" + line + "' in the log: " + lines);
            }
            List<LedgerEntry> spoiled = store.ledger().stream().filter(e -> e.fate() == ktp.store.BlankFate.SPOILED).toList();
            assertEquals(1, spoiled.size(), "the jammed card: " + store.ledger());
            String blank = spoiled.get(0).blankId();
            assertTrue(lines.stream().anyMatch(l -> "station.log.runner.spoiled".equals(keyOf(language, l)) && l.contains(" " + blank + " ")),
                    language + ": the spoiled blank " + blank + " named in the log: " + lines);
        }
        // The other language's words are not there (where the two texts differ).
        Language other = language == Language.EN ? Language.ID : Language.EN;
        for (String line : lines) {
            String theirs = keyOf(other, line);
            if (theirs != null && !Catalogue.text(other, theirs).equals(Catalogue.text(language, theirs)) && keyOf(language, line) == null) {
                fail(language + ": a line in " + other + ": " + line);
            }
        }
    }

    /** The catalogue's station.log key whose text in {@code language} this line is (its arguments any text), or null. */
    private static String keyOf(Language language, String line) {
        String best = null;
        int bestLength = -1;
        for (String key : Catalogue.keys(language)) {
            if (!key.startsWith("station.log.")) continue;
            String text = Catalogue.text(language, key, "\u0000", "\u0000", "\u0000", "\u0000", "\u0000", "\u0000");
            StringBuilder regex = new StringBuilder();
            for (String part : text.split("\u0000", -1)) {
                if (regex.length() > 0) regex.append("(.*)");
                regex.append(Pattern.quote(part));
            }
            // Of two texts that both fit (one a prefix of the other's shape), the one with more fixed words.
            int fixed = text.replace("\u0000", "").length();
            if (Pattern.compile(regex.toString(), Pattern.DOTALL).matcher(line).matches() && fixed > bestLength) {
                best = key;
                bestLength = fixed;
            }
        }
        return best;
    }

    private static void await(String what, Duration limit, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) fail("not within " + limit.toSeconds() + " s: " + what);
            Thread.sleep(50);
        }
    }
}
