package ktp.sim.console;

import static org.junit.jupiter.api.Assertions.*;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import ktp.console.PasswordHasher;
import ktp.console.Users;
import ktp.job.JobState;
import ktp.sim.card.VirtualCard;
import ktp.sim.demo.SimulatedStation;
import ktp.sim.records.FingerprintLibrary;
import ktp.sim.records.RecordGenerator;
import ktp.store.Job;
import ktp.store.Role;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console in headless Chromium against the station daemon and the simulators: an operator signs in,
 * watches the cards print, issues one to its holder's genuine finger, sees an impostor refused, switches to
 * English and downloads the daily report. Screenshots are kept in target/console-screenshots.
 */
class ConsoleBrowserTest {
    private static final Path SHOTS = Path.of("target", "console-screenshots");
    private static final long SEED = 11;

    @TempDir
    Path dir;

    @Test
    void anOperatorWatchesCardsPrintIssuesOneRefusesAnImpostorAndDownloadsTheDailyReport() throws Exception {
        Path usersFile = dir.resolve("users.json");
        Users.load(usersFile).put("sari", Role.OPERATOR, new PasswordHasher().hash("sari-password-1".toCharArray()));
        Users.load(usersFile).put("budi", Role.SUPERVISOR, new PasswordHasher().hash("budi-password-1".toCharArray()));
        // At 10x a card takes about 4 s, long enough to see it in the printer.
        SimulatedStation.Settings s = new SimulatedStation.Settings(dir.resolve("station"), SEED, 3, 0, null, null, 10, 0, 0, false, usersFile, 900);
        try (SimulatedStation station = SimulatedStation.start(s); WebDriver browser = WebDriver.start()) {
            String console = "http://127.0.0.1:" + station.console().orElseThrow().port();
            browser.open(console + "/queue");
            assertTrue(browser.url().endsWith("/login"), "not signed in: the sign-in page");
            browser.screenshot(SHOTS.resolve("01-sign-in.png"));
            browser.type("#user", "sari");
            browser.type("#password", "sari-password-1");
            browser.click("#signin");
            assertTrue(browser.url().endsWith("/queue"), browser.url() + ": " + browser.text("main") + " " + station.daemon().store().auditLog().stream().map(e -> e.action() + " " + e.detail()).toList());
            assertEquals("sari (operator)", browser.text("#who"));

            // Watch the cards go through the printer until both wait for their holders.
            boolean sawPrinting = false;
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (System.nanoTime() < deadline) {
                browser.open(console + "/queue");
                if (!sawPrinting && (browser.has("td.state.ENCODING") || browser.has("td.state.ENCODED") || browser.has("td.state.PRINTING"))) {
                    sawPrinting = true;
                    browser.screenshot(SHOTS.resolve("02-queue-printing.png"));
                }
                if (browser.has("td.state.AWAITING_HOLDER") && awaiting(station).size() == 3 && countOnPage(browser) == 3) break;
                Thread.sleep(300);
            }
            assertTrue(sawPrinting, "a card was seen in the printer on the queue page");
            assertEquals(3, awaiting(station).size());
            browser.screenshot(SHOTS.resolve("03-queue-printed.png"));
            browser.open(console + "/printer");
            assertEquals("Siap", browser.text("#printer tr:first-child td"));
            browser.screenshot(SHOTS.resolve("04-printer.png"));

            FingerprintLibrary fingers = FingerprintLibrary.embedded();
            RecordGenerator generator = new RecordGenerator(SEED, fingers, RecordGenerator.defaultIssueDate(SEED));
            List<Job> jobs = awaiting(station);
            Job genuine = jobs.get(0);
            Job impostor = jobs.get(1);
            Job byProxy = jobs.get(2);

            // The genuine holder, matched on the SECOND finger: card in the reader, the console finds the holder
            // itself; the right index finger is someone else's three times (worn), then the left index matches.
            RecordGenerator.Resident first = generator.resident(index(generator, genuine.recordId()));
            String strangerOfFirst = stranger(fingers, first);
            try (AutoCloseable inReader = station.cards().atCounter(card(station, genuine))) {
                browser.open(console + "/issue");
                browser.screenshot(SHOTS.resolve("05-insert-card.png"));
                browser.click("#read");
                browser.await("#activate", 20);
                assertTrue(browser.has("#photo"), "the holder's photo from the chip");
                assertTrue(browser.text("#verdict").contains("asli"), browser.text("#verdict"));
                assertEquals(genuine.nik(), browser.text("#holder tr:first-child td"));
                assertEquals(genuine.recordId(), browser.text("#holder tr:nth-child(3) td"), "the job was found from the chip, nobody picked a row");
                browser.screenshot(SHOTS.resolve("06-holder-found.png"));
                browser.click("#activate");
                follow(station, browser, "07-genuine", (finger, attempt) -> finger == RecordGenerator.RIGHT_INDEX ? fingers.image(strangerOfFirst, attempt)
                        : fingers.image(first.leftIndexFinger(), 2), "telunjuk kanan", "telunjuk kiri", "Percobaan 1 dari 3");
                assertTrue(browser.has("#result.state.ISSUED") && browser.text("#result").startsWith("Diserahkan"), browser.text("#result"));
                browser.screenshot(SHOTS.resolve("08-issued-second-finger.png"));
                browser.click("#handover");
                browser.await("#handover-submit", 10);
                browser.click("#handover-submit");
                browser.await("#receipt", 10);
            }
            station.cards().awaitEmptyReader();
            assertEquals(JobState.ISSUED, station.daemon().store().job(genuine.recordId()).orElseThrow().state());
            assertTrue(station.daemon().store().job(genuine.recordId()).orElseThrow().reason().contains("finger 7 matched"), "matched on the left index");

            // Someone else's fingers on the second card: six attempts on two fingers, refused, not activated.
            RecordGenerator.Resident second = generator.resident(index(generator, impostor.recordId()));
            String strangerOfSecond = stranger(fingers, second);
            try (AutoCloseable inReader = station.cards().atCounter(card(station, impostor))) {
                browser.open(console + "/issue");
                browser.click("#read");
                browser.await("#activate", 20);
                browser.click("#activate");
                follow(station, browser, "09-impostor", (finger, attempt) -> fingers.image(strangerOfSecond, attempt), "telunjuk kanan", "telunjuk kiri", "Percobaan 3 dari 3");
                String result = browser.text("#result");
                browser.screenshot(SHOTS.resolve("10-impostor-refused.png"));
                assertTrue(browser.has("#result.state.ACTIVATION_FAILED") && result.startsWith("Aktivasi gagal"), result);
            }
            station.cards().awaitEmptyReader();
            assertEquals(JobState.ACTIVATION_FAILED, station.daemon().store().job(impostor.recordId()).orElseThrow().state());
            browser.open(console + "/issue");
            assertTrue(browser.text("#failed").contains(impostor.recordId()), "the failed activation waits for a supervisor");

            // The third card, in English, collected by a proxy (kuasa) whose identity goes on the receipt.
            browser.click("#lang");
            RecordGenerator.Resident third = generator.resident(index(generator, byProxy.recordId()));
            try (AutoCloseable inReader = station.cards().atCounter(card(station, byProxy))) {
                browser.open(console + "/issue");
                browser.click("#read");
                browser.await("#activate", 20);
                browser.screenshot(SHOTS.resolve("11-en-holder-found.png"));
                browser.click("#activate");
                follow(station, browser, "12-en-proxy", (finger, attempt) -> fingers.image(third.rightIndexFinger(), 2), "right index finger", null, "Attempt 1 of 3");
                assertTrue(browser.has("#result.state.ISSUED") && browser.text("#result").startsWith("Issued"), browser.text("#result"));
                browser.click("#handover");
                browser.await("#handover-submit", 10);
                browser.click("#by-proxy");
                browser.type("#proxynik", "3171014509870002");
                browser.type("#proxyname", "Siti Rahmawati");
                browser.screenshot(SHOTS.resolve("13-en-proxy-form.png"));
                browser.click("#handover-submit");
                browser.await("#receipt", 10);
                browser.screenshot(SHOTS.resolve("14-en-handed-to-proxy.png"));
            }
            assertTrue(station.daemon().store().auditLog().stream().anyMatch(e -> e.action().equals("CONSOLE_HANDOVER")
                    && e.detail().contains("a proxy: NIK 3171014509870002, Siti Rahmawati, suami/istri")), "the proxy's identity is in the audit log");
            assertTrue(station.daemon().store().auditLog().stream().anyMatch(e -> e.action().equals("CONSOLE_CAPTURE") && e.detail().contains("finger 7, attempt 1 of 3")),
                    "every placement is audited");
            // The receipt, kept and listed on the job; its text and a picture of it.
            browser.open(console + "/queue");
            assertTrue(browser.has("tr[data-record='" + byProxy.recordId() + "'] a.receipt"), "the receipt is listed on the job");
            HttpResponse<byte[]> receipt = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(console + "/issue/receipt.pdf?record=" + byProxy.recordId()))
                    .header("Cookie", "ktp_session=" + browser.cookie("ktp_session")).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, receipt.statusCode());
            try (PDDocument doc = Loader.loadPDF(receipt.body())) {
                String text = new PDFTextStripper().getText(doc);
                for (String want : List.of("TANDA TERIMA KTP-el", byProxy.nik(), third.record().front().nama(), byProxy.blankId(), "Siti Rahmawati", "3171014509870002", "suami/istri", "operator:sari", "Petugas")) {
                    assertTrue(text.contains(want), "the receipt has " + want + ": " + text);
                }
                javax.imageio.ImageIO.write(new org.apache.pdfbox.rendering.PDFRenderer(doc).renderImageWithDPI(0, 110), "png", SHOTS.resolve("15-receipt.png").toFile());
                System.out.println("screenshot " + SHOTS.resolve("15-receipt.png").toAbsolutePath());
            }

            // English (chosen above); the daily report as the browser's session downloads it.
            assertTrue(browser.text("#nav-queue").equals("Queue"), browser.text("#nav-queue"));
            browser.open(console + "/reports");
            browser.screenshot(SHOTS.resolve("08-reports.png"));
            String today = LocalDate.now(ZoneId.of("Asia/Jakarta")).toString();
            HttpResponse<byte[]> pdf = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(console + "/reports/daily.pdf?date=" + today))
                    .header("Cookie", "ktp_session=" + browser.cookie("ktp_session") + "; lang=en").build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, pdf.statusCode());
            assertEquals("application/pdf", pdf.headers().firstValue("Content-Type").orElse(""));
            try (PDDocument doc = Loader.loadPDF(pdf.body())) {
                String text = new PDFTextStripper().getText(doc);
                assertTrue(text.contains("Cards printed 3"), text);
                assertTrue(text.contains("Cards issued 2"), text);
                assertTrue(text.contains("Activation failed 1"), text);
                assertTrue(text.contains("operator:sari"), text);
            }
            assertTrue(station.daemon().store().auditLog().stream().anyMatch(e -> e.action().equals("CONSOLE_REPORT") && e.actor().equals("operator:sari")));

            // A reprint of the impostor's card as a workflow, in Indonesian: requested by the operator, refused by
            // the supervisor on a confirmation screen, requested again, approved, then waiting for the office;
            // the office's authorisation arrives and the supervisor confirms it in the console.
            browser.click("#lang");
            String rec = impostor.recordId();
            requestReprint(browser, console, "kartu tergores saat dicetak");
            browser.screenshot(SHOTS.resolve("16-reprint-requested.png"));
            signInAs(browser, console, "budi", "budi-password-1");
            browser.open(console + "/reprint");
            browser.click("#refuse-" + rec);
            browser.await("#decide", 10);
            browser.type("#decision-note", "goresan kecil, kartu masih layak");
            browser.screenshot(SHOTS.resolve("17-reprint-refuse-confirm.png"));
            browser.click("#decide");
            browser.await("#reprints", 10);
            assertTrue(browser.has("tr[data-record='" + rec + "'] td.reprint.REFUSED"), browser.text("#reprints"));
            assertTrue(browser.text("#reprints").contains("Rusak: kartu tergores saat dicetak"), "the reason in words: " + browser.text("#reprints"));
            browser.screenshot(SHOTS.resolve("18-reprint-refused.png"));
            signInAs(browser, console, "sari", "sari-password-1");
            requestReprint(browser, console, "goresan menutupi foto");
            signInAs(browser, console, "budi", "budi-password-1");
            browser.open(console + "/reprint");
            browser.click("#approve-" + rec);
            browser.await("#decide", 10);
            browser.screenshot(SHOTS.resolve("19-reprint-approve-confirm.png"));
            browser.click("#decide");
            browser.await("#reprints", 10);
            assertTrue(browser.has("tr[data-record='" + rec + "'] td.reprint.WAITING_FOR_OFFICE"), browser.text("#reprints"));
            assertEquals(JobState.ACTIVATION_FAILED, station.daemon().store().job(rec).orElseThrow().state(), "approved, but no second blank before the office decides");
            browser.screenshot(SHOTS.resolve("20-reprint-waiting-for-office.png"));
            // The office's AUTHORISE_REPRINT, handed to the station's command handler as the publisher does once
            // it has verified the office's signature (the MQTT path is TelemetryCommandsTest's).
            new ktp.station.OfficeCommands(station.daemon().store()).handle(new ktp.telemetry.TelemetryCodec.Command("cmd-browser-1", station.daemon().config().stationId(),
                    ktp.telemetry.TelemetryCodec.CommandKind.AUTHORISE_REPRINT, rec, "approved at the station, card scratched", "dinas", java.time.Instant.now()),
                    new ktp.telemetry.Keyring.Signer("test-office", "0123456789abcdef0123"));
            browser.open(console + "/reprint");
            assertTrue(browser.has("tr[data-record='" + rec + "'] td.reprint.OFFICE_AUTHORISED"), browser.text("#reprints"));
            browser.click("#confirm-" + rec);
            browser.await("#decide", 10);
            browser.screenshot(SHOTS.resolve("21-reprint-confirm-office.png"));
            browser.click("#decide");
            browser.await("#reprints", 10);
            assertTrue(browser.has("tr[data-record='" + rec + "'] td.reprint.REPRINTED"), browser.text("#reprints"));
            browser.screenshot(SHOTS.resolve("22-reprint-approved.png"));
            assertTrue(station.daemon().store().auditLog().stream().anyMatch(e -> e.action().equals("REPRINT_CONFIRMED") && e.actor().equals("supervisor:budi")
                    && e.detail().startsWith("record " + rec)), "the supervisor's confirmation is in the audit log");
            assertNotEquals(JobState.ACTIVATION_FAILED, station.daemon().store().job(rec).orElseThrow().state(), "back in the queue for a second blank");
            for (String action : List.of("REPRINT_REQUESTED", "REPRINT_REQUEST_REFUSED", "REPRINT_REQUEST_APPROVED")) {
                assertTrue(station.daemon().store().auditLog().stream().anyMatch(e -> e.action().equals(action) && e.detail().startsWith("record " + rec)), action);
            }
            // The lists: search by part of a holder's name, the uncollected cards by age, then close of day (as the operator).
            signInAs(browser, console, "sari", "sari-password-1");
            String name = third.record().front().nama();
            browser.open(console + "/queue?q=" + java.net.URLEncoder.encode(name.substring(0, Math.min(6, name.length())).toLowerCase(), java.nio.charset.StandardCharsets.UTF_8));
            assertTrue(browser.has("tr[data-record='" + byProxy.recordId() + "']"), "found by name: " + browser.text("#queue"));
            assertFalse(browser.has("tr[data-record='" + genuine.recordId() + "']") && !generator.resident(index(generator, genuine.recordId())).record().front().nama()
                    .toLowerCase().contains(name.substring(0, Math.min(6, name.length())).toLowerCase()), "only the matching holders");
            assertTrue(browser.text("#queue").contains(name), "the holder's name is shown");
            browser.open(console + "/queue?q=" + byProxy.blankId().toLowerCase());
            assertTrue(browser.has("tr[data-record='" + byProxy.recordId() + "']") && browser.text("#count").startsWith("1 "), "found by chip UID: " + browser.text("#count"));
            browser.screenshot(SHOTS.resolve("23-search-by-uid.png"));
            browser.open(console + "/uncollected");
            browser.screenshot(SHOTS.resolve("24-uncollected.png"));
            browser.open(console + "/close");
            browser.type("#counted", "0");
            browser.type("#next-shift", "tono");
            browser.click("#signoff");
            browser.await("#message", 10);
            browser.screenshot(SHOTS.resolve("25-close-of-day.png"));
            assertTrue(station.daemon().store().auditLog().stream().anyMatch(e -> e.action().equals("CLOSE_OF_DAY") && e.actor().equals("operator:sari")
                    && e.detail().contains("handed over to tono") && e.detail().contains("issued 2")), "close of day signed off with the day's counts");
            try (var files = java.nio.file.Files.list(SHOTS)) {
                files.sorted().forEach(f -> System.out.println("screenshot " + f.toAbsolutePath()));
            }
        }
    }

    private static void requestReprint(WebDriver browser, String console, String note) throws Exception {
        browser.open(console + "/reprint");
        browser.type("#note", note);
        browser.click("#request-submit");
        browser.await("#message", 10);
    }

    private static void signInAs(WebDriver browser, String console, String user, String password) throws Exception {
        browser.open(console + "/queue");
        if (browser.has("#signout")) {
            browser.click("#signout");
            browser.await("#signin", 10);
        }
        browser.type("#user", user);
        browser.type("#password", password);
        browser.click("#signin");
        browser.await("#who", 10);
    }

    /** A finger in the library that is neither of this resident's. */
    private static String stranger(FingerprintLibrary fingers, RecordGenerator.Resident r) {
        return fingers.fingers().stream().filter(f -> !f.equals(r.rightIndexFinger()) && !f.equals(r.leftIndexFinger())).findFirst().orElseThrow();
    }

    interface Glass {
        byte[] image(int finger, int attempt) throws Exception;
    }

    /**
     * The holder at the scanner, as the live screen asks: for each prompt (finger, attempt) the browser must
     * show it without a reload before the finger is placed; the finger is lifted once the capture is taken.
     * Screenshots of the first prompt for each finger named.
     */
    private static void follow(SimulatedStation station, WebDriver browser, String shot, Glass glass, String firstFinger, String secondFinger, String attemptSeen)
            throws Exception {
        browser.await("#step", 20);
        String before = browser.url();
        java.util.Set<String> served = new java.util.HashSet<>();
        boolean sawSecond = secondFinger == null;
        boolean sawAttempt = false;
        long deadline = System.nanoTime() + 90_000_000_000L;
        ktp.counter.Visit visit = station.daemon().counter().visit().orElseThrow();
        while (!visit.progress().over()) {
            assertTrue(System.nanoTime() < deadline, "the visit did not end: " + visit.progress());
            ktp.counter.Visit.Progress p = visit.progress();
            if (p.phase() == ktp.counter.Visit.Phase.PLACE && served.add(p.finger() + "/" + p.attempt())) {
                String css = "#step.phase-PLACE.finger-" + p.finger() + ".attempt-" + p.attempt();
                browser.await(css, 20);
                String prompt = browser.text("#prompt");
                String attempt = browser.text("#attempt");
                if (attempt.equals(attemptSeen)) sawAttempt = true;
                if (p.attempt() == 1) {
                    assertTrue(prompt.contains(p.finger() == RecordGenerator.RIGHT_INDEX ? firstFinger : secondFinger), prompt);
                    if (p.finger() != RecordGenerator.RIGHT_INDEX) sawSecond = true;
                    browser.screenshot(SHOTS.resolve(shot + "-finger-" + p.finger() + ".png"));
                }
                station.scanner().place(glass.image(p.finger(), p.attempt()));
            } else if (p.phase() != ktp.counter.Visit.Phase.PLACE) {
                station.scanner().lift();
            }
            Thread.sleep(5);
        }
        station.scanner().lift();
        browser.await("#result:not([hidden])", 20);
        assertEquals(before, browser.url(), "the screen updated itself: no reload, no new page");
        assertTrue(sawSecond, "the prompt moved on to the second finger");
        assertTrue(sawAttempt, "the screen showed '" + attemptSeen + "'");
    }

    private static List<Job> awaiting(SimulatedStation station) {
        return station.daemon().store().jobs().stream().filter(j -> j.state() == JobState.AWAITING_HOLDER)
                .sorted(java.util.Comparator.comparing(Job::recordId)).toList();
    }

    private static int countOnPage(WebDriver browser) throws Exception {
        return (int) java.util.regex.Pattern.compile("Menunggu pemilik").matcher(browser.text("#queue")).results().count();
    }

    private static int index(RecordGenerator generator, String recordId) {
        for (int i = 0; i < 100; i++) if (generator.identity(i).recordId().equals(recordId)) return i;
        throw new AssertionError("no resident for " + recordId);
    }

    private static VirtualCard card(SimulatedStation station, Job job) {
        return station.cards().issued().stream().filter(c -> java.util.HexFormat.of().withUpperCase().formatHex(c.uid()).equals(job.blankId()))
                .findFirst().orElseThrow();
    }
}
