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
 * a window in flight, each deleted from the outbox only once the broker has acknowledged it and a
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
 * <p>Every message is signed with the station's key ({@link SignedMessage}); events go in signed batches of up
 * to {@link TelemetryCodec#MAX_BATCH}, one signature each. What comes in is acted on only when an office key of
 * {@code officeKeys} signed it: a receipt (for this station, sent within {@link #RECEIPT_FRESH} of this clock,
 * never seen before, and only for events this run has sent), a heartbeat (from the collector its topic names,
 * fresh, newer than that collector's last), a command (see {@link #COMMAND_WINDOW}). Anything else is refused,
 * counted (the health message reports the counts), kept in the audit log, and changes nothing.
 *
 * <p>Congestion (a broker that drops what overflows a client's queue): at most {@link #MAX_IN_FLIGHT} batches
 * wait for the broker's acknowledgement, and at most {@code window} batches for receipts; the window grows by
 * with every receipt that moves the watermark (doubling until the first loss, then by one), up to {@link #MAX_WINDOW}, and halves when receipts
 * are overdue, and the wait before sending again doubles (up to {@link #MAX_RESEND_WAIT}) with full jitter, so
 * 100 stations that lost their events at once do not send them again at once.
 *
 * <p>Paho's MQTT 3.1.1 client with in-memory persistence (the outbox, not Paho, is what survives a crash),
 * clean session off so commands sent while the station was away are queued for it, and reconnection by this
 * class with full-jitter back-off (Paho's automatic reconnect does not cover a first connection that fails).
 */
public final class OutboxPublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OutboxPublisher.class);
    /**
     * Batches waiting for the broker's acknowledgement at once (256 events): hides the round trip, well under
     * Mosquitto's 20. 4 (128 events) left the drainer waiting for PUBACKs whenever the round trip grew to a few ms on a
     * loaded machine; what may be queued at the broker is bounded by the window, not by this.
     */
    public static final int MAX_IN_FLIGHT = 8;
    /** Batches sent and not yet receipted, at most (x 32 events): what one station may have queued at the broker. */
    public static final int MAX_WINDOW = 64;

    /** Receipted events removed from the outbox in one transaction at least this many at a time (or every 100 ms). */
    static final int REMOVE_EVERY = 1024;
    /** The window a run starts with: 100 stations x 4 batches stay under Mosquitto's default queue of 1,000 messages a client. */
    public static final int FIRST_WINDOW = 4;
    /** The longest wait before sending again after overdue receipts. */
    public static final Duration MAX_RESEND_WAIT = Duration.ofSeconds(60);
    /** A receipt sent further than this from this station's clock is refused as stale. */
    public static final Duration RECEIPT_FRESH = Duration.ofMinutes(2);
    /** A heartbeat further than this from this station's clock is refused as stale. */
    public static final Duration HEARTBEAT_FRESH = Duration.ofSeconds(30);
    /** A command issued longer ago than this (or more than 2 minutes ahead) is refused as stale; ids are remembered this long. */
    public static final Duration COMMAND_WINDOW = Duration.ofMinutes(10);
    /** A collector that has not sent a heartbeat for this long is not counted as listening. */
    public static final Duration COLLECTOR_SILENT = Duration.ofSeconds(6);
    /** An event sent this long ago without a collector's receipt is sent again, with everything after it. */
    public static final Duration RECEIPT_TIMEOUT = Duration.ofSeconds(10);
    /** Events sent but not yet receipted, at most: bounds what a lost receipt can make the station send again. */
    public static final int MAX_UNRECEIPTED = MAX_WINDOW * TelemetryCodec.MAX_BATCH;

    /**
     * What the console and the health message show about the link: {@code delivered} counts events receipted
     * in this run, {@code deliveredUpTo} is the sequence up to which every event is safe at the office.
     */
    public record Status(boolean connected, boolean collectorListening, long outboxDepth, long delivered, long deliveredUpTo, String lastError,
                         Map<String, Long> refused, int window) {}

    private final StationStore store;
    private final String stationId;
    private final BrokerSettings broker;
    private final TelemetryKey key;
    private final Keyring officeKeys;
    private final Refusals refusals;
    private final ReplayGuard seen = new ReplayGuard();
    private final Map<String, Instant> lastHeartbeatAt = new ConcurrentHashMap<>();
    private final Random jitter = new Random();
    private volatile int window = FIRST_WINDOW;
    private volatile boolean lostAny;
    private volatile long highestSent;
    /** This run's id: in every batch, echoed by every receipt; a receipt of another run is refused. */
    private final String run = TelemetryCodec.newRun();
    private final DeviceHealth devices;
    private final CommandHandler commands;
    private final Duration healthEvery;
    private final Clock clock;
    private final MqttAsyncClient client;
    private final Thread drainer;
    /** Events read from the outbox and not yet sent, in order (the drainer's thread only). */
    private final java.util.ArrayDeque<OutboxEvent> ahead = new java.util.ArrayDeque<>();
    /** Events read ahead from the store, at most: what may be unreceipted (a few hundred KB). */
    static final int READ_AHEAD = MAX_WINDOW * TelemetryCodec.MAX_BATCH;
    private final Remover remover = new Remover();
    private final Thread removerThread;
    private final Object signal = new Object();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicBoolean resend = new AtomicBoolean(true);
    private final ConcurrentSkipListSet<Long> receipted = new ConcurrentSkipListSet<>();
    private final Set<Long> inFlight = ConcurrentHashMap.newKeySet();
    private final Map<Long, Long> sentAtNanos = new ConcurrentHashMap<>();
    private final AtomicLong acknowledged = new AtomicLong();
    /** Commands answered, by id, with the signature they came with: a second delivery of the same one is answered alike. */
    private record Answered(String signature, CommandHandler.Answer answer) {}

    private final Map<String, Answered> answered = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Answered> e) { return size() > 1000; }
    };
    private volatile long watermark;
    private volatile String lastError = "";
    private volatile Instant connectedSince;
    private volatile long lastHeartbeatNanos;
    private volatile boolean heartbeatSeen;
    private volatile boolean requireCollector = true;

    /**
     * @param key the station's signing key (its client certificate's key, or the one its configuration names)
     * @param officeKeys the office keys whose commands, receipts and heartbeats this station acts on
     */
    public OutboxPublisher(StationStore store, BrokerSettings broker, TelemetryKey key, Keyring officeKeys, DeviceHealth devices, CommandHandler commands,
                           Duration healthEvery, Clock clock) throws IOException {
        this.store = store;
        this.stationId = store.stationId();
        this.broker = broker;
        this.key = key;
        this.officeKeys = officeKeys;
        // Kept in the audit log: a forged command or receipt is evidence the office must be able to see later.
        this.refusals = new Refusals(r -> {
            try {
                store.audit(ktp.store.Actor.STATION, "TELEMETRY_REFUSED", r.kind() + " on " + r.topic() + ": " + r.why());
            } catch (RuntimeException e) {
                LOG.warn(ktp.i18n.StationLog.line("telemetry.refusalNotAudited", e));
            }
        });
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
        this.removerThread = new Thread(remover, "outbox-remover");
        removerThread.setDaemon(true);
    }

    /** Drain whether or not a collector is listening (a broker that keeps shared subscriptions, a bridge). */
    public OutboxPublisher drainWithoutCollector() {
        requireCollector = false;
        return this;
    }

    public OutboxPublisher start() {
        removerThread.start();
        drainer.start();
        return this;
    }

    /** Wakes the publisher at once (the pipeline calls it after a job change wrote an event). */
    public void wake() {
        synchronized (signal) {
            woken = true;
            signal.notifyAll();
        }
    }

    /** Set by {@link #wake} and cleared by {@link #pause}: a receipt that comes between two loops is not slept through. */
    private boolean woken;

    public Status status() {
        return new Status(client.isConnected(), collectorListening(), store.outboxDepth(), acknowledged.get(), watermark, lastError, refusals.counts(), window);
    }

    /** The messages refused so far (counts by why, the last ones kept). */
    public Refusals refusals() { return refusals; }

    /** The health message as it would be published now (shown locally even while the broker is unreachable). */
    public TelemetryCodec.Health health() {
        return new TelemetryCodec.Health(stationId, clock.instant(), devices.printerStatus(), devices.ribbonRemaining(), devices.blanksInFeeder(),
                devices.readerPresent(), store.queueDepth(), store.outboxDepth(), devices.paused(), refusals.counts());
    }

    private void receipt(long from, long to) {
        // Only events this run has sent can be on a collector's disk: a receipt for more is cut to what was sent.
        for (long seq = Math.max(from, watermark + 1); seq <= Math.min(to, highestSent); seq++) {
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
        int overdue = 0;
        long resendNotBefore = 0;
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
                    ahead.clear();
                    // Everything below the outbox's floor is gone from it, so it was receipted (in this run or one
                    // before): start there, also when the outbox is empty and the next event is not number 1.
                    long floor = store.outboxFloor();
                    if (floor > watermark) watermark = floor;
                    receipted.headSet(watermark, true).clear();
                    sentAfter = watermark;
                }
                long w = watermark;
                long before = w;
                while (receipted.remove(w + 1)) {
                    w++;
                    sentAtNanos.remove(w);
                }
                watermark = w;
                if (w > before) {
                    overdue = 0;
                    // Doubling until the first loss, one batch at a time after it (as TCP grows its window).
                    window = Math.min(MAX_WINDOW, lostAny ? window + 1 : window * 2);
                }
                Long oldest = sentAtNanos.get(w + 1);
                long now = System.nanoTime();
                if (oldest != null && now - oldest > RECEIPT_TIMEOUT.toNanos() && now >= resendNotBefore && (!requireCollector || collectorListening())) {
                    // The broker dropped or lost them (a full queue, a restart): send again, but fewer at once and after a
                    // jittered wait that doubles while receipts stay overdue, so stations that lost theirs together spread out.
                    window = Math.max(1, window / 2);
                    lostAny = true;
                    overdue++;
                    long waitMs = Math.min(MAX_RESEND_WAIT.toMillis(), 1000L << Math.min(overdue, 6));
                    long jittered = (long) (jitter.nextDouble() * waitMs);
                    resendNotBefore = now + jittered * 1_000_000L;
                    LOG.warn(ktp.i18n.StationLog.line("telemetry.noReceipt", w + 1, RECEIPT_TIMEOUT.toSeconds(), jittered, window));
                    sentAtNanos.clear();
                    pause(jittered);
                    resend.set(true);
                    continue;
                }
                // Receipted events leave the outbox in one store transaction (one journal fsync) per range: at least
                // REMOVE_EVERY events, or 100 ms, or everything sent receipted (the end of a drain), on the remover's
                // thread, so the drainer goes on sending while the disk works (a removal per receipt, and then a
                // removal on this thread, spent the publisher's time waiting for the disk). Nothing is removed before
                // its receipt; a crash before the removal only sends it again, and the collector drops the duplicate.
                if (w > removedUpTo && (w - removedUpTo >= REMOVE_EVERY || w >= highestSent || System.nanoTime() - lastRemoval > 100_000_000L)) {
                    remover.upTo(w);
                    removedUpTo = w;
                    lastRemoval = System.nanoTime();
                }
                if (System.nanoTime() >= nextHealth) {
                    publishHealth();
                    nextHealth = System.nanoTime() + healthEvery.toNanos();
                }
                int batchesFree = Math.min(MAX_IN_FLIGHT - inFlight.size(),
                        (int) ((window * (long) TelemetryCodec.MAX_BATCH - (Math.max(sentAfter, w) - w)) / TelemetryCodec.MAX_BATCH));
                int room = requireCollector && !collectorListening() ? 0 : Math.max(0, batchesFree) * TelemetryCodec.MAX_BATCH;
                List<OutboxEvent> pending = room > 0 ? next(Math.max(sentAfter, w), room) : List.of();
                List<OutboxEvent> batch = new java.util.ArrayList<>(TelemetryCodec.MAX_BATCH);
                for (OutboxEvent e : pending) {
                    sentAfter = e.sequence();
                    if (receipted.contains(e.sequence())) continue;
                    batch.add(e);
                    if (batch.size() == TelemetryCodec.MAX_BATCH) {
                        publish(batch);
                        batch = new java.util.ArrayList<>(TelemetryCodec.MAX_BATCH);
                    }
                }
                if (!batch.isEmpty()) publish(batch);
                if (pending.isEmpty()) pause(inFlight.isEmpty() ? 50 : 5);
            } catch (MqttException e) {
                lastError = e.getMessage() + " (" + e.getReasonCode() + ")";
                resend.set(true);
                pause(e.getReasonCode() == MqttException.REASON_CODE_MAX_INFLIGHT ? 20 : 200);
            } catch (RuntimeException e) {
                lastError = e.toString();
                LOG.error(ktp.i18n.StationLog.line("telemetry.failed", e), e);
                pause(1000);
            }
        }
    }

    /**
     * Up to {@code limit} pending events after {@code after}, in order, from {@link #ahead}; topped up from the store
     * to {@link #READ_AHEAD} when it is half empty. Reading a batch's worth at a time meant taking the store's lock
     * for every few batches, and waiting there whenever a removal held it across its journal fsync.
     */
    private List<OutboxEvent> next(long after, int limit) {
        while (!ahead.isEmpty() && ahead.peekFirst().sequence() <= after) ahead.pollFirst();
        if (ahead.size() < Math.max(limit, READ_AHEAD / 2)) {
            ahead.addAll(store.pendingEventsAfter(ahead.isEmpty() ? after : ahead.peekLast().sequence(), READ_AHEAD - ahead.size()));
        }
        List<OutboxEvent> out = new java.util.ArrayList<>(Math.min(limit, ahead.size()));
        while (out.size() < limit && !ahead.isEmpty()) out.add(ahead.pollFirst());
        return out;
    }

    /**
     * Removes receipted events from the outbox on a thread of its own: a removal is a store transaction with a
     * journal fsync (tens of ms on a busy disk), and the drainer waiting for it sent nothing meanwhile. Only ever
     * up to a watermark the drainer computed from receipts; a removal not done before a crash or a stop only
     * means those events are sent again, and the collector drops the duplicates.
     */
    private final class Remover implements Runnable {
        private long target;
        private long done;

        synchronized void upTo(long sequence) {
            if (sequence > target) {
                target = sequence;
                notifyAll();
            }
        }

        @Override
        public void run() {
            while (true) {
                long t;
                synchronized (this) {
                    // Until the drainer has stopped too: its last loop may still ask for a removal.
                    while (target <= done && (running.get() || drainer.isAlive())) {
                        try {
                            wait(100);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                    if (target <= done) return; // stopped, nothing left to remove
                    t = target;
                }
                try {
                    store.removePublished(t);
                    synchronized (this) {
                        done = t;
                    }
                } catch (RuntimeException e) {
                    lastError = "removing receipted events: " + e;
                    LOG.warn(ktp.i18n.StationLog.line("telemetry.notRemoved", t, e));
                    if (!running.get()) return;
                    try {
                        Thread.sleep(1000);
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
            }
        }
    }

    /** One signed batch (consecutive events of this station, in order) to the broker. */
    private void publish(List<OutboxEvent> events) throws MqttException {
        long first = events.get(0).sequence();
        long last = events.get(events.size() - 1).sequence();
        inFlight.add(first);
        long now = System.nanoTime();
        for (OutboxEvent e : events) sentAtNanos.putIfAbsent(e.sequence(), now);
        if (last > highestSent) highestSent = last;
        byte[] message = SignedMessage.seal(SignedMessage.Kind.EVENTS, TelemetryCodec.eventBatch(stationId, run, events, clock.instant()), key);
        client.publish(Topics.events(stationId), message, 1, false, null, new IMqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
                // The broker has it. Without collectors to wait for, that is as far as delivery can be known.
                if (!requireCollector) {
                    for (OutboxEvent e : events) receipt(e.sequence(), e.sequence());
                }
                inFlight.remove(first);
                wake();
            }

            @Override
            public void onFailure(IMqttToken token, Throwable failure) {
                inFlight.remove(first);
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
            o.setMaxInflight(MAX_IN_FLIGHT * 16);
            Instant since = clock.instant();
            o.setWill(Topics.state(stationId), signedState(new TelemetryCodec.State(stationId, false, since, "connection lost (last will)")), 1, true);
            client.connect(o).waitForCompletion(15_000);
            connectedSince = since;
            client.publish(Topics.state(stationId), signedState(new TelemetryCodec.State(stationId, true, since, null)), 1, true);
            heartbeatSeen = false;
            client.subscribe(new String[] {Topics.commands(stationId), Topics.receipts(stationId), Topics.COLLECTOR_HEARTBEATS}, new int[] {1, 1, 0})
                    .waitForCompletion(15_000);
            resend.set(true);
            LOG.info(ktp.i18n.StationLog.line("telemetry.connected", broker.url(), store.outboxDepth()));
            return true;
        } catch (MqttException | IOException e) {
            lastError = "cannot connect to " + broker.url() + ": " + e.getMessage();
            LOG.warn(ktp.i18n.StationLog.line("telemetry.unreachable", broker.url(), e.getMessage()));
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
            if (client.isConnected()) client.publish(Topics.health(stationId), SignedMessage.seal(SignedMessage.Kind.HEALTH, TelemetryCodec.health(health()), key), 1, true);
        } catch (MqttException e) {
            lastError = "health: " + e.getMessage();
        }
    }

    private byte[] signedState(TelemetryCodec.State s) { return SignedMessage.seal(SignedMessage.Kind.STATE, TelemetryCodec.state(s), key); }

    private void refuse(String topic, TelemetryCodec.Rejected r, byte[] payload) {
        LOG.warn(ktp.i18n.StationLog.line("telemetry.refused", topic, r.getMessage()));
        refusals.refuse(clock.instant(), topic, r, payload);
    }

    private static TelemetryCodec.Rejected rejected(TelemetryCodec.Rejected.Kind kind, String why) { return new TelemetryCodec.Rejected(kind, why); }

    /** Within {@code window} of this station's clock, either way. */
    private void fresh(Instant at, Duration window, String what) throws TelemetryCodec.Rejected {
        Instant now = clock.instant();
        if (at.isBefore(now.minus(window)) || at.isAfter(now.plus(window))) {
            throw rejected(TelemetryCodec.Rejected.Kind.STALE, what + " sent at " + at + ", outside " + window.toSeconds() + " s of this station's clock (" + now + ")");
        }
    }

    private void onReceipt(String topic, byte[] payload) throws TelemetryCodec.Rejected {
        SignedMessage.Opened o = SignedMessage.open(payload, SignedMessage.Kind.RECEIPT);
        Keyring.Signer signer = officeKeys.verify(o, null);
        TelemetryCodec.Receipt r = TelemetryCodec.parseReceipt(o.payload());
        if (!r.stationId().equals(stationId)) throw rejected(TelemetryCodec.Rejected.Kind.WRONG_SIGNER, "receipt for " + r.stationId() + " on " + stationId + "'s topic");
        if (!r.run().equals(run)) throw rejected(TelemetryCodec.Rejected.Kind.REPLAYED, "receipt from " + r.collector() + " for run " + r.run() + ", not this run (" + run + ")");
        fresh(r.at(), RECEIPT_FRESH, "receipt from " + r.collector());
        if (!seen.firstTime(o.signature(), r.at(), RECEIPT_FRESH.multipliedBy(2), clock.instant())) {
            throw rejected(TelemetryCodec.Rejected.Kind.REPLAYED, "receipt from " + r.collector() + " of " + r.at() + " (signed by " + signer + ") seen before");
        }
        for (long[] range : r.ranges()) receipt(range[0], Math.min(range[1], range[0] + MAX_UNRECEIPTED * 4L));
    }

    private void onHeartbeat(String topic, byte[] payload) throws TelemetryCodec.Rejected {
        SignedMessage.Opened o = SignedMessage.open(payload, SignedMessage.Kind.HEARTBEAT);
        officeKeys.verify(o, null);
        TelemetryCodec.Heartbeat h = TelemetryCodec.parseHeartbeat(o.payload());
        if (!topic.equals(Topics.collectorHeartbeat(h.collector()))) {
            throw rejected(TelemetryCodec.Rejected.Kind.WRONG_SIGNER, "heartbeat of collector " + h.collector() + " on " + topic);
        }
        fresh(h.at(), HEARTBEAT_FRESH, "heartbeat of " + h.collector());
        Instant last = lastHeartbeatAt.get(h.collector());
        if (last != null && !h.at().isAfter(last)) {
            throw rejected(TelemetryCodec.Rejected.Kind.REPLAYED, "heartbeat of " + h.collector() + " at " + h.at() + ", not after its last one (" + last + ")");
        }
        lastHeartbeatAt.put(h.collector(), h.at());
        lastHeartbeatNanos = System.nanoTime();
        if (!heartbeatSeen) {
            heartbeatSeen = true;
            wake();
        }
    }

    private void onCommand(String topic, byte[] payload) {
        TelemetryCodec.Command c = null;
        CommandHandler.Answer a;
        try {
            SignedMessage.Opened o = SignedMessage.open(payload, SignedMessage.Kind.COMMAND);
            Keyring.Signer signer = officeKeys.verify(o, null);
            c = TelemetryCodec.parseCommand(o.payload());
            if (!c.stationId().equals(stationId)) throw rejected(TelemetryCodec.Rejected.Kind.WRONG_SIGNER, "command " + c.commandId() + " is for " + c.stationId() + ", not " + stationId);
            Instant now = clock.instant();
            String signature = java.util.Base64.getEncoder().encodeToString(o.signature());
            synchronized (answered) {
                Answered before = answered.get(c.commandId());
                if (before != null && before.signature().equals(signature)) {
                    // The broker may deliver a command twice (QoS 1), or someone published it again: carried out once, answered alike.
                    a = before.answer();
                } else if (before != null || commands.alreadyCarriedOut(c.commandId())) {
                    throw rejected(TelemetryCodec.Rejected.Kind.REPLAYED, "command id " + c.commandId() + " was used before");
                } else {
                    if (c.issuedAt().isBefore(now.minus(COMMAND_WINDOW)) || c.issuedAt().isAfter(now.plus(Duration.ofMinutes(2)))) {
                        throw rejected(TelemetryCodec.Rejected.Kind.STALE, "command " + c.commandId() + " issued at " + c.issuedAt() + ", outside the "
                                + COMMAND_WINDOW.toMinutes() + " minutes a command is valid (station clock " + now + ")");
                    }
                    a = commands.handle(c, signer);
                    answered.put(c.commandId(), new Answered(signature, a));
                }
            }
        } catch (TelemetryCodec.Rejected r) {
            refuse(topic, r, payload);
            a = new CommandHandler.Answer(false, "refused, nothing done: " + r.kind() + ": " + r.getMessage());
        }
        String id = c != null ? c.commandId() : "unreadable";
        try {
            byte[] ack = TelemetryCodec.ack(new TelemetryCodec.Ack(id.length() > 64 ? id.substring(0, 64) : id, stationId, a.accepted(),
                    a.detail().length() > 1000 ? a.detail().substring(0, 1000) : a.detail(), clock.instant()));
            client.publish(Topics.acks(stationId), SignedMessage.seal(SignedMessage.Kind.ACK, ack, key), 1, false);
        } catch (MqttException e) {
            lastError = "ack: " + e.getMessage();
        }
    }

    private void pause(long ms) {
        synchronized (signal) {
            try {
                if (woken) {
                    woken = false;
                    return;
                }
                signal.wait(Math.max(1, ms));
                woken = false;
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
            LOG.warn(ktp.i18n.StationLog.line("telemetry.lost", cause));
            resend.set(true);
            wake();
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            byte[] payload = message.getPayload();
            try {
                if (topic.equals(Topics.receipts(stationId))) onReceipt(topic, payload);
                else if (topic.equals(Topics.commands(stationId))) onCommand(topic, payload);
                else onHeartbeat(topic, payload);
            } catch (TelemetryCodec.Rejected r) {
                refuse(topic, r, payload);
            } catch (RuntimeException e) {
                // Nothing a stranger sends may stop this client: a bug shows as a refusal, not a dead connection.
                refuse(topic, rejected(TelemetryCodec.Rejected.Kind.INVALID, "cannot be read: " + e), payload);
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
            // The last removal the drainer asked for is finished (the store is usually closed next), then it stops.
            synchronized (remover) {
                remover.notifyAll();
            }
            if (removerThread.isAlive()) removerThread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (client.isConnected()) {
            try {
                client.publish(Topics.state(stationId), signedState(new TelemetryCodec.State(stationId, false, clock.instant(), "orderly stop")), 1, true)
                        .waitForCompletion(5000);
                client.disconnect().waitForCompletion(2000);
            } catch (MqttException e) {
                // "offline" did not get through in time (a slow broker): leave without a DISCONNECT packet, so the
                // broker publishes the last will and the office does not go on seeing this station online.
                LOG.warn(ktp.i18n.StationLog.line("telemetry.offlineUnconfirmed", e.getMessage()));
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

