package ktp.sim.central;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import ktp.card.CardProfile;
import ktp.collector.Collector;
import ktp.job.JobState;
import ktp.printer.PrinterProfile;
import ktp.sim.SharedBroker;
import ktp.sim.card.VirtualCards;
import ktp.sim.card.VpcdBlankStock;
import ktp.sim.printer.PrinterSimServer;
import ktp.sim.printer.SimulatedPrinter;
import ktp.store.BlankFate;
import ktp.store.Job;
import ktp.store.LedgerEntry;
import ktp.store.StationStore;
import ktp.telemetry.BrokerSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The station daemon (`ktp station run`, its own process, through the real PC/SC stack: pcscd and vpcd) killed
 * with SIGKILL at 50 random moments of a 30-card run against the simulators, restarted each time, then let
 * finish and stopped in order. At the end the ledger, the data center and the collector agree: every record
 * printed exactly once, every blank that reached the encoder accounted for, every event delivered once.
 */
class StationCrashTest {
    private static final Path REPO = Path.of(System.getProperty("ktp.repo", "..")).toAbsolutePath().normalize();
    private static final byte[] MASTER = java.util.HexFormat.of().parseHex("1122334455667788990011223344556F");
    private static final int RECORDS = 30;
    private static final int KILLS = 50;

    @TempDir
    Path dir;

    @Test
    void fiftySigkillsDuringAThirtyCardRunLeaveNothingPrintedTwiceAndEveryBlankAndEventAccountedFor() throws Exception {
        String broker = SharedBroker.url();
        String station = ktp.telemetry.SharedBrokerLogins.station("ST-K");
        String collectorName = ktp.telemetry.SharedBrokerLogins.collector("office");
        String token = "token-of-" + station;
        Random random = new Random(20261128);
        try (CentralServer central = CentralServer.start(new CentralServer.Options(new InetSocketAddress("127.0.0.1", 0), dir.resolve("central"), 43, RECORDS, 0.0, 1e7,
                Duration.ofSeconds(600), null, Map.of(station, token)));
             TelemetryIntake intake = TelemetryIntake.start(central, ktp.telemetry.SharedBrokerLogins.asDataCenter(), ktp.sim.TelemetryTestKeys.at(dir.resolve("telemetry-office")).registry(), "dc-" + station);
             Collector collector = new Collector(ktp.telemetry.SharedBrokerLogins.asCollector(collectorName), ktp.sim.TelemetryTestKeys.at(dir.resolve("telemetry-office")).office, ktp.sim.TelemetryTestKeys.at(dir.resolve("telemetry-office")).registry(), dir.resolve("office"), "office-" + station, collectorName,
                     ZoneId.of("Asia/Jakarta"), Clock.systemUTC()).start()) {
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (central.center().readyCount() < RECORDS && System.nanoTime() < deadline) Thread.sleep(50);
            assertEquals(RECORDS, central.center().readyCount());
            central.key().writePublicKey(dir.resolve("station/trusted-keys"));

            PrinterProfile profile = PrinterProfile.load(REPO.resolve("firmware-profiles/printers/evolis-primacy-dual-ymcko.yaml"));
            SimulatedPrinter printer = new SimulatedPrinter(profile, 60, dir.resolve("printed"));
            printer.console("feeder 200");
            CardProfile cards = VirtualCards.profile();
            // vpcd's one slot is this test's while the blanks' chips go through it (other JVMs' PC/SC tests wait).
            try (ktp.sim.Pcscd.Slot slot = ktp.sim.Pcscd.slot("StationCrashTest");
                 VpcdBlankStock stock = new VpcdBlankStock("127.0.0.1", 35963, n -> VirtualCards.blank(cards, 7000 + n, Optional.of(MASTER)));
                 PrinterSimServer server = PrinterSimServer.tcp(printer, new InetSocketAddress("127.0.0.1", 0))) {
                printer.attachContactStation(stock);
                Path config = DaemonTestConfig.write(dir, station, token, MASTER, central.uri().getPort(), server.port(), "Virtual PCD 00 00", 10, broker);
                int kills = 0;
                int killedWhilePrinting = 0;
                long runDeadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(8);
                while (kills < KILLS && System.nanoTime() < runDeadline) {
                    Process daemon = start(config, kills);
                    // A third of the kills at any moment from the start; a third while a card is in the printer (at the
                    // encoder or being printed); a third just after a card came out (its commits under way).
                    int mode = printer.printed() >= RECORDS - 2 ? 0 : kills % 3;
                    if (mode == 0) {
                        Thread.sleep(300 + random.nextInt(4000));
                    } else if (mode == 1) {
                        awaitUpTo(20_000, printer::cardInside);
                        Thread.sleep(random.nextInt(1000));
                    } else {
                        long before = printer.printed();
                        awaitUpTo(20_000, () -> printer.printed() > before);
                        Thread.sleep(random.nextInt(200));
                    }
                    if (printer.cardInside()) killedWhilePrinting++;
                    daemon.destroyForcibly();
                    assertTrue(daemon.waitFor(20, TimeUnit.SECONDS));
                    kills++;
                }
                assertEquals(KILLS, kills, "50 kills within the time limit");
                // The last run: to the end, then an orderly stop.
                Process last = start(config, kills);
                deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
                while (printedAtDataCenter(central, token) < RECORDS && System.nanoTime() < deadline) Thread.sleep(250);
                // Stop once the station says, in a health message sent after the last card, that its outbox is empty.
                java.time.Instant allPrinted = java.time.Instant.now();
                while (System.nanoTime() < deadline) {
                    JsonNode h = collector.summary().get("stations").path(station).path("health");
                    if (h.has("at") && java.time.Instant.parse(h.get("at").asText()).isAfter(allPrinted) && h.get("outboxDepth").asLong() == 0) break;
                    Thread.sleep(250);
                }
                last.destroy();
                assertTrue(last.waitFor(60, TimeUnit.SECONDS), "SIGTERM stops the daemon in order");
                if (printedAtDataCenter(central, token) < RECORDS) {
                    // What went where, to find the gap: the data center's intake counters and the collector's copy of each event.
                    System.out.println("intake: applied " + intake.applied() + ", duplicates " + intake.duplicates() + ", refused " + intake.refused());
                    System.out.println(Files.readString(collector.archiveFile()).lines().filter(l -> l.contains("CARD_PRINTED")).count() + " CARD_PRINTED at the collector");
                    for (var r : central.center().leasesOf(station)) {
                        if (!r.printed()) System.out.println("not printed at the data center: " + r.recordId() + " " + Files.readString(collector.archiveFile()).lines().filter(l -> l.contains(r.recordId())).toList());
                    }
                }
                assertEquals(RECORDS, printedAtDataCenter(central, token), "the data center has every card printed");
                System.out.println("crash test: " + kills + " SIGKILLs, " + killedWhilePrinting + " with a card inside the printer; "
                        + stock.issued().size() + " blanks used for " + RECORDS + " cards");
                assertTrue(killedWhilePrinting >= 10, "the kills hit cards in the printer, not only idle moments: " + killedWhilePrinting);

                try (StationStore store = StationStore.open(dir.resolve("station/store"), station, Clock.systemUTC())) {
                    List<Job> jobs = store.jobs();
                    assertEquals(RECORDS, jobs.stream().filter(j -> j.state() == JobState.AWAITING_HOLDER).count(), store.countByState().toString());
                    List<LedgerEntry> ledger = store.ledger();
                    Map<String, Long> printedPerRecord = ledger.stream().filter(e -> e.fate() == BlankFate.PRINTED_AWAITING_HOLDER)
                            .collect(Collectors.groupingBy(LedgerEntry::recordId, Collectors.counting()));
                    assertEquals(RECORDS, printedPerRecord.size());
                    assertTrue(printedPerRecord.values().stream().allMatch(n -> n == 1), "every record printed exactly once: " + printedPerRecord);
                    assertEquals(RECORDS, jobs.stream().map(Job::nik).distinct().count(), "no NIK twice");
                    Set<String> ledgered = new HashSet<>();
                    ledger.forEach(e -> ledgered.add(e.blankId()));
                    for (var card : stock.issued()) {
                        String uid = java.util.HexFormat.of().withUpperCase().formatHex(card.uid());
                        assertTrue(ledgered.contains(uid), "blank " + uid + " reached the encoder and is in the ledger");
                    }
                    assertTrue(ledger.stream().filter(e -> e.fate() == BlankFate.SPOILED).allMatch(e -> !e.reason().isBlank()), "every spoiled blank has its reason");
                    System.out.println("crash test ledger: " + ledger.size() + " blanks, " + ledger.stream().filter(e -> e.fate() == BlankFate.SPOILED).count()
                            + " spoiled (" + ledger.stream().filter(e -> e.recordId().isEmpty()).count() + " found in the encoder after a restart), "
                            + store.lastEventSequence() + " events");
                    assertTrue(store.verifyAudit().intact(), "the audit chain survived every kill: " + store.verifyAudit().problem());
                    long events = store.lastEventSequence();
                    JsonNode st = collector.summary().get("stations").get(station);
                    assertEquals(events, st.get("events").asLong(), "every event the station wrote reached the collector once");
                    assertEquals(0, st.get("missing").asLong());
                    assertEquals(0, store.outboxDepth());
                }
            }
        }
    }

    private static void awaitUpTo(long ms, java.util.function.BooleanSupplier c) throws InterruptedException {
        long deadline = System.currentTimeMillis() + ms;
        while (!c.getAsBoolean() && System.currentTimeMillis() < deadline) Thread.sleep(5);
    }

    private Process start(Path config, int n) throws Exception {
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-Dktp.home=" + REPO, "-cp", System.getProperty("java.class.path"), "ktp.cli.Ktp", "station", "run", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("daemon.log").toFile())).start();
    }

    private static int printedAtDataCenter(CentralServer central, String token) throws Exception {
        // The data center's front refuses a client over its connection limit (503, "too many connections", Retry-After),
        // as it should: the daemon's own connections from 127.0.0.1 count too. Ask again, for 30 s at most.
        long deadline = System.currentTimeMillis() + 30_000;
        while (true) {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(central.uri() + "/v1/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) return new ObjectMapper().readTree(r.body()).path("statuses").path("CARD_PRINTED").asInt();
            if (r.statusCode() != 503 || System.currentTimeMillis() > deadline) {
                throw new AssertionError("the data center's health answered " + r.statusCode() + ": " + r.body());
            }
            Thread.sleep(500);
        }
    }
}
