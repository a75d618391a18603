package ktp.office;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.List;
import ktp.job.EventType;
import ktp.office.db.EventLedger;
import ktp.office.db.OfficeDatabase;
import ktp.telemetry.TelemetryCodec;

/**
 * The embedded database end to end, in a process of its own (PostgreSQL never runs as root, so as root the test
 * runs this as the postgres user): start it in DATA, store an event, stop; start again on the same folder and
 * print how many events it holds.
 */
public final class EmbeddedProbe {
    public static void main(String[] a) throws Exception {
        Path data = Path.of(a[0]);
        try (OfficeDatabase db = OfficeDatabase.embedded(data, 2)) {
            Instant at = Instant.now();
            TelemetryCodec.Event e = new TelemetryCodec.Event(EventType.CARD_PRINTED, "embedded-1", 1, "S1", "R1", "3171011606650007", "3171", "", "", "", at, at);
            new EventLedger(db.dataSource(), "probe", OfficeCli.ZONE).ingest(List.of(new EventLedger.Incoming("S1", "run", e, "{}".getBytes())), List.of(), List.of());
        }
        try (OfficeDatabase db = OfficeDatabase.embedded(data, 2); Connection c = db.connection(); ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM events")) {
            rs.next();
            System.out.println("EVENTS " + rs.getLong(1) + " EMBEDDED " + db.isEmbedded());
        }
    }
}
