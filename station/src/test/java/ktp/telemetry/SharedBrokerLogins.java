package ktp.telemetry;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import ktp.broker.BrokerSetup;

/**
 * The Mosquitto that ./ktp test starts for the whole run, and how a test logs in to it.
 *
 * <p>./ktp test runs that broker with exactly the shipped configuration ({@code ktp broker setup}: no anonymous
 * client, a password per client, one ACL block per client) made for a pool of test stations and collectors,
 * and tells the tests where it put the set-up: {@code -Dktp.mosquitto=HOST:PORT
 * -Dktp.mosquitto.credentials=DIR} (DIR holds stations.txt, collectors.txt and clients/NAME.password, as
 * {@code ktp broker setup} writes them). A test takes a fresh station id or collector name from the pool with
 * {@link #station} / {@link #collector} (each is handed out once per broker, across every test JVM, so no test
 * sees another's retained messages or sessions) and logs in as that client with {@link #as} (or
 * {@link #yaml} for a station's configuration, {@link #cliArgs} for a command).
 *
 * <p>Without {@code ktp.mosquitto.credentials} (a developer's own anonymous broker) the same calls give
 * random ids and anonymous logins, so a test still runs; {@link #requireAuthenticated} is for the tests that
 * are about the shipped configuration itself.
 */
public final class SharedBrokerLogins {
    private SharedBrokerLogins() {}

    /** tcp://HOST:PORT of the shared broker; fails (never skips) when nothing listens there. */
    public static String url() {
        String hostPort = System.getProperty("ktp.mosquitto", "127.0.0.1:18830");
        String[] hp = hostPort.split(":");
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(hp[0], Integer.parseInt(hp[1])), 2000);
        } catch (IOException e) {
            fail("Mosquitto is not listening on " + hostPort + " (./ktp test installs and starts it): " + e.getMessage());
        }
        return "tcp://" + hostPort;
    }

    /** The set-up folder of the shared broker, or null when it admits anonymous clients (no ktp.mosquitto.credentials). */
    public static Path credentials() {
        String d = System.getProperty("ktp.mosquitto.credentials", "");
        if (d.isBlank()) return null;
        Path dir = Path.of(d);
        if (!Files.isDirectory(dir.resolve("clients"))) fail("ktp.mosquitto.credentials=" + d + " is not a `ktp broker setup` folder (no clients/ in it)");
        return dir;
    }

    public static boolean authenticated() { return credentials() != null; }

    /** For the tests about the shipped configuration: fails, naming the property, when the shared broker is an anonymous one. */
    public static Path requireAuthenticated() {
        Path dir = credentials();
        if (dir == null) fail("this test needs the shared broker with the shipped configuration: run ./ktp test, or start one with `ktp broker setup` "
                + "and pass -Dktp.mosquitto=HOST:PORT -Dktp.mosquitto.credentials=DIR");
        return dir;
    }

    /** A station id nobody else has used on this broker (from the pool the broker was set up for). */
    public static String station(String prefix) { return claim("stations.txt", prefix); }

    /** A collector name nobody else has used on this broker; log in as {@code as(BrokerSetup.collectorUser(name))} or {@link #asCollector}. */
    public static String collector(String prefix) { return claim("collectors.txt", prefix); }

    private static String claim(String pool, String prefix) {
        Path dir = credentials();
        if (dir == null) return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        try {
            Path claimed = Files.createDirectories(dir.resolve("claimed"));
            for (String name : Files.readAllLines(dir.resolve(pool), StandardCharsets.UTF_8)) {
                if (name.isBlank() || name.startsWith("#")) continue;
                try {
                    Files.createFile(claimed.resolve(name)); // atomic across the test JVMs: whoever creates it owns the name
                    return name;
                } catch (FileAlreadyExistsException taken) {
                    // the next one
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        fail("every name in " + dir.resolve(pool) + " is used: make the pool in the ktp launcher's start_mosquitto larger");
        return null;
    }

    /** The login of {@code user} (a station id, collector.NAME, or BrokerSetup.OFFICE/DATACENTER/WATCHER) on the shared broker. */
    public static BrokerSettings as(String user) {
        String url = url();
        Path file = passwordFile(user);
        if (file == null) return BrokerSettings.plain(url);
        try {
            return new BrokerSettings(url, user, Files.readString(file, StandardCharsets.UTF_8).strip().toCharArray(), null, null, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static BrokerSettings asCollector(String name) { return as(BrokerSetup.collectorUser(name)); }

    public static BrokerSettings asOffice() { return as(BrokerSetup.OFFICE); }

    public static BrokerSettings asDataCenter() { return as(BrokerSetup.DATACENTER); }

    public static BrokerSettings asWatcher() { return as(BrokerSetup.WATCHER); }

    /** No login at all: refused by the shipped configuration. */
    public static BrokerSettings anonymous() { return BrokerSettings.plain(url()); }

    /** The password file of {@code user}, or null on an anonymous broker. */
    public static Path passwordFile(String user) {
        Path dir = credentials();
        if (dir == null) return null;
        Path f = dir.resolve("clients/" + user + ".password");
        if (!Files.isReadable(f)) fail("the shared broker has no client " + user + " (" + f + "): take names from SharedBrokerLogins.station/collector");
        return f.toAbsolutePath();
    }

    /** The fields of a station configuration's telemetry section that log in as {@code user} (", username: X, password_file: F"), empty when anonymous. */
    public static String yaml(String user) {
        Path f = passwordFile(user);
        return f == null ? "" : ", username: " + user + ", password_file: " + f;
    }

    /** The command-line options that log in as {@code user} (--broker-user, --broker-password-file), none when anonymous. */
    public static List<String> cliArgs(String user) {
        Path f = passwordFile(user);
        return f == null ? List.of() : List.of("--broker-user", user, "--broker-password-file", f.toString());
    }
}
