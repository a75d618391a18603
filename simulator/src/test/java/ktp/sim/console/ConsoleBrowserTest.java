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
        // At 10x a card takes about 4 s, long enough to see it in the printer.
        SimulatedStation.Settings s = new SimulatedStation.Settings(dir.resolve("station"), SEED, 2, 0, null, null, 10, 0, 0, false, usersFile, 900);
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
                if (browser.has("td.state.AWAITING_HOLDER") && awaiting(station).size() == 2 && countOnPage(browser) == 2) break;
                Thread.sleep(300);
            }
            assertTrue(sawPrinting, "a card was seen in the printer on the queue page");
            assertEquals(2, awaiting(station).size());
            browser.screenshot(SHOTS.resolve("03-queue-printed.png"));
            browser.open(console + "/printer");
            assertEquals("Siap", browser.text("#printer tr:first-child td"));
            browser.screenshot(SHOTS.resolve("04-printer.png"));

            FingerprintLibrary fingers = FingerprintLibrary.embedded();
            RecordGenerator generator = new RecordGenerator(SEED, fingers, RecordGenerator.defaultIssueDate(SEED));
            List<Job> jobs = awaiting(station);
            Job genuine = jobs.get(0);
            Job impostor = jobs.get(1);

            // The genuine holder: card in the counter's reader, the photo from the chip, the right finger.
            String finger = generator.resident(index(generator, genuine.recordId())).rightIndexFinger();
            station.scanner().place(fingers.image(finger, 2));
            try (AutoCloseable inReader = station.cards().atCounter(card(station, genuine))) {
                browser.open(console + "/issue");
                browser.click("#read");
                browser.await("#activate", 20);
                assertTrue(browser.has("#photo"), "the holder's photo from the chip");
                assertTrue(browser.text("#verdict").contains("asli"), browser.text("#verdict"));
                assertEquals(genuine.nik(), browser.text("#holder tr:first-child td"));
                browser.screenshot(SHOTS.resolve("05-chip-read.png"));
                browser.click("#activate");
                browser.await("#result", 20);
                String result = browser.text("#result");
                browser.screenshot(SHOTS.resolve("06-issued.png"));
                assertTrue(browser.has("#result.state.ISSUED") && result.startsWith("Diserahkan"), result);
            }
            station.cards().awaitEmptyReader();
            assertEquals(JobState.ISSUED, station.daemon().store().job(genuine.recordId()).orElseThrow().state());

            // Someone else's finger on the second card: refused, and the card is not activated.
            RecordGenerator.Resident second = generator.resident(index(generator, impostor.recordId()));
            String stranger = fingers.fingers().stream().filter(f -> !f.equals(second.rightIndexFinger()) && !f.equals(second.leftIndexFinger()))
                    .findFirst().orElseThrow();
            station.scanner().place(fingers.image(stranger, 3));
            try (AutoCloseable inReader = station.cards().atCounter(card(station, impostor))) {
                browser.open(console + "/issue");
                browser.click("#read");
                browser.await("#activate", 20);
                browser.click("#activate");
                browser.await("#result", 20);
                String result = browser.text("#result");
                browser.screenshot(SHOTS.resolve("07-impostor-refused.png"));
                assertTrue(browser.has("#result.state.ACTIVATION_FAILED") && result.startsWith("Aktivasi gagal"), result);
            }
            assertEquals(JobState.ACTIVATION_FAILED, station.daemon().store().job(impostor.recordId()).orElseThrow().state());
            browser.open(console + "/issue");
            assertTrue(browser.text("#failed").contains(impostor.recordId()), "the failed activation waits for a supervisor");

            // English on request; the daily report as the browser's session downloads it.
            browser.click("#lang");
            assertTrue(browser.text("#nav-queue").equals("Queue"), browser.text("#nav-queue"));
            browser.open(console + "/reports");
            browser.screenshot(SHOTS.resolve("08-reports.png"));
            String today = LocalDate.now(ZoneId.of("Asia/Jakarta")).toString();
            HttpResponse<byte[]> pdf = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(console + "/reports/daily.pdf?date=" + today))
                    .header("Cookie", "ktp_session=" + browser.cookie("ktp_session")).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, pdf.statusCode());
            assertEquals("application/pdf", pdf.headers().firstValue("Content-Type").orElse(""));
            try (PDDocument doc = Loader.loadPDF(pdf.body())) {
                String text = new PDFTextStripper().getText(doc);
                assertTrue(text.contains("Cards printed 2"), text);
                assertTrue(text.contains("Cards issued 1"), text);
                assertTrue(text.contains("Activation failed 1"), text);
                assertTrue(text.contains("operator:sari"), text);
            }
            assertTrue(station.daemon().store().auditLog().stream().anyMatch(e -> e.action().equals("CONSOLE_REPORT") && e.actor().equals("operator:sari")));
        }
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
