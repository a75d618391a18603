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

    // ---------------------------------------------------------------------------------------------------------
    // Attacks on the front, each bounded in count and time. The seeds are fixed (deterministic runs); another
    // can be tried with -Dktp.http.seed=N, and every failure message names the seed it ran with.

    static long seed(long fixed) { return Long.getLong("ktp.http.seed", fixed); }

    static long openFds() throws java.io.IOException {
        try (var fds = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    /** The front counts no connection, the server behind holds none, and the process's descriptors are back. */
    static void awaitNothingLeft(GuardedHttp front, Backend backend, long fdsBefore, String what) throws Exception {
        long until = System.nanoTime() + 6_000_000_000L;
        long fds = openFds();
        while ((front.openConnections() != 0 || (backend != null && backend.live.get() != 0) || fds > fdsBefore) && System.nanoTime() < until) {
            Thread.sleep(20);
            fds = openFds();
        }
        assertEquals(0, front.openConnections(), what + ": connections still counted by the front");
        if (backend != null) assertEquals(0, backend.live.get(), what + ": connections still open at the server behind");
        assertTrue(fds <= fdsBefore, what + ": " + fdsBefore + " file descriptors before, " + fds + " after");
    }

    /** A TCP server behind the front that runs a script on each connection and counts them (taken, open now, most at once). */
    static final class Backend implements AutoCloseable {
        interface Script { void run(Socket s) throws Exception; }

        final java.net.ServerSocket socket = new java.net.ServerSocket(0, 500, java.net.InetAddress.getLoopbackAddress());
        final java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();
        final java.util.concurrent.atomic.AtomicInteger live = new java.util.concurrent.atomic.AtomicInteger();
        final java.util.concurrent.atomic.AtomicInteger mostAtOnce = new java.util.concurrent.atomic.AtomicInteger();
        private final Script script;

        Backend(Script script) throws java.io.IOException {
            this.script = script;
            Thread t = new Thread(this::run, "backend");
            t.setDaemon(true);
            t.start();
        }

        InetSocketAddress address() { return (InetSocketAddress) socket.getLocalSocketAddress(); }

        private void run() {
            while (!socket.isClosed()) {
                Socket c;
                try {
                    c = socket.accept();
                } catch (java.io.IOException e) {
                    return;
                }
                accepted.incrementAndGet();
                mostAtOnce.accumulateAndGet(live.incrementAndGet(), Math::max);
                Thread t = new Thread(() -> {
                    try (c) {
                        script.run(c);
                    } catch (Exception ignored) {
                        // the front or the client went away
                    } finally {
                        live.decrementAndGet();
                    }
                }, "backend-connection");
                t.setDaemon(true);
                t.start();
            }
        }

        @Override
        public void close() throws java.io.IOException { socket.close(); }
    }

    static final Backend.Script ECHO = s -> s.getInputStream().transferTo(s.getOutputStream());

    /** Reads up to and including the blank line that ends a request head (CRLF CRLF). */
    static byte[] readHead(InputStream in) throws java.io.IOException {
        java.io.ByteArrayOutputStream head = new java.io.ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            byte[] h = head.toByteArray();
            int n = h.length;
            if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') return h;
        }
        throw new java.io.EOFException("the head ended early");
    }

    static byte[] random(java.util.Random rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) all.writeBytes(p);
        return all.toByteArray();
    }

    static String digest(byte[] b) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(b));
    }

    /** A size around the edges that matter (empty, one byte, the front's 64 KiB buffer) or anywhere up to 2 MiB. */
    static int size(java.util.Random rnd) {
        return switch (rnd.nextInt(7)) {
            case 0 -> 0;
            case 1 -> 1;
            case 2 -> rnd.nextInt(200);
            case 3 -> 64 * 1024 - 1 + rnd.nextInt(3);
            case 4 -> 128 * 1024 + rnd.nextInt(3) - 1;
            default -> rnd.nextInt(2 * 1024 * 1024 + 1);
        };
    }

    static GuardedHttp front(Backend b, GuardedHttp.Limits limits, boolean plainHttp) throws java.io.IOException {
        return GuardedHttp.start("test", new InetSocketAddress("127.0.0.1", 0), b.address(), limits, plainHttp);
    }

    @Test
    void randomSizesPipelinedAndReadSlowlyArriveUnchangedInOrderAndLeaveNothingBehind() throws Exception {
        long seed = seed(20261201L);
        java.util.Random rnd = new java.util.Random(seed);
        try (Backend echo = new Backend(ECHO); GuardedHttp front = front(echo, WIDE, true)) {
            long fds = openFds();
            for (int round = 0; round < 10; round++) {
                String what = "seed " + seed + ", round " + round;
                // a head, then up to four parts of random size: what the echo returns must be every byte, in order
                List<byte[]> parts = new ArrayList<>();
                parts.add(("POST /r" + round + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                int n = rnd.nextInt(5);
                for (int i = 0; i < n; i++) parts.add(random(rnd, size(rnd)));
                byte[] sent = concat(parts.toArray(byte[][]::new));
                boolean slowReader = rnd.nextInt(3) == 0;
                int[] cuts = rnd.ints(8, 0, sent.length + 1).sorted().toArray();
                try (Socket c = from("127.0.0." + (20 + round % 3), front.port())) {
                    c.setSoTimeout(10_000);
                    var writer = java.util.concurrent.CompletableFuture.runAsync(() -> {
                        try {
                            var out = c.getOutputStream();
                            int at = 0;
                            for (int cut : cuts) { // in pieces, with pauses, so that segments and reads split anywhere
                                out.write(sent, at, cut - at);
                                at = cut;
                                Thread.sleep(1);
                            }
                            out.write(sent, at, sent.length - at);
                            c.shutdownOutput();
                        } catch (Exception e) {
                            throw new java.util.concurrent.CompletionException(e);
                        }
                    });
                    java.io.ByteArrayOutputStream back = new java.io.ByteArrayOutputStream();
                    byte[] buf = new byte[slowReader ? 8 * 1024 : 64 * 1024];
                    int r;
                    while ((r = c.getInputStream().read(buf)) >= 0) {
                        back.write(buf, 0, r);
                        if (slowReader && back.size() < 512 * 1024) Thread.sleep(2);
                    }
                    writer.get(10, java.util.concurrent.TimeUnit.SECONDS);
                    assertEquals(sent.length, back.size(), what + ": bytes back");
                    assertEquals(digest(sent), digest(back.toByteArray()), what + ": the same bytes in the same order");
                }
            }
            assertEquals(10, echo.accepted.get(), "seed " + seed + ": one server connection for each client");
            awaitNothingLeft(front, echo, fds, "seed " + seed);
        }
    }

    /** The JDK server behind: pipelined requests with bodies of random size, each answered by its digest and a body of random size. */
    @Test
    void pipelinedRequestsToTheRealJdkServerAreAnsweredInOrderWithBodiesUnchanged() throws Exception {
        long seed = seed(7_031_2026L);
        java.util.Random rnd = new java.util.Random(seed);
        GuardedHttp.Limits limits = new GuardedHttp.Limits(6, 3, Duration.ofSeconds(3), Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(30));
        GuardedHttp.applyJdkLimits(limits);
        HttpServer http = HttpServer.create(GuardedHttp.backendAddress(), 16);
        http.setExecutor(GuardedHttp.workers(limits, "test-http"));
        http.createContext("/", x -> {
            byte[] body = x.getRequestBody().readAllBytes();
            int n = Integer.parseInt(x.getRequestHeaders().getFirst("X-Size"));
            byte[] answer = random(new java.util.Random(Long.parseLong(x.getRequestHeaders().getFirst("X-Seed"))), n);
            byte[] d;
            try {
                d = java.security.MessageDigest.getInstance("SHA-256").digest(body);
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            x.sendResponseHeaders(200, d.length + answer.length);
            x.getResponseBody().write(d);
            x.getResponseBody().write(answer);
            x.close();
        });
        http.start();
        try (GuardedHttp front = GuardedHttp.start("test", new InetSocketAddress("127.0.0.1", 0), http.getAddress(), WIDE, true)) {
            for (int conn = 0; conn < 3; conn++) {
                int k = 2 + rnd.nextInt(4);
                List<byte[]> bodies = new ArrayList<>();
                List<Long> seeds = new ArrayList<>();
                List<Integer> sizes = new ArrayList<>();
                java.io.ByteArrayOutputStream requests = new java.io.ByteArrayOutputStream();
                for (int i = 0; i < k; i++) {
                    byte[] body = random(rnd, size(rnd));
                    bodies.add(body);
                    seeds.add(rnd.nextLong());
                    sizes.add(size(rnd));
                    requests.writeBytes(("POST /p" + i + " HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length + "\r\nX-Size: " + sizes.get(i)
                            + "\r\nX-Seed: " + seeds.get(i) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    requests.writeBytes(body);
                }
                byte[] all = requests.toByteArray();
                try (Socket c = from("127.0.0.30", front.port())) {
                    c.setSoTimeout(10_000);
                    var writer = java.util.concurrent.CompletableFuture.runAsync(() -> {
                        try {
                            c.getOutputStream().write(all);
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    });
                    InputStream in = new java.io.BufferedInputStream(c.getInputStream());
                    for (int i = 0; i < k; i++) {
                        String what = "seed " + seed + ", connection " + conn + ", request " + i;
                        String head = new String(readHead(in), StandardCharsets.US_ASCII);
                        assertTrue(head.startsWith("HTTP/1.1 200"), what + ": " + head);
                        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
                        assertTrue(m.find(), what + ": " + head);
                        byte[] body = in.readNBytes(Integer.parseInt(m.group(1)));
                        byte[] expected = concat(java.security.MessageDigest.getInstance("SHA-256").digest(bodies.get(i)),
                                random(new java.util.Random(seeds.get(i)), sizes.get(i)));
                        assertEquals(digest(expected), digest(body), what + ": the answer to this request, unchanged");
                    }
                    writer.get(10, java.util.concurrent.TimeUnit.SECONDS);
                }
            }
        } finally {
            http.stop(0);
        }
    }

    @Test
    void aHeadSentOneByteAtATimeReachesTheServerWithItsLastByteAndNotBefore() throws Exception {
        // CRLF CRLF, bare LF LF, and header lines ended by LF, the head by CRLF (the JDK server answers that one directly)
        for (String h : List.of("GET /crlf HTTP/1.1\r\nHost: x\r\n\r\n", "GET /lf HTTP/1.1\nHost: x\n\n", "GET /lf-crlf HTTP/1.1\r\nHost: x\n\r\n",
                "GET /crlf-lf HTTP/1.1\r\nHost: x\r\n\n", "GET /cr-in-a-line HTTP/1.1\r\nX-A: a\rb\r\n\r\n")) {
            byte[] head = h.getBytes(StandardCharsets.US_ASCII);
            // a body that holds a blank line and what looks like a second head: passed on as it is
            byte[] body = "a\r\n\r\nGET /not-a-head HTTP/1.1\r\n\r\nb\n\nc".getBytes(StandardCharsets.US_ASCII);
            try (Backend echo = new Backend(ECHO); GuardedHttp front = front(echo, WIDE, true); Socket c = from("127.0.0.31", front.port())) {
                c.setTcpNoDelay(true);
                c.setSoTimeout(5000);
                var out = c.getOutputStream();
                for (int i = 0; i < head.length - 1; i++) {
                    out.write(head[i]);
                    out.flush();
                    Thread.sleep(i >= head.length - 5 ? 60 : 5);
                    assertEquals(0, echo.accepted.get(), h.replace("\r", "\\r").replace("\n", "\\n") + ": held after byte " + (i + 1) + " of " + head.length);
                }
                out.write(head[head.length - 1]);
                assertArrayEquals(head, c.getInputStream().readNBytes(head.length), "the whole head, once its last byte came");
                out.write(body);
                c.shutdownOutput();
                assertArrayEquals(body, c.getInputStream().readAllBytes());
                assertEquals(1, echo.accepted.get());
            }
        }
    }

    /** A head of {@code total} bytes in all, its blank line included. */
    static byte[] headOf(int total) {
        StringBuilder b = new StringBuilder("GET / HTTP/1.1\r\nX-Padding: ");
        b.append("p".repeat(total - b.length() - 4)).append("\r\n\r\n");
        byte[] head = b.toString().getBytes(StandardCharsets.US_ASCII);
        assertEquals(total, head.length);
        return head;
    }

    @Test
    void aHeadOfExactly32KiBPassesAndOneByteMoreIs431HoweverItIsCut() throws Exception {
        for (int piece : new int[] {Integer.MAX_VALUE, 1000, 7}) {
            for (int total : new int[] {GuardedHttp.MAX_HEAD, GuardedHttp.MAX_HEAD + 1, 40 * 1024, 60 * 1024}) {
                String what = total + " bytes of head in pieces of " + Math.min(piece, total);
                byte[] head = headOf(total);
                try (Backend echo = new Backend(ECHO); GuardedHttp front = front(echo, WIDE, true); Socket c = from("127.0.0.32", front.port())) {
                    c.setSoTimeout(5000);
                    c.setTcpNoDelay(true);
                    try {
                        for (int at = 0; at < head.length; at += piece) {
                            c.getOutputStream().write(head, at, Math.min(piece, head.length - at));
                            if (piece < 100 && at % 4096 < piece) Thread.sleep(1);
                        }
                    } catch (java.io.IOException closedWhileWriting) {
                        // the front may answer and close before the last bytes are written
                    }
                    if (total <= GuardedHttp.MAX_HEAD) {
                        assertArrayEquals(head, c.getInputStream().readNBytes(head.length), what + ": passed whole");
                        assertEquals(1, echo.accepted.get(), what);
                    } else {
                        assertEquals("HTTP/1.1 431", new String(c.getInputStream().readNBytes(12), StandardCharsets.US_ASCII), what);
                        assertEquals(0, echo.accepted.get(), what + ": never reached the server");
                    }
                }
            }
        }
    }

    /**
     * Reads the request's head, then answers with {@code n} bytes from {@code seed} (an HTTP head first) whatever else
     * comes. Then either closes at once, its socket holding the body unread, so that the front gets a reset right
     * after the answer (only for answers small enough to be delivered before it: a reset drops its sender's unsent
     * bytes), or ends its side and reads on until the front closes.
     */
    static Backend.Script answersAtOnce(int n, long seed, boolean reset) {
        return s -> {
            readHead(s.getInputStream());
            byte[] body = random(new java.util.Random(seed), n);
            s.getOutputStream().write(("HTTP/1.1 413 Payload Too Large\r\nContent-Length: " + n + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().write(body);
            s.getOutputStream().flush();
            if (reset) return;
            s.shutdownOutput();
            s.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        };
    }

    @Test
    void clientsThatResetOrCloseAtAnyPointLeaveNoSlotSocketOrServerConnectionBehind() throws Exception {
        long seed = seed(424242L);
        java.util.Random rnd = new java.util.Random(seed);
        // the server answers each head with 2 MiB, reading whatever else comes, so it is mid-answer when the client ends
        Backend.Script talker = s -> {
            readHead(s.getInputStream());
            Thread drain = new Thread(() -> {
                try {
                    s.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
                } catch (java.io.IOException ignored) {
                    // closed
                }
            });
            drain.setDaemon(true);
            drain.start();
            byte[] chunk = new byte[16 * 1024];
            for (int i = 0; i < 128; i++) s.getOutputStream().write(chunk);
            drain.join(10_000);
        };
        try (Backend server = new Backend(talker); GuardedHttp front = front(server, WIDE, true)) {
            long fds = openFds();
            byte[] head = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 9999999\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            String[] ways = {"reset mid-head", "close mid-head", "reset mid-body", "close mid-body", "half-close then close",
                    "close while answered", "reset while answered", "half-close while answered"};
            for (int round = 0; round < 48; round++) {
                int way = round % ways.length;
                String what = "seed " + seed + ", round " + round + ": " + ways[way];
                try (Socket c = from("127.0.0." + (40 + round % 4), front.port())) {
                    c.setSoTimeout(5000);
                    var out = c.getOutputStream();
                    switch (way) {
                        case 0, 1 -> out.write(head, 0, 1 + rnd.nextInt(head.length - 2));
                        case 2, 3 -> {
                            out.write(head);
                            out.write(random(rnd, rnd.nextInt(300 * 1024)));
                        }
                        case 4 -> {
                            out.write(head);
                            c.shutdownOutput();
                            c.getInputStream().readNBytes(rnd.nextInt(100_000));
                        }
                        default -> {
                            out.write(head);
                            c.getInputStream().readNBytes(1 + rnd.nextInt(500_000));
                            if (way == 7) c.shutdownOutput();
                        }
                    }
                    Thread.sleep(rnd.nextInt(20));
                    if (way == 0 || way == 2 || way == 6) c.setSoLinger(true, 0); // the close becomes a reset
                }
                if (round % 8 == 7) awaitNothingLeft(front, server, fds, what);
            }
            awaitNothingLeft(front, server, fds, "seed " + seed);
        }
    }

    @Test
    void aClientThatReadsSlowlyThenStopsIsClosedAfterTheResponseTime() throws Exception {
        long seed = seed(99L);
        GuardedHttp.Limits quick = new GuardedHttp.Limits(400, 400, Duration.ofSeconds(10), Duration.ofSeconds(4), Duration.ofSeconds(2), Duration.ofSeconds(30));
        int total = 8 * 1024 * 1024;
        try (Backend server = new Backend(answersAtOnce(total, seed, false)); GuardedHttp front = front(server, quick, true); Socket c = from("127.0.0.50", front.port())) {
            long fds = openFds() - 1; // this client's socket closes later
            c.setReceiveBufferSize(16 * 1024);
            c.setSoTimeout(5000);
            c.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = c.getInputStream();
            byte[] h = readHead(in);
            byte[] expected = random(new java.util.Random(seed), total);
            java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            for (int i = 0; i < 40; i++) { // 160 KiB over about a second, far less than the answer
                int n = in.read(buf);
                assertTrue(n > 0);
                got.write(buf, 0, n);
                Thread.sleep(25);
            }
            byte[] prefix = got.toByteArray();
            assertArrayEquals(java.util.Arrays.copyOf(expected, prefix.length), prefix, "what came, came unchanged: " + h.length + "-byte head");
            long stopped = System.nanoTime();
            long until = stopped + 5_000_000_000L;
            while (front.openConnections() > 0 && System.nanoTime() < until) Thread.sleep(20);
            assertEquals(0, front.openConnections(), "a client that stopped reading is closed");
            assertTrue(System.nanoTime() - stopped < 3_500_000_000L, "within the response time (2 s) and a tick");
            awaitNothingLeft(front, server, fds + 1, "the slow reader");
        }
    }

    @Test
    void aServerThatAnswersBeforeTheBodyIsSentAndClosesHasItsWholeAnswerDelivered() throws Exception {
        long seed = seed(5150L);
        java.util.Random rnd = new java.util.Random(seed);
        for (int round = 0; round < 6; round++) {
            int n = round < 2 ? 1000 : 200 * 1024 + rnd.nextInt(2 * 1024 * 1024);
            long answerSeed = rnd.nextLong();
            String what = "seed " + seed + ", round " + round + ", an answer of " + n + " bytes";
            try (Backend server = new Backend(answersAtOnce(n, answerSeed, round < 2)); GuardedHttp front = front(server, WIDE, true);
                 Socket c = from("127.0.0.51", front.port())) {
                c.setSoTimeout(10_000);
                byte[] body = random(rnd, 4 * 1024 * 1024);
                var writer = java.util.concurrent.CompletableFuture.runAsync(() -> {
                    try {
                        c.getOutputStream().write(("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                        c.getOutputStream().write(body);
                    } catch (java.io.IOException stoppedByTheServer) {
                        // the server does not want the body: expected
                    }
                });
                Thread.sleep(round % 2 == 0 ? 0 : 300); // a client that takes its answer late
                InputStream in = c.getInputStream();
                String head = new String(readHead(in), StandardCharsets.US_ASCII);
                assertTrue(head.startsWith("HTTP/1.1 413"), what + ": " + head);
                byte[] got = in.readNBytes(n);
                assertEquals(n, got.length, what + ": the whole answer");
                assertEquals(digest(random(new java.util.Random(answerSeed), n)), digest(got), what + ": unchanged");
                writer.get(10, java.util.concurrent.TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void underChurnFromSeveralAddressesNoMoreAreAdmittedThanTheLimitsAndEverySlotComesBack() throws Exception {
        long seed = seed(2000L);
        GuardedHttp.Limits small = new GuardedHttp.Limits(10, 4, Duration.ofSeconds(10), Duration.ofSeconds(4), Duration.ofSeconds(10), Duration.ofSeconds(30));
        String[] addresses = {"127.0.0.60", "127.0.0.61", "127.0.0.62", "127.0.0.63"};
        byte[] request = "POST / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        try (Backend echo = new Backend(ECHO); GuardedHttp front = front(echo, small, true)) {
            long fds = openFds();
            var budget = new java.util.concurrent.atomic.AtomicInteger(2000);
            var admittedNow = new java.util.concurrent.atomic.AtomicInteger[addresses.length];
            var mostFrom = new java.util.concurrent.atomic.AtomicInteger[addresses.length];
            var admitted = new java.util.concurrent.atomic.AtomicInteger[addresses.length];
            for (int a = 0; a < addresses.length; a++) {
                admittedNow[a] = new java.util.concurrent.atomic.AtomicInteger();
                mostFrom[a] = new java.util.concurrent.atomic.AtomicInteger();
                admitted[a] = new java.util.concurrent.atomic.AtomicInteger();
            }
            var inAll = new java.util.concurrent.atomic.AtomicInteger();
            var mostInAll = new java.util.concurrent.atomic.AtomicInteger();
            var refusedSeen = new java.util.concurrent.atomic.AtomicInteger();
            var failures = new java.util.concurrent.ConcurrentLinkedQueue<String>();
            long deadline = System.nanoTime() + 20_000_000_000L;
            List<Thread> clients = new ArrayList<>();
            for (int t = 0; t < 5 * addresses.length; t++) { // five clients per address, one more than it may have
                int a = t % addresses.length;
                java.util.Random rnd = new java.util.Random(seed + t);
                Thread th = new Thread(() -> {
                    while (budget.getAndDecrement() > 0 && System.nanoTime() < deadline) {
                        try (Socket c = from(addresses[a], front.port())) {
                            c.setSoTimeout(5000);
                            int way = rnd.nextInt(10);
                            if (way == 0) { // gone at once, or after half a head, maybe with a reset
                                if (rnd.nextBoolean()) c.getOutputStream().write(request, 0, 5);
                                if (rnd.nextBoolean()) c.setSoLinger(true, 0);
                                continue;
                            }
                            c.getOutputStream().write(request);
                            String first = new String(c.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
                            if (first.equals("HTTP/1.1 503")) {
                                refusedSeen.incrementAndGet();
                                Thread.sleep(1 + rnd.nextInt(3)); // a client that retries a moment later
                                continue;
                            }
                            if (!first.equals("POST / HTTP/")) {
                                failures.add(addresses[a] + ": neither the echo nor a 503: " + first);
                                continue;
                            }
                            // admitted: counted from its answer until just before its close, so never longer than the front counts it
                            admitted[a].incrementAndGet();
                            mostFrom[a].accumulateAndGet(admittedNow[a].incrementAndGet(), Math::max);
                            mostInAll.accumulateAndGet(inAll.incrementAndGet(), Math::max);
                            Thread.sleep(rnd.nextInt(3));
                            admittedNow[a].decrementAndGet();
                            inAll.decrementAndGet();
                            if (rnd.nextInt(3) == 0) c.setSoLinger(true, 0);
                        } catch (Exception e) {
                            failures.add(addresses[a] + ": " + e);
                        }
                    }
                });
                th.start();
                clients.add(th);
            }
            for (Thread th : clients) th.join(25_000);
            String what = "seed " + seed;
            System.out.printf("churn, %s: admitted %s, most at once per address %s, in all %d (server behind %d), refused %d%n", what,
                    java.util.Arrays.toString(admitted), java.util.Arrays.toString(mostFrom), mostInAll.get(), echo.mostAtOnce.get(), refusedSeen.get());
            assertTrue(failures.isEmpty(), what + ": " + failures.size() + " failures, first " + failures.peek());
            assertTrue(budget.get() <= 0, what + ": the 2,000 connections were not all made in 20 s");
            for (int a = 0; a < addresses.length; a++) {
                assertTrue(mostFrom[a].get() <= small.maxPerAddress(), what + ": " + mostFrom[a].get() + " admitted at once from " + addresses[a]);
                assertTrue(admitted[a].get() > 0, what + ": none admitted from " + addresses[a]);
            }
            assertTrue(mostInAll.get() <= small.maxConnections(), what + ": " + mostInAll.get() + " admitted at once in all");
            // (the server behind may briefly hold one more: it sees the front's close of a connection only after the front gave its slot back)
            assertTrue(refusedSeen.get() > 0 && front.refusedConnections() >= refusedSeen.get(), what + ": " + refusedSeen.get() + " refusals seen, "
                    + front.refusedConnections() + " counted");
            awaitNothingLeft(front, echo, fds, what);
            // every slot is back: four from one address and six from the others are all served at once, an eleventh is not
            List<Socket> held = new ArrayList<>();
            try {
                for (int i = 0; i < small.maxConnections(); i++) {
                    Socket c = from(i < 4 ? addresses[0] : addresses[1 + i % 3], front.port());
                    held.add(c);
                    assertEquals("POST / HTTP/", answer(c, "POST / HTTP/1.1\r\nHost: x\r\n\r\n"), what + ": connection " + (i + 1) + " after the churn");
                }
                try (Socket eleventh = from(addresses[3], front.port())) {
                    assertEquals("HTTP/1.1 503", answer(eleventh, "POST / HTTP/1.1\r\nHost: x\r\n\r\n"), what);
                }
            } finally {
                for (Socket c : held) c.close();
            }
            awaitNothingLeft(front, echo, fds, what + ", at the end");
        }
    }

    /** A self-signed certificate and its key, for a server (127.0.0.1) or a client. */
    static java.security.KeyStore selfSigned(String commonName, boolean server, char[] password) throws Exception {
        java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
        g.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
        java.security.KeyPair keys = g.generateKeyPair();
        var name = new org.bouncycastle.asn1.x500.X500Name("CN=" + commonName);
        java.time.Instant now = java.time.Instant.now();
        var b = new org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder(name, java.math.BigInteger.valueOf(now.toEpochMilli()),
                java.util.Date.from(now.minusSeconds(3600)), java.util.Date.from(now.plusSeconds(86_400)), name, keys.getPublic());
        if (server) {
            b.addExtension(org.bouncycastle.asn1.x509.Extension.subjectAlternativeName, false, new org.bouncycastle.asn1.x509.GeneralNames(
                    new org.bouncycastle.asn1.x509.GeneralName(org.bouncycastle.asn1.x509.GeneralName.iPAddress, "127.0.0.1")));
        }
        java.security.cert.X509Certificate cert = new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter().getCertificate(
                b.build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
        java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("key", keys.getPrivate(), password, new java.security.cert.Certificate[] {cert});
        return ks;
    }

    /** TLS with {@code own} as this side's certificate (or none) and trusting only {@code peer}'s. */
    static javax.net.ssl.SSLContext tls(java.security.KeyStore own, java.security.KeyStore peer, char[] password) throws Exception {
        javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
        java.security.KeyStore mine = own;
        if (mine == null) {
            mine = java.security.KeyStore.getInstance("PKCS12");
            mine.load(null, null);
        }
        kmf.init(mine, password);
        java.security.KeyStore trusted = java.security.KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("peer", peer.getCertificate("key"));
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trusted);
        javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    @Test
    void overTlsTheHandshakeAndRequestsPassAndTheServerSeesTheClientCertificate() throws Exception {
        char[] pw = "test".toCharArray();
        java.security.KeyStore serverKeys = selfSigned("localhost", true, pw);
        java.security.KeyStore clientKeys = selfSigned("station-07", false, pw);
        GuardedHttp.Limits limits = new GuardedHttp.Limits(6, 3, Duration.ofSeconds(3), Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(30));
        GuardedHttp.applyJdkLimits(limits);
        com.sun.net.httpserver.HttpsServer https = com.sun.net.httpserver.HttpsServer.create(GuardedHttp.backendAddress(), 16);
        javax.net.ssl.SSLContext serverTls = tls(serverKeys, clientKeys, pw);
        https.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(serverTls) {
            @Override
            public void configure(com.sun.net.httpserver.HttpsParameters p) {
                javax.net.ssl.SSLParameters sp = serverTls.getDefaultSSLParameters();
                sp.setNeedClientAuth(true);
                p.setSSLParameters(sp);
            }
        });
        https.setExecutor(GuardedHttp.workers(limits, "test-https"));
        https.createContext("/", x -> {
            String who = ((java.security.cert.X509Certificate) ((com.sun.net.httpserver.HttpsExchange) x).getSSLSession().getPeerCertificates()[0])
                    .getSubjectX500Principal().getName();
            byte[] body = x.getRequestBody().readAllBytes();
            byte[] answer = (who + " sent " + body.length + " bytes, sha-256 " + java.util.HexFormat.of().formatHex(sha256(body))).getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(200, answer.length);
            x.getResponseBody().write(answer);
            x.close();
        });
        https.start();
        try (GuardedHttp front = GuardedHttp.start("test", new InetSocketAddress("127.0.0.1", 0), https.getAddress(), WIDE, false)) {
            long fds = openFds();
            byte[] body = random(new java.util.Random(seed(77L)), 300 * 1024);
            javax.net.ssl.SSLSocketFactory station = tls(clientKeys, serverKeys, pw).getSocketFactory();
            try (javax.net.ssl.SSLSocket c = (javax.net.ssl.SSLSocket) station.createSocket("127.0.0.1", front.port())) {
                c.setSoTimeout(10_000);
                InputStream in = new java.io.BufferedInputStream(c.getInputStream());
                for (int i = 0; i < 2; i++) { // two requests on one kept-alive connection
                    c.getOutputStream().write(("POST /up HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    c.getOutputStream().write(body);
                    String head = new String(readHead(in), StandardCharsets.US_ASCII);
                    assertTrue(head.startsWith("HTTP/1.1 200"), head);
                    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
                    assertTrue(m.find(), head);
                    String answer = new String(in.readNBytes(Integer.parseInt(m.group(1))), StandardCharsets.UTF_8);
                    assertEquals("CN=station-07 sent " + body.length + " bytes, sha-256 " + java.util.HexFormat.of().formatHex(sha256(body)), answer,
                            "the server saw the station's certificate through the front, and the whole body");
                }
            }
            // the front does not end TLS: a client without a certificate is turned away by the server itself
            javax.net.ssl.SSLSocketFactory anonymous = tls(null, serverKeys, pw).getSocketFactory();
            try (javax.net.ssl.SSLSocket c = (javax.net.ssl.SSLSocket) anonymous.createSocket("127.0.0.1", front.port())) {
                c.setSoTimeout(10_000);
                assertThrows(java.io.IOException.class, () -> {
                    c.startHandshake();
                    c.getOutputStream().write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    c.getOutputStream().flush();
                    if (c.getInputStream().read() < 0) throw new java.io.EOFException("closed without an answer");
                }, "no client certificate, no answer");
            }
            // handshakes cut short, with a close or a reset, and bytes that are no TLS at all: nothing left behind
            java.util.Random rnd = new java.util.Random(seed(78L));
            for (int i = 0; i < 12; i++) {
                try (Socket c = from("127.0.0.74", front.port())) {
                    byte[] junk = random(rnd, 1 + rnd.nextInt(600));
                    if (i % 3 != 0) junk[0] = 0x16; // the start of a handshake record
                    c.getOutputStream().write(junk);
                    Thread.sleep(rnd.nextInt(30));
                    if (i % 2 == 0) c.setSoLinger(true, 0);
                }
            }
            awaitNothingLeft(front, null, fds, "TLS"); // the JDK server's side included: the same process
        } finally {
            https.stop(0);
        }
    }

    static byte[] sha256(byte[] b) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(b);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aFloodOfRefusedConnectionsThatNeverCloseHoldsNoMoreDescriptorsThanTheLimit() throws Exception {
        GuardedHttp.Limits two = new GuardedHttp.Limits(2, 2, Duration.ofSeconds(10), Duration.ofSeconds(4), Duration.ofSeconds(10), Duration.ofSeconds(30));
        try (Backend echo = new Backend(ECHO); GuardedHttp front = front(echo, two, true)) {
            long fds = openFds();
            List<Socket> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) clients.add(slow("127.0.0.70", front.port()));
                long until = System.nanoTime() + 2_000_000_000L;
                while (front.openConnections() < 2 && System.nanoTime() < until) Thread.sleep(5);
                int flood = 60;
                for (int i = 0; i < flood; i++) {
                    Socket c = from("127.0.0.71", front.port()); // sends nothing, reads its 503, keeps the connection open
                    clients.add(c);
                    c.setSoTimeout(5000);
                    assertEquals("HTTP/1.1 503", new String(c.getInputStream().readNBytes(12), StandardCharsets.US_ASCII), "refused " + (i + 1));
                }
                // this process: the 62 clients' sockets, the front's two admitted ones, and at most two lingering refused ones
                long held = openFds() - fds;
                assertTrue(held <= clients.size() + 2 + two.maxConnections() + 2, held + " descriptors more than before, for " + clients.size() + " clients");
            } finally {
                for (Socket c : clients) c.close();
            }
            awaitNothingLeft(front, echo, fds, "the flood");
        }
    }

    @Test
    void closingTheFrontEndsEveryConnectionAndLeavesNothingBehind() throws Exception {
        Backend.Script talker = s -> {
            readHead(s.getInputStream());
            byte[] chunk = new byte[16 * 1024];
            for (int i = 0; i < 256; i++) s.getOutputStream().write(chunk); // 4 MiB, more than the client takes
        };
        GuardedHttp.Limits limits = new GuardedHttp.Limits(12, 12, Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(30));
        try (Backend server = new Backend(talker)) {
            long fds = openFds();
            GuardedHttp front = front(server, limits, true);
            int port = front.port();
            List<Socket> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 15; i++) {
                    Socket c = from("127.0.0.72", port);
                    clients.add(c);
                    switch (i % 4) {
                        case 0 -> { } // silent
                        case 1 -> c.getOutputStream().write("GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII)); // mid-head
                        default -> c.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII)); // answered, not read
                    }
                }
                long until = System.nanoTime() + 3_000_000_000L;
                while (server.accepted.get() < 6 && System.nanoTime() < until) Thread.sleep(5);
                assertEquals(6, server.accepted.get(), "the admitted whole heads reached the server");
                front.close();
                assertEquals(0, front.openConnections());
                for (Socket c : clients) {
                    c.setSoTimeout(5000);
                    try {
                        while (c.getInputStream().read(new byte[65536]) >= 0) {
                            // what was already on its way, then the end
                        }
                    } catch (java.net.SocketException reset) {
                        // a reset is an end too
                    }
                }
                assertThrows(java.io.IOException.class, () -> from("127.0.0.72", port).close(), "no longer listening");
            } finally {
                for (Socket c : clients) c.close();
            }
            awaitNothingLeft(front, server, fds, "after the front's close");
        }
    }

    /**
     * The real JDK server refusing a body it does not want, through the front as when reached directly. The JDK
     * closes with the body unread, so its kernel answers the next bytes with a reset, and a reset may drop what
     * was not delivered yet (CI saw it once, at 62 ms): TCP cannot promise the whole refusal here, on either path.
     * What must hold: whatever arrives is the refusal's own bytes in order, and the connection ends, never hangs.
     */
    @Test
    void theJdkServersEarlyRefusalOfALargeBodyReachesTheClient() throws Exception {
        GuardedHttp.Limits limits = new GuardedHttp.Limits(6, 3, Duration.ofSeconds(3), Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(30));
        GuardedHttp.applyJdkLimits(limits);
        byte[] refusal = random(new java.util.Random(seed(413L)), 100 * 1024);
        HttpServer http = HttpServer.create(GuardedHttp.backendAddress(), 16);
        http.setExecutor(GuardedHttp.workers(limits, "test-http"));
        http.createContext("/", x -> { // answers without reading the body
            x.sendResponseHeaders(413, refusal.length);
            x.getResponseBody().write(refusal);
            x.close();
        });
        http.start();
        try (GuardedHttp front = GuardedHttp.start("test", new InetSocketAddress("127.0.0.1", 0), http.getAddress(), WIDE, true)) {
            for (int port : new int[] {http.getAddress().getPort(), front.port()}) {
                String what = port == front.port() ? "through the front" : "directly";
                try (Socket c = from("127.0.0.73", port)) {
                    c.setSoTimeout(10_000);
                    byte[] body = new byte[8 * 1024 * 1024];
                    var writer = java.util.concurrent.CompletableFuture.runAsync(() -> {
                        try {
                            c.getOutputStream().write(("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                            c.getOutputStream().write(body);
                        } catch (java.io.IOException refused) {
                            // expected once the server has had enough
                        }
                    });
                    InputStream in = new java.io.BufferedInputStream(c.getInputStream());
                    java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
                    String head = "";
                    try {
                        head = new String(readHead(in), StandardCharsets.US_ASCII);
                        byte[] chunk = new byte[8192];
                        for (int n; got.size() < refusal.length && (n = in.read(chunk, 0, Math.min(chunk.length, refusal.length - got.size()))) > 0; ) got.write(chunk, 0, n);
                    } catch (java.net.SocketException reset) {
                        System.out.println("early refusal " + what + ": reset after " + got.size() + " of " + refusal.length + " bytes (" + reset.getMessage() + ")");
                    }
                    if (!head.isEmpty()) assertTrue(head.startsWith("HTTP/1.1 413"), what + ": " + head);
                    assertArrayEquals(java.util.Arrays.copyOf(refusal, got.size()), got.toByteArray(), what + ": the refusal's own bytes, in order");
                    writer.get(10, java.util.concurrent.TimeUnit.SECONDS);
                }
            }
        } finally {
            http.stop(0);
        }
    }
}
