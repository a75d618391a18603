package ktp.sim;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import ktp.job.JobState;
import ktp.store.Actor;
import ktp.store.StationStore;
import ktp.telemetry.BrokerSettings;
import ktp.telemetry.CommandHandler;
import ktp.telemetry.DeviceHealth;
import ktp.telemetry.OutboxPublisher;
import ktp.broker.BrokerSetup;
import ktp.telemetry.SharedBrokerLogins;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `ktp telemetry tail` against the real broker and a real station publisher, and `ktp central collect` retired from
 * the station's command line (the office's collector replaced it: office/CentralCollectAliasTest).
 */
class TelemetryCommandsTest {
    @TempDir
    Path dir;

    /** A ktp command logged in to the shared broker as {@code user} (--broker-user, --broker-password-file). */
    private static KtpRun ktpAs(String user, String... args) {
        java.util.List<String> all = new java.util.ArrayList<>(java.util.List.of(args));
        all.addAll(SharedBrokerLogins.cliArgs(user));
        return KtpRun.of(all.toArray(String[]::new));
    }

    @Test
    void tailShowsAStationsRetainedStateAndHealthAndCentralCollectNamesItsReplacement() throws Exception {
        String broker = SharedBroker.url();
        String station = SharedBrokerLogins.station("ST-CLI");
        String collector = SharedBrokerLogins.collector("cli");
        TelemetryTestKeys keys = TelemetryTestKeys.at(dir.resolve("keys"));
        ktp.telemetry.TelemetryKey stationKey = keys.station(station);
        keys.office.writePrivate(dir.resolve("office.key"));
        try (StationStore store = StationStore.open(dir.resolve("store"), station, Clock.systemUTC());
             OutboxPublisher p = new OutboxPublisher(store, SharedBrokerLogins.as(station), stationKey, keys.officeRing(), DeviceHealth.UNKNOWN, CommandHandler.NONE,
                     Duration.ofMillis(500), Clock.systemUTC()).start()) {
            for (int i = 1; i <= 5; i++) {
                String id = "RC" + i;
                store.admit(id, 1, String.format("3273%012d", i), new byte[] {1}, Actor.STATION);
                store.transition(id, JobState.VALIDATED, Actor.STATION, "", null);
            }
            // The station's command line cannot run the office's collector (the station module does not depend on the
            // office): it keeps the name and says what replaced it; the ktp launcher runs `ktp office collect` for it.
            KtpRun collect = ktpAs(BrokerSetup.collectorUser(collector), "central", "collect", "--broker", broker, "--data", dir.resolve("office").toString(), "--group", "cli-" + station,
                    "--name", collector, "--for", "6", "--interval", "1", "--json",
                    "--key", dir.resolve("office.key").toString(), "--stations", keys.registryDir.toString());
            assertEquals(2, collect.exit(), collect.err());
            assertTrue(collect.err().contains("retired") && collect.err().contains("ktp office collect"), collect.err());
            long deadline = System.nanoTime() + 15_000_000_000L;
            while (!p.status().connected() && System.nanoTime() < deadline) Thread.sleep(50);

            KtpRun tail = ktpAs(BrokerSetup.WATCHER, "telemetry", "tail", "--broker", broker, "--station", station, "--for", "2", "--stations", keys.registryDir.toString(),
                    "--office-keys", keys.officeKeys.toString());
            assertEquals(0, tail.exit(), tail.err());
            assertTrue(tail.out().contains(station + "  ONLINE since") && tail.out().contains("(retained)"), tail.out());
            assertTrue(tail.out().contains("health: printer UNKNOWN"), tail.out());
            assertTrue(tail.out().contains("[verified: signed by " + station + " (key " + stationKey.kid().substring(0, 8) + ")]"), "tail says who signed: " + tail.out());
            KtpRun unchecked = ktpAs(BrokerSetup.WATCHER, "telemetry", "tail", "--broker", broker, "--station", station, "--for", "2");
            assertTrue(unchecked.out().contains("[signature not checked (key " + stationKey.kid().substring(0, 8) + "): give --stations]"), unchecked.out());
        }
        KtpRun badStation = KtpRun.of("telemetry", "tail", "--broker", broker, "--station", "a/#");
        assertEquals(2, badStation.exit());
    }

    @Test
    void theOfficesSignedReprintIsAnsweredKeptAtTheOfficeAndWaitsForTheStationsSupervisor() throws Exception {
        String broker = SharedBroker.url();
        String station = SharedBrokerLogins.station("ST-CMD");
        TelemetryTestKeys keys = TelemetryTestKeys.at(dir.resolve("keys"));
        ktp.telemetry.TelemetryKey stationKey = keys.station(station);
        keys.office.writePrivate(dir.resolve("office.key"));
        Path storeDir = dir.resolve("store");
        try (StationStore store = StationStore.open(storeDir, station, Clock.systemUTC())) {
            store.admit("PRR-000005-000005", 1, "3171011606650007", new byte[] {1}, Actor.STATION);
            for (JobState s : new JobState[] {JobState.VALIDATED, JobState.ENCODING, JobState.ENCODED, JobState.PRINTING, JobState.PRINTED, JobState.AWAITING_HOLDER}) {
                store.transition("PRR-000005-000005", s, Actor.STATION, "", s == JobState.ENCODING ? "04AA000001" : null);
            }
            try (OutboxPublisher p = new OutboxPublisher(store, SharedBrokerLogins.as(station), stationKey, keys.officeRing(), DeviceHealth.UNKNOWN,
                    new ktp.station.OfficeCommands(store), Duration.ofSeconds(30), Clock.systemUTC()).start()) {
                long deadline = System.nanoTime() + 20_000_000_000L;
                while (!p.status().connected() && System.nanoTime() < deadline) Thread.sleep(20);
                KtpRun cmd = ktpAs(BrokerSetup.OFFICE, "central", "command", "--broker", broker, "--station", station, "AUTHORISE_REPRINT", "--record", "PRR-000005-000005",
                        "--reason", "card lost by the post office", "--key", dir.resolve("office.key").toString(), "--stations", keys.registryDir.toString(),
                        "--data", dir.resolve("office").toString(), "--issued-by", "budi", "--wait", "20");
                assertEquals(0, cmd.exit(), cmd.out() + cmd.err());
                assertTrue(cmd.out().contains(station + " answered (signed by " + station + " (key " + stationKey.kid().substring(0, 8) + ")): accepted"), cmd.out());
                assertTrue(cmd.out().contains("pending the station supervisor's confirmation"), cmd.out());
                String kept = java.nio.file.Files.readString(dir.resolve("office/commands.jsonl"));
                JsonNode line = new ObjectMapper().readTree(kept.strip());
                assertEquals("AUTHORISE_REPRINT", line.get("command").get("command").asText());
                assertTrue(line.get("ack").get("accepted").asBoolean(), "the command and its answer kept at the office: " + kept);
                assertEquals(JobState.AWAITING_HOLDER, store.job("PRR-000005-000005").orElseThrow().state(), "no second blank yet");
                assertTrue(store.auditLog().stream().anyMatch(a -> a.action().equals("OFFICE_AUTHORISE_REPRINT") && a.detail().contains("issued by budi")
                        && a.detail().contains("card lost by the post office") && a.detail().contains("signed by test-office")), "the station's audit log says who signed it and why");
            }
        }
        KtpRun confirm = KtpRun.of("reprint", "confirm", "--store", storeDir.toString(), "--record", "PRR-000005-000005", "--supervisor", "sari");
        assertEquals(0, confirm.exit(), confirm.out() + confirm.err());
        try (StationStore store = StationStore.open(storeDir, station, Clock.systemUTC())) {
            assertEquals(JobState.VALIDATED, store.job("PRR-000005-000005").orElseThrow().state(), "confirmed by the supervisor: back in the queue");
        }
        KtpRun again = KtpRun.of("reprint", "confirm", "--store", storeDir.toString(), "--record", "PRR-000005-000005", "--supervisor", "sari");
        assertEquals(1, again.exit(), "one authorisation, one reprint: " + again.out());
    }
}
