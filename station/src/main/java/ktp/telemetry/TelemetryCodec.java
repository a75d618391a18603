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
 * The bodies of the telemetry messages of docs/telemetry.md to and from JSON bytes, free of I/O. Every body
 * carries {@code "v": 2} and travels signed inside a {@link SignedMessage} envelope (version 2 is version 1
 * plus signatures: events in signed batches, a command naming its station, a receipt its time). What is read
 * is checked against the contract's JSON Schemas (size first, then JSON, then version, then schema) and
 * refused with a {@link Rejected} that says which check failed. Photos, signatures of holders and
 * fingerprint data have no field in any message.
 */
public final class TelemetryCodec {
    public static final int VERSION = 2;
    /** The largest message any side accepts: a signed batch of {@link #MAX_BATCH} events of at most ~1.2 KB each, base64url. */
    public static final int MAX_MESSAGE_BYTES = 64 * 1024;
    /** Events in one signed batch, at most: one signature verified per batch is what lets one collector verify 20,000 events/s. */
    public static final int MAX_BATCH = 32;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonSchema EVENT = schema("event.schema.json");
    private static final JsonSchema EVENT_BATCH = schema("event-batch.schema.json");
    private static final JsonSchema STATE = schema("state.schema.json");
    private static final JsonSchema HEALTH = schema("health.schema.json");
    private static final JsonSchema COMMAND = schema("command.schema.json");
    private static final JsonSchema ACK = schema("ack.schema.json");
    private static final JsonSchema HEARTBEAT = schema("heartbeat.schema.json");
    private static final JsonSchema RECEIPT = schema("receipt.schema.json");

    private TelemetryCodec() {}

    /** A message that does not meet the contract, and which check it failed. */
    public static final class Rejected extends Exception {
        /**
         * The contract's checks, then the signature's: UNSIGNED (no envelope), BAD_SIGNATURE (does not verify, or
         * not ES256), UNKNOWN_SIGNER (a key the reader does not know), WRONG_SIGNER (another station's key on this
         * station's topic, or a body naming another station or collector than its topic), REVOKED, STALE (a time
         * outside the reader's window), REPLAYED (a message or command id already seen).
         */
        public enum Kind { OVERSIZED, MALFORMED, UNKNOWN_VERSION, INVALID, UNSIGNED, BAD_SIGNATURE, UNKNOWN_SIGNER, WRONG_SIGNER, REVOKED, STALE, REPLAYED }

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
                         boolean readerPresent, long queueDepth, long outboxDepth, boolean paused, java.util.Map<String, Long> refused) {
        public Health(String stationId, Instant at, String printerStatus, Integer ribbonRemaining, Integer blanksInFeeder,
                      boolean readerPresent, long queueDepth, long outboxDepth, boolean paused) {
            this(stationId, at, printerStatus, ribbonRemaining, blanksInFeeder, readerPresent, queueDepth, outboxDepth, paused, java.util.Map.of());
        }
    }

    public enum CommandKind { PAUSE, RESUME, AUTHORISE_REPRINT }

    public record Command(String commandId, String stationId, CommandKind command, String recordId, String reason, String issuedBy, Instant issuedAt) {}

    public record Ack(String commandId, String stationId, boolean accepted, String detail, Instant at) {}

    public record Heartbeat(String collector, String group, Instant at) {}

    /** Sequence ranges [from, to] of one station's events that a collector has on its disk. */
    public record Receipt(String collector, String stationId, String run, java.util.List<long[]> ranges, Instant at) {}

    /** A signed batch's body: one station's events in sequence order, and each event's JSON as the archive keeps it. */
    public record EventBatch(String stationId, String run, Instant publishedAt, java.util.List<Event> events, java.util.List<byte[]> eventJson) {}

    // ------------------------------------------------------------------------------------------ writing

    /** The body of a batch of one station's events (at most {@link #MAX_BATCH}, in sequence order). */
    public static byte[] eventBatch(String stationId, String run, java.util.List<OutboxEvent> events, Instant publishedAt) {
        if (events.isEmpty() || events.size() > MAX_BATCH) throw new IllegalArgumentException("a batch holds 1 to " + MAX_BATCH + " events, not " + events.size());
        ObjectNode n = header();
        n.put("stationId", stationId);
        n.put("run", run);
        n.put("publishedAt", publishedAt.toString());
        com.fasterxml.jackson.databind.node.ArrayNode a = n.putArray("events");
        for (OutboxEvent e : events) {
            if (!e.stationId().equals(stationId)) throw new IllegalArgumentException("event " + e.sequence() + " is " + e.stationId() + "'s, not " + stationId + "'s");
            a.add(eventNode(e));
        }
        return bytes(n);
    }

    /** One event as a batch holds it and the collector's archive stores it. */
    public static byte[] event(OutboxEvent e) { return bytes(eventNode(e)); }

    private static ObjectNode eventNode(OutboxEvent e) {
        ObjectNode n = JSON.createObjectNode();
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
        return n;
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
        if (h.refused() != null && !h.refused().isEmpty()) {
            ObjectNode r = n.putObject("refused");
            h.refused().forEach(r::put);
        }
        return bytes(n);
    }

    public static byte[] command(Command c) {
        ObjectNode n = header();
        n.put("commandId", c.commandId());
        n.put("stationId", c.stationId());
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
        n.put("run", r.run());
        com.fasterxml.jackson.databind.node.ArrayNode a = n.putArray("ranges");
        for (long[] range : r.ranges()) a.addArray().add(range[0]).add(range[1]);
        n.put("at", r.at().toString());
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
        return new Receipt(n.get("collector").asText(), n.get("stationId").asText(), n.get("run").asText(), ranges, instant(n, "at"));
    }

    public static Heartbeat parseHeartbeat(byte[] payload) throws Rejected {
        JsonNode n = read(payload, HEARTBEAT, "heartbeat");
        return new Heartbeat(n.get("collector").asText(), n.has("group") ? n.get("group").asText() : null, instant(n, "at"));
    }

    /** A new random publisher-run id (16 hex digits). */
    public static String newRun() {
        byte[] b = new byte[8];
        new java.security.SecureRandom().nextBytes(b);
        return java.util.HexFormat.of().formatHex(b);
    }

    /** A batch body: the batch's schema, then each event's, each event of the batch's station, sequences ascending. */
    public static EventBatch parseEventBatch(byte[] payload) throws Rejected {
        JsonNode n = read(payload, EVENT_BATCH, "event batch");
        String station = n.get("stationId").asText();
        Instant publishedAt = instant(n, "publishedAt");
        java.util.List<Event> events = new java.util.ArrayList<>();
        java.util.List<byte[]> json = new java.util.ArrayList<>();
        long last = 0;
        for (JsonNode e : n.get("events")) {
            check(e, EVENT, "event");
            Event ev = event(e, publishedAt);
            if (!ev.stationId().equals(station)) throw new Rejected(Rejected.Kind.WRONG_SIGNER, "event batch of " + station + " holds an event of " + ev.stationId());
            if (ev.sequence() <= last) throw new Rejected(Rejected.Kind.INVALID, "event batch: sequence " + ev.sequence() + " after " + last);
            last = ev.sequence();
            events.add(ev);
            json.add(bytes(e));
        }
        return new EventBatch(station, n.get("run").asText(), publishedAt, events, json);
    }

    /**
     * One event as the collector's archive stores it (a version-1 archive's line, with "v" and "publishedAt",
     * is read too: the archive written before signatures stays readable).
     */
    public static Event parseEvent(byte[] payload) throws Rejected {
        JsonNode n;
        try {
            n = JSON.readTree(payload);
        } catch (IOException e) {
            throw new Rejected(Rejected.Kind.MALFORMED, "event: not JSON (" + e.getClass().getSimpleName() + ")");
        }
        if (n == null || !n.isObject()) throw new Rejected(Rejected.Kind.MALFORMED, "event: not a JSON object");
        Instant published = null;
        if (n.has("v")) {
            ObjectNode o = (ObjectNode) n;
            o.remove("v");
            if (o.has("publishedAt")) published = instant(o, "publishedAt");
            o.remove("publishedAt");
        }
        check(n, EVENT, "event");
        return event(n, published);
    }

    private static Event event(JsonNode n, Instant publishedAt) throws Rejected {
        return new Event(EventType.valueOf(n.get("type").asText()), n.get("eventId").asText(), n.get("sequence").asLong(), n.get("stationId").asText(),
                n.get("recordId").asText(), text(n, "nik"), text(n, "region"), text(n, "blankId"), text(n, "chipUid"), text(n, "reason"),
                instant(n, "occurredAt"), publishedAt);
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
                n.get("readerPresent").asBoolean(), n.get("queueDepth").asLong(), n.get("outboxDepth").asLong(), n.path("paused").asBoolean(false), refusedCounts(n.path("refused")));
    }

    private static java.util.Map<String, Long> refusedCounts(JsonNode r) {
        java.util.Map<String, Long> out = new java.util.TreeMap<>();
        r.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asLong()));
        return out;
    }

    public static Command parseCommand(byte[] payload) throws Rejected {
        JsonNode n = read(payload, COMMAND, "command");
        CommandKind kind = CommandKind.valueOf(n.get("command").asText());
        String recordId = n.has("recordId") ? n.get("recordId").asText() : null;
        if (kind == CommandKind.AUTHORISE_REPRINT && recordId == null) throw new Rejected(Rejected.Kind.INVALID, "command: AUTHORISE_REPRINT needs recordId");
        return new Command(n.get("commandId").asText(), n.get("stationId").asText(), kind, recordId, n.has("reason") ? n.get("reason").asText() : null, n.get("issuedBy").asText(), instant(n, "issuedAt"));
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
        check(n, schema, what);
        return n;
    }

    private static void check(JsonNode n, JsonSchema schema, String what) throws Rejected {
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

    private static byte[] bytes(JsonNode n) {
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
