package ktp.sim.central;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import ktp.job.EventType;
import ktp.sim.SharedBroker;
import ktp.store.OutboxEvent;
import ktp.telemetry.SharedBrokerLogins;
import ktp.telemetry.TelemetryCodec;
import ktp.telemetry.Topics;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The simulated data center moves residents on the same MQTT events the central office's collectors read. */
class TelemetryIntakeTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    static byte[] signed(ktp.telemetry.TelemetryKey key, OutboxEvent e) {
        return ktp.telemetry.SignedMessage.seal(ktp.telemetry.SignedMessage.Kind.EVENTS, TelemetryCodec.eventBatch(e.stationId(), "0123456789abcdef", java.util.List.of(e), Instant.now()), key);
    }

    @Test
    void printedAndIssuedEventsOverMqttMoveTheResidentsNationalStatusOnceEach() throws Exception {
        String broker = SharedBroker.url();
        String st = SharedBrokerLogins.station("ST-MQ");
        ktp.sim.TelemetryTestKeys keys = new ktp.sim.TelemetryTestKeys(dir.resolve("keys"));
        ktp.telemetry.TelemetryKey stMq = keys.station(st);
        try (CentralServer server = CentralServer.start(new CentralServer.Options(new InetSocketAddress("127.0.0.1", 0), dir, 23, 6, 0.0, 1e7,
                Duration.ofSeconds(60), null, Map.of(st, "token-of-station-mq")));
             TelemetryIntake intake = TelemetryIntake.start(server, SharedBrokerLogins.asDataCenter(), keys.registry(), "dc-" + UUID.randomUUID().toString().substring(0, 8))) {
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (server.center().readyCount() < 6 && System.nanoTime() < deadline) Thread.sleep(50);
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> pulled = http.send(HttpRequest.newBuilder(URI.create(server.uri() + "/v1/print-ready?station=" + st + "&limit=1"))
                    .header("Authorization", "Bearer token-of-station-mq").build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, pulled.statusCode(), pulled.body());
            JsonNode lease = JSON.readTree(pulled.body()).get("leases").get(0);
            String recordId = lease.get("recordId").asText();
            String nik = lease.get("nik").asText();

            MqttClient station = new MqttClient(broker, st + "-test-" + UUID.randomUUID(), new MemoryPersistence());
            station.connect(SharedBrokerLogins.as(st).options());
            long seq = 0;
            String printedId = UUID.randomUUID().toString();
            for (EventType t : new EventType[] {EventType.SENT_FOR_CARD_PRINTING, EventType.CARD_PRINTED, EventType.CARD_ISSUED}) {
                String id = t == EventType.CARD_PRINTED ? printedId : UUID.randomUUID().toString();
                station.publish(Topics.events(st), signed(stMq, new OutboxEvent(++seq, id, t, st, recordId, nik, "04AABBCCDD", "", Instant.now())), 1, false);
            }
            // The same CARD_PRINTED again (a station re-sending after a lost receipt), and an event for a record this data center never had.
            station.publish(Topics.events(st), signed(stMq, new OutboxEvent(2, printedId, EventType.CARD_PRINTED, st, recordId, nik, "04AABBCCDD", "", Instant.now())), 1, false);
            station.publish(Topics.events(st), signed(stMq, new OutboxEvent(4, UUID.randomUUID().toString(), EventType.CARD_PRINTED, st, "PRR-999999-999999", nik, "", "", Instant.now())), 1, false);
            deadline = System.nanoTime() + 20_000_000_000L;
            // Refusals counted on this station's topic: the data center hears every station on the shared broker, and the
            // other test classes' stations (unknown to this registry, so refused) publish at the same time.
            while ((intake.applied() < 3 || intake.duplicates() < 1 || intake.refused(st) < 1) && System.nanoTime() < deadline) Thread.sleep(50);
            station.disconnect();
            station.close();
            assertEquals(3, intake.applied());
            assertEquals(1, intake.duplicates());
            assertEquals(Map.of("REFUSED_BY_DATA_CENTER", 1L), intake.refusedBy(st), "the event for a record this data center never had");
            assertTrue(intake.refused() >= 1);
            HttpResponse<String> status = http.send(HttpRequest.newBuilder(URI.create(server.uri() + "/v1/residents/" + nik)).header("Authorization", "Bearer token-of-station-mq").build(), HttpResponse.BodyHandlers.ofString());
            assertEquals("CARD_ISSUED", JSON.readTree(status.body()).get("status").asText(), status.body());
        }
    }

    /** The issue's forged CARD_ISSUED: unsigned, signed by a stranger, by another station: the resident's status does not move. */
    @Test
    void aForgedCardIssuedMovesNoNationalStatus() throws Exception {
        String broker = SharedBroker.url();
        String st = SharedBrokerLogins.station("ST-MQ");
        ktp.sim.TelemetryTestKeys keys = new ktp.sim.TelemetryTestKeys(dir.resolve("keys"));
        ktp.telemetry.TelemetryKey real = keys.station(st);
        ktp.telemetry.TelemetryKey neighbour = keys.station("ST-NEIGHBOUR");
        try (CentralServer server = CentralServer.start(new CentralServer.Options(new InetSocketAddress("127.0.0.1", 0), dir, 24, 6, 0.0, 1e7,
                Duration.ofSeconds(60), null, Map.of(st, "token-of-station-mq")));
             TelemetryIntake intake = TelemetryIntake.start(server, SharedBrokerLogins.asDataCenter(), keys.registry(), "dc-" + UUID.randomUUID().toString().substring(0, 8))) {
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (server.center().readyCount() < 6 && System.nanoTime() < deadline) Thread.sleep(50);
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> pulled = http.send(HttpRequest.newBuilder(URI.create(server.uri() + "/v1/print-ready?station=" + st + "&limit=1"))
                    .header("Authorization", "Bearer token-of-station-mq").build(), HttpResponse.BodyHandlers.ofString());
            JsonNode lease = JSON.readTree(pulled.body()).get("leases").get(0);
            String recordId = lease.get("recordId").asText();
            String nik = lease.get("nik").asText();
            // With the station's broker password (not its signing key): the broker lets it write the station's events.
            MqttClient attacker = new MqttClient(broker, "attacker-" + UUID.randomUUID(), new MemoryPersistence());
            attacker.connect(SharedBrokerLogins.as(st).options());
            // The station's genuine SENT_FOR_CARD_PRINTING and CARD_PRINTED: the card waits for its holder.
            attacker.publish(Topics.events(st), signed(real, new OutboxEvent(1, UUID.randomUUID().toString(), EventType.SENT_FOR_CARD_PRINTING, st, recordId, nik, "", "", Instant.now())), 1, false);
            attacker.publish(Topics.events(st), signed(real, new OutboxEvent(2, UUID.randomUUID().toString(), EventType.CARD_PRINTED, st, recordId, nik, "04AABBCCDD", "", Instant.now())), 1, false);
            OutboxEvent issued = new OutboxEvent(3, UUID.randomUUID().toString(), EventType.CARD_ISSUED, st, recordId, nik, "04AABBCCDD", "", Instant.now());
            String v1 = new String(TelemetryCodec.event(issued), java.nio.charset.StandardCharsets.UTF_8).replace("{", "{\"v\":1,");
            attacker.publish(Topics.events(st), v1.getBytes(java.nio.charset.StandardCharsets.UTF_8), 1, false);
            attacker.publish(Topics.events(st), signed(ktp.telemetry.TelemetryKey.generate(), issued), 1, false);
            attacker.publish(Topics.events(st), signed(neighbour, issued), 1, false);
            deadline = System.nanoTime() + 20_000_000_000L;
            while ((intake.applied() < 2 || intake.refused(st) < 3) && System.nanoTime() < deadline) Thread.sleep(50);
            attacker.disconnect();
            attacker.close();
            assertEquals(2, intake.applied());
            assertEquals(Map.of("UNSIGNED", 1L, "UNKNOWN_SIGNER", 1L, "WRONG_SIGNER", 1L), intake.refusedBy(st));
            HttpResponse<String> status = http.send(HttpRequest.newBuilder(URI.create(server.uri() + "/v1/residents/" + nik)).header("Authorization", "Bearer token-of-station-mq").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals("CARD_PRINTED", JSON.readTree(status.body()).get("status").asText(), "the card is still waiting for its holder: " + status.body());
        }
    }
}
