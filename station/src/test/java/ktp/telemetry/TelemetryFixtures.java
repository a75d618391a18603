package ktp.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import ktp.job.JobState;
import ktp.store.Actor;
import ktp.store.StationStore;

/** Shared pieces of the telemetry tests: events made by real job changes, the collector's archive read back, a cuttable link. */
final class TelemetryFixtures {
    private TelemetryFixtures() {}

    /** {@code n} jobs admitted and validated: n SENT_FOR_CARD_PRINTING events in the outbox, sequences following on. */
    static void events(StationStore store, int from, int n) {
        for (int i = from; i < from + n; i++) {
            String id = String.format("R%07d", i);
            store.admit(id, 1, String.format("3171%012d", i), ("envelope " + i).getBytes(), Actor.STATION);
            store.transition(id, JobState.VALIDATED, Actor.STATION, "", null);
        }
    }

    /** The sequences the collector stored for a station, in the order it stored them. */
    static List<Long> stored(Path archive, String station) throws IOException {
        List<Long> out = new ArrayList<>();
        if (!Files.exists(archive)) return out;
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(archive)) {
            JsonNode n = json.readTree(line);
            if (n.get("stationId").asText().equals(station)) out.add(n.get("sequence").asLong());
        }
        return out;
    }

    /**
     * How many messages on {@code topic} the collector refused as {@code kind}, from the refusals it keeps (one
     * JSON line each, with topic and why). Its summary's counts cover every topic it hears: on the shared broker
     * that includes the other test classes' stations running at the same time.
     */
    static long refusedOn(ktp.collector.Collector c, String topic, String kind) {
        try {
            if (!Files.exists(c.refusedFile())) return 0;
            ObjectMapper json = new ObjectMapper();
            long n = 0;
            for (String l : Files.readAllLines(c.refusedFile())) {
                JsonNode j = json.readTree(l);
                if (j.get("topic").asText().equals(topic) && j.get("refused").asText().equals(kind)) n++;
            }
            return n;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Every event 1..n exactly once and in order. */
    static void assertExactlyOnceInOrder(List<Long> sequences, long n) {
        List<Long> expected = new ArrayList<>();
        for (long i = 1; i <= n; i++) expected.add(i);
        if (!sequences.equals(expected)) {
            Map<Long, Integer> seen = new TreeMap<>();
            for (long s : sequences) seen.merge(s, 1, Integer::sum);
            long missing = expected.stream().filter(e -> !seen.containsKey(e)).count();
            long twice = seen.values().stream().filter(c -> c > 1).count();
            assertEquals(expected.size(), sequences.size(), "stored " + sequences.size() + " events; " + missing + " missing, " + twice + " twice");
            assertEquals(expected, sequences, "every event once, but out of order");
        }
    }

    static void await(BooleanSupplier condition, long timeoutMs, String what) throws InterruptedException {
        await(condition, timeoutMs, () -> what);
    }

    static void await(BooleanSupplier condition, long timeoutMs, java.util.function.Supplier<String> what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) throw new AssertionError("timed out after " + timeoutMs + " ms waiting for " + what.get());
            Thread.sleep(20);
        }
    }

    /** A TCP relay on loopback between a client and the broker that a test can cut (a network outage) and restore. */
    static final class CuttableLink implements AutoCloseable {
        private final ServerSocket server;
        private final int upstream;
        private final List<Socket> open = new CopyOnWriteArrayList<>();
        private volatile boolean cut;

        CuttableLink(int upstreamPort) throws IOException {
            this.upstream = upstreamPort;
            this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread t = new Thread(this::acceptLoop, "cuttable-link");
            t.setDaemon(true);
            t.start();
        }

        String url() { return "tcp://127.0.0.1:" + server.getLocalPort(); }

        /** Drops every connection and refuses new ones, as a pulled cable would. */
        void cut() {
            cut = true;
            for (Socket s : open) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
            open.clear();
        }

        void restore() { cut = false; }

        private void acceptLoop() {
            while (!server.isClosed()) {
                try {
                    Socket client = server.accept();
                    if (cut) {
                        client.close();
                        continue;
                    }
                    Socket broker = new Socket(InetAddress.getLoopbackAddress(), upstream);
                    client.setTcpNoDelay(true);
                    broker.setTcpNoDelay(true);
                    open.add(client);
                    open.add(broker);
                    pipe(client, broker);
                    pipe(broker, client);
                } catch (IOException e) {
                    // the server closed, or the broker is down: the client sees its connection fail
                }
            }
        }

        private void pipe(Socket from, Socket to) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[16384];
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    int n;
                    while ((n = in.read(buf)) >= 0) {
                        out.write(buf, 0, n);
                        out.flush();
                    }
                } catch (IOException e) {
                    // one side closed
                } finally {
                    try {
                        from.close();
                        to.close();
                    } catch (IOException ignored) {
                        // closing anyway
                    }
                }
            }, "cuttable-pipe");
            t.setDaemon(true);
            t.start();
        }

        @Override
        public void close() throws IOException {
            cut();
            server.close();
        }
    }
}
