package ktp.http;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import ktp.i18n.StationLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What stands between the network and a JDK {@code com.sun.net.httpserver} server (the operator console, the data
 * center simulator) so that slow or many clients cannot starve it (docs/console.md, docs/central-api.md).
 *
 * <p>The JDK server reads a request's line and headers on a worker thread, blocking: with a fixed pool of 8,
 * nine clients sending a header line every 5 s stopped the console's sign-in. Four measures together:
 * <ul>
 * <li><b>Time</b>, by the JDK server itself ({@link #applyJdkLimits}): a request's head and body must arrive
 * within {@link Limits#requestTime} ({@code sun.net.httpserver.maxReqTime}), a response be taken within
 * {@link Limits#responseTime}, an idle kept-alive connection is closed after {@link Limits#idleTime}; at most
 * 100 header lines of 16 KiB in all. These properties are global to the JVM and read once, when the first
 * server is created, so both servers share one set.</li>
 * <li><b>Connections</b>, by a front on the public address: one thread and a selector, no thread per connection,
 * so a burst of hundreds of connections costs a registration each (with a thread per connection, 400 slow
 * connections opened at once kept the front starting threads for over a second while a sign-in waited behind
 * them). The front refuses (HTTP 503, or a plain close for TLS) any connection beyond {@link Limits#maxConnections}
 * in all or {@link Limits#maxPerAddress} from one client address, closes one that sends nothing within
 * {@link Limits#firstByteTime} or does not take its answer within {@link Limits#responseTime}, and relays the
 * others' bytes unchanged to the JDK server on an ephemeral loopback port (TLS passes through: client
 * certificates still reach the server). The two directions end apart: a server that answers and closes while
 * its client still sends has all its answer delivered, then the client's side is ended and what it still sends
 * read and dropped for a moment (a close with bytes unread would be a reset, which loses the answer's end).</li>
 * <li><b>Request heads</b>, for plain HTTP: the front holds a new connection's bytes until its request head is
 * complete (the blank line), and only then connects it to the JDK server; a head not complete within
 * {@link Limits#requestTime} is closed by the front, and one over {@value #MAX_HEAD} bytes answered 431. A
 * slow-header client therefore never reaches the JDK server nor holds one of its workers. Later requests on a
 * kept-alive connection go straight through; the JDK's own time limit bounds them.</li>
 * <li><b>Threads</b>: the JDK server gets a worker for every connection the front admits ({@link #workers}),
 * so a client slow after its first request holds only its own worker, never one a sign-in or health check needs.</li>
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

    /** The longest request head the front holds (the JDK's own limit is 16 KiB of header lines). */
    static final int MAX_HEAD = 32 * 1024;
    /** Bytes held for each direction of a relayed connection. */
    private static final int BUFFER = 64 * 1024;
    /** How long the front waits for the JDK server behind it to take a connection. */
    private static final long BACKEND_CONNECT_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** How long a refused client gets to read its 503 before its connection is closed. */
    private static final long REFUSED_LINGER_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private static final byte[] TOO_LARGE = ("HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: text/plain\r\nContent-Length: 23\r\n"
            + "Connection: close\r\n\r\nrequest head too large\n").getBytes(StandardCharsets.US_ASCII);
    private static final byte[] BUSY = ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 45\r\n"
            + "Retry-After: 5\r\nConnection: close\r\n\r\ntoo many connections from you or in all; retry").getBytes(StandardCharsets.US_ASCII);
    private static final Object JDK_LIMITS = new Object();
    private static Limits jdkLimitsApplied;

    private final Selector selector;
    private final ServerSocketChannel front;
    private final SelectionKey frontKey;
    private final InetSocketAddress backend;
    private final Limits limits;
    private final boolean plainHttp;
    private final String name;
    /** Admitted connections and their count per client address; touched by the front's thread only. */
    private final Set<Relay> open = new HashSet<>();
    private final Map<InetAddress, Integer> perAddress = new HashMap<>();
    /** Refused connections reading their 503 before the close; the front's thread only. */
    private final Set<Refused> refusing = new HashSet<>();
    private final AtomicInteger openCount = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();
    private final Thread loop;
    private final ByteBuffer discard = ByteBuffer.allocate(4096);
    private volatile boolean closed;
    private long acceptPausedUntil;
    private long lastTick = System.nanoTime();

    /**
     * Sets the JDK server's global time and header limits, once per JVM, before any server is created. A second
     * call with other limits keeps the first (the JDK has read them) and says so in the log.
     */
    public static void applyJdkLimits(Limits l) {
        synchronized (JDK_LIMITS) {
            if (jdkLimitsApplied != null) {
                if (!jdkLimitsApplied.requestTime().equals(l.requestTime()) || !jdkLimitsApplied.idleTime().equals(l.idleTime())) {
                    LOG.info(StationLog.line("http.limitsKept", jdkLimitsApplied));
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
     * @param plainHttp whether the clients speak plain HTTP (a refused one then gets a 503 it can read, and the
     *                  front holds each new connection's request head until it is complete)
     */
    public static GuardedHttp start(String name, InetSocketAddress publicAddress, InetSocketAddress backend, Limits limits, boolean plainHttp) throws IOException {
        Selector selector = Selector.open();
        ServerSocketChannel ss = ServerSocketChannel.open();
        try {
            ss.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            ss.bind(publicAddress, 1024);
            ss.configureBlocking(false);
            return new GuardedHttp(name, selector, ss, backend, limits, plainHttp);
        } catch (IOException | RuntimeException e) {
            ss.close();
            selector.close();
            throw e;
        }
    }

    private GuardedHttp(String name, Selector selector, ServerSocketChannel front, InetSocketAddress backend, Limits limits, boolean plainHttp)
            throws IOException {
        this.name = name;
        this.selector = selector;
        this.front = front;
        this.frontKey = front.register(selector, SelectionKey.OP_ACCEPT);
        this.backend = backend;
        this.limits = limits;
        this.plainHttp = plainHttp;
        this.loop = new Thread(this::run, name + "-front");
        loop.setDaemon(true);
        loop.start();
    }

    public InetSocketAddress address() {
        try {
            return (InetSocketAddress) front.getLocalAddress();
        } catch (IOException e) {
            throw new IllegalStateException(name + ": the front is closed", e);
        }
    }

    public int port() { return address().getPort(); }

    /** Connections open now, and refused since the start (for tests and health pages). */
    public int openConnections() { return openCount.get(); }

    public int refusedConnections() { return refused.get(); }

    /** The front's one thread: accepts, relays and enforces the time limits until {@link #close}. */
    private void run() {
        try {
            while (!closed) {
                selector.select(TimeUnit.NANOSECONDS.toMillis(TICK_NANOS));
                for (SelectionKey key : selector.selectedKeys()) {
                    Object a = key.attachment();
                    try {
                        if (a == null) acceptAll();
                        else if (a instanceof Relay r) r.ready(key);
                        else ((Refused) a).ready();
                    } catch (RuntimeException e) {
                        // a fault in one connection's handling must not stop the front for all the others
                        LOG.error(StationLog.line("http.unexpected", name, e), e);
                        if (a instanceof Relay r) r.close();
                        else if (a instanceof Refused r) r.close();
                    }
                }
                selector.selectedKeys().clear();
                long now = System.nanoTime();
                if (now - lastTick >= TICK_NANOS) {
                    lastTick = now;
                    tick(now);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not expected: the selector itself failed; say so loudly, the servers behind can no longer be reached
            if (!closed) LOG.error(StationLog.line("http.stopped", name, e), e);
        } finally {
            for (Relay r : new ArrayList<>(open)) r.close();
            for (Refused r : new ArrayList<>(refusing)) r.close();
            try { front.close(); } catch (IOException ignored) { }
            try { selector.close(); } catch (IOException ignored) { }
        }
    }

    private void acceptAll() {
        // a bounded batch, so that a flood of connections cannot keep the relays of admitted ones waiting
        for (int i = 0; i < 64; i++) {
            SocketChannel client;
            try {
                client = front.accept();
            } catch (IOException e) {
                // out of file descriptors, most likely: stop accepting for a moment instead of spinning on it
                LOG.warn(StationLog.line("http.acceptFailed", name, e.getMessage()));
                frontKey.interestOps(0);
                acceptPausedUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
                return;
            }
            if (client == null) return;
            InetAddress from = ((InetSocketAddress) client.socket().getRemoteSocketAddress()).getAddress();
            int mine = perAddress.getOrDefault(from, 0);
            if (open.size() >= limits.maxConnections() || mine >= limits.maxPerAddress()) {
                refuse(client);
                continue;
            }
            try {
                client.configureBlocking(false);
                client.setOption(StandardSocketOptions.TCP_NODELAY, true);
                Relay r = new Relay(client, from);
                r.clientKey = client.register(selector, SelectionKey.OP_READ, r);
                perAddress.put(from, mine + 1);
                open.add(r);
                openCount.incrementAndGet();
            } catch (IOException e) {
                try { client.close(); } catch (IOException ignored) { }
            }
        }
    }

    private void refuse(SocketChannel client) {
        if (refused.incrementAndGet() % 100 == 1) LOG.warn(StationLog.line("http.refusing",
                name, limits.maxConnections(), limits.maxPerAddress(), refused.get()));
        try {
            client.configureBlocking(false);
            if (!plainHttp) {
                client.close();
                return;
            }
            // the 503 fits a fresh socket's send buffer; then read what the client sends until it closes (or
            // a second passes), so that its request unread does not turn our close into a reset it cannot read past
            client.write(ByteBuffer.wrap(BUSY));
            client.shutdownOutput();
            linger(client, null);
        } catch (IOException e) {
            try { client.close(); } catch (IOException ignored) { }
        }
    }

    /**
     * Reads and drops what a client whose answer is complete still sends, until it closes or a second has passed.
     * At most {@link Limits#maxConnections} linger at once; beyond, a flood of refused connections would hold a
     * descriptor each, so the close comes at once.
     */
    private void linger(SocketChannel client, SelectionKey keyOrNull) throws IOException {
        if (refusing.size() >= limits.maxConnections()) {
            client.close();
            return;
        }
        Refused r = new Refused(client);
        if (keyOrNull == null) {
            client.register(selector, SelectionKey.OP_READ, r);
        } else {
            keyOrNull.attach(r);
            keyOrNull.interestOps(SelectionKey.OP_READ);
        }
        refusing.add(r);
    }

    /** Every 250 ms: the time limits, and accepting again after a pause. */
    private void tick(long now) {
        if (acceptPausedUntil != 0 && now >= acceptPausedUntil && frontKey.isValid()) {
            acceptPausedUntil = 0;
            frontKey.interestOps(SelectionKey.OP_ACCEPT);
        }
        for (Relay r : new ArrayList<>(open)) {
            if (!r.firstByte && now - r.accepted > limits.firstByteTime().toNanos()) r.close();
            else if (!r.headDone && now - r.accepted > limits.requestTime().toNanos()) r.close();
            else if (r.pendingSince != 0 && now - r.pendingSince > limits.responseTime().toNanos()) r.close();
            else if (r.connectingSince != 0 && now - r.connectingSince > BACKEND_CONNECT_NANOS) {
                LOG.warn(StationLog.line("http.backendSlow", name));
                r.close();
            }
        }
        for (Refused r : new ArrayList<>(refusing)) {
            if (now - r.since > REFUSED_LINGER_NANOS) r.close();
        }
    }

    /** A refused plain-HTTP client reading its 503. */
    private final class Refused {
        final SocketChannel client;
        final long since = System.nanoTime();

        Refused(SocketChannel client) { this.client = client; }

        void ready() {
            try {
                discard.clear();
                if (client.read(discard) < 0) close();
            } catch (IOException e) {
                close();
            }
        }

        void close() {
            refusing.remove(this);
            try { client.close(); } catch (IOException ignored) { }
        }
    }

    /**
     * One admitted client and its connection to the JDK server. {@code up} holds the client's bytes not yet
     * taken by the server, {@code down} the server's not yet taken by the client; both in filling mode.
     */
    private final class Relay {
        final SocketChannel client;
        final InetAddress from;
        final long accepted = System.nanoTime();
        final ByteBuffer up = ByteBuffer.allocate(BUFFER);
        ByteBuffer down;
        SelectionKey clientKey;
        SelectionKey serverKey;
        SocketChannel server;
        boolean firstByte;
        /** The request head is complete (plain HTTP) or not looked for (TLS): the bytes may go to the server. */
        boolean headDone;
        int headScanned;
        boolean clientEnded;
        boolean serverEnded;
        boolean serverConnected;
        /** The server takes no more bytes (it closed, or a write to it failed): the client's are dropped. */
        boolean upClosed;
        long connectingSince;
        /** Since when the client has left part of its answer untaken (0: it has taken all). */
        long pendingSince;
        private boolean done;

        Relay(SocketChannel client, InetAddress from) {
            this.client = client;
            this.from = from;
            this.headDone = !plainHttp;
        }

        void ready(SelectionKey key) {
            if (done) return;
            try {
                if (key == serverKey) {
                    if (key.isConnectable()) finishConnect();
                    if (!done && key.isValid() && key.isReadable()) readServer();
                    if (!done && key.isValid() && key.isWritable()) flushUp();
                } else {
                    if (key.isReadable()) readClient();
                    if (!done && key.isValid() && key.isWritable()) flushDown();
                }
                if (!done) interest();
            } catch (IOException e) {
                close();
            } catch (RuntimeException e) {
                LOG.error(StationLog.line("http.relayFailed", name, from.getHostAddress(), e), e);
                close();
            }
        }

        private void readClient() throws IOException {
            int n = client.read(up);
            if (n < 0) {
                clientEnded = true;
                if (!headDone || server == null) { close(); return; } // gone before its request was whole (or, TLS, before a byte)
                if (serverConnected) flushUp();
                return;
            }
            if (n == 0) return;
            firstByte = true;
            if (upClosed) { // the server has gone: what the client still sends is read and dropped
                up.clear();
                return;
            }
            if (!headDone) {
                int end = headEnd();
                // the limit holds wherever the reads split the bytes: a long head that came in one read is as long
                if (end > MAX_HEAD || (end < 0 && up.position() > MAX_HEAD)) {
                    tooLarge();
                    return;
                }
                if (end < 0) return;
                headDone = true;
            }
            if (server == null) connectServer();
            else if (serverConnected) flushUp();
        }

        /**
         * Where the request head ends in the bytes held so far (just after its empty line), or -1 if it has not
         * ended yet. The JDK server ends a header line at LF with or without CR before it, so the head ends at LF,
         * optional CR, LF: CRLF CRLF, bare LF LF, and LF CRLF alike (the last one the JDK answers; held by the
         * front until its time ran out, it never did).
         */
        private int headEnd() {
            byte[] a = up.array();
            int end = up.position();
            for (int i = Math.max(0, headScanned - 2); i < end; i++) {
                if (a[i] != '\n') continue;
                if (i >= 1 && a[i - 1] == '\n') return i + 1;
                if (i >= 2 && a[i - 1] == '\r' && a[i - 2] == '\n') return i + 1;
            }
            headScanned = end;
            return -1;
        }

        /** Answers 431 and lets the client read it as a refused one does (its unread head must not turn the close into a reset). */
        private void tooLarge() throws IOException {
            client.write(ByteBuffer.wrap(TOO_LARGE));
            endAndLinger();
        }

        /**
         * Ends the client's side after all it was sent, gives the slot back, and reads what the client still sends
         * for a moment before the close: closing a socket with unread bytes makes the kernel send a reset, which
         * throws away the answer's bytes not yet delivered.
         */
        private void endAndLinger() throws IOException {
            client.shutdownOutput();
            release();
            linger(client, clientKey);
        }

        private void connectServer() throws IOException {
            server = SocketChannel.open();
            server.configureBlocking(false);
            server.setOption(StandardSocketOptions.TCP_NODELAY, true);
            down = ByteBuffer.allocate(BUFFER);
            boolean now = server.connect(backend);
            serverKey = server.register(selector, now ? 0 : SelectionKey.OP_CONNECT, this);
            if (now) connected();
            else connectingSince = System.nanoTime();
        }

        private void finishConnect() throws IOException {
            boolean connected;
            try {
                connected = server.finishConnect();
            } catch (IOException e) {
                LOG.warn(StationLog.line("http.backendUnreachable", name, e.getMessage()));
                throw e;
            }
            if (connected) connected();
        }

        private void connected() throws IOException {
            serverConnected = true;
            connectingSince = 0;
            flushUp();
        }

        private void flushUp() {
            if (upClosed) {
                up.clear();
                return;
            }
            try {
                if (up.position() > 0) {
                    up.flip();
                    server.write(up);
                    up.compact();
                }
                if (up.position() == 0 && clientEnded) server.shutdownOutput(); // the client is done; its answer may still come
            } catch (IOException e) {
                // the server stopped taking bytes (it answered early and closed, most likely): what it sent before
                // is still to be read and delivered, so only this direction ends
                upClosed = true;
                up.clear();
            }
        }

        private void readServer() throws IOException {
            int n;
            try {
                n = server.read(down);
            } catch (IOException e) {
                n = -1; // a reset after its answer: the bytes read before it are delivered all the same
            }
            if (n < 0) {
                serverEnded = true;
                upClosed = true;
                up.clear();
                try { server.close(); } catch (IOException ignored) { }
            }
            flushDown();
        }

        private void flushDown() throws IOException {
            if (down.position() > 0) {
                down.flip();
                client.write(down);
                down.compact();
            }
            if (down.position() > 0) {
                if (pendingSince == 0) pendingSince = System.nanoTime();
            } else {
                pendingSince = 0;
                if (serverEnded) { // the server closed and the client has all of it
                    if (clientEnded) close();
                    else endAndLinger(); // it may still be sending a body the server did not want
                }
            }
        }

        /** What each side should be watched for, given what is held. */
        private void interest() {
            int c = 0;
            if (!clientEnded && up.hasRemaining()) c |= SelectionKey.OP_READ;
            if (down != null && down.position() > 0) c |= SelectionKey.OP_WRITE;
            clientKey.interestOps(c);
            if (serverKey != null && serverKey.isValid()) {
                int s = 0;
                if (!serverConnected) s = SelectionKey.OP_CONNECT;
                else {
                    if (!serverEnded && down.hasRemaining()) s |= SelectionKey.OP_READ;
                    if (up.position() > 0) s |= SelectionKey.OP_WRITE;
                }
                serverKey.interestOps(s);
            }
        }

        void close() {
            if (done) return;
            release();
            try { client.close(); } catch (IOException ignored) { }
        }

        /** Gives the slot back and closes the server's side; the client's socket is closed by the caller. */
        private void release() {
            done = true;
            // counted out before the sockets close, so a client that sees the close and reconnects at once finds its slot free
            if (open.remove(this)) {
                openCount.decrementAndGet();
                perAddress.computeIfPresent(from, (k, v) -> v <= 1 ? null : v - 1);
            }
            if (server != null) try { server.close(); } catch (IOException ignored) { }
        }
    }

    @Override
    public void close() {
        closed = true;
        selector.wakeup();
        try {
            loop.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
