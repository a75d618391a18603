package ktp.telemetry;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import ktp.store.StationStore;

/**
 * A station process for the SIGKILL test: opens the store, drains its outbox to the broker with the real
 * publisher, prints "ACKED n" as the outbox shrinks and "DRAINED" once it is empty, then waits to be killed
 * or stops by itself after a minute.
 */
public final class PublisherWorker {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        // The station's login on the shared broker (the parent passes ktp.mosquitto and ktp.mosquitto.credentials on).
        BrokerSettings broker = SharedBrokerLogins.as(args[2]).at(args[1]);
        try (StationStore store = StationStore.open(dir, args[2], Clock.systemUTC());
             OutboxPublisher p = new OutboxPublisher(store, broker, TelemetryKey.load(Path.of(args[3])), Keyring.load(Path.of(args[4])), DeviceHealth.UNKNOWN, CommandHandler.NONE,
                     Duration.ofSeconds(30), Clock.systemUTC()).start()) {
            System.out.println("READY " + store.outboxDepth());
            System.out.flush();
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (System.nanoTime() < deadline) {
                long depth = store.outboxDepth();
                System.out.println(depth == 0 ? "DRAINED" : "DEPTH " + depth);
                System.out.flush();
                if (depth == 0) break;
                Thread.sleep(20);
            }
        }
    }
}
