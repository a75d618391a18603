package ktp.telemetry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.Set;
import ktp.job.EventType;
import ktp.store.OutboxEvent;

/**
 * The telemetry messages of docs/telemetry.md to and from JSON bytes, free of I/O. Every message carries
 * {@code "v": 1}; what is read is checked against the contract's JSON Schemas (size first, then JSON, then
 * version, then schema) and refused with a {@link Rejected} that says which check failed. Photos,
 * signatures and fingerprint data have no field in any message.
 */
public final class TelemetryCodec {
    public static final int VERSION = 1;
    /** The largest message any side accepts; an event is a few hundred bytes. */
    public static final int MAX_MESSAGE_BYTES = 16 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonSchema EVENT = schema("event.schema.json");
    private static final JsonSchema STATE = schema("state.schema.json");
    private static final JsonSchema HEALTH = schema("health.schema.json");
    private static final JsonSchema COMMAND = schema("command.schema.json");
    private static final JsonSchema ACK = schema("ack.schema.json");
    private static final JsonSchema HEARTBEAT = schema("heartbeat.schema.json");
    private static final JsonSchema RECEIPT = schema("receipt.schema.json");

    private TelemetryCodec() {}

    /** A message that does not meet the contract, and which check it failed. */
    public static final class Rejected extends Exception {
        public enum Kind { OVERSIZED, MALFORMED, UNKNOWN_VERSION, INVALID }

        private final Kind kind;

        public Rejected(Kind kind, String message) {
            super(message);
            this.kind = kind;
        }

        public Kind kind() { return kind; }
    }

    public record Event(EventType type, String eventId, long sequence, String stationId, String recordId, String nik, String region,
                        String blankId, String chipUid, String reason, Instant occurredAt, Instant publishedAt) {}

    public record State(String stationId, boolean online, Instant since, String cause) {}

    /** {@code ribbonRemaining} and {@code blanksInFeeder} are null when the printer does not report them. */
    public record Health(String stationId, Instant at, String printerStatus, Integer ribbonRemaining, Integer blanksInFeeder,
                         boolean readerPresent, long queueDepth, long outboxDepth, boolean paused) {}

    public enum CommandKind { PAUSE, RESUME, AUTHORISE_REPRINT }

    public record Command(String commandId, CommandKind command, String recordId, String reason, String issuedBy, Instant issuedAt) {}

    public record Ack(String commandId, String stationId, boolean accepted, String detail, Instant at) {}

    public record Heartbeat(String collector, String group, Instant at) {}

    /** Sequence ranges [from, to] of one station's events that a collector has on its disk. */
    public record Receipt(String collector, String stationId, java.util.List<long[]> ranges) {}

    // ------------------------------------------------------------------------------------------ writing

    public static byte[] event(OutboxEvent e, Instant publishedAt) {
        ObjectNode n = header();
        n.put("type", e.type().name());
        n.put("eventId", e.eventId());
        n.put("sequence", e.sequence());
        n.put("stationId", e.stationId());
        n.put("recordId", e.recordId());
        if (e.nik().matches("\\d{16}")) {
            // An unreadable record has no NIK to report: the field is left out rather than invented.
            n.put("nik", e.nik());
            n.put("region", e.nik().substring(0, 4));
        }
        if (!e.blankId().isEmpty()) {
            n.put("blankId", e.blankId());
            if (e.blankId().matches("[0-9A-F]{8,20}")) n.put("chipUid", e.blankId());
        }
        if (!e.reason().isEmpty()) n.put("reason", e.reason().length() > 2000 ? e.reason().substring(0, 2000) : e.reason());
        n.put("occurredAt", e.occurredAt().toString());
        n.put("publishedAt", publishedAt.toString());
        return bytes(n);
    }

    public static byte[] state(State s) {
        ObjectNode n = header();
        n.put("stationId", s.stationId());
        n.put("state", s.online() ? "online" : "offline");
        n.put("since", s.since().toString());
        if (s.cause() != null && !s.cause().isEmpty()) n.put("cause", s.cause());
        return bytes(n);
    }

    public static byte[] health(Health h) {
        ObjectNode n = header();
        n.put("stationId", h.stationId());
        n.put("at", h.at().toString());
        ObjectNode p = n.putObject("printer");
        p.put("status", h.printerStatus());
        if (h.ribbonRemaining() != null) p.put("ribbonRemaining", h.ribbonRemaining());
        if (h.blanksInFeeder() != null) p.put("blanksInFeeder", h.blanksInFeeder());
        n.put("readerPresent", h.readerPresent());
        n.put("queueDepth", h.queueDepth());
        n.put("outboxDepth", h.outboxDepth());
        n.put("paused", h.paused());
        return bytes(n);
    }

    public static byte[] command(Command c) {
        ObjectNode n = header();
        n.put("commandId", c.commandId());
        n.put("command", c.command().name());
        if (c.recordId() != null) n.put("recordId", c.recordId());
        if (c.reason() != null) n.put("reason", c.reason());
        n.put("issuedBy", c.issuedBy());
        n.put("issuedAt", c.issuedAt().toString());
        return bytes(n);
    }

    public static byte[] ack(Ack a) {
        ObjectNode n = header();
        n.put("commandId", a.commandId());
        n.put("stationId", a.stationId());
        n.put("accepted", a.accepted());
        n.put("detail", a.detail());
        n.put("at", a.at().toString());
        return bytes(n);
    }

    public static byte[] heartbeat(Heartbeat h) {
        ObjectNode n = header();
        n.put("collector", h.collector());
        if (h.group() != null) n.put("group", h.group());
        n.put("at", h.at().toString());
        return bytes(n);
    }

    public static byte[] receipt(Receipt r) {
        ObjectNode n = header();
        n.put("collector", r.collector());
        n.put("stationId", r.stationId());
        com.fasterxml.jackson.databind.node.ArrayNode a = n.putArray("ranges");
        for (long[] range : r.ranges()) a.addArray().add(range[0]).add(range[1]);
        return bytes(n);
    }

    // ------------------------------------------------------------------------------------------ reading

    public static Receipt parseReceipt(byte[] payload) throws Rejected {
        JsonNode n = read(payload, RECEIPT, "receipt");
        java.util.List<long[]> ranges = new java.util.ArrayList<>();
        for (JsonNode r : n.get("ranges")) {
            long from = r.get(0).asLong();
            long to = r.get(1).asLong();
            if (to < from || to - from > 1_000_000) throw new Rejected(Rejected.Kind.INVALID, "receipt: range [" + from + ", " + to + "] is not a range");
            ranges.add(new long[] {from, to});
        }
        return new Receipt(n.get("collector").asText(), n.get("stationId").asText(), ranges);
    }

    public static Heartbeat parseHeartbeat(byte[] payload) throws Rejected {
        JsonNode n = read(payload, HEARTBEAT, "heartbeat");
        return new Heartbeat(n.get("collector").asText(), n.has("group") ? n.get("group").asText() : null, instant(n, "at"));
    }

    public static Event parseEvent(byte[] payload) throws Rejected {
        JsonNode n = read(payload, EVENT, "event");
        return new Event(EventType.valueOf(n.get("type").asText()), n.get("eventId").asText(), n.get("sequence").asLong(), n.get("stationId").asText(),
                n.get("recordId").asText(), text(n, "nik"), text(n, "region"), text(n, "blankId"), text(n, "chipUid"), text(n, "reason"),
                instant(n, "occurredAt"), instant(n, "publishedAt"));
    }

    public static State parseState(byte[] payload) throws Rejected {
        JsonNode n = read(payload, STATE, "state");
        return new State(n.get("stationId").asText(), n.get("state").asText().equals("online"), instant(n, "since"), text(n, "cause"));
    }

    public static Health parseHealth(byte[] payload) throws Rejected {
        JsonNode n = read(payload, HEALTH, "health");
        JsonNode p = n.get("printer");
        return new Health(n.get("stationId").asText(), instant(n, "at"), p.get("status").asText(),
                p.has("ribbonRemaining") ? p.get("ribbonRemaining").asInt() : null, p.has("blanksInFeeder") ? p.get("blanksInFeeder").asInt() : null,
                n.get("readerPresent").asBoolean(), n.get("queueDepth").asLong(), n.get("outboxDepth").asLong(), n.path("paused").asBoolean(false));
    }

    public static Command parseCommand(byte[] payload) throws Rejected {
        JsonNode n = read(payload, COMMAND, "command");
        CommandKind kind = CommandKind.valueOf(n.get("command").asText());
        String recordId = n.has("recordId") ? n.get("recordId").asText() : null;
        if (kind == CommandKind.AUTHORISE_REPRINT && recordId == null) throw new Rejected(Rejected.Kind.INVALID, "command: AUTHORISE_REPRINT needs recordId");
        return new Command(n.get("commandId").asText(), kind, recordId, n.has("reason") ? n.get("reason").asText() : null, n.get("issuedBy").asText(), instant(n, "issuedAt"));
    }

    public static Ack parseAck(byte[] payload) throws Rejected {
        JsonNode n = read(payload, ACK, "ack");
        return new Ack(n.get("commandId").asText(), n.get("stationId").asText(), n.get("accepted").asBoolean(), n.get("detail").asText(), instant(n, "at"));
    }

    private static JsonNode read(byte[] payload, JsonSchema schema, String what) throws Rejected {
        if (payload.length > MAX_MESSAGE_BYTES) throw new Rejected(Rejected.Kind.OVERSIZED, what + ": " + payload.length + " bytes, at most " + MAX_MESSAGE_BYTES);
        JsonNode n;
        try {
            n = JSON.readTree(payload);
        } catch (IOException e) {
            throw new Rejected(Rejected.Kind.MALFORMED, what + ": not JSON (" + e.getClass().getSimpleName() + ")");
        }
        if (n == null || !n.isObject()) throw new Rejected(Rejected.Kind.MALFORMED, what + ": not a JSON object");
        JsonNode v = n.get("v");
        if (v == null || !v.isInt()) throw new Rejected(Rejected.Kind.UNKNOWN_VERSION, what + ": no version field \"v\"");
        if (v.asInt() != VERSION) throw new Rejected(Rejected.Kind.UNKNOWN_VERSION, what + ": version " + v.asInt() + ", this side reads version " + VERSION);
        Set<ValidationMessage> errors;
        try {
            errors = schema.validate(n);
        } catch (RuntimeException e) {
            // found by fuzzing: the schema validator threw NumberFormatException on 1e400 (Infinity as a double)
            throw new Rejected(Rejected.Kind.INVALID, what + ": a value the schema cannot check (" + e.getClass().getSimpleName() + ")");
        }
        if (!errors.isEmpty()) {
            ValidationMessage first = errors.stream().min(Comparator.comparing(ValidationMessage::getMessage)).orElseThrow();
            throw new Rejected(Rejected.Kind.INVALID, what + ": " + first.getMessage());
        }
        return n;
    }

    private static String text(JsonNode n, String field) { return n.has(field) ? n.get(field).asText() : ""; }

    private static Instant instant(JsonNode n, String field) throws Rejected {
        try {
            return Instant.parse(n.get(field).asText());
        } catch (DateTimeParseException e) {
            throw new Rejected(Rejected.Kind.INVALID, field + " is not an ISO-8601 instant: " + n.get(field).asText());
        }
    }

    private static ObjectNode header() {
        ObjectNode n = JSON.createObjectNode();
        n.put("v", VERSION);
        return n;
    }

    private static byte[] bytes(ObjectNode n) {
        try {
            return JSON.writeValueAsBytes(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonSchema schema(String name) {
        try (InputStream in = TelemetryCodec.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException(name + " is missing from the station's resources");
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + name, e);
        }
    }
}
