package ktp.sim.demo;

import java.io.IOException;
import ktp.sim.broker.EmbeddedBroker;
import ktp.telemetry.BrokerSettings;

/** The broker a simulated station's telemetry goes through: an embedded Moquette, or the one --broker names. */
final class Broker implements AutoCloseable {
    final BrokerSettings settings;
    final boolean embedded;
    private final EmbeddedBroker server;

    private Broker(BrokerSettings settings, EmbeddedBroker server) {
        this.settings = settings;
        this.server = server;
        this.embedded = server != null;
    }

    static Broker start(String url) throws IOException {
        if (url != null) {
            try {
                return new Broker(BrokerSettings.plain(url), null);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--broker: " + e.getMessage());
            }
        }
        EmbeddedBroker b = EmbeddedBroker.start("127.0.0.1", 0, null);
        return new Broker(BrokerSettings.plain(b.url()), b);
    }

    @Override
    public void close() {
        if (server != null) server.close();
    }
}
