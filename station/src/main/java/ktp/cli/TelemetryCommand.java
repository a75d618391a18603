package ktp.cli;

import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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
                    "commands, answers and receipts, and collectors' heartbeats; a message that breaks the contract is shown as refused.",
                    "Watches without taking part: a clean session, nothing stored, nothing acknowledged for anyone."})
    static final class Tail implements Callable<Integer> {
        @Mixin BrokerOptions broker;
        @Option(names = "--station", paramLabel = "ID", description = "only this station") String station;
        @Option(names = "--for", paramLabel = "SECONDS", description = "stop after this long (default: until interrupted)") Integer duration;

        private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

        @Override
        public Integer call() throws Exception {
            String filter;
            try {
                filter = station == null ? Topics.ROOT + "#" : Topics.events(station).replace("/events", "/#");
            } catch (IllegalArgumentException e) {
                throw new BadInputException("--station: " + e.getMessage());
            }
            MqttClient client = new MqttClient(broker.settings().url(), "ktp-tail-" + ProcessHandle.current().pid(), new MemoryPersistence());
            MqttConnectOptions o = broker.settings().options();
            o.setCleanSession(true);
            o.setAutomaticReconnect(true);
            try {
                client.connect(o);
                client.subscribe(filter, 0, (topic, m) -> System.out.println(line(topic, m.getPayload(), m.isRetained())));
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

        static String line(String topic, byte[] payload, boolean retained) {
            String now = LocalTime.now(ZoneId.systemDefault()).format(TIME);
            String kind = topic.substring(topic.lastIndexOf('/') + 1);
            String who = topic.startsWith(Topics.ROOT + "stations/") ? topic.split("/")[3] : topic.startsWith(Topics.ROOT + "collectors/") ? "collector " + topic.split("/")[3] : topic;
            String r = retained ? " (retained)" : "";
            try {
                return switch (kind) {
                    case "events" -> {
                        TelemetryCodec.Event e = TelemetryCodec.parseEvent(payload);
                        yield String.format("%s %s  #%d %-22s %s NIK %s%s%s", now, who, e.sequence(), e.type(), e.recordId(), e.nik(),
                                e.blankId().isEmpty() ? "" : " blank " + e.blankId(), e.reason().isEmpty() ? "" : "  (" + e.reason() + ")");
                    }
                    case "state" -> {
                        TelemetryCodec.State s = TelemetryCodec.parseState(payload);
                        yield String.format("%s %s  %s since %s%s%s", now, who, s.online() ? "ONLINE" : "OFFLINE", s.since(), s.cause().isEmpty() ? "" : " (" + s.cause() + ")", r);
                    }
                    case "health" -> {
                        TelemetryCodec.Health h = TelemetryCodec.parseHealth(payload);
                        yield String.format("%s %s  health: printer %s, ribbon %s, feeder %s, reader %s, queue %d, outbox %d%s%s", now, who, h.printerStatus(),
                                h.ribbonRemaining() == null ? "?" : h.ribbonRemaining(), h.blanksInFeeder() == null ? "?" : h.blanksInFeeder(),
                                h.readerPresent() ? "present" : "absent", h.queueDepth(), h.outboxDepth(), h.paused() ? ", PAUSED" : "", r);
                    }
                    case "commands" -> {
                        TelemetryCodec.Command c = TelemetryCodec.parseCommand(payload);
                        yield String.format("%s %s  command %s %s%s by %s", now, who, c.commandId(), c.command(), c.recordId() == null ? "" : " " + c.recordId(), c.issuedBy());
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
                    case "heartbeat" -> String.format("%s %s  listening%s", now, who, TelemetryCodec.parseHeartbeat(payload).group() == null ? "" : " in group " + TelemetryCodec.parseHeartbeat(payload).group());
                    default -> String.format("%s %s  %d bytes on %s", now, who, payload.length, topic);
                };
            } catch (TelemetryCodec.Rejected e) {
                return String.format("%s %s  REFUSED %s: %s", now, who, e.kind(), e.getMessage());
            }
        }
    }
}
