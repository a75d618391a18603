package ktp.office.command;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;
import ktp.telemetry.BrokerSettings;
import ktp.telemetry.Keyring;
import ktp.telemetry.SignedMessage;
import ktp.telemetry.TelemetryCodec;
import ktp.telemetry.TelemetryKey;
import ktp.telemetry.Topics;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commands from the dashboard (PAUSE, RESUME, AUTHORISE_REPRINT), as `ktp central command` sends them: signed
 * with the office key, for one station, audited in the {@code commands} table with who and why before they are
 * published, and the station's signed answer (verified against the station registry) recorded when it comes.
 */
public final class OfficeCommander implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OfficeCommander.class);

    public record Sent(String commandId, TelemetryCodec.Ack ack, String ackSigner) {}

    public record Entry(String commandId, String station, String command, String record, String reason, String issuedBy, Instant issuedAt,
                        Boolean accepted, String detail, String signer) {}

    private final DataSource ds;
    private final TelemetryKey key;
    private final Keyring stations;
    private final Clock clock;
    private final MqttAsyncClient client;
    private final Map<String, CompletableFuture<Sent>> waiting = new ConcurrentHashMap<>();

    public OfficeCommander(DataSource ds, BrokerSettings broker, TelemetryKey key, Keyring stations, String name, Clock clock) throws IOException {
        this.ds = ds;
        this.key = key;
        this.stations = stations;
        this.clock = clock;
        try {
            client = new MqttAsyncClient(broker.url(), "ktp-office-commands-" + name, new MemoryPersistence());
            MqttConnectOptions o = broker.options();
            o.setCleanSession(true);
            o.setAutomaticReconnect(true);
            client.connect(o).waitForCompletion(15_000);
            client.subscribe(Topics.all("acks"), 1, (topic, m) -> answer(topic, m.getPayload())).waitForCompletion(15_000);
        } catch (MqttException e) {
            throw new IOException("commands: broker " + broker.url() + ": " + e.getMessage(), e);
        }
    }

    /** Signs, audits, publishes, and waits up to {@code wait} for the station's answer (null ack when none came). */
    public Sent send(String station, TelemetryCodec.CommandKind kind, String record, String reason, String issuedBy, Duration wait)
            throws IOException, SQLException, InterruptedException {
        if (reason == null || reason.isBlank()) throw new IllegalArgumentException("a command needs a reason");
        if (kind == TelemetryCodec.CommandKind.AUTHORISE_REPRINT && (record == null || record.isBlank())) throw new IllegalArgumentException("AUTHORISE_REPRINT needs the record id");
        String id = UUID.randomUUID().toString();
        Instant at = clock.instant();
        byte[] body = TelemetryCodec.command(new TelemetryCodec.Command(id, station, kind, kind == TelemetryCodec.CommandKind.AUTHORISE_REPRINT ? record : null, reason, issuedBy, at));
        byte[] signed = SignedMessage.seal(SignedMessage.Kind.COMMAND, body, key);
        try (Connection c = ds.getConnection(); PreparedStatement p = c.prepareStatement(
                "INSERT INTO commands (command_id, station_id, command, record_id, reason, issued_by, issued_at, signed) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            p.setString(1, id);
            p.setString(2, station);
            p.setString(3, kind.name());
            p.setString(4, record == null || record.isBlank() ? null : record);
            p.setString(5, reason);
            p.setString(6, issuedBy);
            p.setTimestamp(7, Timestamp.from(at));
            p.setString(8, new String(signed, java.nio.charset.StandardCharsets.US_ASCII));
            p.executeUpdate();
            c.commit();
        }
        CompletableFuture<Sent> f = new CompletableFuture<>();
        waiting.put(id, f);
        try {
            client.publish(Topics.commands(station), signed, 1, false).waitForCompletion(10_000);
            return f.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return new Sent(id, null, null);
        } catch (MqttException e) {
            throw new IOException("commands: publishing to " + station + ": " + e.getMessage(), e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException(e.getCause());
        } finally {
            waiting.remove(id);
        }
    }

    private void answer(String topic, byte[] payload) {
        var t = Topics.parse(topic);
        if (t.isEmpty()) return;
        try {
            Keyring.Verified v = stations.open(payload, SignedMessage.Kind.ACK, t.get().station());
            TelemetryCodec.Ack a = TelemetryCodec.parseAck(v.body());
            if (!a.stationId().equals(t.get().station())) return;
            String signer = v.signer().owner() + " (key " + v.signer().kid().substring(0, 8) + ")";
            try (Connection c = ds.getConnection(); PreparedStatement p = c.prepareStatement(
                    "UPDATE commands SET ack_accepted = ?, ack_detail = ?, ack_at = ?, ack_signer = ? WHERE command_id = ? AND station_id = ? AND ack_at IS NULL")) {
                p.setBoolean(1, a.accepted());
                p.setString(2, a.detail());
                p.setTimestamp(3, Timestamp.from(a.at()));
                p.setString(4, signer);
                p.setString(5, a.commandId());
                p.setString(6, a.stationId());
                p.executeUpdate();
                c.commit();
            }
            CompletableFuture<Sent> f = waiting.get(a.commandId());
            if (f != null) f.complete(new Sent(a.commandId(), a, signer));
        } catch (TelemetryCodec.Rejected r) {
            LOG.warn("commands: an answer on {} refused: {}", topic, r.getMessage());
        } catch (SQLException e) {
            LOG.warn("commands: the answer on {} not recorded: {}", topic, e.getMessage());
        }
    }

    public List<Entry> recent(int limit) throws SQLException {
        List<Entry> out = new ArrayList<>();
        try (Connection c = ds.getConnection(); PreparedStatement p = c.prepareStatement(
                "SELECT command_id, station_id, command, record_id, reason, issued_by, issued_at, ack_accepted, ack_detail, ack_signer FROM commands ORDER BY issued_at DESC LIMIT ?")) {
            p.setInt(1, limit);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.add(new Entry(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6), rs.getTimestamp(7).toInstant(),
                            (Boolean) rs.getObject(8), rs.getString(9), rs.getString(10)));
                }
            }
            c.commit();
        }
        return out;
    }

    @Override
    public void close() {
        try {
            if (client.isConnected()) client.disconnect().waitForCompletion(3000);
            client.close(true);
        } catch (MqttException e) {
            LOG.debug("commands: close: {}", e.getMessage());
        }
    }
}
