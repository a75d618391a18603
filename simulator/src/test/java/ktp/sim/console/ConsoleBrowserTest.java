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
import ktp.sim.scanner.SimulatedScanner;
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
 * watches six cards print, issues one to its holder's second finger after a poor capture, sees an impostor
 * refused, a reprint requested, refused and approved, close of day; and the same in English: a genuine holder
 * after a wet finger, an impostor, a proxy, the receipt, a reprint request, the supervisor's override with its
 * confirmation and alternatives, close of day, a reprint requested again, approved, authorised by the office and
 * confirmed, every English screen checked for Indonesian left over. The
 * receipt and the daily report are rendered to images and read back by OCR (tesseract). Screenshots are kept
 * in target/console-screenshots.
 */
class ConsoleBrowserTest {
    private static final Path SHOTS = Path.of("target", "console-screenshots");
    private static final long SEED = 11;
    /** Three cards for the Indonesian flow, three for the English one. */
    private static final int CARDS = 6;
    private static final String REPORT_SECTION = """
            report:
              letterhead: |
                PEMERINTAH KABUPATEN BANDUNG
                DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL
                Jl. Raya Soreang No. 1, Soreang 40911
              place: Soreang
              document_number: "470/{kind}/{station}/{mm_roman}/{yyyy}"
              officers:
                - {user: sari, name: Sari Wulandari, nip: "19870312 201001 2 003"}
                - {user: budi, name: Budi Santoso, nip: "197905212006041002"}
              supervisor: budi
            """;

    @TempDir
    Path dir;

    @Test
    void anOperatorWatchesCardsPrintIssuesOneRefusesAnImpostorAndDownloadsTheDailyReport() throws Exception {
        Path usersFile = dir.resolve("users.json");
        Users.load(usersFile).put("sari", Role.OPERATOR, new PasswordHasher().hash("sari-password-1".toCharArray()));
        Users.load(usersFile).put("budi", Role.SUPERVISOR, new PasswordHasher().hash("budi-password-1".toCharArray()));
        // At 20x a card takes about 2 s, long enough to see it in the printer (the queue is looked at every 0.3 s).
        SimulatedStation.Settings s = new SimulatedStation.Settings(dir.resolve("station"), SEED, CARDS, 0, null, null, 20, 0, 0, false, usersFile, 900);
        try (SimulatedStation station = SimulatedStation.start(s); WebDriver browser = WebDriver.start()) {
            // The report section a Dinas fills in (docs/station-config.md): read at each hand-over and download, no restart.
            java.nio.file.Files.writeString(station.config(), REPORT_SECTION, java.nio.file.StandardOpenOption.APPEND);
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
                if (browser.has("td.state.AWAITING_HOLDER") && awaiting(station).size() == CARDS && countOnPage(browser) == CARDS) break;
                Thread.sleep(300);
            }
            assertTrue(sawPrinting, "a card was seen in the printer on the queue page");
            assertEquals(CARDS, awaiting(station).size());
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
            Job enGenuine = jobs.get(3);
            Job enImpostor = jobs.get(4);
            Job enWorn = jobs.get(5);

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
                // The first placement touches the glass by the tip only (the scanner sends a partial image): the
                // prompt says the image was unclear and asks for the same finger again, not counted as an attempt.
                follow(station, browser, "07-genuine", (finger, attempt) -> finger == RecordGenerator.RIGHT_INDEX ? fingers.image(strangerOfFirst, attempt)
                        : fingers.image(first.leftIndexFinger(), 2), "telunjuk kanan", "telunjuk kiri", "Percobaan 1 dari 3",
                        new Poor(SimulatedScanner.Fault.PARTIAL, ktp.counter.Visit.Poor.LITTLE_DETAIL, "Gambar kurang jelas", "Kualitas gambar kurang"));
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
            assertTrue(station.daemon().store().auditLog().stream().anyMatch(e -> e.action().equals("CONSOLE_CAPTURE_RETAKE") && e.detail().startsWith("record " + genuine.recordId())
                    && e.detail().contains("usable minutiae")), "the poor capture is in the audit log");

            // Someone else's fingers on the second card: six attempts on two fingers, refused, not activated.
            RecordGenerator.Resident second = generator.resident(index(generator, impostor.recordId()));
            String strangerOfSecond = stranger(fingers, second);
            try (AutoCloseable inReader = station.cards().atCounter(card(station, impostor))) {
                browser.open(console + "/issue");
                browser.click("#read");
                browser.await("#activate", 20);
                browser.click("#activate");
                follow(station, browser, "09-impostor", (finger, attempt) -> fingers.image(strangerOfSecond, attempt), "telunjuk kanan", "telunjuk kiri", "Percobaan 3 dari 3", null);
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
                follow(station, browser, "12-en-proxy", (finger, attempt) -> fingers.image(third.rightIndexFinger(), 2), "right index finger", null, "Attempt 1 of 3", null);
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
                english(browser, "handed to a proxy");
            }
            station.cards().awaitEmptyReader();
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
                for (String want : List.of("TANDA TERIMA KTP-el", byProxy.nik(), third.record().front().nama(), byProxy.blankId(), "Siti Rahmawati", "3171014509870002", "suami/istri",
                        "Sari Wulandari", "NIP 19870312 201001 2 003", "Petugas", "Soreang")) {
                    assertTrue(text.contains(want), "the receipt has " + want + ": " + text);
                }
                javax.imageio.ImageIO.write(new org.apache.pdfbox.rendering.PDFRenderer(doc).renderImageWithDPI(0, 110), "png", SHOTS.resolve("15-receipt.png").toFile());
                System.out.println("screenshot " + SHOTS.resolve("15-receipt.png").toAbsolutePath());
            }

            // ---- The same counter in English (chosen above) on three more cards.
            // A genuine holder whose finger is too wet at first (the scanner's own refusal, GenImg 05): asked again, matched.
            RecordGenerator.Resident fourth = generator.resident(index(generator, enGenuine.recordId()));
            try (AutoCloseable inReader = station.cards().atCounter(card(station, enGenuine))) {
                browser.open(console + "/issue");
                english(browser, "Insert the holder");
                browser.click("#read");
                browser.await("#activate", 20);
                assertTrue(browser.text("#verdict").contains("genuine"), browser.text("#verdict"));
                assertEquals(enGenuine.recordId(), browser.text("#holder tr:nth-child(3) td"));
                english(browser, "Chip data genuine");
                browser.screenshot(SHOTS.resolve("30-en-genuine-holder-found.png"));
                browser.click("#activate");
                follow(station, browser, "31-en-genuine", (finger, attempt) -> fingers.image(fourth.rightIndexFinger(), 2), "right index finger", null, "Attempt 1 of 3",
                        new Poor(SimulatedScanner.Fault.WET, ktp.counter.Visit.Poor.WET, "too wet", "Poor image"));
                assertTrue(browser.has("#result.state.ISSUED") && browser.text("#result").startsWith("Issued"), browser.text("#result"));
                english(browser, "Issued");
                browser.screenshot(SHOTS.resolve("32-en-genuine-issued.png"));
                browser.click("#handover");
                browser.await("#handover-submit", 10);
                english(browser, "Collected by the holder");
                browser.click("#handover-submit");
                browser.await("#receipt", 10);
                english(browser, "handed to its holder");
                browser.screenshot(SHOTS.resolve("33-en-receipt-link.png"));
            }
            station.cards().awaitEmptyReader();
            assertEquals(JobState.ISSUED, station.daemon().store().job(enGenuine.recordId()).orElseThrow().state());
            assertTrue(station.daemon().store().auditLog().stream().anyMatch(e -> e.action().equals("CONSOLE_CAPTURE_RETAKE") && e.detail().startsWith("record " + enGenuine.recordId())
                    && e.detail().contains("too wet")), "the wet finger is in the audit log");
            // The receipt of a card handed to its holder, rendered to an image and read back by OCR: the letterhead,
            // the document number, the officer's NIP, the place and the date as the configuration gives them.
            byte[] holderReceipt = download(console, browser, "/issue/receipt.pdf?record=" + enGenuine.recordId());
            String today = LocalDate.now(ZoneId.of("Asia/Jakarta")).toString();
            String todayWritten = java.time.format.DateTimeFormatter.ofPattern("d MMMM yyyy", java.util.Locale.forLanguageTag("id")).format(LocalDate.now(ZoneId.of("Asia/Jakarta")));
            String roman = new String[] {"I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"}[LocalDate.now(ZoneId.of("Asia/Jakarta")).getMonthValue() - 1];
            String year = String.valueOf(LocalDate.now(ZoneId.of("Asia/Jakarta")).getYear());
            String seen = ocr(holderReceipt, "34-en-receipt-ocr");
            for (String want : List.of("PEMERINTAH KABUPATEN BANDUNG", "DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL", "TANDA TERIMA KTP-el",
                    "Nomor: 470/TT/" + SimulatedStation.STATION_ID + "/" + roman + "/" + year + "/" + enGenuine.recordId(), "NIP 19870312 201001 2 003", "Sari Wulandari",
                    "Soreang, " + todayWritten, enGenuine.nik(), fourth.record().front().nama())) {
                assertTrue(ocrHas(seen, want), "the receipt's image shows '" + want + "'; OCR read:\n" + seen);
            }

            // An impostor, in English: six attempts on two fingers, refused.
            RecordGenerator.Resident fifth = generator.resident(index(generator, enImpostor.recordId()));
            String strangerOfFifth = stranger(fingers, fifth);
            try (AutoCloseable inReader = station.cards().atCounter(card(station, enImpostor))) {
                browser.open(console + "/issue");
                browser.click("#read");
                browser.await("#activate", 20);
                browser.click("#activate");
                follow(station, browser, "35-en-impostor", (finger, attempt) -> fingers.image(strangerOfFifth, attempt), "right index finger", "left index finger", "Attempt 3 of 3", null);
                assertTrue(browser.has("#result.state.ACTIVATION_FAILED") && browser.text("#result").startsWith("Activation failed"), browser.text("#result"));
                english(browser, "Activation failed");
                browser.screenshot(SHOTS.resolve("36-en-impostor-refused.png"));
            }
            station.cards().awaitEmptyReader();
            assertEquals(JobState.ACTIVATION_FAILED, station.daemon().store().job(enImpostor.recordId()).orElseThrow().state());
            // A reprint request for that card, in English.
            requestReprint(browser, console, enImpostor.recordId(), "DATA_CORRECTED", "holder's name misspelt on the card");
            assertTrue(browser.has("tr[data-record='" + enImpostor.recordId() + "'] td.reprint.REQUESTED"), browser.text("#reprints"));
            assertTrue(browser.text("#reprints").contains("Data corrected: holder's name misspelt"), browser.text("#reprints"));
            english(browser, "Waiting for a supervisor");
            browser.screenshot(SHOTS.resolve("37-en-reprint-requested.png"));

            // A holder whose fingers are worn: refused by the scanner, then the supervisor's override with its
            // confirmation screen and its alternatives; the first time the supervisor takes an alternative
            // ("later"), nothing changes; the second time the override is confirmed and audited.
            RecordGenerator.Resident sixth = generator.resident(index(generator, enWorn.recordId()));
            String strangerOfSixth = stranger(fingers, sixth);
            String worn = enWorn.recordId();
            try (AutoCloseable inReader = station.cards().atCounter(card(station, enWorn))) {
                browser.open(console + "/issue");
                browser.click("#read");
                browser.await("#activate", 20);
                browser.click("#activate");
                follow(station, browser, "38-en-worn", (finger, attempt) -> fingers.image(strangerOfSixth, attempt), "right index finger", "left index finger", "Attempt 3 of 3", null);
                assertTrue(browser.has("#result.state.ACTIVATION_FAILED"), browser.text("#result"));
                signInAs(browser, console, "budi", "budi-password-1");
                // The supervisor refuses the reprint request above on its confirmation screen, in English.
                browser.open(console + "/reprint");
                browser.click("#refuse-" + enImpostor.recordId());
                browser.await("#decide", 10);
                browser.type("#decision-note", "the name is right; the card stays");
                english(browser, "Refuse this reprint request");
                browser.screenshot(SHOTS.resolve("39-en-reprint-refuse-confirm.png"));
                browser.click("#decide");
                browser.await("#reprints", 10);
                assertTrue(browser.has("tr[data-record='" + enImpostor.recordId() + "'] td.reprint.REFUSED"), browser.text("#reprints"));
                browser.open(console + "/issue");
                browser.type("#override-reason-" + worn, "fingers worn by work; identity checked against the family card");
                browser.click("#override-" + worn);
                browser.await("#confirm", 10);
                assertTrue(browser.text("#confirm").contains("without a matching fingerprint"), browser.text("#confirm"));
                assertTrue(browser.text("#confirm").contains("fingers worn by work"), "the reason on the confirmation: " + browser.text("#confirm"));
                assertTrue(browser.has("#alt-reprint") && browser.has("#alt-later") && browser.has("#override-yes"), "the override's alternatives: " + browser.text("#confirm"));
                english(browser, "Other choices");
                browser.screenshot(SHOTS.resolve("40-en-override-confirm.png"));
                browser.click("#alt-later");
                browser.await("#failed", 10);
                assertEquals(JobState.ACTIVATION_FAILED, station.daemon().store().job(worn).orElseThrow().state(), "an alternative taken: nothing changed");
                assertFalse(station.daemon().store().auditLog().stream().anyMatch(e -> e.action().equals("CONSOLE_OVERRIDE")), "no override before it is confirmed");
                browser.type("#override-reason-" + worn, "fingers worn by work; identity checked against the family card");
                browser.click("#override-" + worn);
                browser.await("#override-yes", 10);
                browser.click("#override-yes");
                browser.await("#result", 10);
                assertTrue(browser.has("#result.state.ISSUED"), browser.text("#result"));
                english(browser, "Issued");
                browser.screenshot(SHOTS.resolve("41-en-override-done.png"));
            }
            station.cards().awaitEmptyReader();
            Job overridden = station.daemon().store().job(worn).orElseThrow();
            assertEquals(JobState.ISSUED, overridden.state());
            assertTrue(overridden.reason().startsWith("supervisor override: fingers worn"), overridden.reason());
            assertTrue(station.daemon().store().auditLog().stream().anyMatch(e -> e.action().equals("CONSOLE_OVERRIDE") && e.actor().equals("supervisor:budi")
                    && e.detail().startsWith("record " + worn) && e.detail().contains("fingers worn by work")), "the override is in the audit log");
            // Close of day in English: the supervisor signs the shift off to the operator.
            browser.open(console + "/close");
            english(browser, "Cards issued");
            // The supervisor counts the feeder and finds what the records expect (the ledger's own figure, not the page's).
            long inFeeder = station.daemon().store().blanksLoadedTotal() - station.daemon().store().ledgerSize();
            assertEquals(String.valueOf(inFeeder), browser.text("#counts tr:last-child td"));
            browser.type("#counted", String.valueOf(inFeeder));
            browser.type("#next-shift", "sari");
            browser.click("#signoff");
            browser.await("#message.ok", 10);
            english(browser, "Day closed: the blanks agree");
            browser.screenshot(SHOTS.resolve("42-en-close-of-day.png"));
            assertTrue(station.daemon().store().auditLog().stream().anyMatch(e -> e.action().equals("CLOSE_OF_DAY") && e.actor().equals("supervisor:budi")
                    && e.detail().contains("handed over to sari") && e.detail().contains("issued 4") && e.detail().contains("difference 0")), "close of day in English, signed off with the day's counts");
            signInAs(browser, console, "sari", "sari-password-1");

            // English (chosen above); the daily report as the browser's session downloads it.
            assertTrue(browser.text("#nav-queue").equals("Queue"), browser.text("#nav-queue"));
            browser.open(console + "/reports");
            browser.screenshot(SHOTS.resolve("08-reports.png"));
            HttpResponse<byte[]> pdf = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(console + "/reports/daily.pdf?date=" + today))
                    .header("Cookie", "ktp_session=" + browser.cookie("ktp_session") + "; lang=en").build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, pdf.statusCode());
            assertEquals("application/pdf", pdf.headers().firstValue("Content-Type").orElse(""));
            try (PDDocument doc = Loader.loadPDF(pdf.body())) {
                String text = new PDFTextStripper().getText(doc);
                assertTrue(text.contains("Cards printed 6"), text);
                assertTrue(text.contains("Cards issued 4"), text);
                assertTrue(text.contains("Activation failed 3"), text);
                assertTrue(text.contains("Sari Wulandari"), text);
            }
            // The daily report in Indonesian as the Dinas files it, rendered to an image and read back by OCR.
            String report = ocr(download(console, browser, "/reports/daily.pdf?lang=id&date=" + today), "43-daily-report-ocr");
            for (String want : List.of("PEMERINTAH KABUPATEN BANDUNG", "DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL",
                    "Nomor: 470/LH/" + SimulatedStation.STATION_ID + "/" + roman + "/" + year, "19870312 201001 2 003", "Sari Wulandari", "Soreang, " + todayWritten)) {
                assertTrue(ocrHas(report, want), "the daily report's image shows '" + want + "'; OCR read:\n" + report);
            }
            assertTrue(station.daemon().store().auditLog().stream().anyMatch(e -> e.action().equals("CONSOLE_REPORT") && e.actor().equals("operator:sari")));

            // A reprint of the impostor's card as a workflow, in Indonesian: requested by the operator, refused by
            // the supervisor on a confirmation screen, requested again, approved, then waiting for the office;
            // the office's authorisation arrives and the supervisor confirms it in the console.
            browser.click("#lang");
            String rec = impostor.recordId();
            requestReprint(browser, console, rec, "DAMAGED", "kartu tergores saat dicetak");
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
            requestReprint(browser, console, rec, "DAMAGED", "goresan menutupi foto");
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
            // The English reprint refused above, requested again and approved, in English to the end: the supervisor's
            // confirmation, the wait for the office, the office's authorisation confirmed, the record reprinted.
            signInAs(browser, console, "sari", "sari-password-1");
            browser.click("#lang");
            requestReprint(browser, console, enImpostor.recordId(), "DATA_CORRECTED", "the family card shows another spelling");
            english(browser, "Reprint of " + enImpostor.recordId() + " requested.");
            signInAs(browser, console, "budi", "budi-password-1");
            browser.open(console + "/reprint");
            browser.click("#approve-" + enImpostor.recordId());
            browser.await("#decide", 10);
            english(browser, "Approve this reprint request?");
            english(browser, "a second blank is used only once the office authorises it");
            browser.screenshot(SHOTS.resolve("44-en-reprint-approve-confirm.png"));
            browser.click("#decide");
            browser.await("#reprints", 10);
            assertTrue(browser.has("tr[data-record='" + enImpostor.recordId() + "'] td.reprint.WAITING_FOR_OFFICE"), browser.text("#reprints"));
            english(browser, "Approved, waiting for the office's authorisation");
            browser.screenshot(SHOTS.resolve("45-en-reprint-waiting-for-office.png"));
            new ktp.station.OfficeCommands(station.daemon().store()).handle(new ktp.telemetry.TelemetryCodec.Command("cmd-browser-2", station.daemon().config().stationId(),
                    ktp.telemetry.TelemetryCodec.CommandKind.AUTHORISE_REPRINT, enImpostor.recordId(), "name corrected at the Dinas", "dinas", java.time.Instant.now()),
                    new ktp.telemetry.Keyring.Signer("test-office", "0123456789abcdef0123"));
            browser.open(console + "/reprint");
            english(browser, "Authorised by the office, waiting for the supervisor's confirmation");
            browser.click("#confirm-" + enImpostor.recordId());
            browser.await("#decide", 10);
            english(browser, "Confirm the reprint the office authorised?");
            browser.screenshot(SHOTS.resolve("46-en-reprint-confirm-office.png"));
            browser.click("#decide");
            browser.await("#reprints", 10);
            assertTrue(browser.has("tr[data-record='" + enImpostor.recordId() + "'] td.reprint.REPRINTED"), browser.text("#reprints"));
            english(browser, "Reprinted");
            browser.screenshot(SHOTS.resolve("47-en-reprinted.png"));
            assertNotEquals(JobState.ACTIVATION_FAILED, station.daemon().store().job(enImpostor.recordId()).orElseThrow().state(), "back in the queue for a second blank");
            for (String action : List.of("REPRINT_REQUESTED", "REPRINT_REQUEST_REFUSED", "REPRINT_REQUEST_APPROVED", "REPRINT_CONFIRMED")) {
                assertTrue(station.daemon().store().auditLog().stream().anyMatch(e -> e.action().equals(action) && e.detail().startsWith("record " + enImpostor.recordId())), action + " in English");
            }
            browser.click("#lang"); // back to Indonesian for the rest
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
            browser.await("#message.error", 10);
            assertTrue(browser.text("#message").contains("selisih"), "a difference to explain: " + browser.text("#message"));
            browser.screenshot(SHOTS.resolve("25-close-of-day.png"));
            assertTrue(station.daemon().store().auditLog().stream().anyMatch(e -> e.action().equals("CLOSE_OF_DAY") && e.actor().equals("operator:sari")
                    && e.detail().contains("handed over to tono") && e.detail().contains("issued 4")), "close of day signed off with the day's counts");
            try (var files = java.nio.file.Files.list(SHOTS)) {
                files.sorted().forEach(f -> System.out.println("screenshot " + f.toAbsolutePath()));
            }
        }
    }

    private static void requestReprint(WebDriver browser, String console, String record, String why, String note) throws Exception {
        browser.open(console + "/reprint");
        browser.click("#reprint-record option[value='" + record + "']");
        browser.click("#why option[value='" + why + "']");
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
    private static void follow(SimulatedStation station, WebDriver browser, String shot, Glass glass, String firstFinger, String secondFinger, String attemptSeen,
                               Poor poor) throws Exception {
        browser.await("#step", 20);
        String before = browser.url();
        java.util.Set<Long> served = new java.util.HashSet<>();
        boolean poorArmed = poor != null;
        boolean poorShown = poor == null;
        boolean sawSecond = secondFinger == null;
        boolean sawAttempt = false;
        long deadline = System.nanoTime() + 90_000_000_000L;
        ktp.counter.Visit visit = station.daemon().counter().visit().orElseThrow();
        while (!visit.progress().over()) {
            assertTrue(System.nanoTime() < deadline, "the visit did not end: " + visit.progress());
            ktp.counter.Visit.Progress p = visit.progress();
            if (p.phase() == ktp.counter.Visit.Phase.PLACE && served.add(p.seq())) {
                String css = "#step.phase-PLACE.finger-" + p.finger() + ".attempt-" + p.attempt();
                browser.await(css, 20);
                String prompt = browser.text("#prompt");
                String attempt = browser.text("#attempt");
                if (attempt.equals(attemptSeen)) sawAttempt = true;
                if (p.poor() != ktp.counter.Visit.Poor.NONE) {
                    // The placement after a poor capture: the screen says why and asks for the same finger, same attempt.
                    assertNotNull(poor, "a poor capture nobody caused: " + p.quality());
                    assertEquals(poor.kind(), p.poor(), p.quality());
                    browser.await("#quality.poor-" + poor.kind(), 20);
                    String words = browser.text("#quality");
                    assertTrue(words.contains(poor.words()), "the quality feedback: " + words);
                    assertTrue(browser.text("#prompt").contains(poor.prompt()), "asks again: " + browser.text("#prompt"));
                    assertEquals(1, p.attempt(), "a poor capture is not counted as an attempt");
                    browser.screenshot(SHOTS.resolve(shot + "-poor-capture.png"));
                    poorShown = true;
                } else if (p.attempt() == 1) {
                    assertTrue(prompt.contains(p.finger() == RecordGenerator.RIGHT_INDEX ? firstFinger : secondFinger), prompt);
                    if (p.finger() != RecordGenerator.RIGHT_INDEX) sawSecond = true;
                    browser.screenshot(SHOTS.resolve(shot + "-finger-" + p.finger() + ".png"));
                }
                if (poorArmed) {
                    station.scanner().poorOnce(poor.fault());
                    poorArmed = false;
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
        assertTrue(poorShown, "the poor capture was shown and asked again");
    }

    /** A poor capture made on the first placement: the scanner's fault, the kind the console names, and its words. */
    record Poor(SimulatedScanner.Fault fault, ktp.counter.Visit.Poor kind, String words, String prompt) {}

    /**
     * An English screen: it has the words expected, and none of the Indonesian catalogue's own phrases (each
     * literal piece of an Indonesian console text of 8 characters or more that is not also in its English text)
     * is left on it. Data (names, notes typed in Indonesian) is not the catalogue's and is not looked for.
     */
    private static void english(WebDriver browser, String want) throws Exception {
        String page = browser.text("body");
        assertTrue(page.contains(want), "the English screen says '" + want + "': " + page);
        List<String> left = new java.util.ArrayList<>();
        for (String key : ktp.i18n.Catalogue.keys(ktp.i18n.Language.ID)) {
            if (!key.startsWith("console.")) continue;
            String en = ktp.i18n.Catalogue.text(ktp.i18n.Language.EN, key);
            for (String piece : ktp.i18n.Catalogue.text(ktp.i18n.Language.ID, key).split("\\{\\d+}")) {
                String p = piece.strip();
                if (p.length() >= 8 && !en.contains(p) && page.contains(p)) left.add(key + ": '" + p + "'");
            }
        }
        assertTrue(left.isEmpty(), "Indonesian left on an English screen (" + browser.url() + "): " + left);
    }

    private static byte[] download(String console, WebDriver browser, String path) throws Exception {
        HttpResponse<byte[]> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(console + path))
                .header("Cookie", "ktp_session=" + browser.cookie("ktp_session")).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode(), path);
        assertEquals("application/pdf", r.headers().firstValue("Content-Type").orElse(""), path);
        return r.body();
    }

    /**
     * The first page of a PDF as a 300 dpi image (kept as a screenshot), read by tesseract with its Indonesian and
     * English data: what a person holding the printed page would read, not the PDF's text layer.
     */
    private static String ocr(byte[] pdf, String shot) throws Exception {
        Path png = SHOTS.resolve(shot + ".png");
        try (PDDocument doc = Loader.loadPDF(pdf)) {
            javax.imageio.ImageIO.write(new org.apache.pdfbox.rendering.PDFRenderer(doc).renderImageWithDPI(0, 300, org.apache.pdfbox.rendering.ImageType.GRAY), "png", png.toFile());
        }
        ProcessBuilder pb = new ProcessBuilder("tesseract", png.toString(), "stdout", "-l", "ind+eng");
        // One thread: on a busy 2-core machine tesseract's OpenMP threads only wait for each other (2.6 s against 4.6 s for the receipt).
        pb.environment().put("OMP_THREAD_LIMIT", "1");
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "tesseract did not finish in 60 s");
        assertEquals(0, p.exitValue(), "tesseract (Debian tesseract-ocr, tesseract-ocr-ind, tesseract-ocr-eng): " + err);
        String text = new String(out, java.nio.charset.StandardCharsets.UTF_8);
        java.nio.file.Files.writeString(SHOTS.resolve(shot + ".txt"), text);
        return text;
    }

    /**
     * Whether OCR read {@code want}. Forgiven: spaces and line breaks (a run is one space), and OCR's classic
     * look-alikes in a sans-serif face, I l 1 | as one letter and O 0 as another (tesseract reads the Roman month
     * "XII/" as "XI1/"); every other letter and digit must be read as written.
     */
    private static boolean ocrHas(String seen, String want) {
        return lookAlike(seen).contains(lookAlike(want));
    }

    private static String lookAlike(String s) {
        return s.replaceAll("\\s+", " ").replaceAll("[Il1|]", "I").replace('0', 'O');
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
