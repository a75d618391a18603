package ktp.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What stands between the network and a JDK {@code com.sun.net.httpserver} server (the operator console, the data
 * center simulator) so that slow or many clients cannot starve it (docs/console.md, docs/central-api.md).
 *
 * <p>The JDK server reads a request's line and headers on a worker thread, blocking: with a fixed pool of 8,
 * nine clients sending a header line every 5 s stopped the console's sign-in. Three measures together:
 * <ul>
 * <li><b>Time</b>, by the JDK server itself ({@link #applyJdkLimits}): a request's head and body must arrive
 * within {@link Limits#requestTime} ({@code sun.net.httpserver.maxReqTime}), a response be taken within
 * {@link Limits#responseTime}, an idle kept-alive connection is closed after {@link Limits#idleTime}; at most
 * 100 header lines of 16 KiB in all. These properties are global to the JVM and read once, when the first
 * server is created, so both servers share one set.</li>
 * <li><b>Connections</b>, by a front listener on the public address that accepts every connection at once,
 * refuses (HTTP 503, or a plain close for TLS) any beyond {@link Limits#maxConnections} in all or
 * {@link Limits#maxPerAddress} from one client address, closes a connection that sends nothing within
 * {@link Limits#firstByteTime} or does not take its answer within {@link Limits#responseTime}, and relays the
 * others' bytes unchanged to the JDK server on an ephemeral loopback port (TLS passes through: client
 * certificates still reach the server).</li>
 * <li><b>Threads</b>: the JDK server gets a worker for every connection the front admits ({@link #workers}),
 * so a slow client holds only its own worker, never one a sign-in or health check needs.</li>
 * </ul>
 */
public final class GuardedHttp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GuardedHttp.class);

    /** The bounds; see the class comment. */
    public record Limits(int maxConnections, int maxPerAddress, Duration firstByteTime, Duration requestTime,
                         Duration responseTime, Duration idleTime) {
        public Limits {
            if (maxConnections < 1 || maxPerAddress < 1 || maxPerAddress > maxConnections) {
                throw new IllegalArgumentException("connections: at least 1 in all and per address, and no more per address than in all");
            }
        }

        /** The operator console: a few operators' browsers on a station's LAN. */
        public static final Limits CONSOLE = new Limits(256, 16, Duration.ofSeconds(10), Duration.ofSeconds(10),
                Duration.ofSeconds(30), Duration.ofSeconds(30));

        /** The data center simulator: many stations, each with a few connections. */
        public static final Limits CENTRAL = new Limits(512, 32, Duration.ofSeconds(10), Duration.ofSeconds(10),
                Duration.ofSeconds(30), Duration.ofSeconds(30));
    }

    private static final byte[] BUSY = ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 45\r\n"
            + "Retry-After: 5\r\nConnection: close\r\n\r\ntoo many connections from you or in all; retry").getBytes(StandardCharsets.US_ASCII);
    private static final Object JDK_LIMITS = new Object();
    private static Limits jdkLimitsApplied;

    private final ServerSocket front;
    private final InetSocketAddress backend;
    private final Limits limits;
    private final boolean plainHttp;
    private final String name;
    private final ExecutorService relays;
    private final ScheduledExecutorService reaper;
    private final Set<Pair> open = ConcurrentHashMap.newKeySet();
    private final Map<InetAddress, Integer> perAddress = new HashMap<>();
    private final AtomicInteger refused = new AtomicInteger();
    private final Thread acceptor;
    private volatile boolean closed;

    /**
     * Sets the JDK server's global time and header limits, once per JVM, before any server is created. A second
     * call with other limits keeps the first (the JDK has read them) and says so in the log.
     */
    public static void applyJdkLimits(Limits l) {
        synchronized (JDK_LIMITS) {
            if (jdkLimitsApplied != null) {
                if (!jdkLimitsApplied.requestTime().equals(l.requestTime()) || !jdkLimitsApplied.idleTime().equals(l.idleTime())) {
                    LOG.info("HTTP time limits already set for this JVM ({}); keeping them", jdkLimitsApplied);
                }
                return;
            }
            System.setProperty("sun.net.httpserver.maxReqTime", Long.toString(Math.max(1, l.requestTime().toSeconds())));
            System.setProperty("sun.net.httpserver.maxRspTime", Long.toString(Math.max(1, l.responseTime().toSeconds())));
            System.setProperty("sun.net.httpserver.idleInterval", Long.toString(Math.max(1, l.idleTime().toSeconds())));
            System.setProperty("sun.net.httpserver.timerMillis", "500");
            System.setProperty("sun.net.httpserver.maxReqHeaders", "100");
            System.setProperty("sun.net.httpserver.maxReqHeaderSize", Integer.toString(16 * 1024));
            // the front already bounds connections; the JDK's own cap is a second line behind it
            System.setProperty("jdk.httpserver.maxConnections", Integer.toString(Limits.CENTRAL.maxConnections() + 64));
            // The JDK server writes headers and body separately; with Nagle on, the body waits for the client's
            // delayed ACK (about 40 ms a request on Linux).
            System.setProperty("sun.net.httpserver.nodelay", "true");
            jdkLimitsApplied = l;
        }
    }

    /** A worker for every connection the front can admit (threads end after 30 s idle). */
    public static ExecutorService workers(Limits l, String threadName) {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(4, l.maxConnections() + 8, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /** Where the JDK server should listen: loopback, an ephemeral port; only the front reaches it. */
    public static InetSocketAddress backendAddress() { return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0); }

    /**
     * Listens on {@code publicAddress} and relays admitted connections to {@code backend}.
     *
     * @param plainHttp whether the clients speak plain HTTP (a refused one then gets a 503 it can read)
     */
    public static GuardedHttp start(String name, InetSocketAddress publicAddress, InetSocketAddress backend, Limits limits, boolean plainHttp) throws IOException {
        ServerSocket ss = new ServerSocket();
        ss.setReuseAddress(true);
        ss.bind(publicAddress, 256);
        return new GuardedHttp(name, ss, backend, limits, plainHttp);
    }

    private GuardedHttp(String name, ServerSocket front, InetSocketAddress backend, Limits limits, boolean plainHttp) {
        this.name = name;
        this.front = front;
        this.backend = backend;
        this.limits = limits;
        this.plainHttp = plainHttp;
        this.relays = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, name + "-relay");
            t.setDaemon(true);
            return t;
        });
        this.reaper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name + "-reaper");
            t.setDaemon(true);
            return t;
        });
        reaper.scheduleWithFixedDelay(this::reap, 250, 250, TimeUnit.MILLISECONDS);
        this.acceptor = new Thread(this::acceptLoop, name + "-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public InetSocketAddress address() { return (InetSocketAddress) front.getLocalSocketAddress(); }

    public int port() { return front.getLocalPort(); }

    /** Connections open now, and refused since the start (for tests and health pages). */
    public int openConnections() { return open.size(); }

    public int refusedConnections() { return refused.get(); }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = front.accept();
            } catch (IOException e) {
                if (closed) return;
                LOG.warn("{}: accept failed: {}", name, e.getMessage());
                sleepQuietly();
                continue;
            }
            InetAddress from = client.getInetAddress();
            boolean admitted;
            synchronized (perAddress) {
                int mine = perAddress.getOrDefault(from, 0);
                admitted = open.size() < limits.maxConnections() && mine < limits.maxPerAddress();
                if (admitted) perAddress.put(from, mine + 1);
            }
            if (!admitted) {
                refuse(client);
                continue;
            }
            Pair p = new Pair(client, from);
            open.add(p);
            try {
                relays.execute(p::run);
            } catch (RuntimeException e) {
                p.close();
            }
        }
    }

    private void refuse(Socket client) {
        if (refused.incrementAndGet() % 100 == 1) LOG.warn("{}: refusing connections beyond the limits ({} in all, {} per address); {} refused so far",
                name, limits.maxConnections(), limits.maxPerAddress(), refused.get());
        try (client) {
            if (plainHttp) {
                client.setSoTimeout(1000);
                client.getOutputStream().write(BUSY);
                client.shutdownOutput();
            }
        } catch (IOException ignored) {
            // a refused client that is gone already
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Closes connections that sent nothing in time, or stopped taking their answer. */
    private void reap() {
        long now = System.nanoTime();
        for (Pair p : open) {
            if (!p.firstByte && now - p.accepted > limits.firstByteTime().toNanos()) p.close();
            long w = p.writingSince;
            if (w != 0 && now - w > limits.responseTime().toNanos()) p.close();
        }
    }

    /** One admitted client and its relay to the JDK server. */
    private final class Pair {
        final Socket client;
        final InetAddress from;
        final long accepted = System.nanoTime();
        volatile boolean firstByte;
        volatile long writingSince;
        Socket server;
        private final AtomicInteger running = new AtomicInteger(2);
        private volatile boolean done;

        Pair(Socket client, InetAddress from) {
            this.client = client;
            this.from = from;
        }

        void run() {
            try {
                client.setTcpNoDelay(true);
                Socket s = new Socket();
                s.setTcpNoDelay(true);
                s.connect(backend, 2000);
                synchronized (this) {
                    if (done) { s.close(); return; }
                    server = s;
                }
                relays.execute(this::clientToServer);
            } catch (IOException | RuntimeException e) {
                LOG.warn("{}: cannot reach the server behind the front: {}", name, e.getMessage());
                close();
                return;
            }
            serverToClient();
        }

        private void clientToServer() {
            byte[] buf = new byte[16 * 1024];
            try {
                InputStream in = client.getInputStream();
                OutputStream out = server.getOutputStream();
                int n;
                while ((n = in.read(buf)) > 0) {
                    firstByte = true;
                    out.write(buf, 0, n);
                }
                server.shutdownOutput(); // the client is done sending; its answer may still come
            } catch (IOException e) {
                close();
            } finally {
                finished();
            }
        }

        private void serverToClient() {
            byte[] buf = new byte[16 * 1024];
            try {
                InputStream in = server.getInputStream();
                OutputStream out = client.getOutputStream();
                int n;
                while ((n = in.read(buf)) > 0) {
                    writingSince = System.nanoTime();
                    out.write(buf, 0, n);
                    writingSince = 0;
                }
            } catch (IOException ignored) {
                // either side went away
            } finally {
                close();
                finished();
            }
        }

        private void finished() {
            if (running.decrementAndGet() == 0) close();
        }

        void close() {
            Socket s;
            synchronized (this) {
                if (done) return;
                done = true;
                s = server;
            }
            // counted out before the sockets close, so a client that sees the close and reconnects at once finds its slot free
            if (open.remove(this)) {
                synchronized (perAddress) {
                    perAddress.computeIfPresent(from, (k, v) -> v <= 1 ? null : v - 1);
                }
            }
            try { client.close(); } catch (IOException ignored) { }
            if (s != null) try { s.close(); } catch (IOException ignored) { }
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            front.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Pair p : open) p.close();
        reaper.shutdownNow();
        relays.shutdownNow();
    }
}
