package ktp.sim.central;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import ktp.telemetry.BrokerSettings;
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
 * CARD_PRINTED and CARD_ISSUED exactly as the HTTP events endpoint does, idempotently by event id. An event
 * the data center refuses (a record it does not know, a station that never held it) is counted and logged.
 */
public final class TelemetryIntake implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TelemetryIntake.class);

    private final DataCenter center;
    private final MqttAsyncClient client;
    private final String filter;
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();

    private TelemetryIntake(DataCenter center, MqttAsyncClient client, String filter) {
        this.center = center;
        this.client = client;
        this.filter = filter;
    }

    /** {@code shareGroup} null subscribes directly (a broker without shared subscriptions). */
    public static TelemetryIntake start(CentralServer server, BrokerSettings broker, String shareGroup) throws IOException {
        String events = Topics.all("events");
        String filter = shareGroup == null ? events : "$share/" + shareGroup + "/" + events;
        try {
            MqttAsyncClient c = new MqttAsyncClient(broker.url(), "ktp-datacenter-" + (shareGroup == null ? "direct" : shareGroup), new MemoryPersistence());
            TelemetryIntake intake = new TelemetryIntake(server.center(), c, filter);
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
            try {
                TelemetryCodec.Event e = TelemetryCodec.parseEvent(message.getPayload());
                DataCenter.EventOutcome o = center.report(e.stationId(), e.eventId(), e.type(), e.recordId(), e.reason());
                (o.duplicate() ? duplicates : applied).incrementAndGet();
            } catch (TelemetryCodec.Rejected r) {
                refused.incrementAndGet();
                LOG.warn("data center: refused a message on {}: {}", topic, r.getMessage());
            } catch (ApiException a) {
                refused.incrementAndGet();
                LOG.warn("data center: refused an event on {}: {}", topic, a.getMessage());
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
