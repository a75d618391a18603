package ktp.sim.central;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import ktp.job.EventType;
import ktp.lifecycle.NationalStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data center's HTTP API (docs/central-api.md): routes, authentication, request limits and the JSON of
 * answers. Every refusal is a 4xx with {"error": CODE, "message": ...}, decided before anything changes.
 */
final class CentralApi implements HttpHandler {
    static final int MAX_REQUEST_BYTES = 64 * 1024;
    /** How much of an oversized body is read and dropped before the 413 goes out. */
    private static final long DRAIN_BYTES = 4L * 1024 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(CentralApi.class);
    /** A key given twice in a request is refused, not resolved by "last wins". */
    private static final ObjectMapper JSON = new ObjectMapper().enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final JsonFactory FACTORY = JSON.getFactory();
    private static final Pattern LEASE_ACTION = Pattern.compile("/v1/leases/([^/]{1,100})/(renew|ack|release|decline)");
    private static final Pattern RESIDENT = Pattern.compile("/v1/residents/([^/]*)");

    private final DataCenter center;
    private final RecordSource records;
    private final StationRegistry stations;

    private volatile long delayMs;
    private volatile int failStatus;

    /** Every station request waits {@code ms} before it is answered (0: at once). */
    void slowBy(long ms) { delayMs = Math.max(0, ms); }

    /** Every station request is answered {@code status} (a 5xx; 0: answered normally again). */
    void failWith(int status) { failStatus = status; }

    CentralApi(DataCenter center, RecordSource records, StationRegistry stations) {
        this.center = center;
        this.records = records;
        this.stations = stations;
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        try (ex) {
            try {
                route(ex);
            } catch (ApiException e) {
                error(ex, e.status(), e.code(), e.getMessage());
            } catch (RuntimeException e) {
                LOG.error("{} {} failed", ex.getRequestMethod(), ex.getRequestURI(), e);
                error(ex, 500, "INTERNAL", "the data center failed to answer: " + e);
            }
        }
    }

    private void route(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getRawPath();
        String method = ex.getRequestMethod();
        if (path.equals("/v1/health")) {
            requireMethod(method, "GET");
            health(ex);
            return;
        }
        // Injected faults (the soak campaign): a data center slow to answer, or failing every station request with a 5xx.
        long delay = delayMs;
        if (delay > 0) {
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        int status = failStatus;
        if (status > 0) throw new ApiException(status, "UNAVAILABLE", "the data center is failing (simulated " + status + ")");
        String station = stations.authenticate(ex).orElseThrow(() -> new ApiException(401, "UNAUTHENTICATED",
                "no valid station credentials (a client certificate over HTTPS, or 'Authorization: Bearer TOKEN')"));
        Map<String, String> query = query(ex.getRequestURI().getRawQuery());
        if (path.equals("/v1/print-ready")) {
            requireMethod(method, "GET");
            checkStation(station, query.get("station"));
            pull(ex, query.get("station"), parseLimit(query.get("limit")));
        } else if (path.equals("/v1/leases")) {
            requireMethod(method, "GET");
            checkStation(station, query.get("station"));
            leases(ex, center.leasesOf(query.get("station")));
        } else if (path.equals("/v1/events")) {
            requireMethod(method, "POST");
            JsonNode body = body(ex);
            String named = text(body, "station", true);
            checkStation(station, named);
            EventType type = eventType(text(body, "type", true));
            DataCenter.EventOutcome o = center.report(named, text(body, "eventId", true), type, text(body, "recordId", true), text(body, "detail", false));
            ObjectNode out = JSON.createObjectNode();
            out.put("accepted", true);
            out.put("duplicate", o.duplicate());
            out.put("status", o.status().name());
            send(ex, 200, out);
        } else if (LEASE_ACTION.matcher(path).matches()) {
            Matcher m = LEASE_ACTION.matcher(path);
            m.matches();
            requireMethod(method, "POST");
            String leaseId = URLDecoder.decode(m.group(1), StandardCharsets.UTF_8);
            JsonNode body = body(ex);
            String named = text(body, "station", true);
            checkStation(station, named);
            switch (m.group(2)) {
                case "renew" -> send(ex, 200, lease(center.renew(named, leaseId)));
                case "ack" -> send(ex, 200, lease(center.acknowledge(named, leaseId)));
                case "release" -> {
                    center.release(named, leaseId);
                    send(ex, 200, JSON.createObjectNode().put("released", leaseId));
                }
                default -> {
                    center.decline(named, leaseId, text(body, "reason", true), text(body, "detail", false));
                    send(ex, 200, JSON.createObjectNode().put("declined", leaseId));
                }
            }
        } else if (RESIDENT.matcher(path).matches()) {
            requireMethod(method, "GET");
            Matcher m = RESIDENT.matcher(path);
            m.matches();
            send(ex, 200, resident(center.resident(URLDecoder.decode(m.group(1), StandardCharsets.UTF_8))));
        } else {
            throw new ApiException(404, "NOT_FOUND", "no such resource " + path + "; see docs/central-api.md");
        }
    }

    // ---------------------------------------------------------------- requests

    private void checkStation(String authenticated, String named) {
        if (named == null || named.isBlank()) throw new ApiException(400, "BAD_STATION", "the request must name its station");
        if (!stations.knows(named)) throw new ApiException(403, "UNKNOWN_STATION", "station " + named + " is not registered at this data center");
        if (!named.equals(authenticated)) {
            throw new ApiException(403, "STATION_MISMATCH", "the credentials are station " + authenticated + "'s, but the request names " + named);
        }
    }

    private static void requireMethod(String method, String allowed) {
        if (!method.equals(allowed)) throw new ApiException(405, "METHOD_NOT_ALLOWED", method + " is not allowed here; use " + allowed);
    }

    private static int parseLimit(String s) {
        if (s == null) return 10;
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new ApiException(400, "BAD_LIMIT", "limit must be a whole number, got \"" + (s.length() > 20 ? s.substring(0, 20) : s) + "\"");
        }
    }

    private static EventType eventType(String s) {
        try {
            return EventType.valueOf(s);
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, "BAD_EVENT_TYPE", "unknown event type \"" + s + "\"; one of " + List.of(EventType.values()));
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> m = new HashMap<>();
        if (raw == null || raw.isEmpty()) return m;
        if (raw.length() > 2000) throw new ApiException(414, "QUERY_TOO_LONG", "the query string is longer than 2000 characters");
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            m.putIfAbsent(k, v);
        }
        return m;
    }

    /** The request's JSON object, read to at most {@link #MAX_REQUEST_BYTES}. */
    private static JsonNode body(HttpExchange ex) throws IOException {
        String length = ex.getRequestHeaders().getFirst("Content-Length");
        if (length != null) {
            long n;
            try {
                n = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                throw new ApiException(400, "BAD_LENGTH", "Content-Length is not a number");
            }
            if (n > MAX_REQUEST_BYTES) {
                drain(ex);
                throw new ApiException(413, "TOO_LARGE", "the request body is " + n + " bytes; at most " + MAX_REQUEST_BYTES + " are accepted");
            }
        }
        byte[] bytes;
        InputStream in = ex.getRequestBody();
        bytes = in.readNBytes(MAX_REQUEST_BYTES + 1);
        if (bytes.length > MAX_REQUEST_BYTES) {
            drain(ex);
            throw new ApiException(413, "TOO_LARGE", "the request body is over " + MAX_REQUEST_BYTES + " bytes");
        }
        JsonNode node;
        try {
            node = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new ApiException(400, "MALFORMED_JSON", "the body is not JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) throw new ApiException(400, "MALFORMED_JSON", "the body must be a JSON object");
        return node;
    }

    /**
     * Reads and drops what is left of an oversized body, up to a bound: a client still sending when the
     * answer comes and the connection closes gets a reset instead of the 413 that says why.
     */
    private static void drain(HttpExchange ex) throws IOException {
        InputStream in = ex.getRequestBody();
        long left = DRAIN_BYTES;
        byte[] sink = new byte[8192];
        int n;
        while (left > 0 && (n = in.read(sink, 0, (int) Math.min(sink.length, left))) > 0) left -= n;
    }

    private static String text(JsonNode body, String field, boolean required) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            if (required) throw new ApiException(400, "MISSING_FIELD", "the body has no \"" + field + "\"");
            return null;
        }
        if (!v.isTextual()) throw new ApiException(400, "BAD_FIELD", "\"" + field + "\" must be a string");
        return v.asText();
    }

    // ---------------------------------------------------------------- answers

    private void pull(HttpExchange ex, String station, int limit) throws IOException {
        List<DataCenter.LeaseView> leased = center.pull(station, limit);
        ByteArrayOutputStream buf = new ByteArrayOutputStream(4096 + leased.size() * 20_000);
        try (JsonGenerator g = FACTORY.createGenerator(buf)) {
            g.writeStartObject();
            g.writeStringField("station", station);
            g.writeNumberField("leaseSeconds", center.settings().lease().toSeconds());
            g.writeArrayFieldStart("leases");
            for (DataCenter.LeaseView l : leased) {
                g.writeStartObject();
                writeLease(g, l);
                g.writeFieldName("envelope");
                // The envelope goes out as the data center signed it; its signature covers the payload inside.
                g.writeRawValue(new String(records.envelope(l.index(), l.recordVersion()), StandardCharsets.UTF_8));
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        if (!leased.isEmpty()) LOG.info("leased {} record(s) to {}", leased.size(), station);
        send(ex, 200, buf.toByteArray());
    }

    private static void leases(HttpExchange ex, List<DataCenter.LeaseView> list) throws IOException {
        ObjectNode out = JSON.createObjectNode();
        var arr = out.putArray("leases");
        for (DataCenter.LeaseView l : list) arr.add(lease(l));
        send(ex, 200, out);
    }

    private static ObjectNode lease(DataCenter.LeaseView l) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (JsonGenerator g = FACTORY.createGenerator(buf)) {
            g.writeStartObject();
            writeLease(g, l);
            g.writeEndObject();
        }
        return (ObjectNode) JSON.readTree(buf.toByteArray());
    }

    private static void writeLease(JsonGenerator g, DataCenter.LeaseView l) throws IOException {
        g.writeStringField("leaseId", l.leaseId());
        g.writeStringField("recordId", l.recordId());
        g.writeNumberField("recordVersion", l.recordVersion());
        g.writeStringField("nik", l.nik());
        if (l.expiresAt() == null) g.writeNullField("expiresAt");
        else g.writeStringField("expiresAt", l.expiresAt().toString());
        g.writeBooleanField("acknowledged", l.acknowledged());
        g.writeBooleanField("printed", l.printed());
    }

    private static ObjectNode resident(DataCenter.ResidentView r) {
        ObjectNode out = JSON.createObjectNode();
        out.put("nik", r.nik());
        out.put("recordId", r.recordId());
        out.put("recordVersion", r.recordVersion());
        out.put("status", r.status().name());
        ObjectNode phase = out.putObject("phase");
        phase.put("number", r.status().phase().number());
        phase.put("id", r.status().phase().nameId());
        phase.put("en", r.status().phase().nameEn());
        out.put("responsibility", r.status().responsibility().name());
        ObjectNode explanation = out.putObject("explanation");
        explanation.put("id", r.status().explanationId());
        explanation.put("en", r.status().explanationEn());
        out.put("since", r.since().toString());
        var history = out.putArray("history");
        for (Map.Entry<NationalStatus, java.time.Instant> h : r.history()) {
            history.addObject().put("status", h.getKey().name()).put("at", h.getValue().toString());
        }
        if (!r.station().isEmpty()) out.put("station", r.station());
        if (!r.held().isEmpty()) out.put("held", r.held());
        var notes = out.putArray("notes");
        r.notes().forEach(notes::add);
        return out;
    }

    private void health(HttpExchange ex) throws IOException {
        ObjectNode out = JSON.createObjectNode();
        out.put("status", "ok");
        out.put("simulatedTime", center.simNow().toString());
        out.put("population", center.settings().population());
        out.put("readyToLease", center.readyCount());
        out.put("activeLeases", center.activeLeaseCount());
        out.put("held", center.heldCount());
        ObjectNode counts = out.putObject("statuses");
        center.counts().forEach((s, n) -> counts.put(s.name(), n));
        send(ex, 200, out);
    }

    private static void error(HttpExchange ex, int status, String code, String message) throws IOException {
        ObjectNode out = JSON.createObjectNode();
        out.put("error", code);
        out.put("message", message);
        // The request body may be unread (refused before reading it); the connection is not reused then.
        send(ex, status, out);
    }

    private static void send(HttpExchange ex, int status, ObjectNode body) throws IOException {
        send(ex, status, JSON.writeValueAsBytes(body));
    }

    private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }
}
