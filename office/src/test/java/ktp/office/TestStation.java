package ktp.office;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import ktp.store.Actor;
import ktp.job.JobState;
import ktp.store.StationStore;
import ktp.telemetry.BrokerSettings;
import ktp.telemetry.CommandHandler;
import ktp.telemetry.DeviceHealth;
import ktp.telemetry.Keyring;
import ktp.telemetry.OutboxPublisher;
import ktp.telemetry.TelemetryKey;

/**
 * A station for the office's tests: its own store (events made by real job changes: a record admitted and
 * validated writes SENT_FOR_CARD_PRINTING to the outbox) drained by the real publisher, signed with its key.
 */
final class TestStation implements AutoCloseable {
    final String id;
    final StationStore store;
    final OutboxPublisher publisher;
    private int next = 1;

    TestStation(String id, Path dir, String broker, TelemetryKey key, Keyring officeKeys) throws java.io.IOException {
        this(id, dir, broker, key, officeKeys, CommandHandler.NONE);
    }

    TestStation(String id, Path dir, String broker, TelemetryKey key, Keyring officeKeys, CommandHandler commands) throws java.io.IOException {
        this.id = id;
        this.store = StationStore.open(dir, id, Clock.systemUTC());
        this.publisher = new OutboxPublisher(store, ktp.telemetry.SharedBrokerLogins.as(id).at(broker), key, officeKeys, DeviceHealth.UNKNOWN, commands,
                Duration.ofSeconds(5), Clock.systemUTC()).start();
    }

    /** {@code n} records admitted and validated; NIKs in the regency {@code region} (4 digits). */
    void events(int n, String region) {
        for (int i = 0; i < n; i++, next++) {
            String record = String.format("%s-R%06d", id, next);
            store.admit(record, 1, String.format("%s%012d", region, next), ("envelope " + next).getBytes(), Actor.STATION);
            store.transition(record, JobState.VALIDATED, Actor.STATION, "", null);
        }
        publisher.wake();
    }

    @Override
    public void close() {
        publisher.close();
        store.close();
    }
}
