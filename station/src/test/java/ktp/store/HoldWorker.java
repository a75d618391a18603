package ktp.store;

import java.nio.file.Path;
import java.time.Clock;

/**
 * A child process for the lock test: opens the store as its writer, commits once, prints "READY" and holds the
 * store until its standard input closes, then commits again ("AFTER") and closes cleanly.
 */
public final class HoldWorker {
    public static void main(String[] args) throws Exception {
        try (StationStore s = StationStore.open(Path.of(args[0]), "LOCK-01", Clock.systemUTC())) {
            s.audit(Actor.STATION, "HOLDING", "the writer");
            System.out.println("READY");
            System.out.flush();
            while (System.in.read() >= 0) { /* hold until the test closes our stdin */ }
            s.audit(Actor.STATION, "AFTER", "the writer is still the only one");
            System.out.println("DONE " + s.auditSize());
            System.out.flush();
        }
    }
}
