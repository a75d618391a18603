package ktp.sim.central;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import ktp.telemetry.BrokerSettings;
import ktp.telemetry.Keyring;
import ktp.telemetry.SignedMessage;
import ktp.telemetry.TelemetryCodec;
import ktp.telemetry.Topics;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The simulated data center's ear on the telemetry broker: the stations' events (the same messages the
 * central office's collectors read, in a shared-subscription group of its own) move residents to
 * CARD_PRINTED and CARD_ISSUED exactly as the HTTP events endpoint does, idempotently by event id. Only a
 * batch signed by the station its topic names, with a key of the station registry that is not revoked, moves
 * anything; anything else is refused, counted by why and logged, and no resident's status changes. An event
 * the data center refuses (a record it does not know, a station that never held it) is counted and logged.
 */
public final class TelemetryIntake implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TelemetryIntake.class);

    private final DataCenter center;
    private final MqttAsyncClient client;
    private final String filter;
    private final Keyring stations;
    private final java.util.Map<String, AtomicLong> refusedBy = new java.util.concurrent.ConcurrentHashMap<>();
    /** The same by the station whose topic the message came on: the broker carries every station's events, not only the ones a test watches. */
    private final java.util.Map<String, java.util.Map<String, AtomicLong>> refusedByStation = new java.util.concurrent.ConcurrentHashMap<>();
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();

    private TelemetryIntake(DataCenter center, MqttAsyncClient client, String filter, Keyring stations) {
        this.center = center;
        this.stations = stations;
        this.client = client;
        this.filter = filter;
    }

    /** {@code shareGroup} null subscribes directly (a broker without shared subscriptions). */
    public static TelemetryIntake start(CentralServer server, BrokerSettings broker, Keyring stations, String shareGroup) throws IOException {
        String events = Topics.all("events");
        String filter = shareGroup == null ? events : "$share/" + shareGroup + "/" + events;
        try {
            MqttAsyncClient c = new MqttAsyncClient(broker.url(), "ktp-datacenter-" + (shareGroup == null ? "direct" : shareGroup), new MemoryPersistence());
            TelemetryIntake intake = new TelemetryIntake(server.center(), c, filter, stations);
            c.setCallback(intake.new Callback());
            MqttConnectOptions o = broker.options();
            o.setCleanSession(false);
            o.setAutomaticReconnect(true);
            o.setMaxReconnectDelay(5000);
            c.connect(o).waitForCompletion(15_000);
            c.subscribe(filter, 1).waitForCompletion(15_000);
            return intake;
        } catch (MqttException e) {
            throw new IOException("the data center cannot reach the broker " + broker.url() + ": " + e.getMessage(), e);
        }
    }

    public long applied() { return applied.get(); }

    public long duplicates() { return duplicates.get(); }

    public long refused() { return refused.get(); }

    /** Refusals by why: the contract's and the signature's kinds, and REFUSED_BY_DATA_CENTER. */
    public java.util.Map<String, Long> refusedBy() {
        java.util.Map<String, Long> out = new java.util.TreeMap<>();
        refusedBy.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    /** Refusals of messages on {@code station}'s events topic, by why. */
    public java.util.Map<String, Long> refusedBy(String station) {
        java.util.Map<String, Long> out = new java.util.TreeMap<>();
        refusedByStation.getOrDefault(station, java.util.Map.of()).forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    /** How many messages on {@code station}'s events topic were refused. */
    public long refused(String station) { return refusedBy(station).values().stream().mapToLong(Long::longValue).sum(); }

    private void refuse(String station, String why) {
        if (station != null) refusedByStation.computeIfAbsent(station, k -> new java.util.concurrent.ConcurrentHashMap<>()).computeIfAbsent(why, k -> new AtomicLong()).incrementAndGet();
        refusedBy.computeIfAbsent(why, k -> new AtomicLong()).incrementAndGet();
        refused.incrementAndGet();
    }

    private final class Callback implements MqttCallbackExtended {
        @Override
        public void connectComplete(boolean reconnect, String serverURI) {
            if (!reconnect) return;
            new Thread(() -> {
                try {
                    client.subscribe(filter, 1).waitForCompletion(15_000);
                } catch (MqttException e) {
                    LOG.warn("data center: re-subscribing: {}", e.getMessage());
                }
            }, "datacenter-resubscribe").start();
        }

        @Override
        public void connectionLost(Throwable cause) { LOG.warn("data center: telemetry connection lost: {}", cause.toString()); }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            java.util.Optional<ktp.telemetry.Topics.Parsed> t = ktp.telemetry.Topics.parse(topic);
            if (t.isEmpty()) {
                refuse(null, "WRONG_TOPIC");
                return;
            }
            TelemetryCodec.EventBatch batch;
            try {
                Keyring.Verified v = stations.open(message.getPayload(), SignedMessage.Kind.EVENTS, t.get().station());
                batch = TelemetryCodec.parseEventBatch(v.body());
                if (!batch.stationId().equals(t.get().station())) throw new TelemetryCodec.Rejected(TelemetryCodec.Rejected.Kind.WRONG_SIGNER, "a batch of " + batch.stationId() + " on " + topic);
            } catch (TelemetryCodec.Rejected r) {
                refuse(t.get().station(), r.kind().name());
                LOG.warn("data center: refused a message on {}: {}", topic, r.getMessage());
                return;
            }
            for (TelemetryCodec.Event e : batch.events()) {
                try {
                    DataCenter.EventOutcome o = center.report(e.stationId(), e.eventId(), e.type(), e.recordId(), e.reason());
                    (o.duplicate() ? duplicates : applied).incrementAndGet();
                } catch (ApiException a) {
                    refuse(t.get().station(), "REFUSED_BY_DATA_CENTER");
                    LOG.warn("data center: refused an event on {}: {}", topic, a.getMessage());
                }
            }
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) { }
    }

    @Override
    public void close() {
        try {
            if (client.isConnected()) client.disconnect().waitForCompletion(3000);
            client.close(true);
        } catch (MqttException e) {
            LOG.debug("data center: closing the telemetry client: {}", e.getMessage());
        }
    }
}
