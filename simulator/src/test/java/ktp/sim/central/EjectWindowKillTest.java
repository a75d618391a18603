package ktp.sim.central;

import static org.junit.jupiter.api.Assertions.*;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import ktp.job.JobState;
import ktp.printer.PrinterProfile;
import ktp.sim.SharedBroker;
import ktp.sim.printer.PrinterSimServer;
import ktp.sim.printer.SimulatedPrinter;
import ktp.store.AuditEntry;
import ktp.store.BlankFate;
import ktp.store.Job;
import ktp.store.LedgerEntry;
import ktp.store.StationStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The eject window (issue 15): the station daemon (its own process, `ktp station run`) killed with SIGKILL after the
 * printer has finished and counted a card and before the station heard the eject's reply, so before its commit.
 * The printer simulator kills it from inside its eject, deterministically. After the restart the ledger must
 * reconcile exactly with the printer's own count: the card that came out is that record's printed card (settled by
 * the printer's counter, with an audited decision), not a spoiled blank followed by a second printed card.
 */
class EjectWindowKillTest {
    private static final Path REPO = Path.of(System.getProperty("ktp.repo", "..")).toAbsolutePath().normalize();
    private static final int RECORDS = 3;

    @TempDir
    Path dir;

    @Test
    void aSigkillBetweenTheEjectAndItsCommitLeavesTheLedgerEqualToThePrintersCount() throws Exception {
        String station = ktp.telemetry.SharedBrokerLogins.station("ST-E");
        String token = "token-of-" + station;
        try (CentralServer central = CentralServer.start(new CentralServer.Options(new InetSocketAddress("127.0.0.1", 0), dir.resolve("central"), 151, RECORDS, 0.0, 1e7,
                Duration.ofSeconds(600), null, Map.of(station, token)))) {
            await("records ready", Duration.ofSeconds(30), () -> central.center().readyCount() == RECORDS);
            central.key().writePublicKey(dir.resolve("station/trusted-keys"));
            SimulatedPrinter printer = new SimulatedPrinter(PrinterProfile.load(REPO.resolve("firmware-profiles/printers/evolis-zenius-mono.yaml")), 60, null);
            printer.console("feeder 20");
            AtomicReference<Process> daemon = new AtomicReference<>();
            AtomicReference<String> killedAt = new AtomicReference<>();
            // The second card: out of the printer and counted, its reply not yet sent. SIGKILL now.
            printer.afterEject(n -> {
                if (n != 2 || killedAt.get() != null) return;
                Process p = daemon.get();
                p.destroyForcibly();
                try {
                    killedAt.set(p.waitFor(20, TimeUnit.SECONDS) ? "killed" : "still alive");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            try (PrinterSimServer server = PrinterSimServer.tcp(printer, new InetSocketAddress("127.0.0.1", 0))) {
                Path config = writeConfig(station, token, central.uri().getPort(), server.port());
                daemon.set(start(config));
                await("the SIGKILL in the eject window", Duration.ofSeconds(90), () -> killedAt.get() != null);
                assertEquals("killed", killedAt.get());
                String inWindow;
                try (StationStore store = StationStore.open(dir.resolve("station/store"), station, Clock.systemUTC())) {
                    // The window itself: the printer counted two printed cards, the ledger knows one; the second is PRINTING.
                    assertEquals(2, printer.printed());
                    assertEquals(1, store.ledger().stream().filter(e -> e.fate() == BlankFate.PRINTED_AWAITING_HOLDER).count(), store.ledger().toString());
                    Job inFlight = store.jobs().stream().filter(j -> j.state() == JobState.PRINTING).findFirst().orElseThrow(() -> new AssertionError(store.countByState().toString()));
                    inWindow = inFlight.recordId();
                    StationStore.FeedMark mark = store.feedMark(inWindow).orElseThrow();
                    assertEquals(1, mark.printedBefore(), "the printer's count when it took the blank is in the store: " + mark);
                }
                daemon.set(start(config));
                await("all " + RECORDS + " cards out of the printer", Duration.ofSeconds(90), () -> printer.printed() >= RECORDS);
                // The third card's commits follow its eject's reply within milliseconds; SIGTERM then lets the lane finish them.
                Thread.sleep(2000);
                Process last = daemon.get();
                last.destroy();
                assertTrue(last.waitFor(60, TimeUnit.SECONDS), "SIGTERM stops the daemon in order");
                assertEquals(RECORDS, printer.printed(), "no record printed a second time after the restart");
                assertEquals(0, printer.rejected());
                try (StationStore store = StationStore.open(dir.resolve("station/store"), station, Clock.systemUTC())) {
                    List<LedgerEntry> ledger = store.ledger();
                    assertEquals(printer.printed() + printer.rejected(), ledger.size(), "every blank the printer took is in the ledger: " + ledger);
                    assertEquals(printer.printed(), ledger.stream().filter(e -> e.fate() == BlankFate.PRINTED_AWAITING_HOLDER).count(),
                            "the ledger's printed cards are the printer's printed cards: " + ledger);
                    assertEquals(RECORDS, ledger.stream().map(LedgerEntry::recordId).distinct().count());
                    Job settled = store.job(inWindow).orElseThrow();
                    assertEquals(JobState.AWAITING_HOLDER, settled.state());
                    AuditEntry decision = store.auditLog().stream().filter(a -> a.action().equals("CARD_SETTLED_PRINTED")).findFirst().orElseThrow();
                    assertTrue(decision.detail().contains(inWindow) && decision.detail().contains("counted 1") && decision.detail().contains("and 2 now"), decision.detail());
                    assertTrue(store.feedMark(inWindow).isEmpty(), "the mark goes with the card");
                    assertTrue(store.verifyAudit().intact());
                }
            } finally {
                Process p = daemon.get();
                if (p != null) p.destroyForcibly();
            }
        }
    }

    private Path writeConfig(String station, String token, int centralPort, int printerPort) throws Exception {
        Path base = dir.resolve("station");
        Files.createDirectories(base.resolve("keys"));
        Files.writeString(base.resolve("keys/token.txt"), token);
        ktp.sim.TelemetryTestKeys.at(dir.resolve("telemetry-office")).stationFiles(base, station);
        Path f = base.resolve("station.yaml");
        Files.writeString(f, """
                station: { id: %s, store: store }
                central: { url: "http://127.0.0.1:%d", plain_http: true, token_file: keys/token.txt }
                trusted_keys: trusted-keys
                printers:
                  - { name: P1, uri: "tcp://127.0.0.1:%d", profile: evolis-zenius-mono, chipless: true }
                encoder: { reader: "KTP Virtual", card_profile: ktpel-virtual, insert_wait_s: 2 }
                scanner: { uri: "tcp://127.0.0.1:1", profile: r307 }
                telemetry: { broker: "%s"%s, health_every_s: 5, signing_key: keys/telemetry-signing.key, office_keys: office-keys }
                """.formatted(station, centralPort, printerPort, SharedBroker.url(), ktp.telemetry.SharedBrokerLogins.yaml(station)));
        return f;
    }

    private Process start(Path config) throws Exception {
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-Dktp.home=" + REPO, "-cp", System.getProperty("java.class.path"), "ktp.cli.Ktp", "station", "run", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("daemon.log").toFile())).start();
    }

    private static void await(String what, Duration limit, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) fail("not within " + limit.toSeconds() + " s: " + what);
            Thread.sleep(50);
        }
    }
}
