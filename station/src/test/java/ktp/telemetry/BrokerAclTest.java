package ktp.telemetry;

import static ktp.telemetry.TelemetryFixtures.assertExactlyOnceInOrder;
import static ktp.telemetry.TelemetryFixtures.await;
import static ktp.telemetry.TelemetryFixtures.events;
import static ktp.telemetry.TelemetryFixtures.stored;
import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import ktp.broker.BrokerSetup;
import ktp.collector.Collector;
import ktp.store.StationStore;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped broker configuration (`ktp broker setup`) on a real Mosquitto: an anonymous client and a wrong
 * password are refused; a station may not write another station's topics or commands, nor read another's
 * commands; a collector may not write commands; the office may; and the whole signed flow (station, collector
 * with a shared subscription, receipts) works through it, every event once.
 */
class BrokerAclTest {
    @TempDir
    Path dir;

    private Process broker;
    private String url;
    private Path setup;

    @BeforeEach
    void start() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        setup = dir.resolve("broker");
        BrokerSetup.write(new BrokerSetup.Plan(List.of("ST-A", "ST-B"), List.of("office-1"), "127.0.0.1:" + port, null, null, null, null), setup);
        Path conf = setup.resolve("mosquitto.conf");
        if ("root".equals(System.getProperty("user.name"))) Files.writeString(conf, Files.readString(conf) + "user root\n");
        String binary = Files.isExecutable(Path.of("/usr/sbin/mosquitto")) ? "/usr/sbin/mosquitto" : "mosquitto";
        broker = new ProcessBuilder(binary, "-c", conf.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("mosquitto.log").toFile()).start();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                break;
            } catch (IOException notYet) {
                if (!broker.isAlive() || System.nanoTime() > deadline) fail("mosquitto with the shipped configuration did not start: " + Files.readString(dir.resolve("mosquitto.log")));
                Thread.sleep(50);
            }
        }
        url = "tcp://127.0.0.1:" + port;
    }

    @AfterEach
    void stop() throws Exception {
        broker.destroyForcibly();
        broker.waitFor(10, TimeUnit.SECONDS);
    }

    private BrokerSettings login(String user) throws IOException {
        return new BrokerSettings(url, user, Files.readString(setup.resolve("clients/" + user + ".password")).strip().toCharArray(), null, null, null);
    }

    private MqttClient client(String user, String id) throws Exception {
        MqttClient c = new MqttClient(url, id, new MemoryPersistence());
        c.connect(login(user).options());
        return c;
    }

    @Test
    void onlyItsOwnClientsGetInAndEachOnlyToItsOwnTopics() throws Exception {
        MqttClient anonymous = new MqttClient(url, "anon", new MemoryPersistence());
        MqttException refused = assertThrows(MqttException.class, () -> anonymous.connect(new BrokerSettings(url, null, null, null, null, null).options()));
        assertEquals(MqttException.REASON_CODE_NOT_AUTHORIZED, refused.getReasonCode(), "an anonymous client is refused");
        MqttClient guess = new MqttClient(url, "guess", new MemoryPersistence());
        assertThrows(MqttException.class, () -> guess.connect(new BrokerSettings(url, "ST-A", "guess".toCharArray(), null, null, null).options()));

        List<String> watched = new CopyOnWriteArrayList<>();
        MqttClient watcher = client(BrokerSetup.WATCHER, "watcher");
        watcher.subscribe("ktpel/v2/#", 1, (t, m) -> watched.add(t + " " + new String(m.getPayload(), StandardCharsets.UTF_8)));
        MqttClient a = client("ST-A", "ktp-station-ST-A");
        MqttClient collector = client(BrokerSetup.collectorUser("office-1"), "ktp-collector-office-1");
        MqttClient office = client(BrokerSetup.OFFICE, "office");

        a.publish(Topics.events("ST-B"), "A as B".getBytes(), 1, false);
        a.publish(Topics.commands("ST-A"), "A commands itself".getBytes(), 1, false);
        a.publish(Topics.receipts("ST-A"), "A receipts itself".getBytes(), 1, false);
        a.publish(Topics.collectorHeartbeat("office-1"), "A as a collector".getBytes(), 0, false);
        collector.publish(Topics.commands("ST-A"), "collector commands".getBytes(), 1, false);
        collector.publish(Topics.collectorHeartbeat("office-2"), "another collector's heartbeat".getBytes(), 0, false);
        a.publish(Topics.events("ST-A"), "A's own event".getBytes(), 1, false);
        office.publish(Topics.commands("ST-A"), "office command".getBytes(), 1, false);
        collector.publish(Topics.receipts("ST-A"), "collector receipt".getBytes(), 1, false);
        await(() -> watched.size() >= 3, 10_000, () -> "the allowed messages: " + watched);
        Thread.sleep(500);
        assertEquals(List.of(Topics.events("ST-A") + " A's own event", Topics.commands("ST-A") + " office command", Topics.receipts("ST-A") + " collector receipt"),
                watched, "the broker dropped every write outside the client's own topics");

        // Mosquitto 2.0 grants a subscription and checks reading at each delivery: A, subscribed to B's commands and receipts, gets nothing of them.
        List<String> heardByA = new CopyOnWriteArrayList<>();
        List<String> heardByB = new CopyOnWriteArrayList<>();
        a.subscribe(new String[] {Topics.commands("ST-B"), Topics.receipts("ST-B"), Topics.commands("ST-A")}, new int[] {1, 1, 1},
                new org.eclipse.paho.client.mqttv3.IMqttMessageListener[] {(t, m) -> heardByA.add(t), (t, m) -> heardByA.add(t), (t, m) -> heardByA.add(t)});
        MqttClient b = client("ST-B", "ktp-station-ST-B");
        b.subscribe(new String[] {Topics.commands("ST-B"), Topics.receipts("ST-B")}, new int[] {1, 1});
        b.setCallback(new org.eclipse.paho.client.mqttv3.MqttCallback() {
            public void connectionLost(Throwable cause) { }
            public void messageArrived(String t, org.eclipse.paho.client.mqttv3.MqttMessage m) { heardByB.add(t); }
            public void deliveryComplete(org.eclipse.paho.client.mqttv3.IMqttDeliveryToken token) { }
        });
        office.publish(Topics.commands("ST-B"), "for B".getBytes(), 1, false);
        collector.publish(Topics.receipts("ST-B"), "for B".getBytes(), 1, false);
        office.publish(Topics.commands("ST-A"), "for A".getBytes(), 1, false);
        await(() -> heardByB.size() == 2 && heardByA.size() == 1, 10_000, () -> "A heard " + heardByA + ", B heard " + heardByB);
        Thread.sleep(300);
        assertEquals(List.of(Topics.commands("ST-A")), heardByA, "a station reads only its own commands and receipts");
        b.disconnect();
        b.close();
        for (MqttClient c : List.of(watcher, a, collector, office)) {
            c.disconnect();
            c.close();
        }
    }

    @Test
    void theSignedFlowRunsThroughTheShippedConfigurationWithASharedSubscription() throws Exception {
        TestKeys keys = new TestKeys(dir.resolve("keys"));
        TelemetryKey stationKey = keys.station("ST-A");
        try (StationStore store = StationStore.open(dir.resolve("store"), "ST-A", Clock.systemUTC());
             Collector c = new Collector(login(BrokerSetup.collectorUser("office-1")), keys.office, keys.registry(), dir.resolve("office"), "ktp-collectors", "office-1",
                     ZoneId.of("Asia/Jakarta"), Clock.systemUTC()).start()) {
            events(store, 1, 300);
            try (OutboxPublisher p = new OutboxPublisher(store, login("ST-A"), stationKey, keys.officeRing(), DeviceHealth.UNKNOWN, CommandHandler.NONE,
                    Duration.ofSeconds(30), Clock.systemUTC()).start()) {
                await(() -> store.outboxDepth() == 0, 60_000, () -> "the outbox drained through the ACL'd broker: " + p.status());
            }
            await(() -> { try { return stored(c.archiveFile(), "ST-A").size() == 300; } catch (IOException e) { return false; } }, 10_000, "300 stored");
            assertExactlyOnceInOrder(stored(c.archiveFile(), "ST-A"), 300);
        }
    }
}
