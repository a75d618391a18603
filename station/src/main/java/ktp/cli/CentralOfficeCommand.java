package ktp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import ktp.collector.Collector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "central", mixinStandardHelpOptions = true,
        description = "The central office's side of the telemetry contract (docs/telemetry.md).",
        subcommands = {CentralOfficeCommand.Collect.class, CentralOfficeCommand.SendCommand.class})
final class CentralOfficeCommand extends CommandGroup {

    @Command(name = "collect", mixinStandardHelpOptions = true,
            description = {"Collect every station's events through a shared subscription (several collectors split the load),",
                    "store each once in DATA/events.jsonl, send the stations receipts, and show a live summary: per station and",
                    "region, printed, issued and spoiled today, stations offline, blanks and ribbon low, refused messages.",
                    "Runs until interrupted (Ctrl-C)."})
    static final class Collect implements Callable<Integer> {
        @Mixin BrokerOptions broker;
        @Mixin OfficeKeyOptions keys;
        @Option(names = "--data", required = true, paramLabel = "DIR", description = "where the events are stored") Path data;
        @Option(names = "--group", paramLabel = "NAME", defaultValue = "ktp-collectors", description = "shared-subscription group (default ${DEFAULT-VALUE})") String group;
        @Option(names = "--no-share", description = "subscribe directly, for a broker without shared subscriptions (Moquette 0.17)") boolean noShare;
        @Option(names = "--name", paramLabel = "NAME", description = "this collector's name, unique in the group (default: the host name)") String name;
        @Option(names = "--zone", paramLabel = "ZONE", defaultValue = "Asia/Jakarta", description = "the time zone that decides 'today' (default ${DEFAULT-VALUE})") String zone;
        @Option(names = "--interval", paramLabel = "SECONDS", defaultValue = "5", description = "how often to print the summary (default ${DEFAULT-VALUE})") int interval;
        @Option(names = "--json", description = "print the summary as one JSON object a line") boolean json;
        @Option(names = "--for", paramLabel = "SECONDS", description = "stop after this long (default: run until interrupted)") Integer duration;

        @Override
        public Integer call() throws Exception {
            if (interval < 1 || interval > 3600) throw new BadInputException("--interval must be 1 to 3600 seconds, got " + interval);
            ZoneId z;
            try {
                z = ZoneId.of(zone);
            } catch (java.time.DateTimeException e) {
                throw new BadInputException("--zone '" + zone + "' is not a time zone (e.g. Asia/Jakarta, Asia/Makassar, Asia/Jayapura)");
            }
            String me = name != null ? name : java.net.InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9_-]", "-");
            if (!me.matches("[A-Za-z0-9_-]{1,64}")) throw new BadInputException("--name must be 1 to 64 letters, digits, '_' or '-'");
            Collector c;
            try {
                c = new Collector(broker.settings(), keys.signingKey(), keys.registry(), data, noShare ? null : group, me, z, Clock.systemUTC()).start();
            } catch (IOException e) {
                System.err.println("ktp: " + e.getMessage());
                return ExitCodes.FAILURE;
            }
            CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                stop.countDown();
                try {
                    c.close();
                } catch (IOException ignored) {
                    // stopping anyway
                }
            }));
            System.err.println("collecting from " + broker.url + (noShare ? " (no shared subscription)" : " in group " + group) + " as " + me + " into " + data);
            long end = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration * 1_000_000_000L;
            do {
                print(c.summary(), json);
            } while (!stop.await(interval, TimeUnit.SECONDS) && System.nanoTime() < end);
            if (duration != null) c.close();
            return ExitCodes.OK;
        }

        static void print(JsonNode s, boolean json) {
            if (json) {
                System.out.println(s.toString());
                return;
            }
            StringBuilder out = new StringBuilder();
            JsonNode refused = s.get("refused");
            long refusedTotal = 0;
            for (Iterator<JsonNode> i = refused.elements(); i.hasNext(); ) refusedTotal += i.next().asLong();
            out.append(String.format("%s  day %s  events %d  duplicates dropped %d  refused %d  stations offline %d%n",
                    LocalTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")), s.get("day").asText(), s.get("accepted").asLong(),
                    s.get("duplicates").asLong(), refusedTotal, s.get("stationsOffline").asLong()));
            out.append(String.format("  %-20s %-8s %8s %7s %8s %8s %7s %7s %7s%n", "STATION", "STATE", "PRINTED", "ISSUED", "SPOILED", "MISSING", "OUTBOX", "BLANKS", "RIBBON"));
            for (Iterator<Map.Entry<String, JsonNode>> i = s.get("stations").fields(); i.hasNext(); ) {
                Map.Entry<String, JsonNode> e = i.next();
                JsonNode st = e.getValue();
                JsonNode h = st.path("health");
                out.append(String.format("  %-20s %-8s %8d %7d %8d %8d %7s %7s %7s%n", e.getKey(), st.get("state").asText(), st.get("printedToday").asLong(),
                        st.get("issuedToday").asLong(), st.get("spoiledToday").asLong(), st.get("missing").asLong(),
                        h.has("outboxDepth") ? h.get("outboxDepth").asText() : "-", h.has("blanksInFeeder") ? h.get("blanksInFeeder").asText() : "-",
                        h.has("ribbonRemaining") ? h.get("ribbonRemaining").asText() : "-"));
            }
            if (s.get("regions").size() > 0) {
                out.append(String.format("  %-8s %8s %7s %8s%n", "REGION", "PRINTED", "ISSUED", "SPOILED"));
                for (Iterator<Map.Entry<String, JsonNode>> i = s.get("regions").fields(); i.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = i.next();
                    out.append(String.format("  %-8s %8d %7d %8d%n", e.getKey(), e.getValue().get("printedToday").asLong(), e.getValue().get("issuedToday").asLong(),
                            e.getValue().get("spoiledToday").asLong()));
                }
            }
            if (s.get("blanksLow").size() > 0) out.append("  blanks low: ").append(s.get("blanksLow")).append('\n');
            if (s.get("ribbonLow").size() > 0) out.append("  ribbon low: ").append(s.get("ribbonLow")).append('\n');
            if (refusedTotal > 0) out.append("  refused: ").append(refused).append('\n');
            System.out.print(out);
            System.out.flush();
        }
    }

    @Command(name = "command", mixinStandardHelpOptions = true,
            description = {"Send a station a command signed with the office's key, wait for its signed answer and show it; the",
                    "command and its answer are appended to DATA/commands.jsonl. AUTHORISE_REPRINT still needs the station's",
                    "supervisor to confirm (ktp reprint confirm) before a second blank is used."})
    static final class SendCommand implements Callable<Integer> {
        @Mixin BrokerOptions broker;
        @Mixin OfficeKeyOptions keys;
        @Option(names = "--station", required = true, paramLabel = "ID") String station;
        @picocli.CommandLine.Parameters(index = "0", paramLabel = "PAUSE|RESUME|AUTHORISE_REPRINT") ktp.telemetry.TelemetryCodec.CommandKind kind;
        @Option(names = "--record", paramLabel = "ID", description = "the record (AUTHORISE_REPRINT)") String record;
        @Option(names = "--reason", required = true, paramLabel = "TEXT") String reason;
        @Option(names = "--issued-by", paramLabel = "NAME", description = "who decided (default: the user running this)") String issuedBy;
        @Option(names = "--data", required = true, paramLabel = "DIR", description = "the office's folder: commands.jsonl keeps every command and its answer") Path data;
        @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "30", description = "how long to wait for the answer (default ${DEFAULT-VALUE})") int wait;

        @Override
        public Integer call() throws Exception {
            if (kind == ktp.telemetry.TelemetryCodec.CommandKind.AUTHORISE_REPRINT && record == null) throw new BadInputException("AUTHORISE_REPRINT needs --record");
            if (reason.isBlank() || reason.length() > 500) throw new BadInputException("--reason must be 1 to 500 characters");
            if (wait < 1 || wait > 600) throw new BadInputException("--wait must be 1 to 600 seconds");
            try {
                ktp.telemetry.Topics.commands(station);
            } catch (IllegalArgumentException e) {
                throw new BadInputException("--station: " + e.getMessage());
            }
            String who = issuedBy != null ? issuedBy : System.getProperty("user.name", "office");
            ktp.telemetry.TelemetryKey key = keys.signingKey();
            ktp.telemetry.Keyring registry = keys.registry();
            String id = java.util.UUID.randomUUID().toString();
            java.time.Instant at = java.time.Instant.now();
            ktp.telemetry.TelemetryCodec.Command c = new ktp.telemetry.TelemetryCodec.Command(id, station, kind, record, reason, who, at);
            byte[] body = ktp.telemetry.TelemetryCodec.command(c);
            byte[] signed = ktp.telemetry.SignedMessage.seal(ktp.telemetry.SignedMessage.Kind.COMMAND, body, key);
            java.util.concurrent.CompletableFuture<String[]> answer = new java.util.concurrent.CompletableFuture<>();
            org.eclipse.paho.client.mqttv3.MqttClient client = new org.eclipse.paho.client.mqttv3.MqttClient(broker.settings().url(), "ktp-office-command-" + ProcessHandle.current().pid(),
                    new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
            org.eclipse.paho.client.mqttv3.MqttConnectOptions o = broker.settings().options();
            o.setCleanSession(true);
            try {
                client.connect(o);
                client.subscribe(ktp.telemetry.Topics.acks(station), 1, (t, m) -> {
                    try {
                        ktp.telemetry.Keyring.Verified v = registry.open(m.getPayload(), ktp.telemetry.SignedMessage.Kind.ACK, station);
                        ktp.telemetry.TelemetryCodec.Ack a = ktp.telemetry.TelemetryCodec.parseAck(v.body());
                        if (a.commandId().equals(id)) answer.complete(new String[] {a.accepted() ? "accepted" : "REFUSED", a.detail(), v.signer().toString(), new String(v.body(), java.nio.charset.StandardCharsets.UTF_8)});
                    } catch (ktp.telemetry.TelemetryCodec.Rejected r) {
                        System.err.println("ktp: an answer on " + t + " was refused: " + r.kind() + ": " + r.getMessage());
                    }
                });
                client.publish(ktp.telemetry.Topics.commands(station), signed, 1, false);
            } catch (org.eclipse.paho.client.mqttv3.MqttException e) {
                System.err.println("ktp: cannot reach " + broker.url + ": " + e.getMessage());
                return ExitCodes.FAILURE;
            }
            System.out.println("sent " + kind + " " + id + " to " + station + ", signed with key " + key.kid().substring(0, 8) + "; waiting up to " + wait + " s for its answer");
            String[] a;
            try {
                a = answer.get(wait, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                a = null;
            }
            client.disconnect();
            client.close();
            com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
            com.fasterxml.jackson.databind.node.ObjectNode line = json.createObjectNode();
            line.put("sentAt", at.toString());
            line.put("signedWith", key.kid());
            line.set("command", json.readTree(body));
            line.put("signedCommand", new String(signed, java.nio.charset.StandardCharsets.US_ASCII));
            if (a != null) {
                line.set("ack", json.readTree(a[3]));
                line.put("ackSignedBy", a[2]);
            } else {
                line.putNull("ack");
            }
            java.nio.file.Files.createDirectories(data);
            java.nio.file.Files.writeString(data.resolve("commands.jsonl"), json.writeValueAsString(line) + "\n", java.nio.charset.StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            if (a == null) {
                System.out.println("no answer within " + wait + " s (the station may be offline: the command stays valid for "
                        + ktp.telemetry.OutboxPublisher.COMMAND_WINDOW.toMinutes() + " minutes after it was issued)");
                return ExitCodes.FAILURE;
            }
            System.out.println(station + " answered (signed by " + a[2] + "): " + a[0] + ", " + a[1]);
            return a[0].equals("accepted") ? ExitCodes.OK : ExitCodes.FAILURE;
        }
    }
}
