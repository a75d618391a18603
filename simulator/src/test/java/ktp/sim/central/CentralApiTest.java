package ktp.sim.central;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP API with raw requests: each bad input gets a 4xx with a JSON error body, and nothing changes. */
class CentralApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private CentralServer server;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void start() throws Exception {
        server = CentralServer.start(new CentralServer.Options(new InetSocketAddress("127.0.0.1", 0), dir, 21, 12, 0.0, 1e7,
                Duration.ofSeconds(5), null, Map.of("ST-A", "token-of-station-a", "ST-B", "token-of-station-b")));
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (server.center().readyCount() < 12 && System.nanoTime() < deadline) Thread.sleep(50);
        assertEquals(12, server.center().readyCount());
    }

    @AfterEach
    void stop() throws IOException { server.close(); }

    private HttpResponse<String> send(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.uri() + path)).timeout(Duration.ofSeconds(10));
        if (token != null) b.header("Authorization", "Bearer " + token);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String error(HttpResponse<String> r) throws IOException {
        JsonNode n = JSON.readTree(r.body());
        assertTrue(n.path("message").asText().length() > 10, "a message that names the problem: " + r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        return r.statusCode() + " " + n.path("error").asText();
    }

    /** What a refused request must not change: statuses, leases and their expiry. */
    private String state() throws Exception {
        return JSON.readTree(send("GET", "/v1/health", null, null).body()).path("statuses").toString() + server.center().leasesOf("ST-A") + server.center().leasesOf("ST-B");
    }

    @Test
    void everyBadRequestIsA4xxWithAJsonErrorAndChangesNothing() throws Exception {
        HttpResponse<String> pulled = send("GET", "/v1/print-ready?station=ST-A&limit=2", "token-of-station-a", null);
        assertEquals(200, pulled.statusCode(), pulled.body());
        JsonNode leases = JSON.readTree(pulled.body()).get("leases");
        String leaseA = leases.get(0).get("leaseId").asText();
        String leaseA2 = leases.get(1).get("leaseId").asText();
        assertEquals(200, send("POST", "/v1/leases/" + leaseA2 + "/ack", "token-of-station-a", "{\"station\":\"ST-A\"}").statusCode());
        String before = state();

        assertEquals("401 UNAUTHENTICATED", error(send("GET", "/v1/print-ready?station=ST-A", null, null)));
        assertEquals("401 UNAUTHENTICATED", error(send("GET", "/v1/print-ready?station=ST-A", "wrong-token", null)));
        assertEquals("403 UNKNOWN_STATION", error(send("GET", "/v1/print-ready?station=ST-Z", "token-of-station-a", null)));
        assertEquals("403 STATION_MISMATCH", error(send("GET", "/v1/print-ready?station=ST-B", "token-of-station-a", null)));
        assertEquals("400 BAD_LIMIT", error(send("GET", "/v1/print-ready?station=ST-A&limit=lots", "token-of-station-a", null)));
        assertEquals("400 BAD_LIMIT", error(send("GET", "/v1/print-ready?station=ST-A&limit=1000", "token-of-station-a", null)));
        assertEquals("400 MALFORMED_JSON", error(send("POST", "/v1/leases/" + leaseA + "/renew", "token-of-station-a", "{\"station\": ST-A")));
        assertEquals("400 MALFORMED_JSON", error(send("POST", "/v1/leases/" + leaseA + "/renew", "token-of-station-a", "[1,2]")));
        assertEquals("400 MISSING_FIELD", error(send("POST", "/v1/leases/" + leaseA + "/renew", "token-of-station-a", "{}")));
        assertEquals("403 LEASE_NOT_YOURS", error(send("POST", "/v1/leases/" + leaseA + "/release", "token-of-station-b", "{\"station\":\"ST-B\"}")));
        assertEquals("403 LEASE_NOT_YOURS", error(send("POST", "/v1/leases/" + leaseA2 + "/ack", "token-of-station-b", "{\"station\":\"ST-B\"}")));
        assertEquals("404 UNKNOWN_LEASE", error(send("POST", "/v1/leases/nope/renew", "token-of-station-a", "{\"station\":\"ST-A\"}")));
        assertEquals("413 TOO_LARGE", error(send("POST", "/v1/leases/" + leaseA + "/decline", "token-of-station-a",
                "{\"station\":\"ST-A\",\"reason\":\"X\",\"detail\":\"" + "x".repeat(70_000) + "\"}")));
        assertEquals("400 BAD_EVENT_TYPE", error(send("POST", "/v1/events", "token-of-station-a",
                "{\"station\":\"ST-A\",\"type\":\"CARD_EATEN\",\"eventId\":\"e1\",\"recordId\":\"x\"}")));
        assertEquals("405 METHOD_NOT_ALLOWED", error(send("DELETE", "/v1/print-ready?station=ST-A", "token-of-station-a", null)));
        assertEquals("404 NOT_FOUND", error(send("GET", "/v2/anything", "token-of-station-a", null)));
        assertEquals("400 INVALID_NIK", error(send("GET", "/v1/residents/12ab", "token-of-station-a", null)));
        assertEquals("404 UNKNOWN_NIK", error(send("GET", "/v1/residents/1111111111111111", "token-of-station-a", null)));
        assertEquals(before, state());

        // Expired: the lease runs out (5 s here); renewing it is refused, and the record is free again.
        java.time.Instant expiry = server.center().leasesOf("ST-A").get(0).expiresAt();
        Thread.sleep(Math.max(0, Duration.between(java.time.Instant.now(), expiry).toMillis()) + 300);
        assertEquals("410 LEASE_EXPIRED", error(send("POST", "/v1/leases/" + leaseA + "/renew", "token-of-station-a", "{\"station\":\"ST-A\"}")));
        assertEquals(12, server.center().readyCount());
    }

    @Test
    void theResidentAnswerCarriesStatusPhaseAndBothExplanations() throws Exception {
        String nik = server.center().leasesOf("ST-A").isEmpty()
                ? JSON.readTree(send("GET", "/v1/print-ready?station=ST-A&limit=1", "token-of-station-a", null).body()).get("leases").get(0).get("nik").asText()
                : null;
        JsonNode r = JSON.readTree(send("GET", "/v1/residents/" + nik, "token-of-station-b", null).body());
        assertEquals("PRINT_READY_RECORD", r.get("status").asText());
        assertEquals(6, r.get("phase").get("number").asInt());
        assertEquals("Fase pencetakan", r.get("phase").get("id").asText());
        assertTrue(r.get("explanation").get("id").asText().startsWith("Data siap dicetak"), r.toString());
        assertTrue(r.get("explanation").get("en").asText().startsWith("Ready to print"), r.toString());
        assertEquals("ST-A", r.get("station").asText());
        assertTrue(r.get("history").size() >= 5);
    }
}
