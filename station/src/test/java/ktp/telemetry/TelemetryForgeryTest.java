package ktp.telemetry;

import static ktp.telemetry.TelemetryFixtures.assertExactlyOnceInOrder;
import static ktp.telemetry.TelemetryFixtures.await;
import static ktp.telemetry.TelemetryFixtures.events;
import static ktp.telemetry.TelemetryFixtures.refusedOn;
import static ktp.telemetry.TelemetryFixtures.stored;
import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import ktp.collector.Collector;
import ktp.job.EventType;
import ktp.job.JobState;
import ktp.station.OfficeCommands;
import ktp.store.Actor;
import ktp.store.BlankFate;
import ktp.store.OutboxEvent;
import ktp.store.StationStore;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The forgeries of issue 17, each published by a stranger on a real Mosquitto against a running station and
 * collector, and each refused with nothing changed: no card spoiled or requeued, no pause, no event deleted,
 * nothing stored or receipted, and every forged message counted and kept with why. Forged and replayed
 * commands; forged and replayed receipts and heartbeats (including a stranger's receipt for everything while no
 * collector listens, the attack that emptied an outbox on main); forged events, among them one signed by
 * another station and one made with a revoked key; signatures stripped or altered.
 */
class TelemetryForgeryTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static String unique(String prefix) { return prefix + "-" + UUID.randomUUID().toString().substring(0, 8); }

    /**
     * An attacker holding the broker password of {@code user} (a station id, collector.NAME, the office's
     * user) but not that client's signing key: the broker lets it write what that client may, and only the
     * signatures stand in its way.
     */
    private static MqttClient attacker(String user) throws Exception {
        MqttClient raw = new MqttClient(SharedBrokerLogins.url(), unique("attacker"), new MemoryPersistence());
        raw.connect(SharedBrokerLogins.as(user).options());
        return raw;
    }

    private Collector collector(TestKeys keys, String name) throws Exception {
        return new Collector(SharedBrokerLogins.asCollector(name), keys.office, keys.registry(), dir.resolve("office"), unique("g"), name, ZoneId.of("Asia/Jakarta"), Clock.systemUTC()).start();
    }

    private static byte[] utf8(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    /** A genuinely signed message with its payload swapped for another body: the signature no longer fits. */
    private static byte[] altered(byte[] signed, byte[] otherBody) throws Exception {
        ObjectNode n = (ObjectNode) JSON.readTree(signed);
        n.put("payload", Base64.getUrlEncoder().withoutPadding().encodeToString(otherBody));
        return JSON.writeValueAsBytes(n);
    }

    private static byte[] stripped(byte[] signed) throws Exception {
        ObjectNode n = (ObjectNode) JSON.readTree(signed);
        n.remove("signature");
        return JSON.writeValueAsBytes(n);
    }

    private static byte[] command(TelemetryKey key, String id, String station, TelemetryCodec.CommandKind kind, String record, String reason, Instant at) {
        return SignedMessage.seal(SignedMessage.Kind.COMMAND, TelemetryCodec.command(new TelemetryCodec.Command(id, station, kind, record, reason, "central-office", at)), key);
    }

    /**
     * The station's refusals of {@code kind} (null: of any kind), read from its audit log, where each is kept as
     * "KIND on TOPIC: why". Left out are only those on the heartbeat topic of a collector this test did not name
     * in {@code ownCollectors}: the station hears every collector on the shared broker, and the other test
     * classes running at the same time (surefire forks, the other modules) have collectors of their own whose
     * genuine heartbeats, signed with their own office's key, this station refuses too (UNKNOWN_SIGNER).
     */
    private static long refusedHere(StationStore store, String kind, String... ownCollectors) {
        java.util.Set<String> own = new java.util.HashSet<>();
        for (String c : ownCollectors) own.add(Topics.collectorHeartbeat(c));
        String heartbeats = Topics.ROOT + "collectors/";
        long n = 0;
        for (ktp.store.AuditEntry a : store.auditLog()) {
            if (!a.action().equals("TELEMETRY_REFUSED")) continue;
            String d = a.detail();
            int on = d.indexOf(" on ");
            int colon = on < 0 ? -1 : d.indexOf(": ", on + 4);
            assertTrue(colon > 0, "a refusal kept as KIND on TOPIC: why: " + d);
            String k = d.substring(0, on);
            String topic = d.substring(on + 4, colon);
            if (topic.startsWith(heartbeats) && !own.contains(topic)) continue; // another test's collector
            if (kind == null || kind.equals(k)) n++;
        }
        return n;
    }

    @Test
    void forgedAndReplayedCommandsPrintNothingSpoilNothingAndPauseNothing() throws Exception {
        String station = SharedBrokerLogins.station("ST");
        TestKeys keys = new TestKeys(dir.resolve("keys"));
        TelemetryKey revokedOffice = TelemetryKey.generate();
        Keyring.add(keys.officeKeys, "old-office", revokedOffice.publicKey());
        Keyring.revoke(keys.officeKeys, revokedOffice.kid(), "replaced 2026-11-30");
        TelemetryKey otherStation = keys.station("ST-OTHER");
        List<TelemetryCodec.Ack> acks = new CopyOnWriteArrayList<>();
        try (StationStore store = StationStore.open(dir.resolve("store"), station, Clock.systemUTC())) {
            store.admit("PRR-000005-000005", 1, "3171011606650007", new byte[] {1}, Actor.STATION);
            for (JobState s : new JobState[] {JobState.VALIDATED, JobState.ENCODING, JobState.ENCODED, JobState.PRINTING, JobState.PRINTED, JobState.AWAITING_HOLDER}) {
                store.transition("PRR-000005-000005", s, Actor.STATION, "", s == JobState.ENCODING ? "04AA000001" : null);
            }
            long outboxBefore = store.outboxDepth();
            OfficeCommands office = new OfficeCommands(store);
            try (OutboxPublisher p = new OutboxPublisher(store, SharedBrokerLogins.as(station), keys.station(station), keys.officeRing(), DeviceHealth.UNKNOWN, office,
                    Duration.ofSeconds(30), Clock.systemUTC()).start()) {
                await(() -> p.status().connected(), 20_000, "the station connected");
                MqttClient raw = attacker(ktp.broker.BrokerSetup.OFFICE); // the office's broker password, not its signing key
                Keyring registry = keys.registry();
                raw.subscribe(Topics.acks(station), 1, (t, m) -> acks.add(TelemetryCodec.parseAck(registry.open(m.getPayload(), SignedMessage.Kind.ACK, station).body())));
                String topic = Topics.commands(station);
                Instant now = Instant.now();
                String reprint = "PRR-000005-000005";
                // The issue's forgery, word for word: an unsigned version-1 command.
                raw.publish(topic, utf8("{\"v\":1,\"commandId\":\"e1\",\"command\":\"AUTHORISE_REPRINT\",\"recordId\":\"" + reprint
                        + "\",\"reason\":\"card lost\",\"issuedBy\":\"central-office\",\"issuedAt\":\"" + now + "\"}"), 1, false);
                TelemetryKey stranger = TelemetryKey.generate();
                raw.publish(topic, command(stranger, "e2", station, TelemetryCodec.CommandKind.AUTHORISE_REPRINT, reprint, "card lost", now), 1, false);
                raw.publish(topic, command(otherStation, "e3", station, TelemetryCodec.CommandKind.PAUSE, null, "x", now), 1, false);
                raw.publish(topic, command(keys.office, "e4", "SOMEWHERE-ELSE", TelemetryCodec.CommandKind.AUTHORISE_REPRINT, reprint, "for another station", now), 1, false);
                raw.publish(topic, command(keys.office, "e5", station, TelemetryCodec.CommandKind.PAUSE, null, "an hour old", now.minus(Duration.ofHours(1))), 1, false);
                byte[] genuinePause = command(keys.office, "p1", station, TelemetryCodec.CommandKind.PAUSE, null, "audit visit", now);
                raw.publish(topic, altered(genuinePause, TelemetryCodec.command(new TelemetryCodec.Command("p1", station, TelemetryCodec.CommandKind.AUTHORISE_REPRINT,
                        reprint, "audit visit", "central-office", now))), 1, false);
                raw.publish(topic, stripped(command(keys.office, "e7", station, TelemetryCodec.CommandKind.PAUSE, null, "x", now)), 1, false);
                raw.publish(topic, command(revokedOffice, "e8", station, TelemetryCodec.CommandKind.AUTHORISE_REPRINT, reprint, "revoked key", now), 1, false);
                await(() -> acks.size() == 8, 20_000, () -> "eight answers, got " + acks);
                assertTrue(acks.stream().noneMatch(TelemetryCodec.Ack::accepted), "every forgery refused: " + acks);
                assertFalse(office.paused());
                // Counted without other tests' collectors' heartbeats (refusedHere); the station's own count of each kind is at least as high.
                assertEquals(2, refusedHere(store, "UNSIGNED"), p.status().refused().toString());
                assertEquals(2, refusedHere(store, "UNKNOWN_SIGNER"), "a stranger's key and a station's key are not office keys");
                assertEquals(1, refusedHere(store, "WRONG_SIGNER"));
                assertEquals(1, refusedHere(store, "STALE"));
                assertEquals(1, refusedHere(store, "BAD_SIGNATURE"));
                assertEquals(1, refusedHere(store, "REVOKED"));
                assertEquals(Long.valueOf(2), p.status().refused().get("UNSIGNED"), "the station's own count of what only this test sends");
                assertTrue(p.status().refused().get("UNKNOWN_SIGNER") >= 2, p.status().refused().toString());

                // Genuine PAUSE and RESUME are obeyed; the PAUSE published again changes nothing, and a new message with its id is a replay.
                raw.publish(topic, genuinePause, 1, false);
                await(() -> acks.size() == 9, 20_000, "the genuine pause answered");
                assertTrue(office.paused());
                raw.publish(topic, command(keys.office, "r1", station, TelemetryCodec.CommandKind.RESUME, null, "visit over", Instant.now()), 1, false);
                await(() -> acks.size() == 10, 20_000, "the resume answered");
                assertFalse(office.paused());
                raw.publish(topic, genuinePause, 1, false);
                raw.publish(topic, command(keys.office, "p1", station, TelemetryCodec.CommandKind.PAUSE, null, "the same id again", Instant.now()), 1, false);
                await(() -> acks.size() == 12, 20_000, "the replays answered");
                assertFalse(office.paused(), "a replayed PAUSE does not pause");
                assertEquals(1, refusedHere(store, "REPLAYED"));
                raw.disconnect();
                raw.close();
            }
            assertEquals(JobState.AWAITING_HOLDER, store.job("PRR-000005-000005").orElseThrow().state(), "the printed card was not superseded");
            assertNotEquals(BlankFate.SPOILED, store.ledger().stream().filter(l -> l.blankId().equals("04AA000001")).findFirst().orElseThrow().fate());
            assertEquals(0, store.queueDepth(), "nothing requeued for a second card");
            assertTrue(store.pendingEvents(100).stream().noneMatch(e -> e.type() == EventType.CARD_SPOILED));
            assertEquals(outboxBefore, store.outboxDepth(), "no event written by a forgery");
            assertEquals(9, refusedHere(store, null), "every refused command kept, with why, in the audit log");
            assertEquals(9, store.auditLog().stream().filter(a -> a.action().equals("TELEMETRY_REFUSED") && a.detail().contains(" on " + Topics.commands(station) + ": ")).count(),
                    "each on the commands topic");
            assertEquals(2, store.auditLog().stream().filter(a -> a.action().startsWith("OFFICE_")).count(), "only the genuine PAUSE and RESUME were carried out");
        }
    }

    @Test
    void forgedAndReplayedReceiptsAndHeartbeatsDeleteNothing() throws Exception {
        String station = SharedBrokerLogins.station("ST");
        // Two collectors' broker passwords in the attacker's hands (not the office's signing key), and the genuine collector's name.
        String fake = SharedBrokerLogins.collector("fake");
        String other = SharedBrokerLogins.collector("other");
        String name = SharedBrokerLogins.collector("c");
        TestKeys keys = new TestKeys(dir.resolve("keys"));
        TelemetryKey stranger = TelemetryKey.generate();
        try (StationStore store = StationStore.open(dir.resolve("store"), station, Clock.systemUTC());
             OutboxPublisher p = new OutboxPublisher(store, SharedBrokerLogins.as(station), keys.station(station), keys.officeRing(), DeviceHealth.UNKNOWN, CommandHandler.NONE,
                     Duration.ofSeconds(30), Clock.systemUTC()).start()) {
            events(store, 1, 4);
            await(() -> p.status().connected(), 20_000, "the station connected");
            MqttClient raw = attacker(ktp.broker.BrokerSetup.collectorUser(fake));
            MqttClient rawOther = attacker(ktp.broker.BrokerSetup.collectorUser(other));
            // The issue's attack: a heartbeat and a receipt for everything every 200 ms, unsigned, signed by a stranger, by the station's own
            // key, and by the office's key but stale or for another run.
            long until = System.nanoTime() + 3_000_000_000L;
            int rounds = 0;
            while (System.nanoTime() < until) {
                Instant now = Instant.now();
                raw.publish(Topics.collectorHeartbeat(fake), utf8("{\"v\":1,\"collector\":\"" + fake + "\",\"at\":\"" + now + "\"}"), 0, false);
                raw.publish(Topics.receipts(station), utf8("{\"v\":1,\"collector\":\"" + fake + "\",\"stationId\":\"" + station + "\",\"ranges\":[[1,100000]]}"), 1, false);
                byte[] hb = TelemetryCodec.heartbeat(new TelemetryCodec.Heartbeat(fake, null, now));
                byte[] rc = TelemetryCodec.receipt(new TelemetryCodec.Receipt(fake, station, "0123456789abcdef", List.of(new long[] {1, 100000}), now));
                raw.publish(Topics.collectorHeartbeat(fake), SignedMessage.seal(SignedMessage.Kind.HEARTBEAT, hb, stranger), 0, false);
                raw.publish(Topics.receipts(station), SignedMessage.seal(SignedMessage.Kind.RECEIPT, rc, keys.station(station)), 1, false);
                raw.publish(Topics.receipts(station), SignedMessage.seal(SignedMessage.Kind.RECEIPT, rc, keys.office), 1, false);
                raw.publish(Topics.collectorHeartbeat(fake), SignedMessage.seal(SignedMessage.Kind.HEARTBEAT,
                        TelemetryCodec.heartbeat(new TelemetryCodec.Heartbeat(fake, null, now.minus(Duration.ofMinutes(5)))), keys.office), 0, false);
                rawOther.publish(Topics.collectorHeartbeat(other), SignedMessage.seal(SignedMessage.Kind.HEARTBEAT, hb, keys.office), 0, false);
                rounds++;
                Thread.sleep(200);
            }
            int sent = rounds;
            await(() -> refusedHere(store, null, fake, other, name) >= 7L * sent, 10_000, () -> "every forgery refused: " + p.status().refused());
            assertEquals(4, store.outboxDepth(), "not one event deleted by a forged receipt");
            assertFalse(p.status().collectorListening(), "no forged heartbeat made the station think a collector listens");
            assertEquals(0, p.status().delivered());
            assertEquals(7L * sent, refusedHere(store, null, fake, other, name), "nothing else refused: " + p.status().refused());
            assertEquals(2L * sent, refusedHere(store, "UNSIGNED", fake, other, name));
            assertEquals(2L * sent, refusedHere(store, "UNKNOWN_SIGNER", fake, other, name), "a stranger's and the station's own key are not office keys");
            assertEquals(sent, refusedHere(store, "REPLAYED", fake, other, name), "a receipt of another run");
            assertEquals(sent, refusedHere(store, "STALE", fake, other, name));
            assertEquals(sent, refusedHere(store, "WRONG_SIGNER", fake, other, name), "a heartbeat of collector 'fake' on collector 'other''s topic");
            assertEquals(Long.valueOf(2L * sent), p.status().refused().get("UNSIGNED"), "the station's own count of what only this test sends");
            rawOther.disconnect();
            rawOther.close();

            // Replays of genuine messages: record a real collector's heartbeats and receipts, stop it, and publish them again.
            List<byte[]> heartbeats = new CopyOnWriteArrayList<>();
            List<byte[]> receipts = new CopyOnWriteArrayList<>();
            List<String> heartbeatTopics = new CopyOnWriteArrayList<>();
            MqttClient recorder = attacker(ktp.broker.BrokerSetup.WATCHER); // the watcher reads everything
            recorder.subscribe(Topics.COLLECTOR_HEARTBEATS, 0, (t, m) -> {
                heartbeatTopics.add(t);
                heartbeats.add(m.getPayload());
            });
            recorder.subscribe(Topics.receipts(station), 1, (t, m) -> receipts.add(m.getPayload()));
            try (Collector c = new Collector(SharedBrokerLogins.asCollector(name), keys.office, keys.registry(), dir.resolve("office"), unique("g"), name, ZoneId.of("Asia/Jakarta"),
                    Clock.systemUTC()).start()) {
                await(() -> store.outboxDepth() == 0, 30_000, "the genuine collector's receipts empty the outbox");
                await(() -> !receipts.isEmpty(), 10_000, "a receipt recorded");
            }
            events(store, 5, 4);
            p.wake();
            await(() -> !p.status().collectorListening(), 15_000, "the station noticing the collector is gone");
            // Stop recording before replaying: the attacker would hear its own replays.
            recorder.disconnect();
            recorder.close();
            List<byte[]> recordedReceipts = List.copyOf(receipts);
            List<byte[]> recordedHeartbeats = List.copyOf(heartbeats);
            List<String> recordedTopics = List.copyOf(heartbeatTopics);
            long replayedBefore = p.status().refused().getOrDefault("REPLAYED", 0L);
            for (byte[] r : recordedReceipts) raw.publish(Topics.receipts(station), r, 1, false);
            // Each recorded receipt the station had taken is refused as seen before (one it never got is genuine and only restates the truth).
            await(() -> p.status().refused().getOrDefault("REPLAYED", 0L) >= replayedBefore + 1, 10_000,
                    () -> recordedReceipts.size() + " replayed receipts refused: " + p.status().refused());
            long before = refusedHere(store, null, fake, other, name);
            int replayedHeartbeats = 0;
            MqttClient asGenuine = attacker(ktp.broker.BrokerSetup.collectorUser(name)); // the genuine collector's broker password
            for (int i = 0; i < recordedHeartbeats.size(); i++) {
                if (!recordedTopics.get(i).equals(Topics.collectorHeartbeat(name))) continue;
                asGenuine.publish(Topics.collectorHeartbeat(name), recordedHeartbeats.get(i), 1, false);
                replayedHeartbeats++;
            }
            int hbs = replayedHeartbeats;
            assertTrue(hbs > 0, "heartbeats recorded: " + heartbeatTopics);
            await(() -> refusedHere(store, null, fake, other, name) >= before + hbs, 10_000, () -> hbs + " replayed heartbeats refused: " + p.status().refused() + " " + recordedTopics);
            Thread.sleep(500);
            assertFalse(p.status().collectorListening(), "a replayed heartbeat does not make a collector listen");
            assertEquals(4, store.outboxDepth(), "a replayed receipt deletes nothing");
            asGenuine.disconnect();
            asGenuine.close();
            raw.disconnect();
            raw.close();

            // The office comes back: every event arrives exactly once.
            try (Collector c = new Collector(SharedBrokerLogins.asCollector(name), keys.office, keys.registry(), dir.resolve("office"), unique("g"), name, ZoneId.of("Asia/Jakarta"),
                    Clock.systemUTC()).start()) {
                await(() -> store.outboxDepth() == 0, 30_000, "the rest drained");
                await(() -> { try { return stored(c.archiveFile(), station).size() == 8; } catch (Exception e) { return false; } }, 10_000, "8 events stored");
                assertExactlyOnceInOrder(stored(c.archiveFile(), station), 8);
            }
            assertTrue(store.auditLog().stream().anyMatch(a -> a.action().equals("TELEMETRY_REFUSED") && a.detail().contains("UNSIGNED")), "refusals kept in the audit log");
        }
    }

    @Test
    void forgedEventsAreRefusedCountedKeptAndNeverReceiptedAndTheRealOnesStillArrive() throws Exception {
        String station = SharedBrokerLogins.station("ST");
        String neighbour = SharedBrokerLogins.station("ST");
        TestKeys keys = new TestKeys(dir.resolve("keys"));
        TelemetryKey oldKey = keys.station(station);
        TelemetryKey neighbourKey = keys.station(neighbour);
        TelemetryKey current = TelemetryKey.generate();
        Keyring.add(keys.registryDir, station, current.publicKey());
        Keyring.revoke(keys.registryDir, oldKey.kid(), "station re-keyed after its disk was stolen");
        List<byte[]> receipts = new CopyOnWriteArrayList<>();
        try (StationStore store = StationStore.open(dir.resolve("store"), station, Clock.systemUTC());
             Collector c = collector(keys, SharedBrokerLogins.collector("c"))) {
            MqttClient raw = attacker(station); // the station's broker password (stolen with its disk), not its current signing key
            raw.subscribe(Topics.receipts(station), 1, (t, m) -> receipts.add(m.getPayload()));
            String topic = Topics.events(station);
            Instant now = Instant.now();
            List<OutboxEvent> issued = List.of(new OutboxEvent(1, UUID.randomUUID().toString(), EventType.CARD_ISSUED, station, "PRR-000005-000005", "3171011606650007",
                    "044B5400000008", "finger 2 matched", now));
            byte[] body = TelemetryCodec.eventBatch(station, "0123456789abcdef", issued, now);
            // The issue's forged CARD_ISSUED, unsigned (version 1 as main took it), then signed by a stranger, by the neighbour station, with
            // the revoked key, with the signature stripped, and a genuine signature over another body.
            raw.publish(topic, new String(TelemetryCodec.event(issued.get(0)), StandardCharsets.UTF_8).replace("{", "{\"v\":1,").getBytes(StandardCharsets.UTF_8), 1, false);
            raw.publish(topic, SignedMessage.seal(SignedMessage.Kind.EVENTS, body, TelemetryKey.generate()), 1, false);
            raw.publish(topic, SignedMessage.seal(SignedMessage.Kind.EVENTS, body, neighbourKey), 1, false);
            raw.publish(topic, SignedMessage.seal(SignedMessage.Kind.EVENTS, body, oldKey), 1, false);
            raw.publish(topic, stripped(SignedMessage.seal(SignedMessage.Kind.EVENTS, body, current)), 1, false);
            raw.publish(topic, altered(SignedMessage.seal(SignedMessage.Kind.EVENTS, TelemetryCodec.eventBatch(station, "0123456789abcdef", List.of(new OutboxEvent(1,
                    UUID.randomUUID().toString(), EventType.SENT_FOR_CARD_PRINTING, station, "PRR-000005-000005", "3171011606650007", "", "", now)), now), current), body), 1, false);
            await(() -> c.summary().get("refused").get("BAD_SIGNATURE").asInt() == 1, 10_000, () -> "the forgeries refused: " + c.summary().get("refused"));
            Thread.sleep(500); // two receipt ticks: a receipt for a refused event would have gone out by now
            // Counted from the kept refusals of this topic: the shared broker also hands over other runs' retained messages, refused too.
            assertEquals(2, refusedOn(c, topic, "UNSIGNED"));
            assertEquals(1, refusedOn(c, topic, "UNKNOWN_SIGNER"));
            assertEquals(1, refusedOn(c, topic, "WRONG_SIGNER"), "the neighbour's key on this station's topic");
            assertEquals(1, refusedOn(c, topic, "REVOKED"));
            assertEquals(1, refusedOn(c, topic, "BAD_SIGNATURE"));
            assertEquals(0, c.summary().get("accepted").asInt(), "nothing stored");
            assertEquals(List.of(), stored(c.archiveFile(), station));
            assertEquals(List.of(), receipts, "a refused event is never receipted: nobody can pre-receipt a station's events");
            assertEquals(6, Files.readAllLines(c.refusedFile()).stream().filter(l -> l.contains("\"topic\":\"" + topic + "\"")).count(), "each kept with why");

            // The station itself, with its current key: its real events, sequence 1 included, are stored once.
            events(store, 1, 20);
            try (OutboxPublisher p = new OutboxPublisher(store, SharedBrokerLogins.as(station), current, keys.officeRing(), DeviceHealth.UNKNOWN, CommandHandler.NONE,
                    Duration.ofSeconds(30), Clock.systemUTC()).start()) {
                await(() -> store.outboxDepth() == 0, 30_000, "the real events drained");
            }
            assertExactlyOnceInOrder(stored(c.archiveFile(), station), 20);
            raw.disconnect();
            raw.close();
        }
    }

    /**
     * The same attacks through the shipped broker configuration (./ktp test's shared broker): an anonymous
     * client and a wrong password are refused; a neighbour station's login on this station's events (even
     * with a body this station really signed) and commands, the station's own login on its commands and a
     * collector's login on commands (even with a command the office really signed) never reach a reader:
     * nothing stored, no pause, no answer. The office's own login then gets the same genuine PAUSE through.
     */
    @Test
    void theSharedBrokerAdmitsOnlyItsOwnClientsAndEachOnlyToItsOwnTopics() throws Exception {
        SharedBrokerLogins.requireAuthenticated();
        String station = SharedBrokerLogins.station("ST");
        String neighbour = SharedBrokerLogins.station("ST");
        String collectorName = SharedBrokerLogins.collector("c");
        MqttClient anonymous = new MqttClient(SharedBrokerLogins.url(), unique("anonymous"), new MemoryPersistence());
        org.eclipse.paho.client.mqttv3.MqttException refused = assertThrows(org.eclipse.paho.client.mqttv3.MqttException.class,
                () -> anonymous.connect(SharedBrokerLogins.anonymous().options()));
        assertEquals(org.eclipse.paho.client.mqttv3.MqttException.REASON_CODE_NOT_AUTHORIZED, refused.getReasonCode(), "an anonymous client is refused");
        MqttClient guess = new MqttClient(SharedBrokerLogins.url(), unique("guess"), new MemoryPersistence());
        assertThrows(org.eclipse.paho.client.mqttv3.MqttException.class, () -> guess.connect(new BrokerSettings(SharedBrokerLogins.url(), station, "guess".toCharArray(), null, null, null).options()),
                "a wrong password is refused");

        TestKeys keys = new TestKeys(dir.resolve("keys"));
        TelemetryKey stationKey = keys.station(station);
        List<String> watched = new CopyOnWriteArrayList<>();
        try (StationStore store = StationStore.open(dir.resolve("store"), station, Clock.systemUTC());
             Collector c = collector(keys, collectorName)) {
            OfficeCommands office = new OfficeCommands(store);
            try (OutboxPublisher p = new OutboxPublisher(store, SharedBrokerLogins.as(station), stationKey, keys.officeRing(), DeviceHealth.UNKNOWN, office,
                    Duration.ofSeconds(30), Clock.systemUTC()).start()) {
                await(() -> p.status().connected() && p.status().collectorListening(), 20_000, "the station connected and hearing its collector");
                MqttClient watcher = attacker(ktp.broker.BrokerSetup.WATCHER);
                for (String t : List.of(Topics.events(station), Topics.commands(station), Topics.acks(station))) watcher.subscribe(t, 1, (topic, m) -> watched.add(topic));
                MqttClient asNeighbour = attacker(neighbour);
                MqttClient asStation = attacker(station);
                MqttClient asCollector = attacker(ktp.broker.BrokerSetup.collectorUser(collectorName));
                Instant now = Instant.now();
                OutboxEvent e = new OutboxEvent(1, UUID.randomUUID().toString(), EventType.CARD_ISSUED, station, "PRR-000005-000005", "3171011606650007", "044B5400000008", "", now);
                byte[] genuineEvent = SignedMessage.seal(SignedMessage.Kind.EVENTS, TelemetryCodec.eventBatch(station, "0123456789abcdef", List.of(e), now), stationKey);
                asNeighbour.publish(Topics.events(station), genuineEvent, 1, false);
                asNeighbour.publish(Topics.commands(station), command(keys.office, "n1", station, TelemetryCodec.CommandKind.PAUSE, null, "from a neighbour", now), 1, false);
                asStation.publish(Topics.commands(station), command(keys.office, "s1", station, TelemetryCodec.CommandKind.PAUSE, null, "the station itself", now), 1, false);
                asCollector.publish(Topics.commands(station), command(keys.office, "c1", station, TelemetryCodec.CommandKind.PAUSE, null, "from a collector", now), 1, false);
                Thread.sleep(1500);
                assertFalse(office.paused(), "no command through another client's login");
                assertEquals(List.of(), watched, "the broker passed none of it on");
                assertEquals(0, c.summary().get("accepted").asInt(), "the neighbour's login put no event into this station's topic");
                assertEquals(0, refusedHere(store, null, collectorName), "nothing even reached the station to be refused: " + p.status().refused());
                MqttClient asOffice = attacker(ktp.broker.BrokerSetup.OFFICE);
                asOffice.publish(Topics.commands(station), command(keys.office, "o1", station, TelemetryCodec.CommandKind.PAUSE, null, "audit visit", Instant.now()), 1, false);
                await(office::paused, 20_000, "the office's own login gets its command through");
                await(() -> watched.contains(Topics.acks(station)), 10_000, () -> "the ack: " + watched);
                assertEquals(List.of(Topics.commands(station), Topics.acks(station)), watched);
                for (MqttClient m : List.of(watcher, asNeighbour, asStation, asCollector, asOffice)) {
                    m.disconnect();
                    m.close();
                }
            }
            assertEquals(List.of(), stored(c.archiveFile(), station));
        }
    }
}
