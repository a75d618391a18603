package ktp.sim.console;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import ktp.console.PasswordHasher;
import ktp.console.Users;
import ktp.http.GuardedHttp;
import ktp.sim.demo.SimulatedStation;
import ktp.store.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slowloris against the real console and the real data center simulator at once (issue 16). On main nine
 * connections sending one header line every 5 s blocked the console's sign-in (a fixed pool of 8 workers and no
 * header timeout), and 33 blocked the data center's /v1/health (32 workers). Here 200 slow-header connections
 * per server, from 20 client addresses (127.0.0.2-21, 10 each, under the per-address limit so that all are
 * admitted), are held for 30 s and re-opened whenever a server closes one; meanwhile the sign-in page, a real
 * sign-in and /v1/health must each answer within 1 s, and every slow connection is closed by the server within
 * the request time limit (plus the timer's tick). Bounded: 400 sockets, 30 s.
 */
class SlowClientsTest {
    static final int SLOW = 200;
    static final Duration HOLD = Duration.ofSeconds(Long.getLong("ktp.slowloris.seconds", 30));

    @TempDir
    Path dir;

    /** One slow client: a request line, then a header line every 5 s, never the blank line that ends the head. */
    static final class Slow {
        final java.nio.channels.SocketChannel channel = java.nio.channels.SocketChannel.open();
        final int port;
        final long opened = System.nanoTime();
        volatile long closedAfterMs = -1;

        Slow(int port, int index, String path) throws IOException {
            this.port = port;
            channel.bind(new InetSocketAddress("127.0.0." + (2 + index / 10), 0));
            channel.connect(new InetSocketAddress("127.0.0.1", port));
            channel.configureBlocking(false);
            write("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        }

        private void write(String s) throws IOException {
            channel.write(java.nio.ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII)));
        }

        /** Whether the server has closed the connection (or answered it: a slow client never should be). */
        boolean closedByServer() {
            try {
                int n = channel.read(java.nio.ByteBuffer.allocate(512));
                if (n == 0) return false;
            } catch (IOException reset) {
                // closed with a reset
            }
            closedAfterMs = (System.nanoTime() - opened) / 1_000_000;
            close();
            return true;
        }

        void trickle(int n) {
            try {
                write("X-Slow-" + n + ": 1\r\n");
            } catch (IOException e) {
                // noticed as closed at the next poll
            }
        }

        void close() {
            try { channel.close(); } catch (IOException ignored) { }
        }
    }

    @Test
    void twoHundredSlowHeaderClientsPerServerDoNotStopSignInOrHealth() throws Exception {
        Path usersFile = dir.resolve("users.json");
        Users users = Users.load(usersFile);
        users.put("sari", Role.OPERATOR, new PasswordHasher().hash("sari-password-1".toCharArray()));
        SimulatedStation.Settings s = new SimulatedStation.Settings(dir.resolve("station"), 5, 1, 0, null, null, 200, 0, 0, false, usersFile, 900);
        try (SimulatedStation station = startStation(s)) {
            int console = station.console().orElseThrow().port();
            int central = station.central().port();
            // the operator has used the console before the attack starts (first-use costs are not the attack's)
            ConsoleClient warm = new ConsoleClient(console);
            assertEquals(303, warm.signIn("sari", "sari-password-1").statusCode());
            List<Slow> slow = new CopyOnWriteArrayList<>();
            for (int i = 0; i < SLOW; i++) {
                slow.add(new Slow(console, i, "/login"));
                slow.add(new Slow(central, i, "/v1/health"));
            }
            List<Long> closedAfter = Collections.synchronizedList(new ArrayList<>());
            List<Long> signInPage = new ArrayList<>(), signIn = new ArrayList<>(), health = new ArrayList<>();
            // one operator's client, as a browser keeps its connections; signed out after each sign-in
            ConsoleClient sari = new ConsoleClient(console);
            HttpClient healthClient = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            long end = System.nanoTime() + HOLD.toNanos();
            long nextTrickle = 0;
            int line = 0;
            int reopened = 0;
            while (System.nanoTime() < end) {
                for (int i = 0; i < slow.size(); i++) {
                    Slow c = slow.get(i);
                    if (c.closedByServer()) {
                        closedAfter.add(c.closedAfterMs);
                        slow.set(i, new Slow(c.port, (i / 2) % SLOW, c.port == console ? "/login" : "/v1/health"));
                        reopened++;
                    }
                }
                if (System.nanoTime() >= nextTrickle) {
                    line++;
                    for (Slow c : slow) c.trickle(line);
                    nextTrickle = System.nanoTime() + 5_000_000_000L;
                }
                long t0 = System.nanoTime();
                assertEquals(200, sari.get("/login").statusCode());
                long t1 = System.nanoTime();
                assertEquals(303, sari.post("/login", sari.withCsrf("user", "sari", "password", "sari-password-1")).statusCode());
                long t2 = System.nanoTime();
                assertEquals(200, sari.get("/queue").statusCode());
                assertEquals(303, sari.post("/logout", sari.withCsrf()).statusCode());
                long t2b = System.nanoTime();
                HttpResponse<String> h = healthClient.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + central + "/v1/health"))
                        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
                long t3 = System.nanoTime();
                assertEquals(200, h.statusCode(), h.body());
                signInPage.add((t1 - t0) / 1_000_000);
                signIn.add((t2 - t1) / 1_000_000);
                health.add((t3 - t2b) / 1_000_000);
                Thread.sleep(200);
            }
            for (Slow c : slow) c.close();
            String figures = "sign-in page " + stats(signInPage) + "; sign-in " + stats(signIn) + "; /v1/health " + stats(health)
                    + "; slow connections closed by the servers: " + closedAfter.size() + " (after " + stats(closedAfter) + "), re-opened " + reopened;
            System.out.println("SlowClientsTest: " + figures);
            assertTrue(Collections.max(signInPage) < 1000, figures);
            assertTrue(Collections.max(signIn) < 1000, figures);
            assertTrue(Collections.max(health) < 1000, figures);
            if (HOLD.toSeconds() >= 20) {
                assertTrue(closedAfter.size() >= SLOW, "the servers bound the time to send a request's head: " + figures);
                long limit = GuardedHttp.Limits.CONSOLE.requestTime().toMillis() + 2_500; // + the JDK timer's tick and this loop's poll
                assertTrue(Collections.max(closedAfter) <= limit, figures);
            }
        }
    }

    static String stats(List<Long> ms) {
        if (ms.isEmpty()) return "none";
        List<Long> s = new ArrayList<>(ms);
        Collections.sort(s);
        return "n=" + s.size() + " median " + s.get(s.size() / 2) + " ms, p99 " + s.get(Math.min(s.size() - 1, (int) Math.ceil(s.size() * 0.99) - 1)) + " ms, max " + s.get(s.size() - 1) + " ms";
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
