package ktp.office;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import ktp.job.EventType;
import ktp.office.db.EventLedger;
import ktp.office.db.OfficeDatabase;
import ktp.office.web.Dashboard;
import ktp.office.web.Figures;
import ktp.office.web.OfficeUsers;
import ktp.telemetry.TelemetryCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deliver 3's breakdowns and the alerts in both languages, over HTTP with a signed-in session (no browser: the
 * browser tests cover the pages' behaviour): spoiled cards and rejected records by reason kind on the national and
 * the province view, in the reasons CSV and in the PDF, equal to the events stored; an alert's detail in Indonesian
 * by default and in English with lang=en, and both in the JSON feed. The reason kinds of the ingest and of the V4
 * migration's backfill (rows stored before it) are the same.
 */
class DashboardReasonsTest {
    @TempDir Path dir;

    private static EventLedger.Incoming event(String station, long seq, EventType type, String region, String reason, Instant at) {
        TelemetryCodec.Event e = new TelemetryCodec.Event(type, station + "-" + seq, seq, station, "R-" + station + "-" + seq, region + String.format("%012d", seq), region,
                "", "", reason, at, at);
        return new EventLedger.Incoming(station, "run", e, "{}".getBytes());
    }

    @Test
    void spoiledAndRejectedByReasonInTheViewsAndExportsAndAlertsInBothLanguages() throws Exception {
        try (OfficeDatabase db = OfficeDatabase.connect(DebianPostgres.freshDatabase(), null, null, 4)) {
            Instant now = Instant.now();
            LocalDate today = LocalDate.now(OfficeCli.ZONE);
            EventLedger ledger = new EventLedger(db.dataSource(), "test", OfficeCli.ZONE);
            List<EventLedger.Incoming> in = new ArrayList<>();
            long q = 1;
            // Bandung (32): 3 jams (each naming its card), 1 lane fault, 1 without a reason; 2 records with a bad signature.
            for (int i = 0; i < 3; i++) in.add(event("ST-BDG", q++, EventType.CARD_SPOILED, "3273", "JAM: printer P" + i + " stopped; take the card out by hand (it is spoiled)", now));
            in.add(event("ST-BDG", q++, EventType.CARD_SPOILED, "3273", "the printer lane faulted while the card was PRINTING (head too hot); the card goes to the reject box", now));
            in.add(event("ST-BDG", q++, EventType.CARD_SPOILED, "3273", "", now));
            for (int i = 0; i < 2; i++) in.add(event("ST-BDG", q++, EventType.RECORD_REJECTED, "3273", "BAD_SIGNATURE [signature]: not signed by the data center (record " + i + ")", now));
            // Jakarta (31): 1 jam.
            in.add(event("ST-JKT", 1, EventType.CARD_SPOILED, "3171", "JAM: printer J1", now));
            // The station goes offline with 20 blanks left: two alerts to read in both languages.
            ledger.ingest(in, List.of(new EventLedger.Status("ST-BDG", new TelemetryCodec.State("ST-BDG", false, now, "connection lost"), null, "t", new byte[0])), List.of());

            // The same kinds as the migration's SQL gives for rows stored before it (what a backfill would have written).
            try (Connection c = db.connection(); var rs = c.createStatement().executeQuery("""
                    SELECT reason, CASE WHEN reason IS NULL OR reason = '' THEN ''
                                        WHEN reason ~ '^[A-Z][A-Z0-9_]{2,}' THEN substring(reason FROM '^[A-Z][A-Z0-9_]{2,}')
                                        ELSE left(btrim(substring(reason FROM '^[^:;,(\\[]*')), 80) END
                    FROM events WHERE type IN ('CARD_SPOILED', 'RECORD_REJECTED')""")) {
                int n = 0;
                while (rs.next()) {
                    assertEquals(rs.getString(2), EventLedger.reasonKind(rs.getString(1)), "the reason kind of '" + rs.getString(1) + "'");
                    n++;
                }
                assertEquals(8, n);
                c.commit();
            }

            Path usersFile = dir.resolve("office-users");
            OfficeUsers.put(usersFile, "budi", OfficeUsers.Role.VIEWER, "kata-sandi-yang-panjang".toCharArray());
            try (Dashboard d = new Dashboard(new InetSocketAddress("127.0.0.1", 0), new Figures(db.dataSource()), OfficeUsers.load(usersFile), OfficeCli.ZONE, Clock.systemUTC()).start()) {
                String site = "http://127.0.0.1:" + d.port();
                HttpClient http = HttpClient.newHttpClient();
                HttpResponse<String> login = http.send(HttpRequest.newBuilder(URI.create(site + "/login")).header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("name=budi&password=kata-sandi-yang-panjang")).build(), HttpResponse.BodyHandlers.ofString());
                String cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];

                String national = get(http, site + "/", cookie);
                String reasons = national.substring(national.indexOf("<table id=reasons>"), national.indexOf("</table>", national.indexOf("<table id=reasons>")));
                // Most frequent first, each kind once whatever card or printer its text named.
                assertTrue(reasons.contains("<tr><td>Rusak</td><td>JAM</td><td class=n>4</td></tr>"), reasons);
                assertTrue(reasons.contains("<td>Rusak</td><td>the printer lane faulted while the card was PRINTING</td><td class=n>1</td>"), reasons);
                assertTrue(reasons.contains("<td>Rusak</td><td>(tanpa alasan)</td><td class=n>1</td>"), reasons);
                assertTrue(reasons.contains("<td>Data ditolak</td><td>BAD_SIGNATURE</td><td class=n>2</td>"), reasons);
                assertTrue(reasons.indexOf(">JAM<") < reasons.indexOf("the printer lane"), "the most frequent reason first: " + reasons);
                String jakarta = get(http, site + "/province?code=31&lang=en", cookie);
                String jr = jakarta.substring(jakarta.indexOf("<table id=reasons>"), jakarta.indexOf("</table>", jakarta.indexOf("<table id=reasons>")));
                assertTrue(jr.contains("<td>Spoiled</td><td>JAM</td><td class=n>1</td>") && jr.contains("<td>Records rejected</td><td>-</td><td class=n>0</td>"), jr);

                List<String> csv = get(http, site + "/export.csv?table=reasons&from=" + today + "&to=" + today + "&code=32", cookie).lines().toList();
                assertEquals(List.of("from,to,code,type,reason,count",
                        today + "," + today + ",32,CARD_SPOILED,\"JAM\",3",
                        today + "," + today + ",32,CARD_SPOILED,\"\",1",
                        today + "," + today + ",32,CARD_SPOILED,\"the printer lane faulted while the card was PRINTING\",1",
                        today + "," + today + ",32,RECORD_REJECTED,\"BAD_SIGNATURE\",2"), csv);
                byte[] pdf = http.send(HttpRequest.newBuilder(URI.create(site + "/export.pdf?from=" + today + "&to=" + today + "&lang=en")).header("Cookie", cookie).build(),
                        HttpResponse.BodyHandlers.ofByteArray()).body();
                try (org.apache.pdfbox.pdmodel.PDDocument doc = org.apache.pdfbox.Loader.loadPDF(pdf)) {
                    String text = new org.apache.pdfbox.text.PDFTextStripper().getText(doc);
                    assertTrue(text.contains("Spoiled and rejected by reason") && text.matches("(?s).*Spoiled\\s+JAM\\s+4.*") && text.matches("(?s).*Records rejected\\s+BAD_SIGNATURE\\s+2.*"), text);
                }

                // The alert's detail in the dashboard's language.
                String stationsId = get(http, site + "/stations", cookie);
                assertTrue(stationsId.contains("<b>Stasiun luring</b> ST-BDG: luring sejak status terakhirnya"), stationsId);
                String stationsEn = get(http, site + "/stations?lang=en", cookie);
                assertTrue(stationsEn.contains("<b>Station offline</b> ST-BDG: offline since its last state"), stationsEn);
                String feed = get(http, site + "/alerts.json", cookie);
                assertTrue(feed.contains("\"kind\":\"OFFLINE\",\"station\":\"ST-BDG\",\"detail\":\"offline since its last state\",\"details\":{\"id\":\"luring sejak status terakhirnya\",\"en\":\"offline since its last state\"}"), feed);
            }
        }
    }

    private static String get(HttpClient http, String url, String cookie) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Cookie", cookie).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), url + ": " + r.body());
        return r.body();
    }
}
