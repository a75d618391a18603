package ktp.central;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;
import ktp.lifecycle.NationalStatus;
import ktp.store.OutboxEvent;

/**
 * The station's side of the data center API (docs/central-api.md). One method per call; every answer is
 * checked before it is believed: its size is capped, the whole exchange has a deadline (so a server that
 * drips its answer cannot hold the station), and its JSON must have the fields the API promises.
 * Thread-safe.
 */
public final class CentralClient {
    /** A key given twice in an answer is refused, not resolved by "last wins". */
    private static final ObjectMapper JSON = new ObjectMapper().enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    /**
     * How to reach the data center.
     *
     * @param tls the pinned trust and the station's certificate; required for https, ignored for http
     * @param token a bearer token, for plain HTTP (or HTTPS without client certificates), or empty
     * @param allowPlainHttp plain http:// is refused unless this says so (the local demo)
     */
    public record Config(URI base, String stationId, SSLContext tls, Optional<String> token, boolean allowPlainHttp,
                         Duration connectTimeout, Duration deadline, int maxAnswerBytes) {
        public Config {
            if (base == null || base.getScheme() == null) throw new IllegalArgumentException("the data center URL must be absolute, like https://dc.example:8443");
            String scheme = base.getScheme().toLowerCase();
            if (!scheme.equals("https") && !scheme.equals("http")) throw new IllegalArgumentException("the data center URL must be https:// (or http:// for a local demo), got " + base);
            if (scheme.equals("http") && !allowPlainHttp) {
                throw new IllegalArgumentException("the data center URL " + base + " is plain HTTP; records carry biometrics, so use https://, "
                        + "or allow plain HTTP explicitly for a local demo");
            }
            if (scheme.equals("https") && tls == null) throw new IllegalArgumentException("https:// needs the pinned trust (the data center's CA or certificate)");
            if (stationId == null || !stationId.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")) throw new IllegalArgumentException("bad station id " + stationId);
            token = token == null ? Optional.empty() : token;
        }

        public static Config of(URI base, String stationId, SSLContext tls, Optional<String> token, boolean allowPlainHttp) {
            return new Config(base, stationId, tls, token, allowPlainHttp, Duration.ofSeconds(5), Duration.ofSeconds(30), 32 * 1024 * 1024);
        }

        public Config withDeadline(Duration d) { return new Config(base, stationId, tls, token, allowPlainHttp, connectTimeout, d, maxAnswerBytes); }

        public Config withMaxAnswerBytes(int n) { return new Config(base, stationId, tls, token, allowPlainHttp, connectTimeout, deadline, n); }
    }

    /** A record leased to this station: the envelope's bytes exactly as the data center sent them. */
    public record Offer(String leaseId, String recordId, int recordVersion, String nik, Instant expiresAt, byte[] envelope) {}

    /** A lease as the data center sees it. {@code expiresAt} is empty once the card is printed. */
    public record Lease(String leaseId, String recordId, String nik, Optional<Instant> expiresAt, boolean acknowledged, boolean printed) {}

    /** A resident's national status, as the data center answers "where is my KTP-el?". */
    public record ResidentStatus(String nik, NationalStatus status, int phase, String phaseId, String phaseEn,
                                 String explanationId, String explanationEn, Instant since, Optional<String> held) {}

    private final Config config;
    private final HttpClient http;
    private final String base;

    public CentralClient(Config config) {
        this.config = config;
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(config.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER);
        if (config.tls() != null) b.sslContext(config.tls());
        this.http = b.build();
        String s = config.base().toString();
        this.base = s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    public String stationId() { return config.stationId(); }

    public URI base() { return config.base(); }

    // ---------------------------------------------------------------- calls

    public List<Offer> pull(int limit) throws CentralException {
        JsonNode answer = call("GET", "/v1/print-ready?station=" + enc(config.stationId()) + "&limit=" + limit, null);
        JsonNode list = answer.get("leases");
        if (list == null || !list.isArray()) throw bad("the print-ready answer has no \"leases\" array", null);
        List<Offer> out = new ArrayList<>();
        for (JsonNode n : list) {
            JsonNode envelope = n.get("envelope");
            if (envelope == null || !envelope.isObject()) throw bad("a lease in the print-ready answer has no envelope object", null);
            Lease l = lease(n);
            try {
                out.add(new Offer(l.leaseId(), l.recordId(), n.path("recordVersion").asInt(), l.nik(),
                        l.expiresAt().orElseThrow(() -> bad("a new lease has no expiresAt", null)), JSON.writeValueAsBytes(envelope)));
            } catch (JsonProcessingException e) {
                throw bad("cannot re-serialise an envelope: " + e.getOriginalMessage(), e);
            }
        }
        if (out.size() > limit) throw bad("asked for at most " + limit + " records and got " + out.size(), null);
        return out;
    }

    public List<Lease> leases() throws CentralException {
        JsonNode answer = call("GET", "/v1/leases?station=" + enc(config.stationId()), null);
        JsonNode list = answer.get("leases");
        if (list == null || !list.isArray()) throw bad("the leases answer has no \"leases\" array", null);
        List<Lease> out = new ArrayList<>();
        for (JsonNode n : list) out.add(lease(n));
        return out;
    }

    public Lease renew(String leaseId) throws CentralException { return lease(call("POST", leasePath(leaseId, "renew"), stationBody())); }

    public Lease acknowledge(String leaseId) throws CentralException { return lease(call("POST", leasePath(leaseId, "ack"), stationBody())); }

    public void release(String leaseId) throws CentralException { call("POST", leasePath(leaseId, "release"), stationBody()); }

    /** This station will not print the record: {@code reason} is a code (ALREADY_PRINTED, a validation reason...). */
    public void decline(String leaseId, String reason, String detail) throws CentralException {
        ObjectNode body = stationBody();
        body.put("reason", reason);
        body.put("detail", detail.length() > 1000 ? detail.substring(0, 1000) : detail);
        call("POST", leasePath(leaseId, "decline"), body);
    }

    /** Reports an outbox event. Returns true when the data center had it already (a retry after a lost answer). */
    public boolean report(OutboxEvent e) throws CentralException {
        ObjectNode body = stationBody();
        body.put("eventId", e.eventId());
        body.put("sequence", e.sequence());
        body.put("type", e.type().name());
        body.put("recordId", e.recordId());
        body.put("nik", e.nik());
        if (!e.blankId().isEmpty()) body.put("chipUid", e.blankId());
        body.put("occurredAt", e.occurredAt().toString());
        // The reason is an operator's text about the card (never biometrics); the data center keeps it as a note.
        if (!e.reason().isEmpty()) body.put("detail", e.reason().length() > 500 ? e.reason().substring(0, 500) : e.reason());
        return call("POST", "/v1/events", body).path("duplicate").asBoolean(false);
    }

    public ResidentStatus resident(String nik) throws CentralException {
        JsonNode n = call("GET", "/v1/residents/" + enc(nik), null);
        NationalStatus status;
        try {
            status = NationalStatus.valueOf(n.path("status").asText());
        } catch (IllegalArgumentException e) {
            throw bad("unknown national status \"" + n.path("status").asText() + "\"", e);
        }
        JsonNode phase = n.path("phase");
        JsonNode explanation = n.path("explanation");
        return new ResidentStatus(requireText(n, "nik"), status, phase.path("number").asInt(), phase.path("id").asText(),
                phase.path("en").asText(), explanation.path("id").asText(), explanation.path("en").asText(),
                instant(n, "since"), n.hasNonNull("held") ? Optional.of(n.get("held").asText()) : Optional.empty());
    }

    // ---------------------------------------------------------------- plumbing

    private ObjectNode stationBody() { return JSON.createObjectNode().put("station", config.stationId()); }

    private static String leasePath(String leaseId, String action) { return "/v1/leases/" + enc(leaseId) + "/" + action; }

    private static String enc(String s) { return URLEncoder.encode(s, StandardCharsets.UTF_8); }

    private JsonNode call(String method, String path, ObjectNode body) throws CentralException {
        HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(base + path)).timeout(config.deadline())
                .header("Accept", "application/json");
        config.token().ifPresent(t -> rb.header("Authorization", "Bearer " + t));
        if (body == null) rb.GET();
        else rb.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body.toString().getBytes(StandardCharsets.UTF_8)));
        String what = method + " " + path.replaceAll("\\?.*", "");
        CompletableFuture<HttpResponse<byte[]>> future = http.sendAsync(rb.build(), info -> new CappedBody(config.maxAnswerBytes()));
        HttpResponse<byte[]> response;
        try {
            response = future.get(config.deadline().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new CentralException(CentralException.Kind.UNREACHABLE, 0, "", what + ": no complete answer within " + config.deadline().toMillis() + " ms", e);
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new CentralException(CentralException.Kind.UNREACHABLE, 0, "", what + ": interrupted", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof AnswerTooLarge) throw bad(what + ": " + cause.getMessage(), cause);
            if (cause != null && cause.getCause() instanceof AnswerTooLarge big) throw bad(what + ": " + big.getMessage(), big);
            throw new CentralException(CentralException.Kind.UNREACHABLE, 0, "", what + ": " + describe(cause), cause);
        }
        int status = response.statusCode();
        JsonNode node = null;
        try {
            node = JSON.readTree(response.body());
        } catch (IOException e) {
            if (status < 400) throw bad(what + ": the answer (HTTP " + status + ") is not JSON: " + preview(response.body()), e);
        }
        if (status >= 500) {
            throw new CentralException(CentralException.Kind.UNREACHABLE, status, node == null ? "" : node.path("error").asText(""),
                    what + ": the data center failed (HTTP " + status + ")" + message(node), null);
        }
        if (status >= 400) {
            throw new CentralException(CentralException.Kind.REFUSED, status, node == null ? "" : node.path("error").asText(""),
                    what + ": refused (HTTP " + status + ")" + message(node), null);
        }
        if (status != 200) throw bad(what + ": unexpected HTTP " + status, null);
        if (node == null || !node.isObject()) throw bad(what + ": the answer is not a JSON object: " + preview(response.body()), null);
        return node;
    }

    private static String message(JsonNode node) {
        if (node == null) return "";
        String code = node.path("error").asText("");
        String msg = node.path("message").asText("");
        return code.isEmpty() && msg.isEmpty() ? "" : ": " + code + (msg.isEmpty() ? "" : " " + msg);
    }

    private static String describe(Throwable t) {
        if (t instanceof java.net.ConnectException) return "cannot connect (" + (t.getMessage() == null ? "refused" : t.getMessage()) + ")";
        if (t instanceof java.net.http.HttpTimeoutException) return "timed out";
        if (t instanceof javax.net.ssl.SSLException) return "TLS failed: " + t.getMessage();
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }

    private static String preview(byte[] body) {
        int n = Math.min(body.length, 60);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            int c = body[i] & 0xff;
            sb.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\x%02x", c));
        }
        return "\"" + sb + (body.length > n ? "...\" (" + body.length + " bytes)" : "\"");
    }

    private Lease lease(JsonNode n) throws CentralException {
        Optional<Instant> expires = n.hasNonNull("expiresAt") ? Optional.of(instant(n, "expiresAt")) : Optional.empty();
        return new Lease(requireText(n, "leaseId"), requireText(n, "recordId"), requireText(n, "nik"), expires,
                n.path("acknowledged").asBoolean(false), n.path("printed").asBoolean(false));
    }

    private String requireText(JsonNode n, String field) throws CentralException {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual() || v.asText().isEmpty()) throw bad("the answer lacks \"" + field + "\"", null);
        return v.asText();
    }

    private Instant instant(JsonNode n, String field) throws CentralException {
        try {
            return Instant.parse(requireText(n, field));
        } catch (DateTimeParseException e) {
            throw bad("\"" + field + "\" is not an ISO-8601 instant: " + n.get(field).asText(), e);
        }
    }

    private static CentralException bad(String message, Throwable cause) {
        return new CentralException(CentralException.Kind.BAD_ANSWER, 0, "", message, cause);
    }

    /** An answer larger than the station accepts. */
    private static final class AnswerTooLarge extends IOException {
        AnswerTooLarge(String message) { super(message); }
    }

    /** Collects an answer's bytes up to a cap, and gives up (cancelling the transfer) beyond it. */
    private static final class CappedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final int max;
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
        private Flow.Subscription subscription;

        CappedBody(int max) { this.max = max; }

        @Override
        public CompletionStage<byte[]> getBody() { return result; }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (result.isDone()) return;
            for (ByteBuffer b : items) {
                if (buf.size() + b.remaining() > max) {
                    subscription.cancel();
                    result.completeExceptionally(new AnswerTooLarge("the answer is larger than " + max + " bytes"));
                    return;
                }
                byte[] chunk = new byte[b.remaining()];
                b.get(chunk);
                buf.write(chunk, 0, chunk.length);
            }
        }

        @Override
        public void onError(Throwable t) { result.completeExceptionally(t); }

        @Override
        public void onComplete() { result.complete(buf.toByteArray()); }
    }
}
