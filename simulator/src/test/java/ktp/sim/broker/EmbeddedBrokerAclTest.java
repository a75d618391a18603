package ktp.sim.broker;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import ktp.broker.BrokerSetup;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;

/** The demo's embedded Moquette is never an open broker: no anonymous client, and each client only its own topics. */
class EmbeddedBrokerAclTest {
    private static MqttClient client(String url, String user, String password) throws MqttException {
        MqttClient c = new MqttClient(url, user == null ? "anon" : user.replace('.', '-') + "-" + System.nanoTime(), new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        if (user != null) o.setUserName(user);
        if (password != null) o.setPassword(password.toCharArray());
        // Moquette sends no PUBACK for a write outside the ACL: a bounded wait instead of blocking for ever.
        c.setTimeToWait(3000);
        c.connect(o);
        return c;
    }

    @Test
    void anonymousClientsAndWrongPasswordsAreRefusedAndEachClientKeepsToItsOwnTopics() throws Exception {
        Map<String, String> pw = Map.of("DEMO-01", "pw-station", "collector.demo-office", "pw-collector", BrokerSetup.OFFICE, "pw-office");
        BrokerSetup.Plan plan = new BrokerSetup.Plan(List.of("DEMO-01"), List.of("demo-office"), "127.0.0.1:0", null, null, null, null);
        try (EmbeddedBroker b = EmbeddedBroker.start("127.0.0.1", 0, null, new EmbeddedBroker.Access(pw, plan))) {
            assertThrows(MqttException.class, () -> client(b.url(), null, null), "anonymous");
            assertThrows(MqttException.class, () -> client(b.url(), "DEMO-01", "guess"), "a wrong password");
            MqttClient station = client(b.url(), "DEMO-01", "pw-station");
            MqttClient collector = client(b.url(), "collector.demo-office", "pw-collector");
            MqttClient office = client(b.url(), BrokerSetup.OFFICE, "pw-office");
            List<String> atCollector = new CopyOnWriteArrayList<>();
            List<String> atStation = new CopyOnWriteArrayList<>();
            collector.subscribe("ktpel/v2/stations/+/events", 1, (t, m) -> atCollector.add(new String(m.getPayload())));
            station.subscribe("ktpel/v2/stations/DEMO-01/commands", 1, (t, m) -> atStation.add(new String(m.getPayload())));
            try {
                station.publish("ktpel/v2/stations/OTHER/events", "as another station".getBytes(), 1, false);
            } catch (MqttException refusedWrite) {
                // Moquette answers a write outside the ACL with nothing (or drops the connection): start afresh to go on
                try {
                    station.disconnectForcibly(100, 100);
                } catch (MqttException ignored) {
                    // gone already
                }
                station = client(b.url(), "DEMO-01", "pw-station");
                station.subscribe("ktpel/v2/stations/DEMO-01/commands", 1, (t, m) -> atStation.add(new String(m.getPayload())));
            }
            try {
                collector.publish("ktpel/v2/stations/DEMO-01/commands", "collector command".getBytes(), 1, false);
            } catch (MqttException refusedWrite) {
                try {
                    collector.disconnectForcibly(100, 100);
                } catch (MqttException ignored) {
                    // gone already
                }
                collector = client(b.url(), "collector.demo-office", "pw-collector");
                collector.subscribe("ktpel/v2/stations/+/events", 1, (t, m) -> atCollector.add(new String(m.getPayload())));
            }
            station.publish("ktpel/v2/stations/DEMO-01/events", "own event".getBytes(), 1, false);
            office.publish("ktpel/v2/stations/DEMO-01/commands", "office command".getBytes(), 1, false);
            long deadline = System.nanoTime() + 10_000_000_000L;
            while ((atCollector.isEmpty() || atStation.isEmpty()) && System.nanoTime() < deadline) Thread.sleep(20);
            Thread.sleep(300);
            assertEquals(List.of("own event"), atCollector, "a station writes only its own events");
            assertEquals(List.of("office command"), atStation, "only the office writes commands");
        }
    }

    @Test
    void theAclCoversFiltersAsMosquittoWould() {
        BrokerSetup.Plan plan = new BrokerSetup.Plan(List.of("ST-A"), List.of("office-1"), "127.0.0.1:1", null, null, null, null);
        assertTrue(BrokerSetup.allowed(plan, "ST-A", "ktpel/v2/stations/ST-A/events", true));
        assertFalse(BrokerSetup.allowed(plan, "ST-A", "ktpel/v2/stations/ST-B/events", true));
        assertFalse(BrokerSetup.allowed(plan, "ST-A", "ktpel/v2/stations/ST-A/commands", true));
        assertFalse(BrokerSetup.allowed(plan, "ST-A", "ktpel/v2/stations/+/commands", false), "a wildcard over other stations' commands");
        assertFalse(BrokerSetup.allowed(plan, "ST-A", "ktpel/v2/#", false));
        assertTrue(BrokerSetup.allowed(plan, "collector.office-1", "$share/g/ktpel/v2/stations/+/events", false));
        assertFalse(BrokerSetup.allowed(plan, "collector.office-1", "ktpel/v2/stations/ST-A/commands", true));
        assertFalse(BrokerSetup.allowed(plan, "collector.office-2", "ktpel/v2/stations/+/events", false), "an unknown collector");
        assertFalse(BrokerSetup.allowed(plan, null, "ktpel/v2/stations/ST-A/events", false));
    }
}
