package ktp.office;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import ktp.office.command.OfficeCommander;
import ktp.office.db.EventLedger;
import ktp.office.db.OfficeDatabase;
import ktp.office.web.Dashboard;
import ktp.office.web.Figures;
import ktp.office.web.OfficeUsers;
import ktp.telemetry.BrokerSettings;
import ktp.telemetry.CommandHandler;
import ktp.telemetry.Keyring;
import ktp.telemetry.TelemetryCodec;
import ktp.telemetry.TelemetryKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A command from the dashboard in headless Chromium, through the run's Mosquitto to a station with the real
 * publisher: a supervisor sends PAUSE with a reason, the station carries it out (its handler records what it got,
 * verified with the office key) and its signed answer is shown and audited with who and why; a viewer gets no form.
 */
class DashboardCommandTest {
    @TempDir Path dir;

    @Test
    void aSupervisorPausesAStationFromThePageAndItsSignedAnswerIsShownAndAudited() throws Exception {
        String url = DebianPostgres.freshDatabase();
        String broker = "tcp://" + ExactlyOnceAcrossCollectorsTest.mosquitto();
        String station = ktp.telemetry.SharedBrokerLogins.station("CMD");
        TelemetryKey office = TelemetryKey.generate();
        Path officeKeys = dir.resolve("office-keys");
        Keyring.add(officeKeys, "office", office.publicKey());
        Path registry = dir.resolve("registry");
        TelemetryKey stationKey = TelemetryKey.generate();
        Keyring.add(registry, station, stationKey.publicKey());
        List<String> carriedOut = new CopyOnWriteArrayList<>();
        CommandHandler handler = (c, signer) -> {
            carriedOut.add(c.command() + " by " + c.issuedBy() + " because " + c.reason() + " signed by " + signer.owner());
            return new CommandHandler.Answer(true, "paused after the current card");
        };
        Path users = dir.resolve("users");
        OfficeUsers.put(users, "sari", OfficeUsers.Role.SUPERVISOR, "supervisor-password".toCharArray());
        OfficeUsers.put(users, "budi", OfficeUsers.Role.VIEWER, "viewer-password-x".toCharArray());
        Path shots = Path.of(System.getProperty("ktp.repo", "."), "office", "target", "screenshots");
        String collectorName = ktp.telemetry.SharedBrokerLogins.collector("cmd");
        try (OfficeDatabase db = OfficeDatabase.connect(url, null, null, 6);
             TestStation st = new TestStation(station, dir.resolve("store"), broker, stationKey, Keyring.load(officeKeys), handler);
             OfficeCommander commander = new OfficeCommander(db.dataSource(), ktp.telemetry.SharedBrokerLogins.asOffice(), office, Keyring.watch(registry), "test-" + station, Clock.systemUTC());
             Dashboard d = new Dashboard(new InetSocketAddress("127.0.0.1", 0), new Figures(db.dataSource()), OfficeUsers.load(users), OfficeCli.ZONE, Clock.systemUTC())
                     .commands(commander).start();
             Browser b = Browser.start();
             // A collector beside it: its heartbeat is what tells that the station's subscriptions are in place (below).
             ktp.office.collect.OfficeCollector collector = new ktp.office.collect.OfficeCollector(db.dataSource(),
                     ktp.telemetry.SharedBrokerLogins.asCollector(collectorName).at(broker), office, Keyring.watch(registry),
                     collectorName, null, OfficeCli.ZONE, Clock.systemUTC(), ktp.office.collect.OfficeCollector.ReceiptGate.ALL).start()) {
            new EventLedger(db.dataSource(), "t", OfficeCli.ZONE).ingest(List.of(),
                    List.of(new EventLedger.Status(station, new TelemetryCodec.State(station, true, Instant.now(), null), null, "t", new byte[0])), List.of());
            // The station must be subscribed before the command goes (a command is not retained). It subscribes to its
            // commands and to the collectors' heartbeats in one SUBSCRIBE: a heartbeat heard means the commands' filter is in place.
            long deadline = System.currentTimeMillis() + 20_000;
            while (!st.publisher.status().collectorListening() && System.currentTimeMillis() < deadline) Thread.sleep(50);
            assertTrue(st.publisher.status().collectorListening(), "the station heard no collector's heartbeat in 20 s: " + st.publisher.status());
            String site = "http://127.0.0.1:" + d.port();
            b.open(site + "/login?lang=en");
            b.type("#name", "budi");
            b.type("#password", "viewer-password-x");
            b.click("#signin");
            b.open(site + "/commands?lang=en");
            assertFalse(b.source().contains("id=\"cmd-send\""), "a viewer has no command form");
            b.click("#logout");
            b.type("#name", "sari");
            b.type("#password", "supervisor-password");
            b.click("#signin");
            b.click("#nav-commands");
            b.type("#cmd-reason", "printer maintenance at 14:00");
            b.click("#cmd-send");
            String result = b.text("#command-result");
            assertTrue(result.contains("PAUSE " + station) && result.contains("accepted") && result.contains("paused after the current card") && result.contains("[" + station + " (key"), result);
            b.screenshot(shots.resolve("office-command-acknowledged.png"));
            assertEquals(List.of("PAUSE by sari because printer maintenance at 14:00 signed by office"), carriedOut, "what the station carried out");
            try (Connection c = DriverManager.getConnection(url);
                 ResultSet rs = c.createStatement().executeQuery("SELECT station_id, command, reason, issued_by, ack_accepted, ack_signer FROM commands")) {
                assertTrue(rs.next());
                assertEquals(station, rs.getString(1));
                assertEquals("PAUSE", rs.getString(2));
                assertEquals("printer maintenance at 14:00", rs.getString(3));
                assertEquals("sari", rs.getString(4));
                assertTrue(rs.getBoolean(5));
                assertTrue(rs.getString(6).startsWith(station + " (key"));
                assertFalse(rs.next());
            }
        }
    }
}
