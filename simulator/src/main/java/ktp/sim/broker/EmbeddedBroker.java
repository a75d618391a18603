package ktp.sim.broker;

import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import ktp.sim.net.LoopbackPorts;
import java.util.Properties;

/**
 * The zero-install demo's MQTT broker: Moquette 0.17 in process, MQTT 3.1.1 (what the station speaks), on a
 * loopback port. It has no shared subscriptions, so collectors on it subscribe directly. Moquette's usage
 * telemetry to moquette.io is switched off: nothing leaves the machine. With {@link Access} it is never an
 * open broker: no anonymous client, one password per client, and the same ACL as the production Mosquitto
 * ({@link ktp.broker.BrokerSetup#allowed}).
 */
public final class EmbeddedBroker implements AutoCloseable {
    private final Server server;
    private final String host;
    private final int port;

    private EmbeddedBroker(Server server, String host, int port) {
        this.server = server;
        this.host = host;
        this.port = port;
    }

    /** Who may log in (user name to password) and what each may do (the production ACL for these stations and collectors). */
    public record Access(java.util.Map<String, String> passwords, ktp.broker.BrokerSetup.Plan plan) {}

    /** Starts on {@code host}:{@code port} (0 picks a free port), keeping sessions in {@code dataDir} when given; anonymous (the benchmark only). */
    public static EmbeddedBroker start(String host, int port, Path dataDir) throws IOException { return start(host, port, dataDir, null); }

    public static EmbeddedBroker start(String host, int port, Path dataDir, Access access) throws IOException {
        if (port != 0) return startOn(host, port, dataDir, access);
        // Moquette cannot bind port 0 and say which port it got, and it only logs a failed bind: the port is chosen
        // for it (LoopbackPorts: below the ephemeral range), and the broker is kept only once the port is seen
        // taken after its start (another test JVM may have chosen the same); otherwise another port is tried.
        IOException last = null;
        for (int attempt = 0; attempt < 10; attempt++) {
            InetAddress address = InetAddress.getByName(host);
            int candidate = LoopbackPorts.free(address);
            EmbeddedBroker b = startOn(host, candidate, dataDir, access);
            if (!LoopbackPorts.bindable(address, candidate)) return b;
            b.close();
            last = new IOException("the embedded broker did not bind " + host + ":" + candidate);
        }
        throw last;
    }

    private static EmbeddedBroker startOn(String host, int port, Path dataDir, Access access) throws IOException {
        Properties p = new Properties();
        p.setProperty("host", host);
        p.setProperty("port", Integer.toString(port));
        p.setProperty("websocket_port", "disabled");
        p.setProperty("allow_anonymous", access == null ? "true" : "false");
        p.setProperty("telemetry_enabled", "false");
        p.setProperty("immediate_buffer_flush", "true");
        p.setProperty("netty.mqtt.message_size", "65536");
        if (dataDir != null) {
            p.setProperty("persistence_enabled", "true");
            p.setProperty("data_path", dataDir.toAbsolutePath().toString());
        } else {
            p.setProperty("persistence_enabled", "false");
        }
        Server server = new Server();
        if (access == null) {
            server.startServer(new MemoryConfig(p));
        } else {
            io.moquette.broker.security.IAuthenticator passwords = (clientId, user, password) -> user != null && password != null
                    && java.security.MessageDigest.isEqual(access.passwords().getOrDefault(user, "\u0000").getBytes(java.nio.charset.StandardCharsets.UTF_8), password);
            io.moquette.broker.security.IAuthorizatorPolicy acl = new io.moquette.broker.security.IAuthorizatorPolicy() {
                @Override
                public boolean canWrite(io.moquette.broker.subscriptions.Topic topic, String user, String client) {
                    return ktp.broker.BrokerSetup.allowed(access.plan(), user, topic.toString(), true);
                }

                @Override
                public boolean canRead(io.moquette.broker.subscriptions.Topic topic, String user, String client) {
                    return ktp.broker.BrokerSetup.allowed(access.plan(), user, topic.toString(), false);
                }
            };
            server.startServer(new MemoryConfig(p), java.util.List.of(), null, passwords, acl);
        }
        return new EmbeddedBroker(server, host, port);
    }

    public String url() { return "tcp://" + host + ":" + port; }

    @Override
    public void close() { server.stopServer(); }
}
