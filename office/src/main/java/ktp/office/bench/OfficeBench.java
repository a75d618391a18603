package ktp.office.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import ktp.job.EventType;
import ktp.office.OfficeCli;
import ktp.office.collect.OfficeCollector;
import ktp.office.db.OfficeDatabase;
import ktp.store.OutboxEvent;
import ktp.telemetry.BrokerSettings;
import ktp.telemetry.Keyring;
import ktp.telemetry.SignedMessage;
import ktp.telemetry.TelemetryCodec;
import ktp.telemetry.TelemetryKey;
import ktp.telemetry.Topics;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ktp bench office} (docs/office.md, "Measured"): verified events per second from the broker into
 * PostgreSQL with one and with two collectors; a collector's start-up time with a large history stored against
 * an empty database; the dashboard's national and province day figures at that size. The stations' side is
 * signed beforehand (real batches of 32, real ES256 signatures from registered station keys) and published at
 * QoS 1 as fast as the broker takes them, so what is measured is the collectors: verify, check the schema,
 * store once, count, receipt. Every figure is the median (and p99 or the spread) of what was measured here.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Measure the office: ingest, collector start-up, day queries (docs/office.md).")
public final class OfficeBench implements Callable<Integer> {
    @Option(names = "--database", required = true, paramLabel = "JDBC-URL", description = "an admin database of a PostgreSQL server (a bench database is made and dropped there)") String admin;
    @Option(names = "--broker", required = true, paramLabel = "URL", description = "an MQTT broker with shared subscriptions (Mosquitto)") String broker;
    @Option(names = "--events", defaultValue = "96000", description = "events per ingest run (default ${DEFAULT-VALUE})") int events;
    @Option(names = "--runs", defaultValue = "3", description = "ingest runs per collector count (default ${DEFAULT-VALUE})") int runs;
    @Option(names = "--history", defaultValue = "10000000", description = "events generated for the start-up and query figures; 0 measures the ingest only (default ${DEFAULT-VALUE})") long history;
    @Option(names = "--warmup", defaultValue = "1", description = "ingest runs before the measured ones, not counted: the JIT compiles the ingest path, as in a collector that has run a minute (default ${DEFAULT-VALUE})") int warmup;
    @Option(names = "--stations", defaultValue = "60", description = "stations publishing (default ${DEFAULT-VALUE})") int stations;

    @Override
    public Integer call() throws Exception {
        Path tmp = Files.createTempDirectory("ktp-bench-office");
        TelemetryKey office = TelemetryKey.generate();
        Path registry = tmp.resolve("registry");
        List<TelemetryKey> keys = new ArrayList<>();
        String tag = Long.toHexString(System.nanoTime() & 0xffffffL);
        for (int s = 0; s < stations; s++) {
            TelemetryKey k = TelemetryKey.generate();
            Keyring.add(registry, station(tag, s), k.publicKey());
            keys.add(k);
        }
        Keyring ring = Keyring.watch(registry);
        System.out.println("ktp bench office: " + stations + " stations, " + events + " events a run, " + runs + " runs each; history " + history + " events");
        for (int collectors : new int[] {1, 2}) {
            double[] rates = new double[runs];
            for (int r = collectors == 1 ? -warmup : 0; r < runs; r++) {
                String db = fresh();
                try (OfficeDatabase d = OfficeDatabase.connect(url(db), null, null, 8)) {
                    // Signed beforehand, a new run id per bench run: the figure is the collectors', not the signing's.
                    List<byte[]> batches = new ArrayList<>();
                    List<String> topics = new ArrayList<>();
                    int perStation = events / stations;
                    for (int s = 0; s < stations; s++) {
                        String id = station(tag, s);
                        String run = TelemetryCodec.newRun();
                        for (int from = 1; from <= perStation; from += TelemetryCodec.MAX_BATCH) {
                            List<OutboxEvent> b = new ArrayList<>();
                            for (int q = from; q < from + TelemetryCodec.MAX_BATCH && q <= perStation; q++) {
                                b.add(new OutboxEvent(q, UUID.randomUUID().toString(), EventType.values()[q % 6], id, id + "-R" + q,
                                        String.format("%s%02d%010d", PROVINCES[(s + q) % PROVINCES.length], 1 + q % 20, q), "", "", Instant.now()));
                            }
                            batches.add(SignedMessage.seal(SignedMessage.Kind.EVENTS, TelemetryCodec.eventBatch(id, run, b, Instant.now()), keys.get(s)));
                            topics.add(Topics.events(id));
                        }
                    }
                    int total = perStation * stations;
                    String group = "bench-" + tag + "-" + collectors + "-" + (r + warmup);
                    List<OfficeCollector> cs = new ArrayList<>();
                    for (int c = 0; c < collectors; c++) {
                        cs.add(new OfficeCollector(d.dataSource(), BrokerSettings.plain(broker), office, ring, "bench-" + tag + "-" + collectors + (r + warmup) + c, group,
                                OfficeCli.ZONE, Clock.systemUTC(), OfficeCollector.ReceiptGate.ALL).start());
                    }
                    MqttAsyncClient pub = new MqttAsyncClient(broker, "ktp-bench-publisher-" + tag + (r + warmup) + collectors, new MemoryPersistence());
                    MqttConnectOptions o = new MqttConnectOptions();
                    o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
                    o.setMaxInflight(1000);
                    pub.connect(o).waitForCompletion(10_000);
                    long t0 = System.nanoTime();
                    for (int i = 0; i < batches.size(); i++) {
                        while (true) {
                            try {
                                pub.publish(topics.get(i), batches.get(i), 1, false);
                                break;
                            } catch (org.eclipse.paho.client.mqttv3.MqttException e) {
                                // Paho's window of unacknowledged publishes is full: wait for the broker's PUBACKs.
                                if (e.getReasonCode() != org.eclipse.paho.client.mqttv3.MqttException.REASON_CODE_MAX_INFLIGHT) throw e;
                                Thread.sleep(1);
                            }
                        }
                    }
                    long deadline = System.nanoTime() + 300_000_000_000L;
                    long stored;
                    while ((stored = cs.stream().mapToLong(OfficeCollector::stored).sum()) < total && System.nanoTime() < deadline) Thread.sleep(5);
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    long inDb = count(d, "SELECT count(*) FROM events");
                    pub.disconnect().waitForCompletion(5_000);
                    pub.close();
                    cs.forEach(OfficeCollector::close);
                    if (inDb != total) throw new IllegalStateException("run " + r + ": " + inDb + " events in the database, " + total + " published");
                    if (r < 0) {
                        System.out.printf("  warm-up run (not counted): %d events in %.2f s = %.0f events/s%n", total, seconds, total / seconds);
                        continue;
                    }
                    rates[r] = total / seconds;
                    System.out.printf("  ingest, %d collector(s), run %d: %d events verified and stored in %.2f s = %.0f events/s (%s)%n", collectors, r + 1, total, seconds, rates[r],
                            cs.stream().map(c -> c.name() + " " + c.stored()).toList());
                } finally {
                    drop(db);
                }
            }
            Arrays.sort(rates);
            System.out.printf("ingest, %d collector(s): median %.0f events/s (min %.0f, max %.0f, %d runs)%n", collectors, rates[runs / 2], rates[0], rates[runs - 1], runs);
        }

        if (history == 0) return 0; // --history 0: ingest only
        // Start-up and day queries: an empty database, then one holding the history.
        String empty = fresh();
        String full = fresh();
        try {
            try (OfficeDatabase d = OfficeDatabase.connect(url(empty), null, null, 4)) { /* migrated */ }
            long t0 = System.nanoTime();
            try (OfficeDatabase d = OfficeDatabase.connect(url(full), null, null, 4)) {
                generate(d, history);
            }
            System.out.printf("history: %d events generated (with their day counts) in %.1f s%n", history, (System.nanoTime() - t0) / 1e9);
            for (String db : new String[] {empty, full}) {
                double[] ms = new double[7];
                for (int i = 0; i < ms.length; i++) {
                    long s = System.nanoTime();
                    try (OfficeDatabase d = OfficeDatabase.connect(url(db), null, null, 4);
                         OfficeCollector c = new OfficeCollector(d.dataSource(), BrokerSettings.plain(broker), office, ring, "bench-start-" + tag + i, "bench-start-" + tag,
                                 OfficeCli.ZONE, Clock.systemUTC(), OfficeCollector.ReceiptGate.ALL).start()) {
                        ms[i] = (System.nanoTime() - s) / 1e6;
                    }
                }
                Arrays.sort(ms);
                System.out.printf("collector start-up (open the pool, check the migrations, connect, probe the shared subscription, subscribe), %s: median %.0f ms, max %.0f ms (%d starts)%n",
                        db.equals(empty) ? "empty database" : history + " events stored", ms[ms.length / 2], ms[ms.length - 1], ms.length);
            }
            try (OfficeDatabase d = OfficeDatabase.connect(url(full), null, null, 4)) {
                query(d, "national day", "SELECT type, sum(n) FROM day_counts WHERE day = ? GROUP BY type", null);
                query(d, "province day (32, Jawa Barat)", "SELECT region, type, sum(n) FROM day_counts WHERE day = ? AND region >= ? AND region < ? GROUP BY region, type", "32");
                query(d, "national range (30 days)", "SELECT day, type, sum(n) FROM day_counts WHERE day BETWEEN ? - 29 AND ? GROUP BY day, type", "range");
                pages(d, tmp);
            }
        } finally {
            drop(empty);
            drop(full);
        }
        return 0;
    }

    private static final String[] PROVINCES = {"11", "12", "13", "14", "15", "16", "17", "18", "19", "21", "31", "32", "33", "34", "35", "36", "51", "52", "53",
            "61", "62", "63", "64", "65", "71", "72", "73", "74", "75", "76", "81", "82", "91", "92"};

    private static String station(String tag, int s) { return "B" + tag + "-" + s; }

    /** History as the collectors would have stored it: 500 stations, a year of days, every province, with day_counts from the same rows. */
    private static void generate(OfficeDatabase d, long n) throws Exception {
        try (Connection c = d.connection(); Statement s = c.createStatement()) {
            StringBuilder provinces = new StringBuilder("ARRAY[");
            for (int i = 0; i < PROVINCES.length; i++) provinces.append(i == 0 ? "" : ",").append('\'').append(PROVINCES[i]).append('\'');
            provinces.append("]");
            long chunk = 1_000_000;
            for (long from = 1; from <= n; from += chunk) {
                long to = Math.min(n, from + chunk - 1);
                s.execute("""
                        INSERT INTO events (station_id, sequence, event_id, type, record_id, nik, region, occurred_at, day, received_at, collector, body)
                        SELECT 'H' || (g % 500), g / 500 + 1, 'h-' || g, (ARRAY['SENT_FOR_CARD_PRINTING','CARD_PRINTED','CARD_ISSUED','CARD_SPOILED','RECORD_REJECTED','ACTIVATION_FAILED'])[1 + g % 6],
                               'R' || g, p || lpad((1 + g % 20)::text, 2, '0') || lpad((g % 10000000000)::text, 12, '0'), p || lpad((1 + g % 20)::text, 2, '0'),
                               t, (t AT TIME ZONE 'Asia/Jakarta')::date, t, 'bench',
                               '{"type":"CARD_ISSUED","eventId":"h-' || g || '","sequence":' || (g / 500 + 1) || ',"stationId":"H' || (g % 500) || '","recordId":"R' || g || '"}'
                        FROM (SELECT g, ($PROVINCES)[1 + (g / 7) % $COUNT] AS p, timestamptz '2026-01-01 00:00+07' + ((g * 7919) % 31536000) * interval '1 second' AS t
                              FROM generate_series($FROM::bigint, $TO::bigint) g) x
                        """.replace("$PROVINCES", provinces).replace("$COUNT", Integer.toString(PROVINCES.length)).replace("$FROM", Long.toString(from)).replace("$TO", Long.toString(to)));
                c.commit();
            }
            s.execute("INSERT INTO day_counts (day, region, type, n) SELECT day, region, type, count(*) FROM events GROUP BY day, region, type");
            // The generated events carry no reason: their breakdown is one kind, '' (what the dashboard reads beside day_counts).
            s.execute("INSERT INTO reason_counts (day, region, type, reason, n) SELECT day, region, type, '', count(*) FROM events"
                    + " WHERE type IN ('CARD_SPOILED', 'RECORD_REJECTED') GROUP BY day, region, type");
            s.execute("ANALYZE");
            c.commit();
        }
    }

    /** The dashboard's pages themselves, over HTTP with a signed-in session: figures, alerts and the chart included. */
    private static void pages(OfficeDatabase d, Path tmp) throws Exception {
        Path users = tmp.resolve("users");
        ktp.office.web.OfficeUsers.put(users, "bench", ktp.office.web.OfficeUsers.Role.VIEWER, "bench-password-long".toCharArray());
        try (ktp.office.web.Dashboard web = new ktp.office.web.Dashboard(new java.net.InetSocketAddress("127.0.0.1", 0), new ktp.office.web.Figures(d.dataSource()),
                ktp.office.web.OfficeUsers.load(users), OfficeCli.ZONE, Clock.systemUTC()).start()) {
            String site = "http://127.0.0.1:" + web.port();
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            var login = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(site + "/login")).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("name=bench&password=bench-password-long")).build(), java.net.http.HttpResponse.BodyHandlers.discarding());
            String cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
            for (String[] page : new String[][] {{"national day page", "/?from=DAY"}, {"province day page (32)", "/province?code=32&from=DAY"}}) {
                double[] ms = new double[100];
                for (int i = 0; i < ms.length; i++) {
                    String day = LocalDate.of(2026, 1, 1).plusDays((i * 37) % 365).toString();
                    long s = System.nanoTime();
                    var r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(site + page[1].replace("DAY", day))).header("Cookie", cookie).build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString());
                    ms[i] = (System.nanoTime() - s) / 1e6;
                    if (r.statusCode() != 200 || !r.body().contains("id=figures")) throw new IllegalStateException(page[0] + ": HTTP " + r.statusCode());
                }
                Arrays.sort(ms);
                System.out.printf("%s over HTTP: median %.2f ms, p99 %.2f ms (%d requests, a different day each)%n", page[0], ms[ms.length / 2], ms[(int) (ms.length * 0.99)], ms.length);
            }
        }
    }

    private static void query(OfficeDatabase d, String what, String sql, String arg) throws Exception {
        double[] ms = new double[200];
        try (Connection c = d.connection(); PreparedStatement p = c.prepareStatement(sql)) {
            for (int i = 0; i < ms.length; i++) {
                LocalDate day = LocalDate.of(2026, 1, 1).plusDays(i % 365);
                long s = System.nanoTime();
                p.setObject(1, day);
                if ("range".equals(arg)) p.setObject(2, day);
                else if (arg != null) {
                    p.setString(2, arg);
                    p.setString(3, Integer.toString(Integer.parseInt(arg) + 1));
                }
                int rows = 0;
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) rows++;
                }
                c.commit();
                ms[i] = (System.nanoTime() - s) / 1e6;
                if (rows == 0) throw new IllegalStateException(what + ": no rows for " + day);
            }
        }
        Arrays.sort(ms);
        System.out.printf("%s: median %.2f ms, p99 %.2f ms (%d queries, a different day each)%n", what, ms[ms.length / 2], ms[(int) (ms.length * 0.99)], ms.length);
    }

    private static long count(OfficeDatabase d, String sql) throws Exception {
        try (Connection c = d.connection(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            long n = rs.getLong(1);
            c.commit();
            return n;
        }
    }

    private String fresh() throws Exception {
        String name = "ktp_bench_" + Long.toHexString(System.nanoTime());
        try (Connection c = DriverManager.getConnection(admin); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return name;
    }

    private void drop(String name) {
        try (Connection c = DriverManager.getConnection(admin); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        } catch (Exception e) {
            System.err.println("could not drop " + name + ": " + e.getMessage());
        }
    }

    private String url(String db) { return admin.replaceFirst("/[^/?]+(\\?|$)", "/" + db + "$1"); }
}
