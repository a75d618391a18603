package ktp.telemetry;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import ktp.central.Backoff;
import ktp.store.OutboxEvent;
import ktp.store.StationStore;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains the station's outbox to the broker (docs/telemetry.md): events in sequence order with QoS 1, up to
 * {@link #WINDOW} in flight, each deleted from the outbox only once the broker has acknowledged it and a
 * collector has sent a receipt saying the event is on its disk (and so has every event before it). A broker
 * acknowledgement alone is not enough: a broker that stops or restarts between acknowledging and delivering
 * loses the event (measured with Mosquitto 2.0.11: a whole window lost at a restart). The outbox is the
 * durable buffer: after a lost connection, a broker restart, a station crash, or {@link #RECEIPT_TIMEOUT}
 * without a receipt, everything not yet receipted is sent again from the oldest, so the central office may
 * see an event twice (it drops duplicates by event id) but never misses one. Also publishes the station's retained
 * state (online; offline through the last will), its health every {@code healthEvery}, and answers commands.
 *
 * <p>Events are drained only while a collector is listening: one has sent a heartbeat since this connection
 * was made and within {@link #COLLECTOR_SILENT}. Mosquitto 2.0.11 does not restore shared subscriptions
 * from its persistence file after a restart, so events published before the collectors subscribe again
 * would be acknowledged and dropped; holding them in the outbox until a collector says it is subscribed
 * closes that hole (the pattern of Sparkplug's primary host STATE). {@link #drainWithoutCollector} turns the
 * check off for brokers that keep shared subscriptions or bridge to the office.
 *
 * <p>Paho's MQTT 3.1.1 client with in-memory persistence (the outbox, not Paho, is what survives a crash),
 * clean session off so commands sent while the station was away are queued for it, and reconnection by this
 * class with full-jitter back-off (Paho's automatic reconnect does not cover a first connection that fails).
 */
public final class OutboxPublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OutboxPublisher.class);
    /** Events in flight at once: enough to hide the round trip, well under the client's in-flight limit. */
    public static final int WINDOW = 64;
    /** A collector that has not sent a heartbeat for this long is not counted as listening. */
    public static final Duration COLLECTOR_SILENT = Duration.ofSeconds(6);
    /** An event sent this long ago without a collector's receipt is sent again, with everything after it. */
    public static final Duration RECEIPT_TIMEOUT = Duration.ofSeconds(10);
    /** Events sent but not yet receipted, at most: bounds what a lost receipt can make the station send again. */
    public static final int MAX_UNRECEIPTED = 4096;

    /**
     * What the console and the health message show about the link: {@code delivered} counts events receipted
     * in this run, {@code deliveredUpTo} is the sequence up to which every event is safe at the office.
     */
    public record Status(boolean connected, boolean collectorListening, long outboxDepth, long delivered, long deliveredUpTo, String lastError) {}

    private final StationStore store;
    private final String stationId;
    private final BrokerSettings broker;
    private final DeviceHealth devices;
    private final CommandHandler commands;
    private final Duration healthEvery;
    private final Clock clock;
    private final MqttAsyncClient client;
    private final Thread drainer;
    private final Object signal = new Object();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicBoolean resend = new AtomicBoolean(true);
    private final ConcurrentSkipListSet<Long> receipted = new ConcurrentSkipListSet<>();
    private final Set<Long> inFlight = ConcurrentHashMap.newKeySet();
    private final Map<Long, Long> sentAtNanos = new ConcurrentHashMap<>();
    private final AtomicLong acknowledged = new AtomicLong();
    private final Map<String, CommandHandler.Answer> answered = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, CommandHandler.Answer> e) { return size() > 1000; }
    };
    private volatile long watermark;
    private volatile String lastError = "";
    private volatile Instant connectedSince;
    private volatile long lastHeartbeatNanos;
    private volatile boolean heartbeatSeen;
    private volatile boolean requireCollector = true;

    public OutboxPublisher(StationStore store, BrokerSettings broker, DeviceHealth devices, CommandHandler commands, Duration healthEvery, Clock clock) throws IOException {
        this.store = store;
        this.stationId = store.stationId();
        this.broker = broker;
        this.devices = devices;
        this.commands = commands;
        this.healthEvery = healthEvery;
        this.clock = clock;
        this.watermark = store.outboxFloor();
        try {
            this.client = new MqttAsyncClient(broker.url(), "ktp-station-" + stationId, new MemoryPersistence());
        } catch (MqttException e) {
            throw new IOException("broker " + broker.url() + ": " + e.getMessage(), e);
        }
        client.setCallback(new Callback());
        this.drainer = new Thread(this::run, "outbox-publisher");
        drainer.setDaemon(true);
    }

    /** Drain whether or not a collector is listening (a broker that keeps shared subscriptions, a bridge). */
    public OutboxPublisher drainWithoutCollector() {
        requireCollector = false;
        return this;
    }

    public OutboxPublisher start() {
        drainer.start();
        return this;
    }

    /** Wakes the publisher at once (the pipeline calls it after a job change wrote an event). */
    public void wake() {
        synchronized (signal) { signal.notifyAll(); }
    }

    public Status status() {
        return new Status(client.isConnected(), collectorListening(), store.outboxDepth(), acknowledged.get(), watermark, lastError);
    }

    /** The health message as it would be published now (shown locally even while the broker is unreachable). */
    public TelemetryCodec.Health health() {
        return new TelemetryCodec.Health(stationId, clock.instant(), devices.printerStatus(), devices.ribbonRemaining(), devices.blanksInFeeder(),
                devices.readerPresent(), store.queueDepth(), store.outboxDepth(), devices.paused());
    }

    private void receipt(long from, long to) {
        for (long seq = Math.max(from, watermark + 1); seq <= to; seq++) {
            if (receipted.add(seq)) acknowledged.incrementAndGet();
        }
        wake();
    }

    private boolean collectorListening() {
        return heartbeatSeen && System.nanoTime() - lastHeartbeatNanos < COLLECTOR_SILENT.toNanos();
    }

    private void run() {
        Backoff backoff = new Backoff(Duration.ofMillis(250), Duration.ofSeconds(30), new Random());
        long removedUpTo = 0;
        long lastRemoval = System.nanoTime();
        long nextHealth = 0;
        long sentAfter = 0;
        while (running.get()) {
            try {
                if (!client.isConnected()) {
                    if (!connect()) {
                        pause(backoff.next().toMillis());
                        continue;
                    }
                    backoff.reset();
                    nextHealth = 0; // the central office learns at once how much this station has to catch up
                }
                if (resend.getAndSet(false)) {
                    // A new connection, or receipts overdue: send again from the oldest event not receipted.
                    inFlight.clear();
                    sentAtNanos.clear();
                    // Everything below the outbox's floor is gone from it, so it was receipted (in this run or one
                    // before): start there, also when the outbox is empty and the next event is not number 1.
                    long floor = store.outboxFloor();
                    if (floor > watermark) watermark = floor;
                    receipted.headSet(watermark, true).clear();
                    sentAfter = watermark;
                }
                long w = watermark;
                while (receipted.remove(w + 1)) {
                    w++;
                    sentAtNanos.remove(w);
                }
                watermark = w;
                Long oldest = sentAtNanos.get(w + 1);
                if (oldest != null && System.nanoTime() - oldest > RECEIPT_TIMEOUT.toNanos() && (!requireCollector || collectorListening())) {
                    LOG.warn("telemetry: no receipt for event {} after {} s; sending again from it", w + 1, RECEIPT_TIMEOUT.toSeconds());
                    resend.set(true);
                    continue;
                }
                boolean idle = inFlight.isEmpty();
                if (w > removedUpTo && (w - removedUpTo >= WINDOW || idle || System.nanoTime() - lastRemoval > 50_000_000L)) {
                    store.removePublished(w);
                    removedUpTo = w;
                    lastRemoval = System.nanoTime();
                }
                if (System.nanoTime() >= nextHealth) {
                    publishHealth();
                    nextHealth = System.nanoTime() + healthEvery.toNanos();
                }
                int room = requireCollector && !collectorListening() ? 0
                        : (int) Math.min(WINDOW - inFlight.size(), MAX_UNRECEIPTED - (Math.max(sentAfter, w) - w));
                List<OutboxEvent> batch = room > 0 ? store.pendingEventsAfter(Math.max(sentAfter, w), room) : List.of();
                for (OutboxEvent e : batch) {
                    if (receipted.contains(e.sequence())) { sentAfter = e.sequence(); continue; }
                    publish(e);
                    sentAfter = e.sequence();
                }
                if (batch.isEmpty()) pause(inFlight.isEmpty() ? 50 : 5);
            } catch (MqttException e) {
                lastError = e.getMessage() + " (" + e.getReasonCode() + ")";
                resend.set(true);
                pause(e.getReasonCode() == MqttException.REASON_CODE_MAX_INFLIGHT ? 20 : 200);
            } catch (RuntimeException e) {
                lastError = e.toString();
                LOG.error("outbox publisher: {}", e.toString(), e);
                pause(1000);
            }
        }
    }

    private void publish(OutboxEvent e) throws MqttException {
        long seq = e.sequence();
        inFlight.add(seq);
        sentAtNanos.putIfAbsent(seq, System.nanoTime());
        client.publish(Topics.events(stationId), TelemetryCodec.event(e, clock.instant()), 1, false, null, new IMqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
                // The broker has it. Without collectors to wait for, that is as far as delivery can be known.
                if (!requireCollector) receipt(seq, seq);
                inFlight.remove(seq);
                wake();
            }

            @Override
            public void onFailure(IMqttToken token, Throwable failure) {
                inFlight.remove(seq);
                lastError = String.valueOf(failure);
                resend.set(true);
                wake();
            }
        });
    }

    private boolean connect() {
        try {
            MqttConnectOptions o = broker.options();
            o.setCleanSession(false);
            o.setAutomaticReconnect(false);
            o.setKeepAliveInterval(20);
            o.setConnectionTimeout(10);
            o.setMaxInflight(WINDOW * 4);
            Instant since = clock.instant();
            o.setWill(Topics.state(stationId), TelemetryCodec.state(new TelemetryCodec.State(stationId, false, since, "connection lost (last will)")), 1, true);
            client.connect(o).waitForCompletion(15_000);
            connectedSince = since;
            client.publish(Topics.state(stationId), TelemetryCodec.state(new TelemetryCodec.State(stationId, true, since, null)), 1, true);
            heartbeatSeen = false;
            client.subscribe(new String[] {Topics.commands(stationId), Topics.receipts(stationId), Topics.COLLECTOR_HEARTBEATS}, new int[] {1, 1, 0})
                    .waitForCompletion(15_000);
            resend.set(true);
            LOG.info("telemetry: connected to {} ({} events waiting)", broker.url(), store.outboxDepth());
            return true;
        } catch (MqttException | IOException e) {
            lastError = "cannot connect to " + broker.url() + ": " + e.getMessage();
            LOG.warn("telemetry: {}", lastError);
            // Connected but not subscribed (a SUBACK lost to a broker going down again) would look healthy and
            // never hear a collector: drop the connection so the next try starts from the beginning.
            try {
                if (client.isConnected()) client.disconnectForcibly(1000, 1000);
            } catch (MqttException ignored) {
                // it is going anyway
            }
            return false;
        }
    }

    private void publishHealth() {
        try {
            if (client.isConnected()) client.publish(Topics.health(stationId), TelemetryCodec.health(health()), 1, true);
        } catch (MqttException e) {
            lastError = "health: " + e.getMessage();
        }
    }

    private void pause(long ms) {
        synchronized (signal) {
            try {
                signal.wait(Math.max(1, ms));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running.set(false);
            }
        }
    }

    private final class Callback implements MqttCallbackExtended {
        @Override
        public void connectComplete(boolean reconnect, String serverURI) { wake(); }

        @Override
        public void connectionLost(Throwable cause) {
            lastError = "connection lost: " + cause;
            LOG.warn("telemetry: {}", lastError);
            resend.set(true);
            wake();
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            if (topic.equals(Topics.receipts(stationId))) {
                try {
                    TelemetryCodec.Receipt r = TelemetryCodec.parseReceipt(message.getPayload());
                    for (long[] range : r.ranges()) receipt(range[0], Math.min(range[1], range[0] + MAX_UNRECEIPTED * 4L));
                } catch (TelemetryCodec.Rejected e) {
                    LOG.warn("telemetry: a receipt was refused: {}", e.getMessage());
                }
                return;
            }
            if (!topic.equals(Topics.commands(stationId))) {
                try {
                    TelemetryCodec.parseHeartbeat(message.getPayload());
                    lastHeartbeatNanos = System.nanoTime();
                    if (!heartbeatSeen) {
                        heartbeatSeen = true;
                        wake();
                    }
                } catch (TelemetryCodec.Rejected e) {
                    LOG.debug("telemetry: not a heartbeat on {}: {}", topic, e.getMessage());
                }
                return;
            }
            TelemetryCodec.Command c;
            try {
                c = TelemetryCodec.parseCommand(message.getPayload());
            } catch (TelemetryCodec.Rejected e) {
                LOG.warn("telemetry: a command on {} was refused: {}", topic, e.getMessage());
                return;
            }
            CommandHandler.Answer a;
            synchronized (answered) {
                a = answered.get(c.commandId());
                if (a == null) {
                    // The broker may deliver a command twice (QoS 1): it is carried out once and answered the same each time.
                    a = commands.handle(c);
                    answered.put(c.commandId(), a);
                }
            }
            try {
                client.publish(Topics.acks(stationId), TelemetryCodec.ack(new TelemetryCodec.Ack(c.commandId(), stationId, a.accepted(), a.detail(), clock.instant())), 1, false);
            } catch (MqttException e) {
                lastError = "ack: " + e.getMessage();
            }
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) { }
    }

    /** Publishes "offline" (retained) and disconnects; events not yet acknowledged stay in the outbox. */
    @Override
    public void close() {
        running.set(false);
        wake();
        try {
            drainer.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (client.isConnected()) {
            try {
                client.publish(Topics.state(stationId), TelemetryCodec.state(new TelemetryCodec.State(stationId, false, clock.instant(), "orderly stop")), 1, true)
                        .waitForCompletion(5000);
                client.disconnect().waitForCompletion(2000);
            } catch (MqttException e) {
                // "offline" did not get through in time (a slow broker): leave without a DISCONNECT packet, so the
                // broker publishes the last will and the office does not go on seeing this station online.
                LOG.warn("telemetry: the orderly 'offline' was not confirmed ({}); leaving the last will to say it", e.getMessage());
                try {
                    client.disconnectForcibly(0, 1000, false);
                } catch (MqttException ignored) {
                    // the connection is going either way
                }
            }
        }
        try {
            client.close(true);
        } catch (MqttException e) {
            LOG.debug("telemetry: close: {}", e.getMessage());
        }
    }
}
