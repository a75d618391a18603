package ktp.telemetry;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;

/**
 * Where the broker is and how to log in: {@code tcp://host:port} or {@code ssl://host:port} (TLS trusting
 * only {@code caFile}, optionally with a client certificate), and an optional user name and password. The
 * password is never printed.
 */
public record BrokerSettings(String url, String username, char[] password, Path caFile, Path certificate, Path key) {
    public BrokerSettings {
        URI u;
        try {
            u = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("broker URL '" + url + "' is not a URL: " + e.getReason());
        }
        if (!"tcp".equals(u.getScheme()) && !"ssl".equals(u.getScheme())) throw new IllegalArgumentException("broker URL '" + url + "' must start with tcp:// or ssl://");
        if (u.getHost() == null || u.getPort() <= 0) throw new IllegalArgumentException("broker URL '" + url + "' needs a host and a port");
        if ("ssl".equals(u.getScheme()) && caFile == null) throw new IllegalArgumentException("an ssl:// broker needs the CA to trust (--broker-ca)");
    }

    public static BrokerSettings plain(String url) { return new BrokerSettings(url, null, null, null, null, null); }

    /** The same login at another address (the same broker through a relay, or a broker set up with the same names). */
    public BrokerSettings at(String otherUrl) { return new BrokerSettings(otherUrl, username, password, caFile, certificate, key); }

    /** Connect options shared by every client of the contract: the 3.1.1 protocol, credentials, TLS, and TCP_NODELAY. */
    /**
     * The options of a collector's connection, the station's file collector's and the office's alike: a durable
     * session (what the broker queued while it was away is delivered), many messages in flight, and reconnection
     * left to the collector, at every heartbeat tick: Paho's automatic reconnect was seen to stop for good after a
     * broker restart under load (CI: a collector silent for 90 s while the station waited for it).
     */
    public MqttConnectOptions collectorOptions() throws IOException {
        MqttConnectOptions o = options();
        o.setCleanSession(false);
        o.setAutomaticReconnect(false);
        o.setKeepAliveInterval(20);
        o.setMaxInflight(1000);
        return o;
    }

    public MqttConnectOptions options() throws IOException {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        if (username != null) o.setUserName(username);
        if (password != null) o.setPassword(password.clone());
        // TCP_NODELAY on every client's socket (NoDelaySockets: Nagle held a station's drain 40 ms at a time).
        o.setSocketFactory(url.startsWith("ssl://") ? NoDelaySockets.tls(ktp.central.Tls.context(caFile, certificate, key).getSocketFactory()) : NoDelaySockets.plain());
        return o;
    }

    @Override
    public String toString() { return "BrokerSettings[" + url + (username == null ? "" : ", user " + username) + (password == null ? "" : ", password hidden") + "]"; }
}
