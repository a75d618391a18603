package ktp.sim;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import ktp.job.JobState;
import ktp.store.Actor;
import ktp.store.StationStore;
import ktp.telemetry.BrokerSettings;
import ktp.telemetry.CommandHandler;
import ktp.telemetry.DeviceHealth;
import ktp.telemetry.OutboxPublisher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `ktp central collect` and `ktp telemetry tail` against the real broker and a real station publisher. */
class TelemetryCommandsTest {
    @TempDir
    Path dir;

    @Test
    void collectStoresAStationsEventsAndTailShowsItsRetainedStateAndHealth() throws Exception {
        String broker = SharedBroker.url();
        String station = "ST-CLI-" + UUID.randomUUID().toString().substring(0, 6);
        TelemetryTestKeys keys = TelemetryTestKeys.at(dir.resolve("keys"));
        ktp.telemetry.TelemetryKey stationKey = keys.station(station);
        keys.office.writePrivate(dir.resolve("office.key"));
        try (StationStore store = StationStore.open(dir.resolve("store"), station, Clock.systemUTC());
             OutboxPublisher p = new OutboxPublisher(store, BrokerSettings.plain(broker), stationKey, keys.officeRing(), DeviceHealth.UNKNOWN, CommandHandler.NONE,
                     Duration.ofMillis(500), Clock.systemUTC()).start()) {
            for (int i = 1; i <= 5; i++) {
                String id = "RC" + i;
                store.admit(id, 1, String.format("3273%012d", i), new byte[] {1}, Actor.STATION);
                store.transition(id, JobState.VALIDATED, Actor.STATION, "", null);
            }
            KtpRun collect = KtpRun.of("central", "collect", "--broker", broker, "--data", dir.resolve("office").toString(), "--group", "cli-" + station,
                    "--name", "cli-" + station, "--for", "6", "--interval", "1", "--json",
                    "--key", dir.resolve("office.key").toString(), "--stations", keys.registryDir.toString());
            assertEquals(0, collect.exit(), collect.err());
            String[] lines = collect.out().strip().split("\n");
            JsonNode last = new ObjectMapper().readTree(lines[lines.length - 1]);
            assertEquals(5, last.get("stations").get(station).get("events").asInt(), collect.out());
            assertEquals(0, last.get("regions").get("3273").get("printedToday").asInt(), "SENT_FOR_CARD_PRINTING is not a printed card");
            assertEquals(0, store.outboxDepth(), "every event receipted by the command's collector and deleted");

            KtpRun tail = KtpRun.of("telemetry", "tail", "--broker", broker, "--station", station, "--for", "2", "--stations", keys.registryDir.toString(),
                    "--office-keys", keys.officeKeys.toString());
            assertEquals(0, tail.exit(), tail.err());
            assertTrue(tail.out().contains(station + "  ONLINE since") && tail.out().contains("(retained)"), tail.out());
            assertTrue(tail.out().contains("health: printer UNKNOWN"), tail.out());
            assertTrue(tail.out().contains("[verified: signed by " + station + " (key " + stationKey.kid().substring(0, 8) + ")]"), "tail says who signed: " + tail.out());
            KtpRun unchecked = KtpRun.of("telemetry", "tail", "--broker", broker, "--station", station, "--for", "2");
            assertTrue(unchecked.out().contains("[signature not checked (key " + stationKey.kid().substring(0, 8) + "): give --stations]"), unchecked.out());
        }
        KtpRun bad = KtpRun.of("central", "collect", "--broker", "http://nowhere", "--data", dir.toString(), "--key", dir.resolve("office.key").toString(),
                "--stations", dir.resolve("keys/registry").toString());
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains("must start with tcp:// or ssl://"), bad.err());
        KtpRun badStation = KtpRun.of("telemetry", "tail", "--broker", broker, "--station", "a/#");
        assertEquals(2, badStation.exit());
        KtpRun noKey = KtpRun.of("central", "collect", "--broker", broker, "--data", dir.toString(), "--key", dir.resolve("nothing.key").toString(),
                "--stations", dir.resolve("keys/registry").toString());
        assertEquals(2, noKey.exit());
        assertTrue(noKey.err().contains("--key") && noKey.err().contains("nothing.key"), noKey.err());
    }
}
