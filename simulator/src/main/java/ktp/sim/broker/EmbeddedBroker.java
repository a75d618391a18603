package ktp.sim.broker;

import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Properties;

/**
 * The zero-install demo's MQTT broker: Moquette 0.17 in process, MQTT 3.1.1 (what the station speaks), on a
 * loopback port. It has no shared subscriptions, so collectors on it subscribe directly. Moquette's usage
 * telemetry to moquette.io is switched off: nothing leaves the machine.
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

    /** Starts on {@code host}:{@code port} (0 picks a free port), keeping sessions in {@code dataDir} when given. */
    public static EmbeddedBroker start(String host, int port, Path dataDir) throws IOException {
        if (port == 0) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(host))) {
                port = s.getLocalPort();
            }
        }
        Properties p = new Properties();
        p.setProperty("host", host);
        p.setProperty("port", Integer.toString(port));
        p.setProperty("websocket_port", "disabled");
        p.setProperty("allow_anonymous", "true");
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
        server.startServer(new MemoryConfig(p));
        return new EmbeddedBroker(server, host, port);
    }

    public String url() { return "tcp://" + host + ":" + port; }

    @Override
    public void close() { server.stopServer(); }
}
