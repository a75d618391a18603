package ktp.telemetry;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import ktp.broker.BrokerSetup;

/**
 * A real Mosquitto broker for the telemetry tests: the one ./ktp test starts (127.0.0.1:18830, or the
 * ktp.mosquitto property), or a process of a test's own on a free loopback port, which the test may kill and
 * start again on the same port. A missing mosquitto fails the test; it never skips.
 */
final class MosquittoProcess implements AutoCloseable {
    private final Path dir;
    private final int port;
    private final boolean persistence;
    private final BrokerSetup.Plan plan;
    private Process process;

    private MosquittoProcess(Path dir, int port, boolean persistence, BrokerSetup.Plan plan) {
        this.dir = dir;
        this.port = port;
        this.persistence = persistence;
        this.plan = plan;
    }

    /** The broker ./ktp test started for the whole run; its logins: {@link SharedBrokerLogins}. */
    static String shared() { return SharedBrokerLogins.url(); }

    /** An anonymous broker of this test's own; with {@code persistence} it keeps queued messages and retained state across a restart. */
    static MosquittoProcess start(Path dir, boolean persistence) throws Exception {
        return start(dir, persistence, null);
    }

    /**
     * A broker of this test's own with the shipped configuration ({@code ktp broker setup}) for these stations
     * and collectors; log in with {@link #login}.
     */
    static MosquittoProcess start(Path dir, boolean persistence, List<String> stations, List<String> collectors) throws Exception {
        return start(dir, persistence, new BrokerSetup.Plan(stations, collectors, "127.0.0.1:0", null, null, null, persistence ? dir.resolve("data") : null));
    }

    private static MosquittoProcess start(Path dir, boolean persistence, BrokerSetup.Plan plan) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        BrokerSetup.Plan p = plan == null ? null : new BrokerSetup.Plan(plan.stations(), plan.collectors(), "127.0.0.1:" + port, null, null, null, plan.persistence());
        MosquittoProcess m = new MosquittoProcess(dir, port, persistence, p);
        m.launch();
        return m;
    }

    /** The login of {@code user} on this broker's shipped configuration. */
    BrokerSettings login(String user) throws IOException {
        if (plan == null) return BrokerSettings.plain(url());
        return new BrokerSettings(url(), user, Files.readString(dir.resolve("setup/clients/" + user + ".password")).strip().toCharArray(), null, null, null);
    }

    String url() { return "tcp://127.0.0.1:" + port; }

    int port() { return port; }

    void launch() throws Exception {
        Files.createDirectories(dir);
        Path conf = dir.resolve("mosquitto.conf");
        if (plan != null) {
            if (!Files.exists(dir.resolve("setup/mosquitto.conf"))) {
                if (plan.persistence() != null) Files.createDirectories(plan.persistence());
                BrokerSetup.write(plan, dir.resolve("setup"));
            }
            conf = dir.resolve("setup/mosquitto.conf");
            String text = Files.readString(conf);
            if ("root".equals(System.getProperty("user.name")) && !text.contains("\nuser root\n")) Files.writeString(conf, text + "user root\n");
        } else Files.writeString(conf, "listener " + port + " 127.0.0.1\nallow_anonymous true\nmax_queued_messages 1000000\n"
                + (persistence ? "persistence true\npersistence_location " + dir + "/\nautosave_interval 1\n" : "persistence false\n")
                // Started as root (CI), mosquitto would switch to its own user, which cannot write this test's folder.
                + ("root".equals(System.getProperty("user.name")) ? "user root\n" : ""));
        String binary = Files.isExecutable(Path.of("/usr/sbin/mosquitto")) ? "/usr/sbin/mosquitto" : "mosquitto";
        try {
            process = new ProcessBuilder(binary, "-c", conf.toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("mosquitto.log").toFile())).start();
        } catch (IOException e) {
            fail("mosquitto is not installed (Debian package mosquitto; ./ktp test installs it): " + e.getMessage());
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                if (!process.isAlive()) fail("mosquitto exited at once: " + Files.readString(dir.resolve("mosquitto.log")));
                Thread.sleep(50);
            }
        }
        fail("mosquitto did not open port " + port + ": " + Files.readString(dir.resolve("mosquitto.log")));
    }

    /** SIGKILL: no chance to save anything. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGTERM: mosquitto saves its persistence file as it exits. */
    void stop() throws InterruptedException {
        process.destroy();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) kill();
    }
}
