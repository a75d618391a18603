package ktp.http;

import static org.junit.jupiter.api.Assertions.*;

import com.sun.net.httpserver.HttpServer;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The front's connection limits against a real JDK server: per client address, in all, and the first byte's deadline. */
class GuardedHttpTest {
    static String answer(Socket s, String request) throws Exception {
        s.setSoTimeout(5000);
        s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        InputStream in = s.getInputStream();
        return new String(in.readNBytes(12), StandardCharsets.US_ASCII);
    }

    static Socket from(String address, int port) throws Exception {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(address, 0));
        s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        return s;
    }

    /** A slow client: the request line, and no more. */
    static Socket slow(String address, int port) throws Exception {
        Socket s = from(address, port);
        s.getOutputStream().write("GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
        return s;
    }

    @Test
    void connectionsBeyondTheLimitsAreRefusedAndSilentOnesClosed() throws Exception {
        GuardedHttp.Limits limits = new GuardedHttp.Limits(6, 3, Duration.ofSeconds(3), Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(30));
        GuardedHttp.applyJdkLimits(limits);
        HttpServer http = HttpServer.create(GuardedHttp.backendAddress(), 16);
        http.setExecutor(GuardedHttp.workers(limits, "test-http"));
        http.createContext("/", x -> { x.sendResponseHeaders(204, -1); x.close(); });
        http.start();
        try (GuardedHttp front = GuardedHttp.start("test", new InetSocketAddress("127.0.0.1", 0), http.getAddress(), limits, true)) {
            List<Socket> held = new ArrayList<>();
            for (int i = 0; i < 3; i++) held.add(slow("127.0.0.2", front.port()));
            try (Socket fourth = from("127.0.0.2", front.port())) {
                assertEquals("HTTP/1.1 503", answer(fourth, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"), "a fourth connection from one address");
            }
            try (Socket other = from("127.0.0.3", front.port())) {
                assertEquals("HTTP/1.1 204", answer(other, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"), "another address is served");
            }
            long until = System.nanoTime() + 2_000_000_000L;
            while (front.openConnections() > 3 && System.nanoTime() < until) Thread.sleep(10); // the served one is counted out
            for (int i = 0; i < 3; i++) held.add(slow("127.0.0.4", front.port()));
            until = System.nanoTime() + 2_000_000_000L;
            while (front.openConnections() < 6 && System.nanoTime() < until) Thread.sleep(10);
            try (Socket seventh = from("127.0.0.5", front.port())) {
                assertEquals("HTTP/1.1 503", answer(seventh, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"), "a seventh connection in all");
            }
            assertTrue(front.refusedConnections() >= 2);
            for (Socket s : held) s.close();
            // a connection that never sends a byte is closed after the first-byte time (3 s)
            until = System.nanoTime() + 2_000_000_000L;
            while (front.openConnections() > 0 && System.nanoTime() < until) Thread.sleep(10);
            try (Socket silent = from("127.0.0.6", front.port())) {
                silent.setSoTimeout(6000);
                long t0 = System.nanoTime();
                assertEquals(-1, silent.getInputStream().read(), "a silent connection is closed by the front");
                assertTrue(System.nanoTime() - t0 >= 2_000_000_000L, "not before its time");
            }
            until = System.nanoTime() + 2_000_000_000L;
            while (front.openConnections() > 0 && System.nanoTime() < until) Thread.sleep(10);
            assertEquals(0, front.openConnections());
            try (Socket again = from("127.0.0.2", front.port())) {
                assertEquals("HTTP/1.1 204", answer(again, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"), "slots are given back");
            }
        } finally {
            http.stop(0);
        }
    }

    /** A plain TCP server behind the front that echoes each connection's bytes back and counts the connections it took. */
    static final class EchoServer implements AutoCloseable {
        final java.net.ServerSocket socket = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        final java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();
        private final Thread thread = new Thread(this::run, "echo");

        EchoServer() throws java.io.IOException {
            thread.setDaemon(true);
            thread.start();
        }

        InetSocketAddress address() { return (InetSocketAddress) socket.getLocalSocketAddress(); }

        private void run() {
            while (!socket.isClosed()) {
                try {
                    Socket c = socket.accept();
                    accepted.incrementAndGet();
                    Thread t = new Thread(() -> {
                        try (c) {
                            c.getInputStream().transferTo(c.getOutputStream());
                        } catch (java.io.IOException ignored) {
                            // the client went away
                        }
                    });
                    t.setDaemon(true);
                    t.start();
                } catch (java.io.IOException e) {
                    return;
                }
            }
        }

        @Override
        public void close() throws java.io.IOException { socket.close(); }
    }

    static final GuardedHttp.Limits WIDE = new GuardedHttp.Limits(400, 400, Duration.ofSeconds(10), Duration.ofSeconds(4), Duration.ofSeconds(10), Duration.ofSeconds(30));

    /** Sends all of {@code bytes}, ends its side, and reads until the front closes; on a thread, so both directions flow at once. */
    static byte[] roundTrip(Socket s, byte[] bytes) throws Exception {
        s.setSoTimeout(10_000);
        var sent = java.util.concurrent.CompletableFuture.runAsync(() -> {
            try {
                s.getOutputStream().write(bytes);
                s.shutdownOutput();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        byte[] back = s.getInputStream().readAllBytes();
        sent.get(10, java.util.concurrent.TimeUnit.SECONDS);
        return back;
    }

    @Test
    void aRequestHeadReachesTheServerOnlyWholeAndEveryByteThenPassesUnchangedBothWays() throws Exception {
        try (EchoServer echo = new EchoServer();
             GuardedHttp front = GuardedHttp.start("test", new InetSocketAddress("127.0.0.1", 0), echo.address(), WIDE, true);
             Socket c = from("127.0.0.7", front.port())) {
            c.setSoTimeout(10_000);
            byte[] line = "POST /upload HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII);
            c.getOutputStream().write(line);
            Thread.sleep(300);
            assertEquals(0, echo.accepted.get(), "a head without its blank line stays in the front");
            byte[] rest = new byte[1 << 20];
            new java.util.Random(20261201).nextBytes(rest);
            byte[] end = "Content-Length: 1048576\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            byte[] tail = new byte[end.length + rest.length];
            System.arraycopy(end, 0, tail, 0, end.length);
            System.arraycopy(rest, 0, tail, end.length, rest.length);
            byte[] back = roundTrip(c, tail);
            assertEquals(1, echo.accepted.get(), "the whole head went on to the server");
            byte[] all = new byte[line.length + tail.length];
            System.arraycopy(line, 0, all, 0, line.length);
            System.arraycopy(tail, 0, all, line.length, tail.length);
            assertArrayEquals(all, back, "1 MiB up and the same 1 MiB back through 64 KiB buffers, unchanged");
        }
    }

    @Test
    void manySlowHeadsCostTheFrontNoThreadsAndTheServerNoConnections() throws Exception {
        try (EchoServer echo = new EchoServer();
             GuardedHttp front = GuardedHttp.start("test", new InetSocketAddress("127.0.0.1", 0), echo.address(), WIDE, true)) {
            int before = Thread.activeCount();
            List<Socket> slow = new ArrayList<>();
            try {
                for (int i = 0; i < 300; i++) slow.add(slow("127.0.0." + (10 + i / 50), front.port()));
                long until = System.nanoTime() + 5_000_000_000L;
                while (front.openConnections() < 300 && System.nanoTime() < until) Thread.sleep(10);
                assertEquals(300, front.openConnections());
                assertTrue(Thread.activeCount() - before < 10, "300 slow heads held without a thread each: " + before + " threads before, " + Thread.activeCount() + " now");
                assertEquals(0, echo.accepted.get(), "no slow head reached the server");
                try (Socket c = from("127.0.0.9", front.port())) {
                    byte[] request = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
                    assertArrayEquals(request, roundTrip(c, request), "a whole request is relayed while they wait");
                }
                // the front closes each slow head at the request time (4 s here); none took its answer from the server
                for (Socket s : slow) {
                    s.setSoTimeout(6000);
                    assertEquals(-1, s.getInputStream().read(), "a head not whole within the request time is closed");
                }
                assertEquals(1, echo.accepted.get());
            } finally {
                for (Socket s : slow) s.close();
            }
        }
    }

    @Test
    void aHeadLargerThanTheFrontHoldsIsAnswered431() throws Exception {
        try (EchoServer echo = new EchoServer();
             GuardedHttp front = GuardedHttp.start("test", new InetSocketAddress("127.0.0.1", 0), echo.address(), WIDE, true);
             Socket c = from("127.0.0.8", front.port())) {
            StringBuilder head = new StringBuilder("GET / HTTP/1.1\r\n");
            while (head.length() <= GuardedHttp.MAX_HEAD) head.append("X-Padding: ").append("p".repeat(200)).append("\r\n");
            c.setSoTimeout(5000);
            try {
                c.getOutputStream().write(head.toString().getBytes(StandardCharsets.US_ASCII));
            } catch (java.io.IOException closedWhileWriting) {
                // the front may close before the last bytes are written; the answer is already on its way
            }
            assertEquals("HTTP/1.1 431", new String(c.getInputStream().readNBytes(12), StandardCharsets.US_ASCII));
            assertEquals(0, echo.accepted.get());
        }
    }

    @Test
    void tlsBytesPassAtTheFirstByteWithoutWaitingForAHead() throws Exception {
        try (EchoServer echo = new EchoServer();
             GuardedHttp front = GuardedHttp.start("test", new InetSocketAddress("127.0.0.1", 0), echo.address(), WIDE, false);
             Socket c = from("127.0.0.8", front.port())) {
            byte[] hello = new byte[517];
            new java.util.Random(7).nextBytes(hello);
            hello[0] = 0x16; // a TLS handshake record: no line ends to wait for
            c.setSoTimeout(5000);
            c.getOutputStream().write(hello);
            assertArrayEquals(hello, c.getInputStream().readNBytes(hello.length), "relayed as it came");
            assertEquals(1, echo.accepted.get());
        }
    }
}
