package ktp.office;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Properties;
import ktp.office.collect.OfficeCollector;
import ktp.office.db.OfficeDatabase;
import ktp.telemetry.BrokerSettings;
import ktp.telemetry.Keyring;
import ktp.telemetry.TelemetryKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On a broker without shared subscriptions (Moquette 0.17, the demo's embedded broker: it takes a $share filter
 * and delivers nothing to it) a collector in a group says so and does not start; without a group it starts.
 * On Mosquitto, which has them, the group starts.
 */
class SharedSubscriptionCheckTest {
    @TempDir Path dir;

    @Test
    void aGroupOnABrokerWithoutSharedSubscriptionsRefusesToStartAndSaysWhatToDo() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Properties p = new Properties();
        p.setProperty("host", "127.0.0.1");
        p.setProperty("port", Integer.toString(port));
        p.setProperty("websocket_port", "disabled");
        p.setProperty("allow_anonymous", "true");
        p.setProperty("telemetry_enabled", "false");
        p.setProperty("persistence_enabled", "false");
        Server moquette = new Server();
        moquette.startServer(new MemoryConfig(p));
        try (OfficeDatabase db = OfficeDatabase.connect(DebianPostgres.freshDatabase(), null, null, 2)) {
            TelemetryKey key = TelemetryKey.generate();
            Keyring registry = Keyring.watch(dir.resolve("registry"));
            BrokerSettings broker = BrokerSettings.plain("tcp://127.0.0.1:" + port);
            IOException e = assertThrows(IOException.class, () -> new OfficeCollector(db.dataSource(), broker, key, registry, "c1", "grp", OfficeCli.ZONE,
                    Clock.systemUTC(), OfficeCollector.ReceiptGate.ALL).start());
            assertTrue(e.getMessage().contains("no shared subscriptions") && e.getMessage().contains("collectors.share: false") && e.getMessage().contains("Not starting"), e.getMessage());
            try (OfficeCollector direct = new OfficeCollector(db.dataSource(), broker, key, registry, "c2", null, OfficeCli.ZONE, Clock.systemUTC(),
                    OfficeCollector.ReceiptGate.ALL).start()) {
                assertTrue(direct.databaseUp());
            }
            String c3 = ktp.telemetry.SharedBrokerLogins.collector("c3");
            try (OfficeCollector shared = new OfficeCollector(db.dataSource(), ktp.telemetry.SharedBrokerLogins.asCollector(c3), key, registry,
                    c3, "grp-" + System.nanoTime(), OfficeCli.ZONE, Clock.systemUTC(), OfficeCollector.ReceiptGate.ALL).start()) {
                assertTrue(shared.databaseUp());
            }
        } finally {
            moquette.stopServer();
        }
    }
}
