package ktp.office;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import ktp.broker.BrokerSetup;
import ktp.telemetry.Keyring;
import ktp.telemetry.SharedBrokerLogins;
import ktp.telemetry.TelemetryKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deliver 5: {@code ktp central collect} is the office's collector. The launcher maps it to {@code ktp office
 * collect} (the old command's options); that command, run as its own process against Debian's PostgreSQL and the
 * run's Mosquitto, stores a real station's events once and receipts them (the station's outbox empties); a bad
 * key is named; and the station module's own {@code central collect}, which cannot run the office, says where it went.
 */
class CentralCollectAliasTest {
    @TempDir Path dir;

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void centralCollectRunsTheOfficesCollectorAndTheStationsOwnCommandNamesIt() throws Exception {
        String url = DebianPostgres.freshDatabase();
        String broker = "tcp://" + ExactlyOnceAcrossCollectorsTest.mosquitto();
        String station = SharedBrokerLogins.station("ALIAS");
        String name = SharedBrokerLogins.collector("alias");
        TelemetryKey office = TelemetryKey.generate();
        Path officeKey = dir.resolve("office.key");
        office.writePrivate(officeKey);
        Path officeKeys = dir.resolve("office-keys");
        Keyring.add(officeKeys, "office", office.publicKey());
        Path registry = dir.resolve("registry");
        TelemetryKey stationKey = TelemetryKey.generate();
        Keyring.add(registry, station, stationKey.publicKey());

        List<String> args = new ArrayList<>(List.of("collect", "--broker", broker, "--data", dir.resolve("office").toString(), "--database", url,
                "--key", officeKey.toString(), "--stations", registry.toString(), "--group", "alias-" + name, "--name", name, "--interval", "1", "--json"));
        Path password = SharedBrokerLogins.passwordFile(BrokerSetup.collectorUser(name));
        if (password != null) args.addAll(List.of("--broker-user", BrokerSetup.collectorUser(name), "--broker-password-file", password.toString()));
        try (TestStation st = new TestStation(station, dir.resolve("store"), broker, stationKey, Keyring.load(officeKeys))) {
            st.events(5, "3273");
            Process p = office(args);
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                String line;
                String last = "";
                long deadline = System.currentTimeMillis() + 45_000;
                // One JSON line a second with what this collector stored; wait for the station's five events.
                while ((line = out.readLine()) != null && System.currentTimeMillis() < deadline) {
                    last = line;
                    if (line.contains("\"stored\":5")) break;
                }
                assertTrue(last.contains("\"collector\":\"" + name + "\"") && last.contains("\"stored\":5"), "the collector's last line: " + last + "\n" + Files.readString(dir.resolve("collect.err")));
                long outboxDeadline = System.currentTimeMillis() + 15_000;
                while (st.store.outboxDepth() > 0 && System.currentTimeMillis() < outboxDeadline) Thread.sleep(50);
                assertEquals(0, st.store.outboxDepth(), "every event receipted by the office's collector and deleted from the station's outbox");
            } finally {
                p.destroy(); // SIGTERM: the shutdown hook closes the collector and the database
                assertTrue(p.waitFor(20, TimeUnit.SECONDS), "the collector stops on SIGTERM");
            }
            String err = Files.readString(dir.resolve("collect.err"));
            assertTrue(err.contains("collecting from " + broker + " in group alias-" + name + " as " + name + " into " + url), err);
            try (Connection c = DriverManager.getConnection(url);
                 ResultSet rs = c.createStatement().executeQuery("SELECT count(*), count(DISTINCT sequence), min(sequence), max(sequence) FROM events WHERE station_id = '" + station + "'")) {
                rs.next();
                assertEquals(List.of(5L, 5L, 1L, 5L), List.of(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)), "the station's events 1..5, each once, in PostgreSQL");
            }
        }

        // A key that is not there is named, before anything connects.
        List<String> bad = new ArrayList<>(args);
        bad.set(bad.indexOf("--key") + 1, dir.resolve("nothing.key").toString());
        Process p = office(bad);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue());
        String err = Files.readString(dir.resolve("collect.err"));
        assertTrue(err.contains("--key") && err.contains("nothing.key"), err);

        // The station module alone (no office on its class path) keeps the command's name and says what replaced it.
        ByteArrayOutputStream stationErr = new ByteArrayOutputStream();
        PrintStream old = System.err;
        int exit;
        try {
            System.setErr(new PrintStream(stationErr, true, StandardCharsets.UTF_8));
            exit = ktp.cli.Ktp.commandLine().execute("central", "collect", "--broker", broker, "--data", dir.toString());
        } finally {
            System.setErr(old);
        }
        assertEquals(2, exit);
        String retired = stationErr.toString(StandardCharsets.UTF_8);
        assertTrue(retired.contains("retired") && retired.contains("ktp office collect") && retired.contains("ktp office run --config office.yaml"), retired);

        // And the launcher sends `ktp central collect` to the office's collector.
        String launcher = Files.readString(Path.of(System.getProperty("ktp.repo", "."), "ktp"));
        assertTrue(launcher.contains("\"central collect\") shift 2; run_office collect \"$@\""), "the ktp launcher maps central collect to office collect");
    }

    /** {@code ktp office ARGS} as its own process (what the launcher runs), its errors in collect.err. */
    private Process office(List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), OfficeCli.class.getName()));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectError(dir.resolve("collect.err").toFile()).start();
        if (!p.isAlive() && p.exitValue() != 0 && p.exitValue() != 2) fail("office " + args + " ended at once: " + Files.readString(dir.resolve("collect.err")));
        return p;
    }
}
