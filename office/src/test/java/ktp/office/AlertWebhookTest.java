package ktp.office;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import ktp.office.db.EventLedger;
import ktp.office.db.OfficeDatabase;
import ktp.office.web.AlertWebhook;
import ktp.office.web.Figures;
import ktp.telemetry.TelemetryCodec;
import org.junit.jupiter.api.Test;

/** New alerts reach a real HTTP webhook once each; a failing webhook gets them again at the next tick. */
class AlertWebhookTest {
    @Test
    void aStationGoingOfflineIsPostedOnceAndAgainAfterAFailure() throws Exception {
        List<String> got = new CopyOnWriteArrayList<>();
        AtomicInteger status = new AtomicInteger(500);
        HttpServer hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 5);
        hook.createContext("/hook", x -> {
            got.add(new String(x.getRequestBody().readAllBytes()));
            x.sendResponseHeaders(status.get(), -1);
            x.close();
        });
        hook.start();
        try (OfficeDatabase db = OfficeDatabase.connect(DebianPostgres.freshDatabase(), null, null, 2)) {
            AlertWebhook w = new AlertWebhook(new Figures(db.dataSource()), URI.create("http://127.0.0.1:" + hook.getAddress().getPort() + "/hook"), Clock.systemUTC());
            assertEquals(0, w.tick(), "no alerts, nothing posted");
            assertEquals(0, got.size());
            new EventLedger(db.dataSource(), "t", OfficeCli.ZONE).ingest(List.of(),
                    List.of(new EventLedger.Status("ST-9", new TelemetryCodec.State("ST-9", false, Instant.now(), "connection lost"), null, "t", new byte[0])), List.of());
            assertEquals(0, w.tick(), "the webhook answered 500");
            status.set(204);
            assertEquals(1, w.tick(), "sent again after the failure");
            assertTrue(got.get(got.size() - 1).contains("\"kind\":\"OFFLINE\",\"station\":\"ST-9\""), got.toString());
            assertEquals(0, w.tick(), "sent once");
            assertEquals(2, got.size(), "one refused by the webhook, one taken; nothing after");
        } finally {
            hook.stop(0);
        }
    }
}
