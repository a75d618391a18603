package ktp.sim.central;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import ktp.central.Tls;
import ktp.http.GuardedHttp;
import ktp.sim.records.DataCenterKey;
import ktp.sim.records.FingerprintLibrary;
import ktp.sim.records.RecordGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The simulated data center as a running server: the population, its state file, the HTTP(S) API and the
 * clock that moves residents. HTTPS requires a client certificate from the stations' CA; plain HTTP is
 * served only when asked for, and then stations authenticate with tokens.
 */
public final class CentralServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CentralServer.class);

    /** Where the server listens and how it is secured. {@code pki} null means plain HTTP. */
    /** {@code defectEvery}: every so many residents' record is served with a defect a station must refuse (0: none). */
    public record Options(InetSocketAddress listen, Path stateDir, long seed, int population, double failureRate,
                          double speed, java.time.Duration lease, TestPki pki, java.util.Map<String, String> stations, int defectEvery) {
        public Options {
            if (defectEvery < 0) throw new IllegalArgumentException("defectEvery must be 0 (none) or more, got " + defectEvery);
        }

        public Options(InetSocketAddress listen, Path stateDir, long seed, int population, double failureRate,
                       double speed, java.time.Duration lease, TestPki pki, java.util.Map<String, String> stations) {
            this(listen, stateDir, seed, population, failureRate, speed, lease, pki, stations, 0);
        }
    }

    private final DataCenter center;
    private final HttpServer http;
    private final ExecutorService workers;
    private final GuardedHttp front;
    private final ScheduledExecutorService ticker;
    private final RecordSource records;
    private final boolean tls;
    private CentralApi api;

    /** A data center slow to answer: every station request waits {@code delay} (zero: at once again). */
    public void slowBy(java.time.Duration delay) { api.slowBy(delay.toMillis()); }

    /** A data center failing: every station request is answered {@code status} (a 5xx), 0 to answer normally again. */
    public void failWith(int status) { api.failWith(status); }

    private CentralServer(DataCenter center, RecordSource records, HttpServer http, ExecutorService workers, GuardedHttp front, boolean tls) {
        this.center = center;
        this.front = front;
        this.records = records;
        this.http = http;
        this.workers = workers;
        this.tls = tls;
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "central-clock");
            t.setDaemon(true);
            return t;
        });
    }

    public static CentralServer start(Options o) throws IOException {
        return start(o, FingerprintLibrary.embedded(), Clock.systemUTC());
    }

    public static CentralServer start(Options o, FingerprintLibrary fingers, Clock clock) throws IOException {
        DataCenter.Settings settings = new DataCenter.Settings(o.seed(), o.population(), o.failureRate(), o.speed(), o.lease());
        RecordSource records = new RecordSource(new RecordGenerator(o.seed(), fingers, RecordGenerator.defaultIssueDate(o.seed())),
                DataCenterKey.fromSeed(o.seed()), o.defectEvery());
        DataCenter center = DataCenter.open(o.stateDir().resolve("central.log"), settings, records, clock);
        StationRegistry registry = new StationRegistry();
        o.stations().forEach(registry::add);
        // Slow or many stations cannot starve the data center (ktp.http.GuardedHttp, docs/central-api.md): the
        // JDK server listens on loopback behind a front that bounds connections in all and per address and
        // relays the bytes (TLS passes through, client certificates included), with a worker for every
        // admitted connection and the JDK's limits on the time to read a request. They also set TCP_NODELAY.
        GuardedHttp.Limits limits = GuardedHttp.Limits.CENTRAL;
        GuardedHttp.applyJdkLimits(limits);
        HttpServer http;
        try {
            if (o.pki() != null) {
                SSLContext ctx = Tls.context(o.pki().caFile(), o.pki().certificate("server"), o.pki().key("server"));
                HttpsServer https = HttpsServer.create(GuardedHttp.backendAddress(), 256);
                https.setHttpsConfigurator(new HttpsConfigurator(ctx) {
                    @Override
                    public void configure(HttpsParameters params) {
                        SSLParameters p = ctx.getDefaultSSLParameters();
                        p.setNeedClientAuth(true);
                        params.setSSLParameters(p);
                    }
                });
                http = https;
            } else {
                http = HttpServer.create(GuardedHttp.backendAddress(), 256);
            }
        } catch (IOException e) {
            center.close();
            throw new IOException("cannot listen on " + o.listen() + ": " + e.getMessage(), e);
        }
        ExecutorService workers = GuardedHttp.workers(limits, "central-http");
        http.setExecutor(workers);
        CentralApi api = new CentralApi(center, records, registry);
        http.createContext("/", api);
        GuardedHttp front;
        try {
            front = GuardedHttp.start("central", o.listen(), http.getAddress(), limits, o.pki() == null);
        } catch (IOException e) {
            workers.shutdownNow();
            center.close();
            throw new IOException("cannot listen on " + o.listen() + ": " + e.getMessage(), e);
        }
        CentralServer server = new CentralServer(center, records, http, workers, front, o.pki() != null);
        server.api = api;
        center.advance();
        http.start();
        server.ticker.scheduleWithFixedDelay(server::tick, 100, 100, TimeUnit.MILLISECONDS);
        return server;
    }

    private void tick() {
        try {
            center.advance();
        } catch (RuntimeException e) {
            LOG.error("the data center's clock failed", e);
        }
    }

    public URI uri() {
        InetSocketAddress a = front.address();
        return URI.create((tls ? "https" : "http") + "://" + a.getHostString() + ":" + a.getPort());
    }

    public int port() { return front.port(); }

    /** Records waiting for a station (PRINT_READY_RECORD, not leased). */
    public int readyCount() { return center.readyCount(); }

    /** The data center's public key, as a station's trusted-key directory needs it. */
    public DataCenterKey key() { return records.key(); }

    DataCenter center() { return center; }

    /** What the health endpoint shows, for tools and benchmarks in other packages. */
    public int readyToLease() { return center.readyCount(); }

    public int activeLeases() { return center.activeLeaseCount(); }

    /** Records held for a person at the data center (declined by a station), with their record ids. */
    public java.util.List<String> heldRecords() { return center.heldRecordIds(); }

    public java.util.Map<ktp.lifecycle.NationalStatus, Integer> statusCounts() { return center.counts(); }

    /**
     * Signs the envelopes of the residents now free to lease, ahead of the stations (at most the cache's size),
     * so that a benchmark measures the API and the station rather than the simulator's record generator.
     */
    public int prepareEnvelopes() {
        int n = 0;
        for (DataCenter.LeaseView l : center.readyViews(RecordSource.CACHE_SIZE)) {
            records.envelope(l.index(), l.recordVersion());
            n++;
        }
        return n;
    }

    @Override
    public void close() throws IOException {
        ticker.shutdownNow();
        front.close();
        http.stop(0);
        workers.shutdownNow();
        center.close();
    }
}
