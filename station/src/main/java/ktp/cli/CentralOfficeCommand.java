package ktp.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "central", mixinStandardHelpOptions = true,
        description = "The central office's side of the telemetry contract (docs/telemetry.md).",
        subcommands = {CentralOfficeCommand.Collect.class, CentralOfficeCommand.SendCommand.class})
final class CentralOfficeCommand extends CommandGroup {

    /**
     * Retired (issue 18): the central office's collector is the office module's, on PostgreSQL. The station module
     * does not depend on the office, so it cannot run it; the {@code ktp} launcher maps {@code ktp central collect}
     * to {@code ktp office collect} (the same options) before this class is reached. What reaches it (the station's
     * jar alone) learns where the command went. The file collector's class (ktp.collector) stays for the
     * simulator's demo and tests.
     */
    @Command(name = "collect", mixinStandardHelpOptions = true,
            description = {"Retired: the central office's collector is `ktp office collect` (the same options; the ktp launcher",
                    "runs it for `ktp central collect`) or the whole office, `ktp office run --config office.yaml` (docs/office.md)."})
    static final class Collect implements Callable<Integer> {
        static final String RETIRED = "ktp central collect: the file collector (DATA/events.jsonl) was retired. The central office's collector"
                + " stores every event once in PostgreSQL: run `ktp office collect` with the same options (the ktp launcher does that for"
                + " `ktp central collect`), or the whole office with its dashboard: `ktp office init office.yaml` then"
                + " `ktp office run --config office.yaml` (docs/office.md).";

        @picocli.CommandLine.Unmatched java.util.List<String> given;

        @Override
        public Integer call() {
            System.err.println(RETIRED);
            return ExitCodes.BAD_INPUT;
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
