package ktp.sim.central;

import static org.junit.jupiter.api.Assertions.*;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import ktp.printer.PrinterProfile;
import ktp.sim.SharedBroker;
import ktp.sim.printer.PrinterSimServer;
import ktp.sim.printer.SimulatedPrinter;
import ktp.store.StationStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `ktp station run` in its own process reloads its trusted keys on SIGHUP: records signed with a key it did not
 * trust were held (declined, nothing stored), and once the key is installed and the daemon sent SIGHUP they are
 * printed when the data center offers them again. A chipless printer keeps PC/SC out of it.
 */
class SighupReloadTest {
    private static final Path REPO = Path.of(System.getProperty("ktp.repo", "..")).toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @Test
    void sighupReloadsTheTrustedKeysOfTheRunningDaemon() throws Exception {
        String station = ktp.telemetry.SharedBrokerLogins.station("ST-H");
        String token = "token-of-" + station;
        try (CentralServer central = CentralServer.start(new CentralServer.Options(new InetSocketAddress("127.0.0.1", 0), dir.resolve("central"), 79, 2, 0.0, 1e7,
                Duration.ofSeconds(120), null, Map.of(station, token)))) {
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (central.center().readyCount() < 2 && System.nanoTime() < deadline) Thread.sleep(50);
            Path base = Files.createDirectories(dir.resolve("station/keys"));
            Path keys = dir.resolve("station/trusted-keys");
            ktp.sim.records.DataCenterKey.fromSeed(4242).writePublicKey(keys);
            PrinterProfile profile = PrinterProfile.load(REPO.resolve("firmware-profiles/printers/evolis-zenius-mono.yaml"));
            SimulatedPrinter printer = new SimulatedPrinter(profile, 1000, null);
            printer.console("feeder 20");
            try (PrinterSimServer server = PrinterSimServer.tcp(printer, new InetSocketAddress("127.0.0.1", 0))) {
                Files.writeString(base.resolve("token.txt"), token);
                ktp.sim.TelemetryTestKeys.at(dir.resolve("telemetry-office")).stationFiles(dir.resolve("station"), station);
                Path config = dir.resolve("station/station.yaml");
                Files.writeString(config, """
                        station: { id: %s, store: store }
                        central: { url: "http://127.0.0.1:%d", plain_http: true, token_file: keys/token.txt }
                        trusted_keys: trusted-keys
                        printers:
                          - { name: P1, uri: "tcp://127.0.0.1:%d", profile: evolis-zenius-mono, chipless: true }
                        encoder: { reader: "none", card_profile: ktpel-virtual }
                        scanner: { uri: "tcp://127.0.0.1:1", profile: r307 }
                        telemetry: { broker: "%s"%s, health_every_s: 5, signing_key: keys/telemetry-signing.key, office_keys: office-keys }
                        """.formatted(station, central.uri().getPort(), server.port(), SharedBroker.url(), ktp.telemetry.SharedBrokerLogins.yaml(station)));
                Path log = dir.resolve("daemon.log");
                Process daemon = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                        "-Dktp.home=" + REPO, "-cp", System.getProperty("java.class.path"), "ktp.cli.Ktp", "station", "run", "--config", config.toString())
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
                try {
                    deadline = System.nanoTime() + 40_000_000_000L;
                    while (central.center().heldCount() < 2 && System.nanoTime() < deadline) Thread.sleep(100);
                    assertEquals(2, central.center().heldCount(), "both records held (declined SIGNATURE_UNKNOWN_KEY): " + Files.readString(log));
                    assertEquals(0, printer.printed());
                    central.key().writePublicKey(keys);
                    assertEquals(0, new ProcessBuilder("kill", "-HUP", Long.toString(daemon.pid())).start().waitFor());
                    deadline = System.nanoTime() + 20_000_000_000L;
                    // The station log's line, in the station's language (Indonesian: the configuration names none).
                    String reloaded = ktp.i18n.Catalogue.text(ktp.i18n.Language.ID, "station.log.daemon.keysReloaded", "\u0000", "", "").split("\u0000")[0];
                    while (!Files.readString(log).contains(reloaded) && System.nanoTime() < deadline) Thread.sleep(100);
                    assertTrue(Files.readString(log).contains(reloaded), Files.readString(log));
                    assertTrue(daemon.isAlive(), "SIGHUP does not stop the daemon");
                    for (String id : central.center().heldRecordIds()) central.center().reoffer(id);
                    deadline = System.nanoTime() + 60_000_000_000L;
                    while (printer.printed() < 2 && System.nanoTime() < deadline) Thread.sleep(100);
                    assertEquals(2, printer.printed(), "both printed after the reload: " + Files.readString(log));
                } finally {
                    daemon.destroy();
                    assertTrue(daemon.waitFor(60, TimeUnit.SECONDS));
                }
                try (StationStore store = StationStore.open(dir.resolve("station/store"), station, Clock.systemUTC())) {
                    assertTrue(store.auditLog().stream().anyMatch(a -> a.action().equals("TRUSTED_KEYS_RELOADED") && a.actor().contains("SIGHUP")), "audited");
                }
            }
        }
    }
}
