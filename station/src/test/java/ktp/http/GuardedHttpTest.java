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
}
