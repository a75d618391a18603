package ktp.office;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's PostgreSQL for the office's tests: the server ./ktp test started ({@code -Dktp.postgres=JDBC URL}
 * of its {@code postgres} database), or a cluster of a test's own (initdb and pg_ctl from
 * /usr/lib/postgresql/N/bin in a temporary folder, on a free loopback port) that the test may stop and start
 * again. PostgreSQL refuses to run as root: as root the cluster belongs to the {@code postgres} user and its
 * commands run through runuser. A missing PostgreSQL fails the test (Debian package postgresql); it never skips.
 */
public final class DebianPostgres implements AutoCloseable {
    private final Path dir;
    private final int port;
    private final Path bin;

    private DebianPostgres(Path dir, int port, Path bin) {
        this.dir = dir;
        this.port = port;
        this.bin = bin;
    }

    /** A fresh database on the run's shared server (or on a cluster of this JVM's own, started once). */
    public static String freshDatabase() throws Exception {
        String admin = System.getProperty("ktp.postgres");
        if (admin == null || admin.isBlank()) admin = own().adminUrl();
        String name = "t_" + Long.toHexString(System.nanoTime()) + "_" + (int) (Math.random() * 10000);
        try (Connection c = DriverManager.getConnection(admin); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            fail("PostgreSQL at " + admin + " (-Dktp.postgres; ./ktp test starts Debian's PostgreSQL) cannot be reached: " + e.getMessage());
        }
        return admin.replaceFirst("/postgres(\\?|$)", "/" + name + "$1");
    }

    private static DebianPostgres shared;

    private static synchronized DebianPostgres own() throws Exception {
        if (shared == null) {
            shared = start();
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close));
        }
        return shared;
    }

    /** A cluster of this test's own. */
    public static DebianPostgres start() throws Exception {
        Path bin = binaries();
        Path dir = Files.createTempDirectory("ktp-office-pg");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        DebianPostgres p = new DebianPostgres(dir, port, bin);
        if (isRoot()) run(List.of("chown", "postgres:postgres", dir.toString()), false);
        p.pg(List.of(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", "ktp", "--auth=trust", "-E", "UTF8", "--no-locale"));
        p.startServer();
        return p;
    }

    private static Path binaries() {
        Path root = Path.of("/usr/lib/postgresql");
        try (var versions = Files.list(root)) {
            Path bin = versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb"))).sorted().reduce((a, b) -> b).orElse(null);
            if (bin != null) return bin;
        } catch (IOException ignored) {
            // reported below
        }
        fail("Debian's PostgreSQL is not installed (no /usr/lib/postgresql/N/bin/initdb): apt-get install postgresql (./ktp test installs it)");
        return null;
    }

    public String adminUrl() { return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=ktp"; }

    public String url(String database) { return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=ktp"; }

    public void createDatabase(String name) throws SQLException {
        try (Connection c = DriverManager.getConnection(adminUrl()); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
    }

    public void startServer() throws Exception {
        pg(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-l", dir.resolve("postgres.log").toString(), "-w", "-t", "30",
                "-o", "-c listen_addresses=127.0.0.1 -p " + port + " -k " + dir, "start"));
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        fail("PostgreSQL did not open port " + port + "; see " + dir.resolve("postgres.log"));
    }

    /** Stops the server as a crash would (immediate: no checkpoint, the WAL replayed at the next start). */
    public void crash() throws Exception {
        pg(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate", "-w", "stop"));
    }

    private void pg(List<String> command) throws Exception {
        List<String> c = new ArrayList<>();
        if (isRoot()) c.addAll(List.of("runuser", "-u", "postgres", "--"));
        c.addAll(command);
        run(c, true);
    }

    private static void run(List<String> command, boolean inTmp) throws Exception {
        ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true);
        if (inTmp) b.directory(new java.io.File("/tmp")); // postgres cannot enter root's working folder
        Process p = b.start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) fail(String.join(" ", command) + " failed: " + out);
    }

    private static boolean isRoot() { return "root".equals(System.getProperty("user.name")); }

    @Override
    public void close() {
        try {
            pg(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "fast", "-w", "stop"));
        } catch (Throwable ignored) {
            // already stopped
        }
        try {
            run(List.of("rm", "-rf", dir.toString()), false);
        } catch (Throwable ignored) {
            // a temporary folder
        }
    }
}
