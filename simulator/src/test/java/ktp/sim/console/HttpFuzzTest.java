package ktp.sim.console;

import static org.junit.jupiter.api.Assertions.*;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import ktp.console.PasswordHasher;
import ktp.console.Users;
import ktp.sim.demo.SimulatedStation;
import ktp.store.Role;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Fuzzing the HTTP requests of the real console and the real data center simulator (docs/fuzzing.md): real
 * requests (sign-in, pages, the data center's calls with the station's token and JSON bodies) damaged byte by
 * byte and sent on a raw socket. Every answer must be a well-formed HTTP status that is not 500 (a handler
 * failing on input), or the connection closed; and both servers must still answer afterwards.
 */
class HttpFuzzTest {
    private static SimulatedStation station;
    private static String token;
    static final Map<String, AtomicLong> STATUSES = new ConcurrentSkipListMap<>();

    static synchronized SimulatedStation station() throws Exception {
        if (station == null) {
            Path dir = Files.createTempDirectory("ktp-http-fuzz");
            Path usersFile = dir.resolve("users.json");
            Users users = Users.load(usersFile);
            users.put("sari", Role.OPERATOR, new PasswordHasher().hash("sari-password-1".toCharArray()));
            station = startStation(new SimulatedStation.Settings(dir.resolve("station"), 3, 1, 0, null, null, 200, 0, 0, false, usersFile, 900));
            token = Files.readString(dir.resolve("station/keys/token.txt")).strip();
        }
        return station;
    }

    @AfterContainer
    static void stop() throws Exception {
        System.out.println("HttpFuzzTest answers: " + STATUSES);
        if (station != null) {
            // both servers still answer after everything the fuzzer sent
            assertTrue(send(station.console().orElseThrow().port(), "GET /login HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 200"));
            assertTrue(send(station.central().port(), "GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 200"));
            station.close();
        }
    }

    static List<String> consoleRequests() {
        String form = "user=sari&password=sari-password-1&csrf=abc";
        return List.of("GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: lang=en; ktp_session=x\r\n\r\n",
                "POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nCookie: ktp_pre=abc\r\nContent-Length: " + form.length() + "\r\n\r\n" + form,
                "GET /queue?state=PRINTED&q=%ZZ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
                "GET /lang?to=en HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
                "POST /ledger/load HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 9\r\n\r\ncount=5&x");
    }

    static List<String> centralRequests() {
        String event = "{\"station\":\"DEMO-01\",\"eventId\":\"e-1\",\"type\":\"CARD_PRINTED\",\"recordId\":\"PRR-1\",\"detail\":\"x\"}";
        String auth = "Authorization: Bearer " + token + "\r\n";
        return List.of("GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
                "GET /v1/print-ready?station=DEMO-01&limit=2 HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth + "\r\n",
                "GET /v1/leases?station=DEMO-01 HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth + "\r\n",
                "POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth + "Content-Type: application/json\r\nContent-Length: " + event.length() + "\r\n\r\n" + event,
                "POST /v1/leases/L-1/renew HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth + "Content-Length: 22\r\n\r\n{\"station\":\"DEMO-01\"}\n",
                "GET /v1/residents/3273014506900001 HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth + "\r\n");
    }

    /** One damage to a request: as in ktp.fuzz.FuzzInputs, kept here because the simulator's tests cannot see the station's. */
    record Damage(int kind, int position, int value) {
        byte[] applyTo(byte[] in) {
            List<Byte> out = new ArrayList<>();
            for (byte b : in) out.add(b);
            if (out.isEmpty()) out.add((byte) 'G');
            int at = Math.floorMod(position, Math.max(1, out.size()));
            switch (kind) {
                case 0 -> out.set(at, (byte) (out.get(at) ^ (1 << (value & 7))));
                case 1 -> out.set(at, (byte) value);
                case 2 -> { for (int i = 0; i < 1 + value % 8; i++) out.add(at, (byte) (value * 31 + i)); }
                case 3 -> { for (int i = 0; i < 1 + value % 16 && at < out.size(); i++) out.remove(at); }
                case 4 -> { while (out.size() > at) out.remove(out.size() - 1); }
                default -> { String s = List.of("\r\n", "Content-Length: 99999999\r\n", "Transfer-Encoding: chunked\r\n", "%00", "\u00ff", "Host: a\r\nHost: b\r\n",
                        "X: " + "A".repeat(20000) + "\r\n", "\r\n\r\nGET / HTTP/1.1\r\n\r\n").get(value % 8);
                    byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
                    for (int i = b.length - 1; i >= 0; i--) out.add(at, b[i]); }
            }
            byte[] b = new byte[out.size()];
            for (int i = 0; i < b.length; i++) b[i] = out.get(i);
            return b;
        }
    }

    @Provide
    Arbitrary<List<Damage>> damages() {
        return Combinators.combine(Arbitraries.integers().between(0, 5), Arbitraries.integers().greaterOrEqual(0), Arbitraries.integers().between(0, 255))
                .as(Damage::new).list().ofMinSize(1).ofMaxSize(3);
    }

    @Provide
    Arbitrary<Integer> which() { return Arbitraries.integers().between(0, 99); }

    /** Sends the bytes, says it is done sending, and returns what came back first (an empty string if nothing). */
    static String send(int port, byte[] request) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.setSoTimeout(5000);
            s.getOutputStream().write(request);
            s.shutdownOutput();
            InputStream in = s.getInputStream();
            byte[] head = in.readNBytes(12);
            return new String(head, StandardCharsets.ISO_8859_1);
        } catch (SocketTimeoutException e) {
            return "TIMEOUT";
        } catch (java.net.SocketException reset) {
            return "";
        }
    }

    static void assertAnswer(String server, String got, byte[] request) {
        String key = got.isEmpty() ? "closed" : got.startsWith("HTTP/1.1 ") && got.length() >= 12 ? got.substring(9, 12) : "other";
        STATUSES.computeIfAbsent(server + " " + key, k -> new AtomicLong()).incrementAndGet();
        assertNotEquals("TIMEOUT", got, server + " did not answer within 5 s: " + new String(request, StandardCharsets.ISO_8859_1));
        if (!got.isEmpty()) {
            assertTrue(got.matches("HTTP/1\\.1 [1-5][0-9][0-9]"), server + " answered '" + got + "'");
            assertNotEquals("500", got.substring(9, 12), server + " failed inside (500) on: " + ktp.text.SafeText.escape(new String(request, StandardCharsets.ISO_8859_1)));
        }
    }

    @net.jqwik.api.Example
    void aBadPercentEscapeInAFormIsABadRequest() throws Exception {
        // found by this fuzzing: "count=%" made URLDecoder throw inside the console, which answered 500
        String body = "count=%&x";
        byte[] r = ("POST /ledger/load HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII);
        assertEquals("HTTP/1.1 400", send(station().console().orElseThrow().port(), r));
        assertEquals("HTTP/1.1 400", send(station().console().orElseThrow().port(), "GET /login?lang=%G1 HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
    }

    @Property(tries = 400)
    void damagedConsoleRequestsGetAnAnswerNotAFailure(@ForAll("which") int which, @ForAll("damages") List<Damage> damage) throws Exception {
        List<String> requests = consoleRequests();
        byte[] r = requests.get(which % requests.size()).getBytes(StandardCharsets.ISO_8859_1);
        for (Damage d : damage) r = d.applyTo(r);
        assertAnswer("console", send(station().console().orElseThrow().port(), r), r);
    }

    @Property(tries = 400)
    void damagedDataCenterRequestsGetAnAnswerNotAFailure(@ForAll("which") int which, @ForAll("damages") List<Damage> damage) throws Exception {
        station();
        List<String> requests = centralRequests();
        byte[] r = requests.get(which % requests.size()).getBytes(StandardCharsets.ISO_8859_1);
        for (Damage d : damage) r = d.applyTo(r);
        assertAnswer("central", send(station.central().port(), r), r);
    }

    /**
     * Starts the simulated station, once more if the embedded broker dropped the data center's first
     * connection (an intermittent start-up failure of the embedded Moquette broker seen about once in ten
     * starts on this machine, not what this test is about; reported to the broker's owner).
     */
    static SimulatedStation startStation(SimulatedStation.Settings s) throws java.io.IOException {
        try {
            return SimulatedStation.start(s);
        } catch (java.io.IOException e) {
            if (e.getMessage() == null || !e.getMessage().contains("cannot reach the broker")) throw e;
            System.out.println("the embedded broker dropped the first connection (" + e.getMessage() + "); starting again");
            return SimulatedStation.start(s);
        }
    }

}
