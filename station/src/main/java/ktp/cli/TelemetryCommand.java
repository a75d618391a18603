package ktp.cli;

import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import ktp.telemetry.SignedMessage;
import ktp.telemetry.TelemetryCodec;
import ktp.telemetry.Topics;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "telemetry", mixinStandardHelpOptions = true, description = "Watch the telemetry contract's messages (docs/telemetry.md).",
        subcommands = TelemetryCommand.Tail.class)
final class TelemetryCommand extends CommandGroup {

    @Command(name = "tail", mixinStandardHelpOptions = true,
            description = {"Print every station's messages as they arrive, one readable line each: events, state, health,",
                    "commands, answers and receipts, and collectors' heartbeats, each with whether its signature verified and by whom",
                    "(with --stations and --office-keys); a message that breaks the contract is shown as refused.",
                    "Watches without taking part: a clean session, nothing stored, nothing acknowledged for anyone."})
    static final class Tail implements Callable<Integer> {
        @Mixin BrokerOptions broker;
        @Option(names = "--station", paramLabel = "ID", description = "only this station") String station;
        @Option(names = "--for", paramLabel = "SECONDS", description = "stop after this long (default: until interrupted)") Integer duration;
        @Option(names = "--stations", paramLabel = "DIR", description = "the station registry to verify the stations' signatures with") java.nio.file.Path stations;
        @Option(names = "--office-keys", paramLabel = "DIR", description = "the office keys to verify commands, receipts and heartbeats with") java.nio.file.Path officeKeys;

        private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

        @Override
        public Integer call() throws Exception {
            String filter;
            try {
                filter = station == null ? Topics.ROOT + "#" : Topics.events(station).replace("/events", "/#");
            } catch (IllegalArgumentException e) {
                throw new BadInputException("--station: " + e.getMessage());
            }
            ktp.telemetry.Keyring registry = keyring(stations, "--stations");
            ktp.telemetry.Keyring office = keyring(officeKeys, "--office-keys");
            MqttClient client = new MqttClient(broker.settings().url(), "ktp-tail-" + ProcessHandle.current().pid(), new MemoryPersistence());
            MqttConnectOptions o = broker.settings().options();
            o.setCleanSession(true);
            o.setAutomaticReconnect(true);
            try {
                client.connect(o);
                client.subscribe(filter, 0, (topic, m) -> System.out.println(line(topic, m.getPayload(), m.isRetained(), registry, office)));
            } catch (MqttException e) {
                System.err.println("ktp: cannot watch " + broker.url + ": " + e.getMessage());
                return ExitCodes.FAILURE;
            }
            System.err.println("watching " + filter + " on " + broker.url);
            CountDownLatch forever = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(forever::countDown));
            forever.await(duration == null ? Long.MAX_VALUE : duration, TimeUnit.SECONDS);
            client.disconnect();
            client.close();
            return ExitCodes.OK;
        }

        private static ktp.telemetry.Keyring keyring(java.nio.file.Path dir, String option) {
            if (dir == null) return null;
            try {
                return ktp.telemetry.Keyring.load(dir);
            } catch (java.io.IOException e) {
                throw new BadInputException(option + ": " + e.getMessage());
            }
        }

        private static SignedMessage.Kind kindOf(String kind) {
            return switch (kind) {
                case "events" -> SignedMessage.Kind.EVENTS;
                case "state" -> SignedMessage.Kind.STATE;
                case "health" -> SignedMessage.Kind.HEALTH;
                case "commands" -> SignedMessage.Kind.COMMAND;
                case "acks" -> SignedMessage.Kind.ACK;
                case "receipts" -> SignedMessage.Kind.RECEIPT;
                case "heartbeat" -> SignedMessage.Kind.HEARTBEAT;
                default -> null;
            };
        }

        /**
         * One readable line: the message, then whether its signature verified and by whom. Station messages are
         * checked against the registry (signed by the station the topic names), the office's against its keys;
         * without the keys the line says the signature was not checked.
         */
        static String line(String topic, byte[] payload, boolean retained, ktp.telemetry.Keyring registry, ktp.telemetry.Keyring office) {
            String now = LocalTime.now(ZoneId.systemDefault()).format(TIME);
            String kind = topic.substring(topic.lastIndexOf('/') + 1);
            String who = topic.startsWith(Topics.ROOT + "stations/") ? topic.split("/")[3] : topic.startsWith(Topics.ROOT + "collectors/") ? "collector " + topic.split("/")[3] : topic;
            String r = retained ? " (retained)" : "";
            SignedMessage.Kind k = kindOf(kind);
            if (k == null) return String.format("%s %s  %d bytes on %s", now, who, payload.length, topic);
            SignedMessage.Opened o;
            try {
                o = SignedMessage.open(payload, k);
            } catch (TelemetryCodec.Rejected e) {
                return String.format("%s %s  REFUSED %s: %s", now, who, e.kind(), e.getMessage());
            }
            boolean fromStation = k == SignedMessage.Kind.EVENTS || k == SignedMessage.Kind.STATE || k == SignedMessage.Kind.HEALTH || k == SignedMessage.Kind.ACK;
            ktp.telemetry.Keyring ring = fromStation ? registry : office;
            String signature;
            if (ring == null) {
                signature = "  [signature not checked (key " + o.kid().substring(0, 8) + "): give " + (fromStation ? "--stations" : "--office-keys") + "]";
            } else {
                try {
                    signature = "  [verified: signed by " + ring.verify(o, fromStation ? topic.split("/")[3] : null) + "]";
                } catch (TelemetryCodec.Rejected e) {
                    signature = "  [NOT VERIFIED " + e.kind() + ": " + e.getMessage() + "]";
                }
            }
            return body(now, who, kind, o.payload(), r) + signature;
        }

        private static String body(String now, String who, String kind, byte[] payload, String r) {
            try {
                return switch (kind) {
                    case "events" -> {
                        TelemetryCodec.EventBatch b = TelemetryCodec.parseEventBatch(payload);
                        StringBuilder out = new StringBuilder();
                        for (TelemetryCodec.Event e : b.events()) {
                            out.append(out.length() == 0 ? "" : "\n").append(String.format("%s %s  #%d %-22s %s NIK %s%s%s", now, who, e.sequence(), e.type(), e.recordId(), e.nik(),
                                    e.blankId().isEmpty() ? "" : " blank " + e.blankId(), e.reason().isEmpty() ? "" : "  (" + e.reason() + ")"));
                        }
                        yield out.toString();
                    }
                    case "state" -> {
                        TelemetryCodec.State s = TelemetryCodec.parseState(payload);
                        yield String.format("%s %s  %s since %s%s%s", now, who, s.online() ? "ONLINE" : "OFFLINE", s.since(), s.cause().isEmpty() ? "" : " (" + s.cause() + ")", r);
                    }
                    case "health" -> {
                        TelemetryCodec.Health h = TelemetryCodec.parseHealth(payload);
                        yield String.format("%s %s  health: printer %s, ribbon %s, feeder %s, reader %s, queue %d, outbox %d%s%s%s", now, who, h.printerStatus(),
                                h.ribbonRemaining() == null ? "?" : h.ribbonRemaining(), h.blanksInFeeder() == null ? "?" : h.blanksInFeeder(),
                                h.readerPresent() ? "present" : "absent", h.queueDepth(), h.outboxDepth(), h.paused() ? ", PAUSED" : "",
                                h.refused().isEmpty() ? "" : ", refused " + h.refused(), r);
                    }
                    case "commands" -> {
                        TelemetryCodec.Command c = TelemetryCodec.parseCommand(payload);
                        yield String.format("%s %s  command %s %s%s by %s: %s", now, who, c.commandId(), c.command(), c.recordId() == null ? "" : " " + c.recordId(), c.issuedBy(),
                                c.reason() == null ? "" : c.reason());
                    }
                    case "acks" -> {
                        TelemetryCodec.Ack a = TelemetryCodec.parseAck(payload);
                        yield String.format("%s %s  answer to %s: %s, %s", now, who, a.commandId(), a.accepted() ? "accepted" : "REFUSED", a.detail());
                    }
                    case "receipts" -> {
                        TelemetryCodec.Receipt rc = TelemetryCodec.parseReceipt(payload);
                        StringBuilder ranges = new StringBuilder();
                        for (long[] x : rc.ranges()) ranges.append(ranges.length() == 0 ? "" : ",").append(x[0] == x[1] ? "" + x[0] : x[0] + "-" + x[1]);
                        yield String.format("%s %s  receipt from %s: %s", now, who, rc.collector(), ranges);
                    }
                    default -> {
                        TelemetryCodec.Heartbeat h = TelemetryCodec.parseHeartbeat(payload);
                        yield String.format("%s %s  listening%s", now, who, h.group() == null ? "" : " in group " + h.group());
                    }
                };
            } catch (TelemetryCodec.Rejected e) {
                return String.format("%s %s  REFUSED %s: %s", now, who, e.kind(), e.getMessage());
            }
        }
    }
}
