package ktp.office;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import ktp.office.collect.OfficeCollector;
import ktp.office.db.OfficeDatabase;
import ktp.telemetry.BrokerSettings;
import ktp.telemetry.Keyring;
import ktp.telemetry.TelemetryKey;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ktp office ...}: the central office's commands (docs/office.md). */
@Command(name = "office", mixinStandardHelpOptions = true, description = "The central office: collectors on PostgreSQL (docs/office.md).",
        subcommands = {OfficeCli.Init.class, OfficeCli.Run.class, OfficeCli.Collect.class, OfficeCli.UserAdd.class, ktp.office.bench.OfficeBench.class})
public final class OfficeCli implements Runnable {
    public static final ZoneId ZONE = ZoneId.of("Asia/Jakarta");

    public static void main(String[] args) {
        System.exit(new CommandLine(new OfficeCli()).execute(args));
    }

    @Override
    public void run() { new CommandLine(this).usage(System.out); }

    @Command(name = "init", mixinStandardHelpOptions = true, description = "Write a commented office.yaml (never over an existing file).")
    static final class Init implements Callable<Integer> {
        @Parameters(index = "0", defaultValue = "office.yaml", paramLabel = "FILE", description = "where (default ${DEFAULT-VALUE})") Path file;

        @Override
        public Integer call() throws IOException {
            if (Files.exists(file)) {
                System.err.println(file + " exists already; not overwritten");
                return 1;
            }
            if (file.toAbsolutePath().getParent() != null) Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, OfficeConfig.template());
            // A first try needs nothing else: the office's signing key (owner-only) and an empty station registry beside it.
            Path dir = file.toAbsolutePath().getParent();
            Path key = dir.resolve("office.key");
            String made = "";
            if (!Files.exists(key)) {
                TelemetryKey k = TelemetryKey.generate();
                k.writePrivate(key);
                Keyring.add(dir.resolve("office-keys"), "office", k.publicKey());
                made = "; a new office key in " + key + " (its public half in office-keys/office.pem, for the stations' telemetry.office_keys)";
            }
            ktp.datafile.PrivateFiles.createDirectories(dir.resolve("station-registry"));
            System.out.println("wrote " + file + made + ". Set broker.url (and database.url for a PostgreSQL server), put each station's"
                    + " certificate in station-registry/STATION.pem, then: ktp office run --config " + file);
            return 0;
        }
    }

    @Command(name = "user", mixinStandardHelpOptions = true, description = "Add or replace a dashboard account (the password is asked twice, or read from standard input).")
    static final class UserAdd implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "add") String verb;
        @Option(names = "--users", required = true, paramLabel = "FILE") Path file;
        @Option(names = "--name", required = true) String name;
        @Option(names = "--role", required = true, description = "viewer or supervisor") String role;

        @Override
        public Integer call() throws IOException {
            if (!"add".equals(verb)) {
                System.err.println("office user: only 'add' is known, not '" + verb + "'");
                return 2;
            }
            ktp.office.web.OfficeUsers.Role r;
            try {
                r = ktp.office.web.OfficeUsers.Role.valueOf(role.toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                System.err.println("office user: --role '" + role + "' is not viewer or supervisor");
                return 2;
            }
            char[] pw;
            if (System.console() != null) {
                pw = System.console().readPassword("password for %s: ", name);
                char[] again = System.console().readPassword("again: ");
                if (!java.util.Arrays.equals(pw, again)) {
                    System.err.println("office user: the passwords differ; nothing changed");
                    return 1;
                }
            } else {
                pw = new java.io.BufferedReader(new java.io.InputStreamReader(System.in)).readLine().toCharArray();
            }
            try {
                ktp.office.web.OfficeUsers.put(file, name, r, pw);
            } catch (IllegalArgumentException e) {
                System.err.println("office user: " + e.getMessage());
                return 2;
            }
            System.out.println("account " + name + " (" + role + ") in " + file);
            return 0;
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true, description = "Run the office's collectors until stopped (Ctrl-C).")
    static final class Run implements Callable<Integer> {
        @Option(names = "--config", required = true, paramLabel = "FILE", description = "office.yaml (ktp office init writes one)") Path config;

        @Override
        public Integer call() throws Exception {
            OfficeConfig c;
            try {
                c = OfficeConfig.load(config);
            } catch (IOException | IllegalArgumentException e) {
                System.err.println("office: " + e.getMessage());
                return 2;
            }
            OfficeDatabase db;
            try {
                db = c.databaseUrl() == null ? OfficeDatabase.embedded(c.dataDir(), 4 + 2 * c.collectors().size())
                        : OfficeDatabase.connect(c.databaseUrl(), c.databaseUser(), OfficeDatabase.password(c.databasePasswordFile()), 4 + 2 * c.collectors().size());
            } catch (IOException e) {
                System.err.println("office: " + e.getMessage());
                return 1;
            }
            List<OfficeCollector> running = new ArrayList<>();
            try {
                TelemetryKey key = TelemetryKey.load(c.officeKey());
                Keyring registry = Keyring.watch(c.stationRegistry());
                for (String name : c.collectors()) {
                    running.add(new OfficeCollector(db.dataSource(), c.broker(ktp.broker.BrokerSetup.collectorUser(name)), key, registry, name,
                            c.share() ? c.group() : null, ZONE, Clock.systemUTC(), OfficeCollector.ReceiptGate.ALL).start());
                }
            } catch (IOException | IllegalArgumentException e) {
                System.err.println("office: " + e.getMessage());
                running.forEach(OfficeCollector::close);
                db.close();
                return 1;
            }
            ktp.office.web.Dashboard dashboard = null;
            if (c.dashboard() != null) {
                ktp.office.web.OfficeUsers users = ktp.office.web.OfficeUsers.load(c.users());
                if (users.size() == 0) System.err.println("office: no dashboard accounts in " + c.users() + " yet: ktp office user add --users " + c.users() + " --name NAME --role viewer");
                ktp.office.command.OfficeCommander commander = new ktp.office.command.OfficeCommander(db.dataSource(), c.broker(ktp.broker.BrokerSetup.OFFICE),
                        TelemetryKey.load(c.officeKey()), Keyring.watch(c.stationRegistry()), c.collectors().get(0), Clock.systemUTC());
                dashboard = new ktp.office.web.Dashboard(c.dashboard(), new ktp.office.web.Figures(db.dataSource()), users, ZONE, Clock.systemUTC()).commands(commander).start();
                if (c.webhook() != null) {
                    ktp.office.web.AlertWebhook hook = new ktp.office.web.AlertWebhook(new ktp.office.web.Figures(db.dataSource()), c.webhook(), Clock.systemUTC());
                    java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                        Thread t = new Thread(r, "office-alert-webhook");
                        t.setDaemon(true);
                        return t;
                    }).scheduleWithFixedDelay(hook::tick, 5, 30, java.util.concurrent.TimeUnit.SECONDS);
                }
                System.err.println("office: dashboard on http://" + c.dashboard().getHostString() + ":" + dashboard.port() + "/");
            }
            System.err.println("office: " + running.size() + " collector(s) on " + (db.isEmbedded() ? "the embedded PostgreSQL in " + c.dataDir() : db.url())
                    + ", broker " + c.brokerUrl() + (c.share() ? ", shared group " + c.group() : ", no shared subscription"));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                running.forEach(OfficeCollector::close);
                try {
                    db.close();
                } catch (IOException ignored) {
                    // stopping anyway
                }
            }));
            while (true) {
                Thread.sleep(10_000);
                long stored = running.stream().mapToLong(OfficeCollector::stored).sum();
                long dup = running.stream().mapToLong(OfficeCollector::duplicates).sum();
                long ref = running.stream().mapToLong(OfficeCollector::refused).sum();
                System.err.println("office: stored " + stored + ", duplicates dropped " + dup + ", refused " + ref);
            }
        }
    }

    /**
     * {@code ktp office collect}, which {@code ktp central collect} now runs (the launcher maps one to the other): the
     * old command's options, one office collector (no dashboard), its events in PostgreSQL (the embedded one in
     * {@code DATA/pg}, or {@code --database}) instead of {@code DATA/events.jsonl}.
     */
    @Command(name = "collect", mixinStandardHelpOptions = true,
            description = {"One office collector with the options of the retired file collector (ktp central collect runs this):",
                    "every station's signed events verified against --stations, stored once in PostgreSQL, receipted with --key.",
                    "The whole office (several collectors, the dashboard) is ktp office run --config office.yaml (docs/office.md)."})
    static final class Collect implements Callable<Integer> {
        @Option(names = "--broker", required = true, paramLabel = "URL", description = "tcp://HOST:PORT or ssl://HOST:PORT") String broker;
        @Option(names = "--broker-user", paramLabel = "NAME") String brokerUser;
        @Option(names = "--broker-password-file", paramLabel = "FILE", description = "a file holding the password (never given on the command line)") Path brokerPasswordFile;
        @Option(names = "--data", required = true, paramLabel = "DIR", description = "the office's data folder (the embedded PostgreSQL in DIR/pg unless --database)") Path data;
        @Option(names = "--database", paramLabel = "JDBC-URL", description = "a PostgreSQL server instead of the embedded one") String database;
        @Option(names = "--key", required = true, paramLabel = "PEM", description = "the office's private key that signs receipts and heartbeats") Path key;
        @Option(names = "--stations", required = true, paramLabel = "DIR", description = "the station registry (STATION.pem per station)") Path stations;
        @Option(names = "--group", paramLabel = "NAME", defaultValue = "ktp-collectors", description = "shared-subscription group (default ${DEFAULT-VALUE})") String group;
        @Option(names = "--no-share", description = "subscribe directly, for a broker without shared subscriptions") boolean noShare;
        @Option(names = "--name", paramLabel = "NAME", description = "this collector's name, unique in the group (default: the host name)") String name;
        @Option(names = "--interval", paramLabel = "SECONDS", defaultValue = "5", description = "how often to print what was stored (default ${DEFAULT-VALUE})") int interval;
        @Option(names = "--json", description = "print that as one JSON object a line") boolean json;
        @Option(names = "--for", paramLabel = "SECONDS", description = "stop after this long (default: run until interrupted)") Integer duration;

        @Override
        public Integer call() throws Exception {
            String me = name != null ? name : java.net.InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9_-]", "-");
            if (!me.matches("[A-Za-z0-9_-]{1,64}")) return bad("--name must be 1 to 64 letters, digits, '_' or '-', got '" + me + "'");
            if (interval < 1 || interval > 3600) return bad("--interval must be 1 to 3600 seconds, got " + interval);
            BrokerSettings settings;
            TelemetryKey office;
            Keyring registry;
            try {
                char[] password = brokerPasswordFile == null ? null : Files.readString(brokerPasswordFile).strip().toCharArray();
                settings = new BrokerSettings(broker, brokerUser, password, null, null, null);
            } catch (IOException e) {
                return bad("--broker-password-file " + brokerPasswordFile + ": cannot read it (" + e.getClass().getSimpleName() + ")");
            } catch (IllegalArgumentException e) {
                return bad(e.getMessage());
            }
            try {
                office = TelemetryKey.load(key);
            } catch (IOException e) {
                return bad("--key " + key + ": " + e.getMessage());
            }
            try {
                registry = Keyring.watch(stations);
            } catch (IOException e) {
                return bad("--stations " + stations + ": " + e.getMessage());
            }
            java.util.concurrent.CountDownLatch stop = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);
            // Ctrl-C: the loop below ends, and the JVM waits (10 s at most) for the collector and the database to close.
            Thread hook = new Thread(() -> {
                stop.countDown();
                try {
                    closed.await(10, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException ignored) {
                    // stopping anyway
                }
            });
            Runtime.getRuntime().addShutdownHook(hook);
            try (OfficeDatabase db = database == null ? OfficeDatabase.embedded(data, 4) : OfficeDatabase.connect(database, null, null, 4);
                 OfficeCollector c = new OfficeCollector(db.dataSource(), settings, office, registry, me, noShare ? null : group, ZONE, Clock.systemUTC(),
                         OfficeCollector.ReceiptGate.ALL).start()) {
                System.err.println("collecting from " + broker + (noShare ? " (no shared subscription)" : " in group " + group) + " as " + me + " into "
                        + (db.isEmbedded() ? "the embedded PostgreSQL in " + data : db.url()));
                long end = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration * 1_000_000_000L;
                do {
                    System.out.println(json
                            ? "{\"collector\":\"" + me + "\",\"stored\":" + c.stored() + ",\"duplicates\":" + c.duplicates() + ",\"refused\":" + c.refused()
                                    + ",\"receipts\":" + c.receiptsSent() + "}"
                            : java.time.LocalTime.now().withNano(0) + "  " + me + ": stored " + c.stored() + ", duplicates receipted again " + c.duplicates()
                                    + ", refused " + c.refused() + ", receipts sent " + c.receiptsSent());
                    System.out.flush();
                } while (!stop.await(Math.min(interval * 1000L, Math.max(1, (end - System.nanoTime()) / 1_000_000)), java.util.concurrent.TimeUnit.MILLISECONDS)
                        && System.nanoTime() < end);
            } catch (IOException e) {
                System.err.println("ktp: " + e.getMessage());
                return 1;
            } finally {
                closed.countDown();
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException stopping) {
                    // the JVM is stopping already
                }
            }
            return 0;
        }

        private static int bad(String why) {
            System.err.println("ktp: " + why);
            return 2;
        }
    }
}
