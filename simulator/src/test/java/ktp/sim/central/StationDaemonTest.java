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
import java.util.Set;
import java.util.UUID;
import ktp.card.CardProfile;
import ktp.collector.Collector;
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
import ktp.station.StationConfig;
import ktp.station.StationDaemon;
import ktp.store.BlankFate;
import ktp.store.Job;
import ktp.store.LedgerEntry;
import ktp.telemetry.BrokerSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The station daemon against the simulators, every wire real: the data center over HTTP, the Evolis printer
 * simulator over TCP with a virtual chip in each blank at its contact station (read through javax.smartcardio),
 * telemetry through Mosquitto to a collector and to the data center. Every record the data center leased is
 * encoded and printed once, every blank is in the ledger by its chip UID, the data center sees the cards
 * printed, the collector has every event once, and an orderly stop hands back what was not started.
 */
class StationDaemonTest {
    private static final Path REPO = Path.of(System.getProperty("ktp.repo", "..")).toAbsolutePath().normalize();
    private static final byte[] MASTER = java.util.HexFormat.of().parseHex("0A1B2C3D4E5F60718293A4B5C6D7E8F9");

    @TempDir
    Path dir;

    @Test
    void theDaemonPrintsEveryLeasedRecordOnceAndTheLedgerTheDataCenterAndTheCollectorAgree() throws Exception {
        String broker = SharedBroker.url();
        String station = ktp.telemetry.SharedBrokerLogins.station("ST-D");
        String collectorName = ktp.telemetry.SharedBrokerLogins.collector("office");
        String token = "token-of-" + station;
        try (CentralServer central = CentralServer.start(new CentralServer.Options(new InetSocketAddress("127.0.0.1", 0), dir.resolve("central"), 41, 6, 0.0, 1e7,
                Duration.ofSeconds(120), null, Map.of(station, token)));
             TelemetryIntake intake = TelemetryIntake.start(central, ktp.telemetry.SharedBrokerLogins.asDataCenter(), ktp.sim.TelemetryTestKeys.at(dir.resolve("telemetry-office")).registry(), "dc-" + station);
             Collector collector = new Collector(ktp.telemetry.SharedBrokerLogins.asCollector(collectorName), ktp.sim.TelemetryTestKeys.at(dir.resolve("telemetry-office")).office, ktp.sim.TelemetryTestKeys.at(dir.resolve("telemetry-office")).registry(), dir.resolve("office"), "office-" + station, collectorName,
                     ZoneId.of("Asia/Jakarta"), Clock.systemUTC()).start()) {
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (central.center().readyCount() < 6 && System.nanoTime() < deadline) Thread.sleep(50);
            assertEquals(6, central.center().readyCount());
            central.key().writePublicKey(dir.resolve("station/trusted-keys"));

            PrinterProfile profile = PrinterProfile.load(REPO.resolve("firmware-profiles/printers/evolis-primacy-dual-ymcko.yaml"));
            SimulatedPrinter printer = new SimulatedPrinter(profile, 1000, dir.resolve("printed"));
            CardProfile cards = VirtualCards.profile();
            CardSlot slot = new CardSlot();
            BlankStock stock = new BlankStock(slot, n -> VirtualCards.blank(cards, n, Optional.of(MASTER)));
            printer.attachContactStation(stock);
            try (PrinterSimServer server = PrinterSimServer.tcp(printer, new InetSocketAddress("127.0.0.1", 0))) {
                Path config = DaemonTestConfig.write(dir, station, token, MASTER, central.uri().getPort(), server.port(), "KTP Virtual", 5, broker);
                StationConfig cfg = StationConfig.load(config, REPO.resolve("firmware-profiles"));
                CardRenderer renderer = new CardRenderer(CardTemplate.load(REPO.resolve("templates/ktpel.yaml")));
                StationDaemon daemon = new StationDaemon(cfg, renderer, InProcessReaders.factory(slot), Clock.systemUTC()).start();
                try {
                    deadline = System.nanoTime() + 90_000_000_000L;
                    while (printedCount(daemon) < 6 && System.nanoTime() < deadline) Thread.sleep(100);
                    assertEquals(6, printedCount(daemon), "all six records the data center had were printed: " + daemon.store().countByState());
                    deadline = System.nanoTime() + 30_000_000_000L;
                    while (daemon.store().outboxDepth() > 0 && System.nanoTime() < deadline) Thread.sleep(50);
                    assertEquals(0, daemon.store().outboxDepth(), "every event receipted by the collector");
                    List<Job> jobs = daemon.store().jobs();
                    List<LedgerEntry> ledger = daemon.store().ledger();
                    assertEquals(stock.issued().size(), ledger.size(), "every blank that entered the printer is in the ledger");
                    Set<String> uids = new HashSet<>();
                    stock.issued().forEach(c -> uids.add(java.util.HexFormat.of().withUpperCase().formatHex(c.uid())));
                    for (LedgerEntry e : ledger) assertTrue(uids.contains(e.blankId()), "ledgered by chip UID: " + e.blankId());
                    assertEquals(6, ledger.stream().filter(e -> e.fate() == BlankFate.PRINTED_AWAITING_HOLDER).count());
                    assertEquals(6, printer.printed());
                    assertEquals(6, jobs.stream().map(Job::nik).distinct().count(), "no NIK printed twice");
                    HttpClient http = HttpClient.newHttpClient();
                    ObjectMapper json = new ObjectMapper();
                    for (Job j : jobs) {
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(central.uri() + "/v1/residents/" + j.nik()))
                                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
                        long until = System.nanoTime() + 10_000_000_000L;
                        while (!json.readTree(r.body()).path("status").asText().equals("CARD_PRINTED") && System.nanoTime() < until) {
                            Thread.sleep(100);
                            r = http.send(HttpRequest.newBuilder(URI.create(central.uri() + "/v1/residents/" + j.nik())).header("Authorization", "Bearer " + token).build(),
                                    HttpResponse.BodyHandlers.ofString());
                        }
                        assertEquals("CARD_PRINTED", json.readTree(r.body()).path("status").asText(), "the data center heard over MQTT: " + r.body());
                    }
                    JsonNode st = collector.summary().get("stations").get(station);
                    assertEquals(12, st.get("events").asInt(), "SENT_FOR_CARD_PRINTING and CARD_PRINTED for each of 6, once each");
                    assertEquals(6, st.get("printedToday").asInt());
                    assertEquals(0, st.get("missing").asInt());

                    // The holder of the first card comes to the counter: the card in the reader, the finger on the R307.
                    Job first = jobs.get(0);
                    String uid = first.blankId();
                    slot.insert(stock.issued().stream().filter(c -> java.util.HexFormat.of().withUpperCase().formatHex(c.uid()).equals(uid)).findFirst().orElseThrow());
                    ktp.sim.records.FingerprintLibrary fingers = ktp.sim.records.FingerprintLibrary.embedded();
                    ktp.sim.records.RecordGenerator generator = new ktp.sim.records.RecordGenerator(41, fingers, ktp.sim.records.RecordGenerator.defaultIssueDate(41));
                    int index = java.util.stream.IntStream.range(0, 6).filter(i -> generator.identity(i).recordId().equals(first.recordId())).findFirst().orElseThrow();
                    String finger = generator.resident(index).rightIndexFinger();
                    try (ktp.sim.scanner.SimulatedScanner scannerSim = new ktp.sim.scanner.SimulatedScanner(256, 288, new InetSocketAddress("127.0.0.1", 0));
                         ktp.biometric.r30x.R30xScanner r307 = ktp.biometric.r30x.R30xScanner.tcp("127.0.0.1", scannerSim.port(), new ktp.biometric.r30x.R30xScanner.Geometry(256, 288, 500), Duration.ofSeconds(1))) {
                        ktp.biometric.ScannerSource glass = new ktp.biometric.ScannerSource(r307, Duration.ofSeconds(1));
                        java.util.Iterator<Integer> impressions = fingers.impressions(finger).subList(1, fingers.impressions(finger).size()).iterator();
                        ktp.counter.HolderActivation.Result issued = daemon.counter().issue(first.recordId(), position -> {
                            try {
                                scannerSim.place(fingers.image(finger, impressions.next()));
                            } catch (java.io.IOException e) {
                                throw new IllegalStateException(e);
                            }
                            return glass.capture(position);
                        }, 500, new ktp.store.Actor("sari", ktp.store.Role.OPERATOR), p -> { });
                        assertEquals(JobState.ISSUED, issued.state(), issued.detail());
                    }
                    long until = System.nanoTime() + 20_000_000_000L;
                    while (collector.summary().get("stations").get(station).get("issuedToday").asInt() < 1 && System.nanoTime() < until) Thread.sleep(50);
                    assertEquals(1, collector.summary().get("stations").get(station).get("issuedToday").asInt(), "CARD_ISSUED reached the office");
                } finally {
                    daemon.close();
                }
                // The state reaches the collector through the broker, after close() returned: wait for it.
                long until = System.nanoTime() + 15_000_000_000L;
                while (!"offline".equals(collector.summary().get("stations").get(station).get("state").asText()) && System.nanoTime() < until) Thread.sleep(50);
                assertEquals("offline", collector.summary().get("stations").get(station).get("state").asText(), "an orderly stop says offline");
            }
        }
    }

    /**
     * Two printers on one station, each with its own chip station (its own PC/SC reader, named in the
     * configuration): both lanes take records from the one queue, every record is printed once on one of them,
     * and each blank is ledgered by the UID its own encoder read.
     */
    @Test
    void twoPrintersShareTheQueueAndEachRecordIsPrintedOnceOnOneOfThem() throws Exception {
        String broker = SharedBroker.url();
        String station = ktp.telemetry.SharedBrokerLogins.station("ST-2P");
        String collectorName = ktp.telemetry.SharedBrokerLogins.collector("office");
        String token = "token-of-" + station;
        int records = 10;
        try (CentralServer central = CentralServer.start(new CentralServer.Options(new InetSocketAddress("127.0.0.1", 0), dir.resolve("central"), 42, records, 0.0, 1e7,
                Duration.ofSeconds(120), null, Map.of(station, token)));
             Collector collector = new Collector(ktp.telemetry.SharedBrokerLogins.asCollector(collectorName), ktp.sim.TelemetryTestKeys.at(dir.resolve("telemetry-office")).office, ktp.sim.TelemetryTestKeys.at(dir.resolve("telemetry-office")).registry(), dir.resolve("office"), "office-" + station, collectorName,
                     ZoneId.of("Asia/Jakarta"), Clock.systemUTC()).start()) {
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (central.readyCount() < records && System.nanoTime() < deadline) Thread.sleep(50);
            central.key().writePublicKey(dir.resolve("station/trusted-keys"));
            PrinterProfile profile = PrinterProfile.load(REPO.resolve("firmware-profiles/printers/evolis-primacy-dual-ymcko.yaml"));
            CardProfile cards = VirtualCards.profile();
            CardSlot slot1 = new CardSlot();
            CardSlot slot2 = new CardSlot();
            SimulatedPrinter printer1 = new SimulatedPrinter(profile, 200, null);
            SimulatedPrinter printer2 = new SimulatedPrinter(profile, 200, null);
            BlankStock stock1 = new BlankStock(slot1, n -> VirtualCards.blank(cards, 1000 + n, Optional.of(MASTER)));
            BlankStock stock2 = new BlankStock(slot2, n -> VirtualCards.blank(cards, 2000 + n, Optional.of(MASTER)));
            printer1.attachContactStation(stock1);
            printer2.attachContactStation(stock2);
            try (PrinterSimServer server1 = PrinterSimServer.tcp(printer1, new InetSocketAddress("127.0.0.1", 0));
                 PrinterSimServer server2 = PrinterSimServer.tcp(printer2, new InetSocketAddress("127.0.0.1", 0))) {
                Path config = DaemonTestConfig.write(dir, station, token, MASTER, central.uri().getPort(), server1.port(), "KTP Virtual Reader 0", 5, broker);
                // The second printer, with the reader at its own contact station.
                String yaml = Files.readString(config).replace(
                        "  - { name: P1, uri: \"tcp://127.0.0.1:" + server1.port() + "\", profile: evolis-primacy-dual-ymcko }",
                        "  - { name: P1, uri: \"tcp://127.0.0.1:" + server1.port() + "\", profile: evolis-primacy-dual-ymcko, reader: \"" + InProcessReaders.reader(0) + "$\" }\n"
                                + "  - { name: P2, uri: \"tcp://127.0.0.1:" + server2.port() + "\", profile: evolis-primacy-dual-ymcko, reader: \"" + InProcessReaders.reader(1) + "$\" }");
                assertTrue(yaml.contains("name: P2"), yaml);
                Files.writeString(config, yaml);
                StationConfig cfg = StationConfig.load(config, REPO.resolve("firmware-profiles"));
                assertEquals(2, cfg.printers().size());
                CardRenderer renderer = new CardRenderer(CardTemplate.load(REPO.resolve("templates/ktpel.yaml")));
                StationDaemon daemon = new StationDaemon(cfg, renderer, InProcessReaders.factory(List.of(slot1, slot2)), Clock.systemUTC()).start();
                try {
                    deadline = System.nanoTime() + 120_000_000_000L;
                    while (printedCount(daemon) < records && System.nanoTime() < deadline) Thread.sleep(100);
                    assertEquals(records, printedCount(daemon), "every record printed: " + daemon.store().countByState());
                    assertTrue(printer1.printed() > 0 && printer2.printed() > 0, "both printers worked: " + printer1.printed() + " and " + printer2.printed());
                    assertEquals(records, printer1.printed() + printer2.printed(), "each record printed once, on one printer");
                    List<LedgerEntry> ledger = daemon.store().ledger();
                    assertEquals(stock1.issued().size() + stock2.issued().size(), ledger.size(), "every blank of both printers in the ledger");
                    Set<String> fromPrinter1 = new HashSet<>();
                    stock1.issued().forEach(c -> fromPrinter1.add(java.util.HexFormat.of().withUpperCase().formatHex(c.uid())));
                    Set<String> fromPrinter2 = new HashSet<>();
                    stock2.issued().forEach(c -> fromPrinter2.add(java.util.HexFormat.of().withUpperCase().formatHex(c.uid())));
                    assertEquals(printer1.printed(), ledger.stream().filter(e -> fromPrinter1.contains(e.blankId()) && e.fate() == BlankFate.PRINTED_AWAITING_HOLDER).count(),
                            "printer 1's cards carry the UIDs its own encoder read");
                    assertEquals(printer2.printed(), ledger.stream().filter(e -> fromPrinter2.contains(e.blankId()) && e.fate() == BlankFate.PRINTED_AWAITING_HOLDER).count());
                    assertEquals(records, daemon.store().jobs().stream().map(Job::nik).distinct().count(), "no NIK printed twice");
                } finally {
                    daemon.close();
                }
            }
        }
    }

    private static long printedCount(StationDaemon d) {
        return d.store().jobs().stream().filter(j -> j.state() == JobState.AWAITING_HOLDER).count();
    }
}
