package ktp.collector;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Optional;
import ktp.job.EventType;
import ktp.telemetry.BrokerSettings;
import ktp.telemetry.Keyring;
import ktp.telemetry.SignedMessage;
import ktp.telemetry.TelemetryCodec;
import ktp.telemetry.TelemetryKey;
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
 * The central office's collector (docs/telemetry.md): events through a shared subscription
 * ({@code $share/GROUP/ktpel/v1/stations/+/events}) so several collectors split the load, every station's
 * retained state and health to each collector; each event checked against the contract, stored once (by
 * event id) in {@code DATA/events.jsonl} before the broker is acknowledged, and counted per station and
 * region for the day. As soon as it has stored events (a group commit) the collector forces the archive to disk and then sends each station a
 * receipt for the events it stored (duplicates too: the first receipt may have been lost); a station deletes
 * an event only after such a receipt. Events, state and health are taken only when signed by the station their
 * topic names, with a key of the office's station registry ({@code stations}, a {@link Keyring}) that is not
 * revoked; receipts and heartbeats go out signed with the office's key. A message that breaks the contract or
 * whose signature does not verify is refused, counted by why, kept in {@code DATA/refused.jsonl} with why, never
 * receipted, and nothing else is affected. A persistent session (clean session off, a stable client id) keeps events queued at the broker
 * while the collector is down.
 */
public final class Collector implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Collector.class);

    private final BrokerSettings broker;
    private final TelemetryKey key;
    private final Keyring stations;
    private final String clientId;
    private final String shareGroup;
    private final Clock clock;
    private final Tally tally;
    private final EventArchive archive;
    private final EventArchive refusedArchive;
    private final MqttAsyncClient client;
    private final Object lock = new Object();
    private final String name;
    private final java.util.concurrent.ScheduledExecutorService heartbeat;
    private volatile boolean closing;
    private volatile boolean subscribed;
    private final java.util.Map<String, java.util.TreeSet<Long>> toReceipt = new java.util.HashMap<>();

    /** How often a collector says it is subscribed; stations hold their events while none has for 6 s. */
    public static final java.time.Duration HEARTBEAT_EVERY = java.time.Duration.ofSeconds(2);

    /**
     * @param shareGroup the shared-subscription group, or null to subscribe directly (a broker without $share)
     * @param name this collector's name: with the group, its client id ({@code ktp-collector-NAME})
     */
    public Collector(BrokerSettings broker, TelemetryKey key, Keyring stations, Path dataDir, String shareGroup, String name, ZoneId zone, Clock clock) throws IOException {
        this.broker = broker;
        this.key = key;
        this.stations = stations;
        this.clientId = "ktp-collector-" + name;
        this.name = name;
        this.heartbeat = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "collector-heartbeat");
            t.setDaemon(true);
            return t;
        });
        this.shareGroup = shareGroup;
        this.clock = clock;
        this.tally = new Tally(zone, LocalDate.now(clock.withZone(zone)));
        this.archive = EventArchive.open(dataDir, line -> {
            try {
                tally.add(TelemetryCodec.parseEvent(line));
            } catch (TelemetryCodec.Rejected e) {
                throw new IllegalArgumentException(e.getMessage());
            }
        });
        this.refusedArchive = EventArchive.open(dataDir, "refused.jsonl", line -> { });
        try {
            this.client = new MqttAsyncClient(broker.url(), clientId, new MemoryPersistence());
        } catch (MqttException e) {
            throw new IOException("broker " + broker.url() + ": " + e.getMessage(), e);
        }
        client.setCallback(new Callback());
    }

    /** Connects and subscribes; reconnects by itself after a lost connection. */
    public Collector start() throws IOException {
        try {
            MqttConnectOptions o = options();
            client.connect(o).waitForCompletion(15_000);
            subscribe();
        } catch (MqttException e) {
            throw new IOException("cannot connect to " + broker.url() + ": " + e.getMessage(), e);
        }
        heartbeat.scheduleAtFixedRate(this::beat, 0, HEARTBEAT_EVERY.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        Thread receipts = new Thread(this::receiptLoop, "collector-receipts-" + name);
        receipts.setDaemon(true);
        receipts.start();
        return this;
    }

    private MqttConnectOptions options() throws IOException {
        return broker.collectorOptions(); // reconnection is this class's, at every heartbeat tick
    }

    private void subscribe() throws MqttException {
        String events = Topics.all("events");
        client.subscribe(new String[] {shareGroup == null ? events : "$share/" + shareGroup + "/" + events, Topics.all("state"), Topics.all("health")},
                new int[] {1, 1, 1}).waitForCompletion(15_000);
        subscribed = true;
        beat();
    }

    /**
     * Receipts go out as soon as there is something stored to receipt (a group commit): one force of the
     * archive covers every event stored before it, and whatever arrives during a force goes with the next. A
     * station's window of unreceipted events then turns over at the pace of the disk, not of a timer (a 100 ms
     * tick held one station's drain to about 2,400 events/s).
     */
    private void receiptLoop() {
        while (!closing) {
            try {
                synchronized (lock) {
                    while (toReceipt.isEmpty() && !closing) lock.wait(100);
                }
                if (!sendReceipts()) Thread.sleep(100); // not connected, or the disk or broker failed: try again shortly
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.error("collector: receipts: {}", e.toString(), e);
            }
        }
    }

    /** Forces the archive to disk, then tells each station which of its events are safe here; false if nothing could be sent. */
    private boolean sendReceipts() {
        if (closing || !client.isConnected()) return false;
        java.util.Map<String, java.util.TreeSet<Long>> batch;
        synchronized (lock) {
            if (toReceipt.isEmpty()) return true;
            batch = new java.util.HashMap<>(toReceipt);
            toReceipt.clear();
        }
        try {
            archive.force();
            refusedArchive.force();
        } catch (IOException e) {
            LOG.error("collector: cannot force the archive to disk; no receipts sent: {}", e.getMessage());
            requeue(batch);
            return false;
        }
        boolean allSent = true;
        for (java.util.Map.Entry<String, java.util.TreeSet<Long>> b : batch.entrySet()) {
            java.util.List<long[]> ranges = new java.util.ArrayList<>();
            long from = -1;
            long to = -1;
            for (long seq : b.getValue()) {
                if (seq == to + 1) { to = seq; continue; }
                if (from > 0) ranges.add(new long[] {from, to});
                from = seq;
                to = seq;
            }
            if (from > 0) ranges.add(new long[] {from, to});
            try {
                for (int i = 0; i < ranges.size(); i += 1000) {
                    String[] stationRun = b.getKey().split("/", 2);
                    byte[] body = TelemetryCodec.receipt(new TelemetryCodec.Receipt(name, stationRun[0], stationRun[1], ranges.subList(i, Math.min(ranges.size(), i + 1000)), clock.instant()));
                    client.publish(Topics.receipts(stationRun[0]), SignedMessage.seal(SignedMessage.Kind.RECEIPT, body, key), 1, false);
                }
            } catch (MqttException e) {
                LOG.debug("collector: receipt to {}: {}", b.getKey().split("/", 2)[0], e.getMessage());
                requeue(java.util.Map.of(b.getKey(), b.getValue()));
                allSent = false;
            }
        }
        return allSent;
    }

    private void requeue(java.util.Map<String, java.util.TreeSet<Long>> batch) {
        synchronized (lock) {
            batch.forEach((k, v) -> toReceipt.computeIfAbsent(k, x -> new java.util.TreeSet<>()).addAll(v));
        }
    }

    /** Tells the stations this collector is subscribed (only then: a heartbeat is what lets them drain). */
    private void beat() {
        if (closing) return;
        if (!client.isConnected()) {
            reconnect();
            return;
        }
        if (!subscribed) {
            // A subscription that failed after a reconnect (its SUBACK lost to a broker going down again) is tried
            // again here, every heartbeat, rather than leaving a connected collector deaf.
            try {
                subscribe();
            } catch (MqttException e) {
                LOG.warn("collector: subscribing again: {}", e.getMessage());
            }
            return;
        }
        try {
            byte[] body = TelemetryCodec.heartbeat(new TelemetryCodec.Heartbeat(name, shareGroup, clock.instant()));
            client.publish(Topics.collectorHeartbeat(name), SignedMessage.seal(SignedMessage.Kind.HEARTBEAT, body, key), 0, false);
        } catch (MqttException e) {
            LOG.debug("collector: heartbeat: {}", e.getMessage());
        }
    }

    /** One try at connecting again and subscribing (a restarted Mosquitto does not restore shared subscriptions). */
    private void reconnect() {
        try {
            client.connect(options()).waitForCompletion(10_000);
            subscribe();
            LOG.info("collector: connected again to {}", broker.url());
        } catch (MqttException | IOException e) {
            LOG.warn("collector: reconnecting to {}: {}", broker.url(), e.getMessage());
            try {
                // Connected but not subscribed would look healthy and hear nothing: start again from nothing next tick.
                // A connect that timed out leaves Paho "connecting" for good (every later try: "Connect already in
                // progress"; seen after a broker restart under load): end that attempt too, without a DISCONNECT packet.
                client.disconnectForcibly(0, 1000, false);
            } catch (MqttException ignored) {
                // it is going anyway
            }
        }
    }

    /**
     * Reads a message as the broker would hand it over (also used to check the contract without a broker). The
     * signature is checked before the body is read (an unknown key costs nothing), and outside the lock, so that
     * the broker's threads verify while another message is stored.
     */
    public void accept(String topic, byte[] payload) throws IOException {
        Optional<Topics.Parsed> t = Topics.parse(topic);
        if (t.isEmpty()) {
            synchronized (lock) {
                tally.refuse(Tally.Refusal.WRONG_TOPIC);
            }
            quarantine(topic, new TelemetryCodec.Rejected(TelemetryCodec.Rejected.Kind.INVALID, "not a topic of the contract"), "WRONG_TOPIC", payload);
            return;
        }
        String station = t.get().station();
        try {
            switch (t.get().kind()) {
                case "events" -> {
                    Keyring.Verified v = stations.open(payload, SignedMessage.Kind.EVENTS, station);
                    TelemetryCodec.EventBatch batch = TelemetryCodec.parseEventBatch(v.body());
                    if (!batch.stationId().equals(station)) {
                        throw new TelemetryCodec.Rejected(TelemetryCodec.Rejected.Kind.WRONG_SIGNER, "a batch of " + batch.stationId() + " on " + station + "'s topic");
                    }
                    synchronized (lock) {
                        tally.rollTo(LocalDate.now(clock.withZone(tally.zone())));
                        java.util.TreeSet<Long> receipts = toReceipt.computeIfAbsent(station + "/" + batch.run(), k -> new java.util.TreeSet<>());
                        for (int i = 0; i < batch.events().size(); i++) {
                            TelemetryCodec.Event e = batch.events().get(i);
                            if (!tally.isNew(e)) {
                                tally.duplicate();
                            } else {
                                archive.append(batch.eventJson().get(i));
                                tally.add(e);
                            }
                            // Only what verified and is stored here is ever receipted.
                            receipts.add(e.sequence());
                        }
                        lock.notifyAll(); // the receipt thread
                    }
                }
                case "state" -> {
                    Keyring.Verified v = stations.open(payload, SignedMessage.Kind.STATE, station);
                    TelemetryCodec.State s = TelemetryCodec.parseState(v.body());
                    if (!s.stationId().equals(station)) throw new TelemetryCodec.Rejected(TelemetryCodec.Rejected.Kind.WRONG_SIGNER, "state of " + s.stationId() + " on " + station + "'s topic");
                    synchronized (lock) {
                        Tally.Station st = tally.station(s.stationId());
                        if (st.stateSince != null && s.since().isBefore(st.stateSince)) {
                            throw new TelemetryCodec.Rejected(TelemetryCodec.Rejected.Kind.REPLAYED, "state of " + station + " since " + s.since() + ", older than the one held (" + st.stateSince + ")");
                        }
                        st.online = s.online();
                        st.stateSince = s.since();
                    }
                }
                case "health" -> {
                    Keyring.Verified v = stations.open(payload, SignedMessage.Kind.HEALTH, station);
                    TelemetryCodec.Health h = TelemetryCodec.parseHealth(v.body());
                    if (!h.stationId().equals(station)) throw new TelemetryCodec.Rejected(TelemetryCodec.Rejected.Kind.WRONG_SIGNER, "health of " + h.stationId() + " on " + station + "'s topic");
                    synchronized (lock) {
                        Tally.Station st = tally.station(h.stationId());
                        if (st.health != null && h.at().isBefore(st.health.at())) {
                            throw new TelemetryCodec.Rejected(TelemetryCodec.Rejected.Kind.REPLAYED, "health of " + station + " at " + h.at() + ", older than the one held");
                        }
                        st.health = h;
                    }
                }
                default -> {
                    synchronized (lock) {
                        tally.refuse(Tally.Refusal.WRONG_TOPIC);
                    }
                    quarantine(topic, new TelemetryCodec.Rejected(TelemetryCodec.Rejected.Kind.INVALID, "collectors do not read " + t.get().kind()), "WRONG_TOPIC", payload);
                }
            }
        } catch (TelemetryCodec.Rejected r) {
            synchronized (lock) {
                tally.refuse(Tally.Refusal.valueOf(r.kind().name()));
            }
            LOG.warn("collector: refused on {}: {}", topic, r.getMessage());
            quarantine(topic, r, r.kind().name(), payload);
        }
    }

    /**
     * A refused message is kept, raw (its first 4 KB), in DATA/refused.jsonl with why. It is never receipted: a
     * receipt is the office's word that an event is stored, and a station deletes on it.
     */
    private void quarantine(String topic, TelemetryCodec.Rejected r, String kind, byte[] payload) throws IOException {
        ObjectNode n = new ObjectMapper().createObjectNode();
        n.put("at", clock.instant().toString());
        n.put("topic", topic);
        n.put("refused", kind);
        n.put("why", r.getMessage());
        n.put("payload", new String(payload, 0, Math.min(payload.length, 4096), java.nio.charset.StandardCharsets.UTF_8));
        refusedArchive.append(new ObjectMapper().writeValueAsBytes(n));
    }

    /** The file refused messages are kept in, one JSON object a line. */
    public Path refusedFile() { return refusedArchive.file(); }

    /** The counts now, as one JSON object (what {@code --json} prints). */
    public ObjectNode summary() {
        ObjectMapper json = new ObjectMapper();
        ObjectNode n = json.createObjectNode();
        synchronized (lock) {
            tally.rollTo(LocalDate.now(clock.withZone(tally.zone())));
            n.put("day", tally.day().toString());
            n.put("accepted", tally.accepted);
            n.put("duplicates", tally.duplicates);
            ObjectNode refused = n.putObject("refused");
            for (Tally.Refusal r : Tally.Refusal.values()) refused.put(r.name(), tally.refused.getOrDefault(r, 0L));
            long offline = tally.stations.values().stream().filter(s -> Boolean.FALSE.equals(s.online)).count();
            n.put("stationsOffline", offline);
            ArrayNode low = n.putArray("blanksLow");
            ArrayNode ribbon = n.putArray("ribbonLow");
            ObjectNode stations = n.putObject("stations");
            for (Tally.Station s : tally.stations.values()) {
                ObjectNode o = stations.putObject(s.id);
                o.put("state", s.online == null ? "unknown" : s.online ? "online" : "offline");
                o.put("events", s.events);
                o.put("lastSequence", s.lastSequence);
                o.put("missing", s.missing.size());
                if (!s.missing.isEmpty()) o.put("firstMissing", s.missing.first());
                o.put("printedToday", s.today.get(EventType.CARD_PRINTED));
                o.put("issuedToday", s.today.get(EventType.CARD_ISSUED));
                o.put("spoiledToday", s.today.get(EventType.CARD_SPOILED));
                o.put("rejectedToday", s.today.get(EventType.RECORD_REJECTED));
                o.put("activationFailedToday", s.today.get(EventType.ACTIVATION_FAILED));
                if (s.health != null) {
                    ObjectNode h = o.putObject("health");
                    h.put("at", s.health.at().toString());
                    h.put("printer", s.health.printerStatus());
                    if (s.health.ribbonRemaining() != null) h.put("ribbonRemaining", s.health.ribbonRemaining());
                    if (s.health.blanksInFeeder() != null) h.put("blanksInFeeder", s.health.blanksInFeeder());
                    h.put("readerPresent", s.health.readerPresent());
                    h.put("queueDepth", s.health.queueDepth());
                    h.put("outboxDepth", s.health.outboxDepth());
                    if (s.health.blanksInFeeder() != null && s.health.blanksInFeeder() < Tally.BLANKS_LOW) low.add(s.id);
                    if (s.health.ribbonRemaining() != null && s.health.ribbonRemaining() < Tally.RIBBON_LOW) ribbon.add(s.id);
                }
            }
            ObjectNode regions = n.putObject("regions");
            tally.regions.forEach((r, d) -> {
                ObjectNode o = regions.putObject(r);
                o.put("printedToday", d.get(EventType.CARD_PRINTED));
                o.put("issuedToday", d.get(EventType.CARD_ISSUED));
                o.put("spoiledToday", d.get(EventType.CARD_SPOILED));
            });
        }
        return n;
    }

    /** Every event a station sent, as the collector stored them (for checks: order and exactly-once). */
    public Path archiveFile() { return archive.file(); }

    public boolean isConnected() { return client.isConnected(); }

    private final class Callback implements MqttCallbackExtended {
        @Override
        public void connectComplete(boolean reconnect, String serverURI) {
            // Nothing: connecting and subscribing again is reconnect()'s, on the heartbeat thread.
        }

        @Override
        public void connectionLost(Throwable cause) {
            subscribed = false;
            if (!closing) LOG.warn("collector: connection lost ({}); reconnecting at the next heartbeat", cause.toString());
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) throws IOException {
            // Returning acknowledges the message to the broker: the event is in the archive by then.
            accept(topic, message.getPayload());
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) { }
    }

    @Override
    public void close() throws IOException {
        closing = true;
        synchronized (lock) {
            lock.notifyAll();
        }
        heartbeat.shutdownNow();
        try {
            if (client.isConnected()) client.disconnect().waitForCompletion(3000);
            client.close(true);
        } catch (MqttException e) {
            LOG.debug("collector: close: {}", e.getMessage());
        }
        archive.close();
        refusedArchive.close();
    }
}
