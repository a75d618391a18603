package ktp.central;

import static org.junit.jupiter.api.Assertions.*;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.interfaces.ECPrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import ktp.job.JobState;
import ktp.record.Envelope;
import ktp.record.PrintRecord;
import ktp.record.RecordJson;
import ktp.record.RecordValidator;
import ktp.record.Signatures;
import ktp.record.TestRecords;
import ktp.station.RecordIntake;
import ktp.store.Actor;
import ktp.store.StationStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The station's client against a real HTTP server that misbehaves on purpose: every bad answer becomes a
 * CentralException with a reason a technician can act on, within the deadline, and never a hang or a crash.
 */
class CentralClientTest {
    private static final Clock CLOCK = Clock.fixed(TestRecords.TODAY.atStartOfDay().toInstant(ZoneOffset.UTC), ZoneOffset.UTC);

    @TempDir
    Path dir;

    private HttpServer server;
    private volatile Consumer<HttpExchange> answer;
    private final List<String> requests = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", ex -> {
            try (ex) {
                String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                requests.add(ex.getRequestMethod() + " " + ex.getRequestURI().getPath() + " " + body);
                answer.accept(ex);
            }
        });
        server.start();
    }

    @AfterEach
    void stopServer() { server.stop(0); }

    private CentralClient client(Duration deadline) {
        URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        return new CentralClient(CentralClient.Config.of(base, "ST-T1", null, Optional.of("secret-token"), true).withDeadline(deadline));
    }

    private static void reply(HttpExchange ex, int status, String body) {
        try {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(status, b.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(b);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private CentralException pullFails(CentralClient c) {
        return assertThrows(CentralException.class, () -> c.pull(5));
    }

    @Test
    void garbageIsABadAnswerThatQuotesWhatCame() {
        answer = ex -> reply(ex, 200, "<html>\u0001proxy error</html>");
        CentralException e = pullFails(client(Duration.ofSeconds(5)));
        assertEquals(CentralException.Kind.BAD_ANSWER, e.kind());
        assertTrue(e.getMessage().contains("not JSON") && e.getMessage().contains("<html>\\x01proxy"), e.getMessage());
    }

    @Test
    void jsonWithoutTheFieldsOfTheApiIsABadAnswer() {
        answer = ex -> reply(ex, 200, "{\"leases\": [{\"leaseId\": \"L1\", \"envelope\": {}}]}");
        CentralException e = pullFails(client(Duration.ofSeconds(5)));
        assertEquals(CentralException.Kind.BAD_ANSWER, e.kind());
        assertTrue(e.getMessage().contains("recordId"), e.getMessage());
    }

    @Test
    void aTruncatedBodyIsATransportFailureToRetry() {
        answer = ex -> {
            try {
                ex.sendResponseHeaders(200, 5000);
                ex.getResponseBody().write("{\"leases\": [".getBytes(StandardCharsets.UTF_8));
                ex.getResponseBody().flush();
                // Cut the connection with 4988 bytes still owed.
                ex.getHttpContext().getServer().stop(0);
            } catch (IOException e) {
                // the client hung up first
            }
        };
        CentralException e = pullFails(client(Duration.ofSeconds(5)));
        assertNotEquals(CentralException.Kind.REFUSED, e.kind());
        assertFalse(e.getMessage().isBlank());
    }

    @Test
    void aServerThatDripsItsAnswerIsCutOffAtTheDeadline() {
        answer = ex -> {
            try {
                ex.sendResponseHeaders(200, 0);
                OutputStream out = ex.getResponseBody();
                for (int i = 0; i < 100; i++) {
                    out.write('{');
                    out.flush();
                    Thread.sleep(100);
                }
            } catch (IOException | InterruptedException e) {
                // the client gave up: expected
            }
        };
        long t0 = System.nanoTime();
        CentralException e = pullFails(client(Duration.ofMillis(800)));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(CentralException.Kind.UNREACHABLE, e.kind());
        assertTrue(e.getMessage().contains("no complete answer within 800 ms"), e.getMessage());
        assertTrue(ms < 5000, "took " + ms + " ms");
    }

    @Test
    void anAnswerOverTheCapIsRefusedWithoutReadingItAll() {
        answer = ex -> reply(ex, 200, "{\"leases\": [], \"pad\": \"" + "x".repeat(200_000) + "\"}");
        URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        CentralClient c = new CentralClient(CentralClient.Config.of(base, "ST-T1", null, Optional.empty(), true).withMaxAnswerBytes(10_000));
        CentralException e = pullFails(c);
        assertEquals(CentralException.Kind.BAD_ANSWER, e.kind());
        assertTrue(e.getMessage().contains("larger than 10000 bytes"), e.getMessage());
    }

    @Test
    void aClosedPortIsUnreachable() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        CentralClient c = new CentralClient(CentralClient.Config.of(URI.create("http://127.0.0.1:" + port), "ST-T1", null, Optional.empty(), true));
        CentralException e = pullFails(c);
        assertEquals(CentralException.Kind.UNREACHABLE, e.kind());
        assertTrue(e.getMessage().contains("cannot connect"), e.getMessage());
    }

    @Test
    void aRefusalCarriesTheDataCentersCode() {
        answer = ex -> reply(ex, 410, "{\"error\": \"LEASE_EXPIRED\", \"message\": \"lease L1 expired\"}");
        CentralException e = assertThrows(CentralException.class, () -> client(Duration.ofSeconds(5)).renew("L1"));
        assertEquals(CentralException.Kind.REFUSED, e.kind());
        assertEquals(410, e.httpStatus());
        assertEquals("LEASE_EXPIRED", e.code());
        assertTrue(requests.get(0).startsWith("POST /v1/leases/L1/renew {\"station\":\"ST-T1\"}"), requests.toString());
    }

    @Test
    void plainHttpAndHttpsWithoutPinnedTrustAreRefusedUnlessAllowed() {
        IllegalArgumentException plain = assertThrows(IllegalArgumentException.class,
                () -> CentralClient.Config.of(URI.create("http://dc.example"), "ST-T1", null, Optional.empty(), false));
        assertTrue(plain.getMessage().contains("plain HTTP"), plain.getMessage());
        IllegalArgumentException noTrust = assertThrows(IllegalArgumentException.class,
                () -> CentralClient.Config.of(URI.create("https://dc.example"), "ST-T1", null, Optional.empty(), false));
        assertTrue(noTrust.getMessage().contains("pinned trust"), noTrust.getMessage());
    }

    /** A pull answer in the API's shape carrying one envelope. */
    private static String offer(String recordId, String nik, byte[] envelope) {
        return "{\"station\":\"ST-T1\",\"leaseSeconds\":60,\"leases\":[{\"leaseId\":\"L-" + recordId + "\",\"recordId\":\"" + recordId
                + "\",\"recordVersion\":1,\"nik\":\"" + nik + "\",\"expiresAt\":\"" + Instant.now().plusSeconds(60)
                + "\",\"acknowledged\":false,\"printed\":false,\"envelope\":" + new String(envelope, StandardCharsets.UTF_8) + "}]}";
    }

    @Test
    void aRecordWithAWrongSignatureIsRejectedStoredAsSuchAndDeclined() throws Exception {
        PrintRecord r = TestRecords.valid(7);
        byte[] payload = RecordJson.write(r);
        KeyPair stranger = Signatures.generateKeyPair(1234L);
        byte[] forged = new Envelope(TestRecords.KEY_ID, payload, Signatures.sign(payload, (ECPrivateKey) stranger.getPrivate())).toJson();
        answer = ex -> {
            String path = ex.getRequestURI().getPath();
            if (path.equals("/v1/leases") ) reply(ex, 200, "{\"leases\":[]}");
            else if (path.equals("/v1/print-ready")) reply(ex, 200, offer(r.recordId(), r.nik(), forged));
            else reply(ex, 200, "{\"declined\":\"L-" + r.recordId() + "\"}");
        };
        try (StationStore store = StationStore.open(dir.resolve("store"), "ST-T1", CLOCK)) {
            RecordIntake intake = new RecordIntake(new RecordValidator(TestRecords.TRUST, CLOCK), store, Actor.STATION);
            CentralLink link = new CentralLink(client(Duration.ofSeconds(5)), store, intake,
                    CentralLink.Settings.defaults().withQueueTarget(1), CLOCK, new Random(1));
            assertEquals(0, link.cycle());
            assertEquals(JobState.REJECTED, store.job(r.recordId()).orElseThrow().state());
            assertTrue(store.job(r.recordId()).orElseThrow().reason().startsWith("SIGNATURE_INVALID"), store.job(r.recordId()).orElseThrow().reason());
            String decline = requests.stream().filter(q -> q.contains("/decline")).findFirst().orElseThrow();
            assertTrue(decline.contains("\"reason\":\"SIGNATURE_INVALID\""), decline);
            assertFalse(link.mayStart(r.recordId()));
        }
    }

    @Test
    void theLinkKeepsRunningThroughBadAnswersAndSaysWhy() throws Exception {
        answer = ex -> reply(ex, 200, "not json at all");
        try (StationStore store = StationStore.open(dir.resolve("store"), "ST-T1", CLOCK)) {
            RecordIntake intake = new RecordIntake(new RecordValidator(TestRecords.TRUST, CLOCK), store, Actor.STATION);
            CentralLink link = new CentralLink(client(Duration.ofSeconds(2)), store, intake,
                    CentralLink.Settings.defaults().withRetry(Duration.ofMillis(10), Duration.ofMillis(40)), Clock.systemUTC(), new Random(1));
            link.start();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (link.health().failuresInARow() < 3 && System.nanoTime() < deadline) Thread.sleep(20);
            CentralLink.Health h = link.health();
            assertTrue(h.failuresInARow() >= 3, "failures: " + h.failuresInARow());
            assertFalse(h.reachable());
            assertTrue(h.lastError().contains("not JSON"), h.lastError());
            // The data center recovers: the same running link gets through.
            answer = ex -> reply(ex, 200, ex.getRequestURI().getPath().equals("/v1/leases") ? "{\"leases\":[]}" : "{\"station\":\"ST-T1\",\"leases\":[]}");
            deadline = System.nanoTime() + 10_000_000_000L;
            while (!link.health().reachable() && System.nanoTime() < deadline) Thread.sleep(20);
            assertTrue(link.health().reachable(), link.health().toString());
            link.close();
        }
    }
}
