package ktp.office;

import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import ktp.office.collect.OfficeCollector;
import ktp.office.db.OfficeDatabase;
import ktp.telemetry.BrokerSettings;
import ktp.telemetry.Keyring;
import ktp.telemetry.TelemetryKey;

/**
 * A collector process for the exactly-once test (so it can be SIGKILLed): args JDBC-URL BROKER OFFICE-KEY
 * REGISTRY NAME GROUP DROP [USER PASSWORD-FILE], where DROP is the number of the receipt it drops (0: none), as a broker losing
 * it would. Prints "READY", then "STORED n DUPLICATES d DROPPED r [RANGE station from-to]" every 200 ms (the range of the
 * receipt it dropped, once it did); stops by itself after 3 minutes.
 */
public final class CollectorWorker {
    public static void main(String[] a) throws Exception {
        int drop = Integer.parseInt(a[6]);
        AtomicInteger n = new AtomicInteger();
        java.util.concurrent.atomic.AtomicReference<String> dropped = new java.util.concurrent.atomic.AtomicReference<>("");
        try (OfficeDatabase db = OfficeDatabase.connect(a[0], null, null, 4);
             OfficeCollector c = new OfficeCollector(db.dataSource(), broker(a), TelemetryKey.load(Path.of(a[2])), Keyring.watch(Path.of(a[3])),
                     a[4], a[5], OfficeCli.ZONE, Clock.systemUTC(), r -> {
                         if (n.incrementAndGet() != drop) return true;
                         dropped.set(" RANGE " + r.station() + " " + r.from() + "-" + r.to());
                         return false;
                     }).start()) {
            System.out.println("READY");
            System.out.flush();
            long deadline = System.nanoTime() + 180_000_000_000L;
            while (System.nanoTime() < deadline) {
                System.out.println("STORED " + c.stored() + " DUPLICATES " + c.duplicates() + " DROPPED " + c.receiptsDropped() + dropped.get());
                System.out.flush();
                Thread.sleep(200);
            }
        }
    }

    /** The broker's URL, with the collector's login when one is given (the run's broker admits no anonymous client). */
    private static BrokerSettings broker(String[] a) throws java.io.IOException {
        if (a.length < 9 || a[7].equals("-")) return BrokerSettings.plain(a[1]);
        return new BrokerSettings(a[1], a[7], java.nio.file.Files.readString(Path.of(a[8])).strip().toCharArray(), null, null, null);
    }
}
