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

/** `ktp central collect` and `ktp telemetry tail` against the real broker and a real station publisher. */
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
    void collectStoresAStationsEventsAndTailShowsItsRetainedStateAndHealth() throws Exception {
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
            KtpRun collect = ktpAs(BrokerSetup.collectorUser(collector), "central", "collect", "--broker", broker, "--data", dir.resolve("office").toString(), "--group", "cli-" + station,
                    "--name", collector, "--for", "6", "--interval", "1", "--json",
                    "--key", dir.resolve("office.key").toString(), "--stations", keys.registryDir.toString());
            assertEquals(0, collect.exit(), collect.err());
            String[] lines = collect.out().strip().split("\n");
            JsonNode last = new ObjectMapper().readTree(lines[lines.length - 1]);
            assertEquals(5, last.get("stations").get(station).get("events").asInt(), collect.out());
            assertEquals(0, last.get("regions").get("3273").get("printedToday").asInt(), "SENT_FOR_CARD_PRINTING is not a printed card");
            assertEquals(0, store.outboxDepth(), "every event receipted by the command's collector and deleted");

            KtpRun tail = ktpAs(BrokerSetup.WATCHER, "telemetry", "tail", "--broker", broker, "--station", station, "--for", "2", "--stations", keys.registryDir.toString(),
                    "--office-keys", keys.officeKeys.toString());
            assertEquals(0, tail.exit(), tail.err());
            assertTrue(tail.out().contains(station + "  ONLINE since") && tail.out().contains("(retained)"), tail.out());
            assertTrue(tail.out().contains("health: printer UNKNOWN"), tail.out());
            assertTrue(tail.out().contains("[verified: signed by " + station + " (key " + stationKey.kid().substring(0, 8) + ")]"), "tail says who signed: " + tail.out());
            KtpRun unchecked = ktpAs(BrokerSetup.WATCHER, "telemetry", "tail", "--broker", broker, "--station", station, "--for", "2");
            assertTrue(unchecked.out().contains("[signature not checked (key " + stationKey.kid().substring(0, 8) + "): give --stations]"), unchecked.out());
        }
        KtpRun bad = KtpRun.of("central", "collect", "--broker", "http://nowhere", "--data", dir.toString(), "--key", dir.resolve("office.key").toString(),
                "--stations", dir.resolve("keys/registry").toString());
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains("must start with tcp:// or ssl://"), bad.err());
        KtpRun badStation = KtpRun.of("telemetry", "tail", "--broker", broker, "--station", "a/#");
        assertEquals(2, badStation.exit());
        KtpRun noKey = ktpAs(BrokerSetup.collectorUser(SharedBrokerLogins.collector("cli")), "central", "collect", "--broker", broker, "--data", dir.toString(), "--key", dir.resolve("nothing.key").toString(),
                "--stations", dir.resolve("keys/registry").toString());
        assertEquals(2, noKey.exit());
        assertTrue(noKey.err().contains("--key") && noKey.err().contains("nothing.key"), noKey.err());
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
