package ktp.sim.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import ktp.broker.BrokerSetup;
import ktp.telemetry.BrokerSettings;

/**
 * A Mosquitto of the benchmark's own on a free loopback port, with the shipped configuration ({@code ktp
 * broker setup}) for exactly the clients the benchmark uses, so that the figures are those of the production
 * set-up: passwords checked at every connection, the ACL at every publish and delivery, the stated limits.
 */
public final class ShippedMosquitto implements AutoCloseable {
    private final Path setup;
    private final int port;
    private final Process process;

    private ShippedMosquitto(Path setup, int port, Process process) {
        this.setup = setup;
        this.port = port;
        this.process = process;
    }

    public static ShippedMosquitto start(Path setup, List<String> stations, List<String> collectors) throws Exception {
        int port = ktp.sim.net.LoopbackPorts.free();
        BrokerSetup.write(new BrokerSetup.Plan(stations, collectors, "127.0.0.1:" + port, null, null, null, null), setup);
        Path conf = setup.resolve("mosquitto.conf");
        // Started as root, mosquitto would switch to its own user, which cannot read the 0600 password file.
        if ("root".equals(System.getProperty("user.name"))) Files.writeString(conf, Files.readString(conf) + "user root\n");
        String binary = Files.isExecutable(Path.of("/usr/sbin/mosquitto")) ? "/usr/sbin/mosquitto" : "mosquitto";
        Process p;
        try {
            p = new ProcessBuilder(binary, "-c", conf.toString()).redirectErrorStream(true).redirectOutput(setup.resolve("mosquitto.log").toFile()).start();
        } catch (IOException e) {
            throw new IOException("cannot start mosquitto (Debian package mosquitto): " + e.getMessage(), e);
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return new ShippedMosquitto(setup, port, p);
            } catch (IOException notYet) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    p.destroyForcibly();
                    throw new IOException("mosquitto with the shipped configuration did not start: " + Files.readString(setup.resolve("mosquitto.log")));
                }
                Thread.sleep(50);
            }
        }
    }

    public String url() { return "tcp://127.0.0.1:" + port; }

    public Path setup() { return setup; }

    /** The benchmark's "station:ID" or "collector:NAME" logged in with its own password. */
    public BrokerSettings login(String who) {
        String user = who.startsWith("collector:") ? BrokerSetup.collectorUser(who.substring(10)) : who.substring(who.indexOf(':') + 1);
        try {
            char[] password = Files.readString(setup.resolve("clients/" + user + ".password"), StandardCharsets.UTF_8).strip().toCharArray();
            return new BrokerSettings(url(), user, password, null, null, null);
        } catch (IOException e) {
            throw new IllegalArgumentException("the benchmark's broker has no client " + user + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
    }
}
