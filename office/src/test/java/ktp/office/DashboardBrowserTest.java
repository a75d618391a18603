package ktp.office;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
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
 * The dashboard in headless Chromium against Debian's PostgreSQL: a wrong password refused, sign-in, the national
 * view (Indonesian) and a province's regencies, English selected, a station going offline raising its alert on
 * the page and in the JSON feed, a record printed at two stations raising its alert, and the CSV downloaded with
 * the signed-in session equal to the events stored, a resident's events found by NIK, and the province's PDF read back with PDFBox. Screenshots in office/target/screenshots/.
 */
class DashboardBrowserTest {
    @TempDir Path dir;

    private static EventLedger.Incoming event(String station, long seq, EventType type, String nik, Instant at) {
        TelemetryCodec.Event e = new TelemetryCodec.Event(type, station + "-" + seq, seq, station, "R-" + station + "-" + seq, nik, nik.substring(0, 4), "", "", "", at, at);
        return new EventLedger.Incoming(station, "run", e, "{}".getBytes());
    }

    @Test
    void signInNationalAndProvinceViewsAnOfflineAlertAndACsv() throws Exception {
        Path shots = Path.of(System.getProperty("ktp.repo", "."), "office", "target", "screenshots");
        try (OfficeDatabase db = OfficeDatabase.connect(DebianPostgres.freshDatabase(), null, null, 4)) {
            Instant now = Instant.now();
            LocalDate today = LocalDate.now(OfficeCli.ZONE);
            EventLedger ledger = new EventLedger(db.dataSource(), "test", OfficeCli.ZONE);
            List<EventLedger.Incoming> in = new ArrayList<>();
            // ST-BDG in Kota Bandung (3273, Jawa Barat): 7 printed, 5 issued; ST-JKT: 2 printed in Jakarta (3171) and one of a Bandung NIK that ST-BDG printed too (Bandung: 8 printed).
            for (int i = 1; i <= 7; i++) in.add(event("ST-BDG", i, EventType.CARD_PRINTED, String.format("3273%012d", i), now));
            for (int i = 1; i <= 5; i++) in.add(event("ST-BDG", 7 + i, EventType.CARD_ISSUED, String.format("3273%012d", i), now));
            for (int i = 1; i <= 2; i++) in.add(event("ST-JKT", i, EventType.CARD_PRINTED, String.format("3171%012d", i), now));
            in.add(event("ST-JKT", 3, EventType.CARD_PRINTED, String.format("3273%012d", 7), now));
            ledger.ingest(in, List.of(new EventLedger.Status("ST-BDG", new TelemetryCodec.State("ST-BDG", true, now, null), null, "t", new byte[0]),
                    new EventLedger.Status("ST-JKT", new TelemetryCodec.State("ST-JKT", true, now, null), null, "t", new byte[0])), List.of());
            Path usersFile = dir.resolve("office-users");
            OfficeUsers.put(usersFile, "budi", OfficeUsers.Role.VIEWER, "kata-sandi-yang-panjang".toCharArray());
            try (Dashboard d = new Dashboard(new InetSocketAddress("127.0.0.1", 0), new Figures(db.dataSource()), OfficeUsers.load(usersFile), OfficeCli.ZONE, Clock.systemUTC()).start();
                 Browser b = Browser.start()) {
                String site = "http://127.0.0.1:" + d.port();
                b.open(site + "/");
                b.type("#name", "budi");
                b.type("#password", "wrong-password");
                b.click("#signin");
                assertTrue(b.text("#login-error").contains("salah"), "a wrong password is refused, in Indonesian");
                b.type("#name", "budi");
                b.type("#password", "kata-sandi-yang-panjang");
                b.click("#signin");
                assertEquals("Nasional", b.text("#view"));
                String national = b.text("#figures");
                assertTrue(national.contains("JAWA BARAT (32)") && national.contains("DKI JAKARTA (31)"), national);
                assertTrue(b.text("#alerts").contains("Dicetak dua kali"), "the NIK printed at two stations is an alert");
                assertTrue(b.source().contains("JAWA BARAT</text><rect"), "the per-province chart has Jawa Barat's bar");
                b.screenshot(shots.resolve("office-national.png"));
                b.click("a[href^='/province?code=32']");
                assertTrue(b.text("#view").contains("JAWA BARAT"));
                String province = b.text("#figures");
                assertTrue(province.contains("KOTA BANDUNG (3273)"), province);
                assertTrue(province.matches("(?s).*KOTA BANDUNG \\(3273\\) 8 5 0 0 0 0.*"), province);
                b.screenshot(shots.resolve("office-province-32.png"));
                b.open(site + "/?lang=en");
                assertEquals("National", b.text("#view"));
                // A resident's events by NIK: the Bandung NIK printed at both stations, then issued at ST-BDG.
                b.click("#nav-nik");
                b.type("#nik", String.format("3273%012d", 7));
                b.click("#nik-search");
                String resident = b.text("#resident");
                assertTrue(resident.contains("ST-BDG 7 Printed R-ST-BDG-7") && resident.contains("ST-JKT 3 Printed R-ST-JKT-3"), resident);
                b.screenshot(shots.resolve("office-resident-by-nik.png"));
                b.open(site + "/?lang=en");

                // ST-JKT goes offline: its alert on the page and in the feed.
                assertFalse(b.text("#alerts").contains("ST-JKT: offline"));
                ledger.ingest(List.of(), List.of(new EventLedger.Status("ST-JKT", new TelemetryCodec.State("ST-JKT", false, Instant.now(), "connection lost"), null, "t", new byte[0])), List.of());
                b.open(site + "/stations?lang=en");
                assertTrue(b.text("#alerts").contains("Station offline ST-JKT"), b.text("#alerts"));
                assertTrue(b.text("#st-ST-JKT").contains("offline"));
                b.screenshot(shots.resolve("office-stations-offline.png"));

                HttpClient http = HttpClient.newHttpClient();
                String cookie = "ktp_office=" + b.cookie("ktp_office");
                String feed = http.send(HttpRequest.newBuilder(URI.create(site + "/alerts.json")).header("Cookie", cookie).build(), HttpResponse.BodyHandlers.ofString()).body();
                assertTrue(feed.contains("\"kind\":\"OFFLINE\",\"station\":\"ST-JKT\"") && feed.contains("PRINTED_TWICE"), feed);
                assertEquals(303, http.send(HttpRequest.newBuilder(URI.create(site + "/alerts.json")).build(), HttpResponse.BodyHandlers.discarding()).statusCode(),
                        "the feed needs a session");
                HttpResponse<String> csv = http.send(HttpRequest.newBuilder(URI.create(site + "/export.csv?from=" + today + "&to=" + today)).header("Cookie", cookie).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertTrue(csv.headers().firstValue("Content-Disposition").orElse("").contains("attachment"));
                List<String> lines = csv.body().lines().toList();
                assertEquals("from,to,code,name,CARD_PRINTED,CARD_ISSUED,CARD_SPOILED,RECORD_REJECTED,ACTIVATION_FAILED,SENT_FOR_CARD_PRINTING", lines.get(0));
                assertEquals(today + "," + today + ",31,\"DKI JAKARTA\",2,0,0,0,0,0", lines.get(1));
                assertEquals(today + "," + today + ",32,\"JAWA BARAT\",8,5,0,0,0,0", lines.get(2));
                assertEquals(3, lines.size());
                HttpResponse<byte[]> pdf = http.send(HttpRequest.newBuilder(URI.create(site + "/export.pdf?from=" + today + "&to=" + today + "&code=32")).header("Cookie", cookie).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                assertEquals("application/pdf", pdf.headers().firstValue("Content-Type").orElse(""));
                java.nio.file.Files.createDirectories(shots);
                java.nio.file.Files.write(shots.resolve("office-province-32.pdf"), pdf.body());
                try (org.apache.pdfbox.pdmodel.PDDocument doc = org.apache.pdfbox.Loader.loadPDF(pdf.body())) {
                    String text = new org.apache.pdfbox.text.PDFTextStripper().getText(doc);
                    assertTrue(text.contains("JAWA BARAT") && text.matches("(?s).*KOTA BANDUNG \\(3273\\)\\s+8\\s+5.*"), text);
                }
            }
        }
    }
}
