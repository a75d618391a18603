package ktp.sim.demo;

import java.io.IOException;
import ktp.sim.broker.EmbeddedBroker;
import ktp.telemetry.BrokerSettings;

/**
 * The broker a simulated station's telemetry goes through: an embedded Moquette that admits only the demo's
 * own clients, each with its own password and the production ACL (the station, its office's collector, the
 * data center), or the one --broker names.
 */
final class Broker implements AutoCloseable {
    static final String COLLECTOR = "demo-office";
    final BrokerSettings settings;
    final boolean embedded;
    private final EmbeddedBroker server;
    private final java.util.Map<String, String> passwords;

    private Broker(BrokerSettings settings, EmbeddedBroker server, java.util.Map<String, String> passwords) {
        this.settings = settings;
        this.server = server;
        this.embedded = server != null;
        this.passwords = passwords;
    }

    static Broker start(String url, String stationId) throws IOException {
        if (url != null) {
            try {
                return new Broker(BrokerSettings.plain(url), null, java.util.Map.of());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--broker: " + e.getMessage());
            }
        }
        java.util.Map<String, String> passwords = new java.util.HashMap<>();
        java.security.SecureRandom random = new java.security.SecureRandom();
        for (String user : java.util.List.of(stationId, ktp.broker.BrokerSetup.collectorUser(COLLECTOR), ktp.broker.BrokerSetup.DATACENTER, ktp.broker.BrokerSetup.WATCHER)) {
            byte[] b = new byte[18];
            random.nextBytes(b);
            passwords.put(user, java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b));
        }
        ktp.broker.BrokerSetup.Plan plan = new ktp.broker.BrokerSetup.Plan(java.util.List.of(stationId), java.util.List.of(COLLECTOR), "127.0.0.1:0", null, null, null, null);
        EmbeddedBroker b = EmbeddedBroker.start("127.0.0.1", 0, null, new EmbeddedBroker.Access(java.util.Map.copyOf(passwords), plan));
        return new Broker(BrokerSettings.plain(b.url()), b, java.util.Map.copyOf(passwords));
    }

    /** How {@code user} logs in: on the embedded broker with its own password, on an external one as it is. */
    BrokerSettings login(String user) {
        if (!embedded) return settings;
        return new BrokerSettings(settings.url(), user, passwords.get(user).toCharArray(), null, null, null);
    }

    /** The user's password, for a configuration file (embedded broker only). */
    String password(String user) { return passwords.get(user); }

    @Override
    public void close() {
        if (server != null) server.close();
    }
}
