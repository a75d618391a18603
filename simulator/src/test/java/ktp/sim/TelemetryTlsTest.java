package ktp.sim;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.concurrent.TimeUnit;
import ktp.collector.Collector;
import ktp.job.JobState;
import ktp.sim.central.TestPki;
import ktp.store.Actor;
import ktp.store.StationStore;
import ktp.telemetry.BrokerSettings;
import ktp.telemetry.CommandHandler;
import ktp.telemetry.DeviceHealth;
import ktp.telemetry.OutboxPublisher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Telemetry over TLS with user names and passwords, against a Mosquitto configured for both: events flow when
 * everything is right; a wrong password and a broker certificate from a CA the station does not trust are each
 * refused with a clear error and leave the outbox as it was.
 */
class TelemetryTlsTest {
    @TempDir
    Path dir;

    @Test
    void eventsFlowOverTlsWithPasswordsAndAWrongPasswordOrAStrangeCaIsRefused() throws Exception {
        TestPki pki = TestPki.create(dir.resolve("pki"));
        Path passwords = dir.resolve("passwd");
        run("mosquitto_passwd", "-b", "-c", passwords.toString(), "station", "s3cret-station");
        run("mosquitto_passwd", "-b", passwords.toString(), "office", "s3cret-office");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path conf = dir.resolve("mosquitto.conf");
        Files.writeString(conf, "listener " + port + " 127.0.0.1\ncafile " + pki.caFile() + "\ncertfile " + pki.certificate("server") + "\nkeyfile " + pki.key("server")
                + "\nallow_anonymous false\npassword_file " + passwords + "\n" + ("root".equals(System.getProperty("user.name")) ? "user root\n" : ""));
        String binary = Files.isExecutable(Path.of("/usr/sbin/mosquitto")) ? "/usr/sbin/mosquitto" : "mosquitto";
        Process broker = new ProcessBuilder(binary, "-c", conf.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("mosquitto.log").toFile()).start();
        try {
            awaitPort(port, broker);
            String url = "ssl://127.0.0.1:" + port;
            BrokerSettings station = new BrokerSettings(url, "station", "s3cret-station".toCharArray(), pki.caFile(), null, null);
            BrokerSettings office = new BrokerSettings(url, "office", "s3cret-office".toCharArray(), pki.caFile(), null, null);
            TelemetryTestKeys keys = new TelemetryTestKeys(dir.resolve("keys"));
            ktp.telemetry.TelemetryKey stationKey = keys.station("ST-TLS");
            try (StationStore store = StationStore.open(dir.resolve("store"), "ST-TLS", Clock.systemUTC());
                 Collector c = new Collector(office, keys.office, keys.registry(), dir.resolve("office"), "tls", "tls-office", ZoneId.of("Asia/Jakarta"), Clock.systemUTC()).start()) {
                for (int i = 1; i <= 20; i++) {
                    store.admit("RT" + i, 1, String.format("3171%012d", i), new byte[] {1}, Actor.STATION);
                    store.transition("RT" + i, JobState.VALIDATED, Actor.STATION, "", null);
                }
                BrokerSettings wrongPassword = new BrokerSettings(url, "station", "guess".toCharArray(), pki.caFile(), null, null);
                try (OutboxPublisher p = new OutboxPublisher(store, wrongPassword, stationKey, keys.officeRing(), DeviceHealth.UNKNOWN, CommandHandler.NONE, Duration.ofSeconds(5), Clock.systemUTC()).start()) {
                    awaitTrue(() -> !p.status().lastError().isEmpty(), "an error from the wrong password");
                    assertTrue(p.status().lastError().contains("authori"), p.status().lastError());
                    assertFalse(p.status().connected());
                }
                TestPki stranger = TestPki.create(dir.resolve("stranger"));
                BrokerSettings strangeCa = new BrokerSettings(url, "station", "s3cret-station".toCharArray(), stranger.caFile(), null, null);
                try (OutboxPublisher p = new OutboxPublisher(store, strangeCa, stationKey, keys.officeRing(), DeviceHealth.UNKNOWN, CommandHandler.NONE, Duration.ofSeconds(5), Clock.systemUTC()).start()) {
                    awaitTrue(() -> !p.status().lastError().isEmpty(), "an error from the untrusted certificate");
                    assertFalse(p.status().connected(), "a broker whose certificate is not from the pinned CA is not talked to");
                }
                assertEquals(20, store.outboxDepth(), "nothing left the outbox while the connection was refused");
                try (OutboxPublisher p = new OutboxPublisher(store, station, stationKey, keys.officeRing(), DeviceHealth.UNKNOWN, CommandHandler.NONE, Duration.ofSeconds(5), Clock.systemUTC()).start()) {
                    awaitTrue(() -> store.outboxDepth() == 0, "the outbox to drain over TLS");
                }
                awaitTrue(() -> c.summary().get("stations").path("ST-TLS").path("events").asInt() == 20, "20 events at the collector");
            }
        } finally {
            broker.destroyForcibly();
            broker.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", cmd) + ": " + out + " (Debian package mosquitto; ./ktp test installs it)");
    }

    private static void awaitPort(int port, Process broker) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                assertTrue(broker.isAlive(), "mosquitto exited");
                Thread.sleep(50);
            }
        }
        fail("mosquitto did not open its TLS port");
    }

    private static void awaitTrue(java.util.function.BooleanSupplier c, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 30_000;
        while (!c.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) fail("timed out waiting for " + what);
            Thread.sleep(20);
        }
    }
}
