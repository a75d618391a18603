package ktp.sim.broker;

import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import java.io.IOException;
import java.nio.file.Path;
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
        // Port 0 is handed to Moquette itself, which binds it and reports the port it got: choosing a free port
        // first and binding it later let another test JVM (surefire forks) or an outgoing connection take it in
        // between, and the station then met another broker ("Connection lost" at the data center's connect).
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
        int bound = server.getPort();
        if (bound <= 0) {
            server.stopServer();
            throw new IOException("the embedded broker did not bind " + host + ":" + port);
        }
        return new EmbeddedBroker(server, host, bound);
    }

    public String url() { return "tcp://" + host + ":" + port; }

    @Override
    public void close() { server.stopServer(); }
}
