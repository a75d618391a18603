package ktp.sim.console;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import ktp.cli.Ktp;
import ktp.job.JobState;
import ktp.sim.Pcscd;
import ktp.sim.card.VirtualCard;
import ktp.sim.card.VpcdClient;
import ktp.sim.demo.SimulatedStation;
import ktp.sim.records.FingerprintLibrary;
import ktp.sim.records.RecordGenerator;
import ktp.sim.scanner.SimulatedScanner;
import ktp.store.Job;
import ktp.store.StationStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command-line equivalents for a headless station, on a store the daemon filled through pcscd: `queue`
 * and `ledger` agree with the store (tables and --json), `ledger load` and `report reconciliation` balance the
 * blanks, and `issue` reads the card through the real PC/SC stack, takes the finger from the R307 simulator
 * and activates the card.
 */
class HeadlessCommandsTest {
    @TempDir
    Path dir;

    @Test
    void queueLedgerReconciliationAndIssueWorkOnAStoppedStationsStore() throws Exception {
        // vpcd's one slot is this test's from the daemon's first blank to the card read at the counter.
        try (Pcscd.Slot slot = Pcscd.slot("HeadlessCommandsTest.queueLedgerReconciliationAndIssueWorkOnAStoppedStationsStore")) {
            long seed = 13;
            SimulatedStation.Settings s = new SimulatedStation.Settings(dir.resolve("station"), seed, 2, 0, null, "127.0.0.1:" + Pcscd.VPCD_PORT, 200, 0, 0, false);
            java.util.List<VirtualCard> printed;
            int feederLeft;
            Path config;
            try (SimulatedStation station = SimulatedStation.start(s)) {
                long deadline = System.nanoTime() + 90_000_000_000L;
                while (station.daemon().store().jobs().stream().filter(j -> j.state() == JobState.AWAITING_HOLDER).count() < 2 && System.nanoTime() < deadline) Thread.sleep(100);
                printed = station.cards().issued();
                feederLeft = station.printer().feeder();
                config = station.config();
            }
            Path store = dir.resolve("station/station");

            String queue = run(0, "queue", "--store", store.toString(), "--json");
            JsonNode jobs = new ObjectMapper().readTree(queue);
            assertEquals(2, jobs.size());
            for (JsonNode j : jobs) assertEquals("AWAITING_HOLDER", j.get("state").asText());
            assertTrue(run(0, "queue", "--store", store.toString()).contains("2 pekerjaan"));
            JsonNode ledger = new ObjectMapper().readTree(run(0, "ledger", "--store", store.toString(), "--json"));
            assertEquals(printed.size(), ledger.size(), "every blank the printer took");
            run(2, "queue", "--store", store.toString(), "--state", "NOT_A_STATE");

            // The loads on record balance against what the printer's feeder holds; a wrong count does not.
            String today = LocalDate.now(ZoneId.of("Asia/Jakarta")).toString();
            run(0, "ledger", "load", "--store", store.toString(), "--count", "5", "--reference", "SJ-13", "--operator", "budi");
            String ok = run(0, "report", "reconciliation", "--store", store.toString(), "--from", today, "--to", today, "--counted", Integer.toString(feederLeft + 5),
                    "--out", dir.resolve("rec.pdf").toString());
            assertTrue(ok.contains("SESUAI"), ok);
            String off = run(1, "report", "reconciliation", "--store", store.toString(), "--from", today, "--to", today, "--counted", Integer.toString(feederLeft),
                    "--out", dir.resolve("rec2.pdf").toString());
            assertTrue(off.contains("SELISIH -5"), off);

            // ktp issue: the first holder's card in pcscd's reader, the right finger on the scanner.
            FingerprintLibrary fingers = FingerprintLibrary.embedded();
            RecordGenerator generator = new RecordGenerator(seed, fingers, RecordGenerator.defaultIssueDate(seed));
            Job job;
            try (StationStore st = StationStore.open(store, null, Clock.systemUTC())) {
                job = st.jobs().stream().filter(j -> j.state() == JobState.AWAITING_HOLDER).findFirst().orElseThrow();
            }
            int index = java.util.stream.IntStream.range(0, 10).filter(i -> generator.identity(i).recordId().equals(job.recordId())).findFirst().orElseThrow();
            VirtualCard card = printed.stream().filter(c -> java.util.HexFormat.of().withUpperCase().formatHex(c.uid()).equals(job.blankId())).findFirst().orElseThrow();
            try (SimulatedScanner scanner = new SimulatedScanner(256, 288, new InetSocketAddress("127.0.0.1", 0));
                 VpcdClient inReader = VpcdClient.connect("127.0.0.1", Pcscd.VPCD_PORT, card)) {
                scanner.place(fingers.image(generator.resident(index).rightIndexFinger(), 2));
                String yaml = Files.readString(config).replaceAll("scanner: \\{ uri: \"tcp://127.0.0.1:\\d+\"", "scanner: { uri: \"tcp://127.0.0.1:" + scanner.port() + "\"");
                Files.writeString(config, yaml);
                String out = run(0, "issue", "--config", config.toString(), "--nik", job.nik(), "--operator", "sari", "--wait", "20");
                assertTrue(out.contains("Diserahkan"), out);
            }
            try (StationStore st = StationStore.open(store, null, Clock.systemUTC())) {
                assertEquals(JobState.ISSUED, st.job(job.recordId()).orElseThrow().state());
                assertTrue(st.auditLog().stream().anyMatch(e -> e.actor().equals("operator:sari") && e.action().endsWith("-> ISSUED")));
            }
            String again = run(2, "issue", "--config", config.toString(), "--nik", job.nik(), "--operator", "sari");
            assertTrue(again.contains("sudah diserahkan"), again); // cli.err.issue.issued, Indonesian by default
        }
    }

    /**
     * While the daemon runs its store is locked: the same commands with --user go through its console, with the
     * account's role and under its name in the audit log.
     */
    @Test
    void whileTheDaemonRunsTheCommandsGoThroughItsConsole() throws Exception {
        long seed = 17;
        Path usersFile = dir.resolve("users.json");
        ktp.console.Users users = ktp.console.Users.load(usersFile);
        users.put("sari", ktp.store.Role.OPERATOR, new ktp.console.PasswordHasher().hash("sari-password-1".toCharArray()));
        users.put("tech", ktp.store.Role.TECHNICIAN, new ktp.console.PasswordHasher().hash("tech-password-1".toCharArray()));
        SimulatedStation.Settings s = new SimulatedStation.Settings(dir.resolve("station"), seed, 2, 0, null, null, 200, 0, 0, false, usersFile, 900);
        try (SimulatedStation station = SimulatedStation.start(s)) {
            long deadline = System.nanoTime() + 90_000_000_000L;
            while (station.daemon().store().jobs().stream().filter(j -> j.state() == JobState.AWAITING_HOLDER).count() < 2 && System.nanoTime() < deadline) Thread.sleep(100);
            String config = station.config().toString();

            String refused = run(2, "queue", "--config", config);
            assertTrue(refused.contains("tambahkan --user NAMA"), refused); // cli.err.store.needUser
            String wrong = runWithInput("not-her-password\n", 2, "queue", "--config", config, "--user", "sari");
            assertTrue(wrong.contains("konsol menolak masuk untuk sari"), wrong); // cli.err.console.signIn

            JsonNode jobs = new ObjectMapper().readTree(runWithInput("sari-password-1\n", 0, "queue", "--config", config, "--user", "sari", "--json"));
            assertEquals(2, jobs.size());
            assertTrue(runWithInput("sari-password-1\n", 0, "ledger", "--config", config, "--user", "sari").contains("2 blanko"));
            runWithInput("sari-password-1\n", 0, "ledger", "load", "--config", config, "--user", "sari", "--operator", "sari", "--count", "3", "--reference", "SJ-17");
            assertTrue(station.daemon().store().auditLog().stream().anyMatch(e -> e.action().equals("BLANKS_LOADED") && e.actor().equals("operator:sari")
                    && e.detail().contains("SJ-17")));

            Job job = station.daemon().store().jobs().stream().filter(j -> j.state() == JobState.AWAITING_HOLDER).findFirst().orElseThrow();
            String asTechnician = runWithInput("tech-password-1\n", 2, "issue", "--config", config, "--user", "tech", "--nik", job.nik());
            assertTrue(asTechnician.contains("peran Anda tidak boleh"), asTechnician); // cli.err.console.forbiddenOrToken

            FingerprintLibrary fingers = FingerprintLibrary.embedded();
            RecordGenerator generator = new RecordGenerator(seed, fingers, RecordGenerator.defaultIssueDate(seed));
            int index = java.util.stream.IntStream.range(0, 10).filter(i -> generator.identity(i).recordId().equals(job.recordId())).findFirst().orElseThrow();
            // The console's own refusal reaches the command line in its language (the CLI sends its lang cookie).
            String absent = java.util.stream.IntStream.range(0, 10).mapToObj(generator::identity)
                    .filter(id -> station.daemon().store().job(id.recordId()).isEmpty()).findFirst().orElseThrow().nik();
            String noCard = runWithInput("sari-password-1\n", 2, "issue", "--config", config, "--user", "sari", "--nik", absent);
            assertTrue(noCard.contains("konsol menolak: tidak ada kartu tercetak yang menunggu NIK " + absent), noCard);
            String noCardEn = runWithInput("sari-password-1\n", 2, "issue", "--config", config, "--user", "sari", "--nik", absent, "--lang", "en");
            assertTrue(noCardEn.contains("the console refused: no printed card waits for NIK " + absent), noCardEn);
            VirtualCard card = station.cards().issued().stream().filter(c -> java.util.HexFormat.of().withUpperCase().formatHex(c.uid()).equals(job.blankId())).findFirst().orElseThrow();
            station.scanner().place(fingers.image(generator.resident(index).rightIndexFinger(), 2));
            try (AutoCloseable inReader = station.cards().atCounter(card)) {
                String out = runWithInput("sari-password-1\n", 0, "issue", "--config", config, "--user", "sari", "--nik", job.nik());
                assertTrue(out.contains("Diserahkan"), out);
            }
            assertEquals(JobState.ISSUED, station.daemon().store().job(job.recordId()).orElseThrow().state());
            assertTrue(station.daemon().store().auditLog().stream().anyMatch(e -> e.actor().equals("operator:sari") && e.action().endsWith("-> ISSUED")));

            // The reports too, from the console while the daemon holds the store.
            String today = LocalDate.now(ZoneId.of("Asia/Jakarta")).toString();
            Path daily = dir.resolve("daily-from-console.pdf");
            runWithInput("sari-password-1\n", 0, "report", "daily", "--config", config, "--user", "sari", "--date", today, "--lang", "en", "--out", daily.toString());
            try (org.apache.pdfbox.pdmodel.PDDocument pdf = org.apache.pdfbox.Loader.loadPDF(daily.toFile())) {
                String text = new org.apache.pdfbox.text.PDFTextStripper().getText(pdf);
                assertTrue(text.contains("Cards issued 1") && text.contains("Cards printed 2"), text);
            }
            // Without --lang the report is in the configuration's language, Indonesian by default, as without the daemon.
            runWithInput("sari-password-1\n", 0, "report", "daily", "--config", config, "--user", "sari", "--date", today, "--out", daily.toString());
            try (org.apache.pdfbox.pdmodel.PDDocument pdf = org.apache.pdfbox.Loader.loadPDF(daily.toFile())) {
                String text = new org.apache.pdfbox.text.PDFTextStripper().getText(pdf);
                assertTrue(text.contains("Laporan Harian Penerbitan KTP-el") && text.contains("Nomor: LH/"), text);
            }
            Path rec = dir.resolve("rec-from-console.pdf");
            runWithInput("sari-password-1\n", 0, "report", "reconciliation", "--config", config, "--user", "sari", "--from", today, "--to", today, "--lang", "en", "--out", rec.toString());
            try (org.apache.pdfbox.pdmodel.PDDocument pdf = org.apache.pdfbox.Loader.loadPDF(rec.toFile())) {
                assertTrue(new org.apache.pdfbox.text.PDFTextStripper().getText(pdf).contains("Blanks in (loaded) 17"), "14 loaded at the start and 3 by sari");
            }
        }
    }

    private static String runWithInput(String stdin, int exit, String... args) {
        java.io.InputStream in = System.in;
        System.setIn(new java.io.ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        try {
            return run(exit, args);
        } finally {
            System.setIn(in);
        }
    }

    /** Runs ktp in this JVM, checks the exit code, returns stdout and stderr. */
    private static String run(int exit, String... args) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream out = System.out;
        PrintStream err = System.err;
        PrintStream capture = new PrintStream(buf, true, StandardCharsets.UTF_8);
        System.setOut(capture);
        System.setErr(capture);
        int code;
        try {
            code = Ktp.commandLine().execute(args);
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        String text = buf.toString(StandardCharsets.UTF_8);
        assertEquals(exit, code, String.join(" ", args) + ": " + text);
        return text;
    }
}
