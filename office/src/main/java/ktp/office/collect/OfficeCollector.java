package ktp.office.collect;

import java.io.IOException;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import ktp.office.db.EventLedger;
import ktp.telemetry.BrokerSettings;
import ktp.telemetry.Keyring;
import ktp.telemetry.SignedMessage;
import ktp.telemetry.TelemetryCodec;
import ktp.telemetry.TelemetryKey;
import ktp.telemetry.Topics;
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
 * One of the office's collectors (docs/office.md): events through a shared subscription, so that any number of
 * collectors on one database split the load, each station's retained state and health directly. A signed batch
 * is verified against the station registry by a pool of verifier threads and queued; {@value #WRITERS} writer
 * threads each store what they took from the queue in one transaction ({@link EventLedger#ingest}: each event once,
 * whoever stored it first, and the receipts to send in the same transaction) and publish the receipts only after
 * the commit. Two writers keep the database busy while the other one waits for its commit or signs its receipts;
 * they are to each other what two collectors on one database are. A station
 * deletes an event only on such a receipt, so a collector killed at any point loses nothing: what it had not
 * committed is sent again by the station, to whichever collector of the group gets it.
 * <p>
 * While the database cannot be written, the collector stops its heartbeat (stations then hold their events in
 * their own outboxes) and tries the same transaction again until it goes through. Start-up reads nothing
 * but this collector's own unpublished receipts.
 */
public final class OfficeCollector implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OfficeCollector.class);
    public static final Duration HEARTBEAT_EVERY = Duration.ofSeconds(2);
    /** Events stored per transaction, at most. */
    static final int MAX_CYCLE_EVENTS = 4096;
    /** Transactions in flight at once per collector (each on its own pooled connection: the pool holds two per collector). */
    static final int WRITERS = 2;

    /** Decides whether a recorded receipt is published (the tests drop one, as a broker losing it would). */
    public interface ReceiptGate {
        boolean publish(EventLedger.ReceiptDue r);
        ReceiptGate ALL = r -> true;
    }

    private sealed interface Item permits Batch, Status, Refusal {}
    private record Batch(List<EventLedger.Incoming> events) implements Item {}
    private record Status(EventLedger.Status status) implements Item {}
    private record Refusal(EventLedger.Refused refused) implements Item {}

    private final BrokerSettings broker;
    private final TelemetryKey key;
    private final Keyring stations;
    private final String name;
    private final String group;
    private final Clock clock;
    private final EventLedger ledger;
    private final ReceiptGate gate;
    private final MqttAsyncClient client;
    private final BlockingQueue<Item> queue = new ArrayBlockingQueue<>(2048);
    /** Messages as the broker handed them, waiting for a verifier (the signature and schema checks use every core). */
    private final BlockingQueue<Object[]> arrived = new ArrayBlockingQueue<>(1024);
    private final List<Thread> verifiers = new ArrayList<>();
    private final ScheduledExecutorService ticks;
    private final List<Thread> writers = new ArrayList<>();
    /** Receipts published whose rows are still in receipts_due: the next transaction deletes them. */
    private final java.util.concurrent.ConcurrentLinkedQueue<Long> published = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private volatile boolean closing;
    private volatile boolean subscribed;
    private volatile boolean subscribing;
    private final AtomicLong refusalsLogged = new AtomicLong();
    private volatile long refusalLogSecond;
    private volatile boolean databaseUp = true;
    private volatile CountDownLatch probe;
    private final AtomicLong stored = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong receiptsSent = new AtomicLong();
    private final AtomicLong receiptsDropped = new AtomicLong();

    /**
     * @param group the shared-subscription group, or null to subscribe directly (every collector receives every
     *              event; the database still stores each once)
     */
    public OfficeCollector(DataSource db, BrokerSettings broker, TelemetryKey key, Keyring stations, String name, String group,
                           ZoneId zone, Clock clock, ReceiptGate gate) throws IOException {
        this.broker = broker;
        this.key = key;
        this.stations = stations;
        this.name = name;
        this.group = group;
        this.clock = clock;
        this.gate = gate;
        this.ledger = new EventLedger(db, name, zone);
        this.ticks = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "office-collector-" + name + "-ticks");
            t.setDaemon(true);
            return t;
        });
        for (int i = 0; i < WRITERS; i++) {
            Thread w = new Thread(this::writeLoop, "office-collector-" + name + "-writer-" + i);
            w.setDaemon(true);
            writers.add(w);
        }
        for (int i = 0; i < Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())); i++) {
            Thread v = new Thread(this::verifyLoop, "office-collector-" + name + "-verify-" + i);
            v.setDaemon(true);
            verifiers.add(v);
        }
        try {
            this.client = new MqttAsyncClient(broker.url(), "ktp-office-" + name, new MemoryPersistence());
        } catch (MqttException e) {
            throw new IOException("broker " + broker.url() + ": " + e.getMessage(), e);
        }
        client.setCallback(new Callback());
    }

    /**
     * Connects, checks that the broker delivers to shared subscriptions (when a group is set: a broker without
     * them would take the subscription and deliver nothing), subscribes and starts storing.
     */
    public OfficeCollector start() throws IOException {
        List<EventLedger.ReceiptDue> leftover;
        try {
            leftover = ledger.leftoverReceipts();
        } catch (SQLException e) {
            throw new IOException("collector " + name + ": the database cannot be read: " + e.getMessage(), e);
        }
        // The verifiers and the writer run before the connection: a persistent session with a backlog at the broker
        // delivers it at once, and with nobody taking it Paho's receiver would block before the probe's SUBACK.
        writers.forEach(Thread::start);
        verifiers.forEach(Thread::start);
        try {
            client.connect(options()).waitForCompletion(15_000);
            if (group != null) checkSharedSubscriptions();
            subscribe();
        } catch (MqttException e) {
            close();
            throw new IOException("collector " + name + ": cannot connect to " + broker.url() + ": " + e.getMessage(), e);
        } catch (IOException e) {
            close();
            throw e;
        }
        publishReceipts(leftover);
        ticks.scheduleAtFixedRate(this::beat, HEARTBEAT_EVERY.toMillis(), HEARTBEAT_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("collector {}: listening on {} {}", name, broker.url(), group == null ? "(every event, no shared subscription)" : "in shared group " + group);
        return this;
    }

    private MqttConnectOptions options() throws IOException {
        return broker.collectorOptions(); // reconnection is this class's, as the station's file collector does it
    }

    /**
     * On a connection of its own with a clean session: the collector's own session may hold a backlog the broker
     * delivers first, behind which the probe would arrive late and look lost.
     */
    private void checkSharedSubscriptions() throws MqttException, IOException {
        // Under the collector's own topics, which the shipped ACL lets it write and read (collectors/NAME/probe/#).
        String topic = "ktpel/v2/collectors/" + name + "/probe/" + TelemetryCodec.newRun();
        String filter = "$share/" + group + "/" + topic;
        probe = new CountDownLatch(1);
        MqttAsyncClient client = new MqttAsyncClient(broker.url(), "ktp-office-" + name + "-probe", new MemoryPersistence());
        try {
            MqttConnectOptions o = broker.options();
            o.setCleanSession(true);
            client.setCallback(new MqttCallbackExtended() {
                @Override public void connectComplete(boolean reconnect, String serverURI) { }
                @Override public void connectionLost(Throwable cause) { }
                @Override public void messageArrived(String t, MqttMessage m) { if (t.equals(topic)) probe.countDown(); }
                @Override public void deliveryComplete(IMqttDeliveryToken token) { }
            });
            client.connect(o).waitForCompletion(15_000);
            probe(client, topic, filter);
        } finally {
            try {
                if (client.isConnected()) client.disconnect().waitForCompletion(3000);
                client.close(true);
            } catch (MqttException ignored) {
                // a probe connection
            }
        }
    }

    private void probe(MqttAsyncClient client, String topic, String filter) throws MqttException, IOException {
        IMqttToken t = client.subscribe(filter, 1);
        t.waitForCompletion(10_000);
        int[] granted = t.getGrantedQos();
        boolean refusedByBroker = granted != null && granted.length > 0 && granted[0] == 0x80;
        boolean delivered = false;
        if (!refusedByBroker) {
            client.publish(topic, "probe".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 1, false).waitForCompletion(10_000);
            try {
                delivered = probe.await(3, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            client.unsubscribe(filter).waitForCompletion(5_000);
        } catch (MqttException ignored) {
            // the probe's subscription goes with the session anyway
        }
        if (!delivered) {
            throw new IOException("collector " + name + ": the broker " + broker.url() + (refusedByBroker ? " refused" : " delivered nothing to")
                    + " a shared subscription (" + filter + "): it has no shared subscriptions, and in group '" + group
                    + "' this collector would receive nothing. Not starting. Set collectors.share: false in office.yaml (each collector"
                    + " then receives every event; the database still stores each once), or use a broker with shared subscriptions (Mosquitto).");
        }
    }

    /**
     * Asks for the subscriptions without waiting: a persistent session's backlog comes first, and the SUBACK only
     * after it (the heartbeat starts once it came).
     */
    private void subscribe() throws MqttException {
        if (subscribing) return;
        subscribing = true;
        String events = Topics.all("events");
        client.subscribe(new String[] {group == null ? events : "$share/" + group + "/" + events, Topics.all("state"), Topics.all("health")},
                new int[] {1, 1, 1}, null, new org.eclipse.paho.client.mqttv3.IMqttActionListener() {
                    @Override
                    public void onSuccess(IMqttToken token) {
                        subscribing = false;
                        subscribed = true;
                        ticks.execute(OfficeCollector.this::beat);
                    }

                    @Override
                    public void onFailure(IMqttToken token, Throwable e) {
                        subscribing = false;
                        LOG.warn("collector {}: subscribing: {}", name, e.toString());
                    }
                });
    }

    /** Every 2 s: connect again if the link dropped; say we listen, but only while the database takes writes. */
    private void beat() {
        if (closing) return;
        try {
            if (!client.isConnected()) {
                subscribing = false;
                subscribed = false;
                client.connect(options()).waitForCompletion(10_000);
            }
            if (!subscribed) {
                subscribe();
                return;
            }
            if (!databaseUp) return;
            byte[] body = TelemetryCodec.heartbeat(new TelemetryCodec.Heartbeat(name, group, clock.instant()));
            try {
                client.publish(Topics.collectorHeartbeat(name), SignedMessage.seal(SignedMessage.Kind.HEARTBEAT, body, key), 0, false);
            } catch (MqttException e) {
                // A full window of receipts waiting for PUBACKs is a busy link, not a broken one: this beat is skipped
                // (the next comes in 2 s; a station calls a collector silent after 6 s), the connection kept.
                if (e.getReasonCode() != MqttException.REASON_CODE_MAX_INFLIGHT) throw e;
                LOG.debug("collector {}: heartbeat skipped, {} receipts waiting for the broker", name, e.getMessage());
            }
        } catch (MqttException | IOException e) {
            LOG.warn("collector {}: broker {}: {}", name, broker.url(), e.getMessage());
            try {
                if (client.isConnected()) client.disconnectForcibly(1000, 1000);
            } catch (MqttException ignored) {
                // going anyway
            }
        }
    }

    /** On the broker's thread: verify, read, queue (a full queue holds the broker back). */
    void accept(String topic, byte[] payload) throws InterruptedException {
        Optional<Topics.Parsed> t = Topics.parse(topic);
        if (t.isEmpty()) {
            if (topic.startsWith("ktpel/v2/probe/") && probe != null) probe.countDown();
            return;
        }
        String station = t.get().station();
        try {
            switch (t.get().kind()) {
                case "events" -> {
                    Keyring.Verified v = stations.open(payload, SignedMessage.Kind.EVENTS, station);
                    TelemetryCodec.EventBatch b = TelemetryCodec.parseEventBatch(v.body());
                    if (!b.stationId().equals(station)) throw new TelemetryCodec.Rejected(TelemetryCodec.Rejected.Kind.WRONG_SIGNER, "a batch of " + b.stationId() + " on " + station + "'s topic");
                    List<EventLedger.Incoming> in = new ArrayList<>(b.events().size());
                    for (int i = 0; i < b.events().size(); i++) in.add(new EventLedger.Incoming(station, b.run(), b.events().get(i), b.eventJson().get(i)));
                    queue.put(new Batch(in));
                }
                case "state" -> {
                    Keyring.Verified v = stations.open(payload, SignedMessage.Kind.STATE, station);
                    TelemetryCodec.State s = TelemetryCodec.parseState(v.body());
                    if (!s.stationId().equals(station)) throw new TelemetryCodec.Rejected(TelemetryCodec.Rejected.Kind.WRONG_SIGNER, "state of " + s.stationId() + " on " + station + "'s topic");
                    queue.put(new Status(new EventLedger.Status(station, s, null, topic, payload)));
                }
                case "health" -> {
                    Keyring.Verified v = stations.open(payload, SignedMessage.Kind.HEALTH, station);
                    TelemetryCodec.Health h = TelemetryCodec.parseHealth(v.body());
                    if (!h.stationId().equals(station)) throw new TelemetryCodec.Rejected(TelemetryCodec.Rejected.Kind.WRONG_SIGNER, "health of " + h.stationId() + " on " + station + "'s topic");
                    queue.put(new Status(new EventLedger.Status(station, null, h, topic, payload)));
                }
                default -> throw new TelemetryCodec.Rejected(TelemetryCodec.Rejected.Kind.INVALID, "collectors do not read " + t.get().kind());
            }
        } catch (TelemetryCodec.Rejected r) {
            // Every refusal is kept in the database; the log says at most 10 a second (a flood must not become a log flood).
            long second = System.currentTimeMillis() / 1000;
            if (second != refusalLogSecond) {
                refusalLogSecond = second;
                refusalsLogged.set(0);
            }
            if (refusalsLogged.incrementAndGet() <= 10) LOG.warn("collector {}: refused on {}: {}", name, topic, r.getMessage());
            queue.put(new Refusal(new EventLedger.Refused(clock.instant(), topic, r.kind().name(), r.getMessage(), payload)));
        }
    }

    private void verifyLoop() {
        while (!closing) {
            try {
                Object[] m = arrived.poll(200, TimeUnit.MILLISECONDS);
                if (m != null) accept((String) m[0], (byte[]) m[1]);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.error("collector {}: verifier: {}", name, e.toString(), e);
            }
        }
    }

    private void writeLoop() {
        List<Item> cycle = new ArrayList<>();
        List<Long> forgetting = new ArrayList<>();
        long backoff = 100;
        while (!closing) {
            try {
                if (cycle.isEmpty()) {
                    Item first = queue.poll(200, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        forgetIdle();
                        continue;
                    }
                    cycle.add(first);
                    int events = size(first);
                    // A short wait gathers what is arriving into one commit (one fsync for hundreds of events).
                    long until = System.nanoTime() + 5_000_000L;
                    while (events < MAX_CYCLE_EVENTS) {
                        Item next = queue.poll(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS);
                        if (next == null) break;
                        cycle.add(next);
                        events += size(next);
                    }
                }
                List<EventLedger.Incoming> events = new ArrayList<>();
                List<EventLedger.Status> statuses = new ArrayList<>();
                List<EventLedger.Refused> refusals = new ArrayList<>();
                for (Item i : cycle) {
                    if (i instanceof Batch b) events.addAll(b.events());
                    else if (i instanceof Status s) statuses.add(s.status());
                    else if (i instanceof Refusal r) refusals.add(r.refused());
                }
                drain(forgetting);
                EventLedger.Outcome o;
                try {
                    o = ledger.ingest(events, statuses, refusals, forgetting);
                } catch (SQLException e) {
                    if (e.getSQLState() != null && e.getSQLState().startsWith("40")) {
                        // A deadlock or serialization failure with another writer: the database is fine, the same cycle goes again.
                        LOG.debug("collector {}: {} ({}); trying the cycle again", name, e.getMessage(), e.getSQLState());
                        continue;
                    }
                    if (databaseUp) LOG.warn("collector {}: cannot write to the database ({}); holding {} event(s), heartbeat stopped, trying again", name, e.getMessage(), events.size());
                    databaseUp = false;
                    Thread.sleep(backoff);
                    backoff = Math.min(2_000, backoff * 2);
                    continue;
                }
                if (!databaseUp) LOG.info("collector {}: the database takes writes again", name);
                databaseUp = true;
                backoff = 100;
                cycle.clear();
                forgetting.clear();
                stored.addAndGet(o.stored());
                duplicates.addAndGet(o.duplicates());
                refused.addAndGet(refusals.size() + o.conflicts().size() + o.staleStatus());
                publishReceipts(o.receipts());
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.error("collector {}: writer: {}", name, e.toString(), e);
            }
        }
    }

    private void drain(List<Long> into) {
        for (Long id; into.size() < 100_000 && (id = published.poll()) != null; ) into.add(id);
    }

    /** Nothing arriving: the published receipts' rows go in a transaction of their own. */
    private void forgetIdle() {
        List<Long> ids = new ArrayList<>();
        drain(ids);
        if (ids.isEmpty()) return;
        try {
            ledger.receiptsSent(ids);
        } catch (SQLException e) {
            published.addAll(ids); // tried again; at worst published again at the next start, a duplicate receipt
            LOG.debug("collector {}: receipts published, rows kept for now: {}", name, e.getMessage());
        }
    }

    private static int size(Item i) { return i instanceof Batch b ? b.events().size() : 1; }

    /**
     * After the commit: publish each receipt, then forget it with the next transaction (a receipt lost on the way is
     * like a dropped one: the station resends).
     */
    private void publishReceipts(List<EventLedger.ReceiptDue> due) {
        if (due.isEmpty()) return;
        List<Long> done = new ArrayList<>();
        for (EventLedger.ReceiptDue r : due) {
            if (!gate.publish(r)) {
                receiptsDropped.incrementAndGet();
                done.add(r.id());
                continue;
            }
            byte[] body = TelemetryCodec.receipt(new TelemetryCodec.Receipt(name, r.station(), r.run(), List.of(new long[] {r.from(), r.to()}), clock.instant()));
            byte[] sealed = SignedMessage.seal(SignedMessage.Kind.RECEIPT, body, key);
            for (int attempt = 0; ; attempt++) {
                try {
                    client.publish(Topics.receipts(r.station()), sealed, 1, false);
                    receiptsSent.incrementAndGet();
                    done.add(r.id());
                    break;
                } catch (MqttException e) {
                    // Paho's window of unacknowledged publishes is full (the broker is slow to PUBACK): wait for it, up
                    // to 5 s, rather than leave the station to send the events again after 10 s.
                    if (e.getReasonCode() == MqttException.REASON_CODE_MAX_INFLIGHT && attempt < 500 && !closing) {
                        try {
                            Thread.sleep(10);
                        } catch (InterruptedException stop) {
                            Thread.currentThread().interrupt();
                            published.addAll(done);
                            return;
                        }
                        continue;
                    }
                    // Kept in receipts_due: sent at this collector's next start; meanwhile the station sends again and
                    // the duplicate is receipted by whoever gets it.
                    LOG.debug("collector {}: receipt to {}: {}", name, r.station(), e.getMessage());
                    break;
                }
            }
        }
        published.addAll(done);
    }

    public String name() { return name; }

    public long stored() { return stored.get(); }

    public long duplicates() { return duplicates.get(); }

    public long refused() { return refused.get(); }

    public long receiptsSent() { return receiptsSent.get(); }

    public long receiptsDropped() { return receiptsDropped.get(); }

    public boolean databaseUp() { return databaseUp; }

    public int queued() { return queue.size(); }

    private final class Callback implements MqttCallbackExtended {
        @Override
        public void connectComplete(boolean reconnect, String serverURI) { }

        @Override
        public void connectionLost(Throwable cause) {
            subscribed = false;
            subscribing = false;
            if (!closing) LOG.warn("collector {}: connection lost ({}); reconnecting at the next heartbeat", name, cause.toString());
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) throws InterruptedException {
            // Handed to the verifiers (a full hand-over holds the broker back). Acknowledging the broker before the
            // event is stored loses nothing: the station deletes an event only on a receipt, sent after the commit.
            if (topic.startsWith("ktpel/v2/probe/")) {
                if (probe != null) probe.countDown();
                return;
            }
            arrived.put(new Object[] {topic, message.getPayload()});
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) { }
    }

    @Override
    public void close() {
        closing = true;
        ticks.shutdownNow();
        writers.forEach(Thread::interrupt);
        verifiers.forEach(Thread::interrupt);
        try {
            for (Thread w : writers) w.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        forgetIdle(); // the rows of what was published; what stays is published again at the next start
        try {
            if (client.isConnected()) client.disconnect().waitForCompletion(3000);
            client.close(true);
        } catch (MqttException e) {
            LOG.debug("collector {}: close: {}", name, e.getMessage());
        }
    }
}
