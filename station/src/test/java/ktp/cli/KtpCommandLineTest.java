package ktp.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import ktp.record.Nik;
import ktp.record.Sex;
import ktp.record.TestRecords;
import ktp.record.TrustedKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class KtpCommandLineTest {
    record Result(int exit, String out, String err) {}

    /** Runs ktp with stdout and stderr captured; System.out is swapped before the command line exists. */
    static Result run(String... args) {
        PrintStream oldOut = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            CommandLine cl = Ktp.commandLine();
            cl.setErr(new java.io.PrintWriter(err, true));
            int code = cl.execute(args);
            cl.getOut().flush();
            cl.getErr().flush();
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
        }
    }

    static List<List<String>> allCommandPaths(CommandLine cl, List<String> prefix) {
        List<List<String>> out = new ArrayList<>();
        out.add(prefix);
        cl.getSubcommands().forEach((name, sub) -> {
            if (name.equals("help")) return;
            List<String> p = new ArrayList<>(prefix);
            p.add(name);
            out.addAll(allCommandPaths(sub, p));
        });
        return out;
    }

    @Test
    void everyCommandHasHelpThatExitsZero() {
        List<List<String>> paths = allCommandPaths(Ktp.commandLine(), List.of());
        assertTrue(paths.size() >= 8, paths.toString());
        for (List<String> path : paths) {
            List<String> args = new ArrayList<>(path);
            args.add("--help");
            Result r = run(args.toArray(String[]::new));
            assertEquals(0, r.exit(), "help of " + path);
            assertTrue(r.out().contains("Usage: ktp"), "help of " + path + ": out=" + r.out() + " err=" + r.err());
        }
        assertTrue(run("--help").out().contains("Exit codes"));
    }

    @Test
    void usageErrorsExitTwo() {
        assertEquals(2, run("no-such-command").exit());
        assertEquals(2, run("nik", "check").exit());
        assertEquals(2, run("status", "graph", "--bogus").exit());
        Result r = run("nik", "check", "3273014506900001", "--birth", "05-06-1990");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--birth") && r.err().contains("'05-06-1990' is not a date"), r.err());
        assertEquals(2, run("nik", "check", "3273014506900001", "--sex", "X").exit());
    }

    @Test
    void nikCheckExplainsOrSaysWhy() {
        String nik = Nik.compose("327301", LocalDate.of(1990, 6, 5), Sex.PEREMPUAN, 1);
        Result ok = run("nik", "check", nik, "--sex", "P", "--birth", "1990-06-05");
        assertEquals(0, ok.exit(), ok.out());
        assertTrue(ok.out().contains("JAWA BARAT") && ok.out().contains("1990-06-05") && ok.out().contains("PEREMPUAN"));
        // Indonesian by default, English with --lang en; the codes, the province's name and the sex as printed stay.
        assertTrue(ok.out().contains("\n  provinsi  32  JAWA BARAT\n") && ok.out().contains("\n  DDMMYY    450690  tanggal 45 = 5 + 40\n")
                && ok.out().contains("\n  lahir     1990-06-05") && ok.out().contains("\nVALID dan sesuai dengan jenis kelamin/tanggal lahir yang diberikan"), ok.out());
        Result english = run("nik", "check", nik, "--sex", "P", "--birth", "1990-06-05", "--lang", "en");
        assertTrue(english.out().contains("\n  province  32  JAWA BARAT\n") && english.out().contains("\n  DDMMYY    450690  day 45 = 5 + 40\n")
                && english.out().contains("\n  born      1990-06-05") && english.out().contains("\nVALID and consistent with the given sex/birth date"), english.out());
        Result mismatch = run("nik", "check", nik, "--sex", "L");
        assertEquals(1, mismatch.exit());
        assertTrue(mismatch.out().contains("NIK_SEX_MISMATCH"), mismatch.out());
        Result bad = run("nik", "check", "12345");
        assertEquals(1, bad.exit());
        assertTrue(bad.out().contains("NIK_FORMAT"));
    }

    @Test
    void statusGraphPrintsTextAndDot() {
        assertTrue(run("status", "graph").out().contains("PRINT_READY_RECORD  [regional]"));
        assertTrue(run("status", "graph", "--dot").out().contains("CARD_PRINTED -> CARD_ISSUED"));
    }

    @Test
    void recordCheckGivesAVerdictPerFile(@TempDir Path dir) throws Exception {
        Path trust = Files.createDirectories(dir.resolve("trust"));
        Files.writeString(trust.resolve(TestRecords.KEY_ID + ".pem"), TrustedKeys.toPem(TestRecords.KEY.getPublic()));
        Path good = dir.resolve("good.json");
        Files.write(good, TestRecords.envelope(TestRecords.valid(1)));
        Path bad = dir.resolve("bad.json");
        Files.write(bad, TestRecords.envelope(TestRecords.withFront(TestRecords.valid(2),
                TestRecords.front("SITI", Sex.LAKI_LAKI, LocalDate.of(1990, 6, 5)))));

        Result one = run("record", "check", good.toString(), "--trust", trust.toString());
        assertEquals(0, one.exit(), one.out() + one.err());
        assertTrue(one.out().startsWith("VALID"), one.out());
        Result both = run("record", "check", good.toString(), bad.toString(), "--trust", trust.toString());
        assertEquals(1, both.exit());
        assertTrue(both.out().contains("REJECTED  " + bad + "  NIK_SEX_MISMATCH"), both.out());
        assertTrue(both.out().contains("1 sah, 1 ditolak"), "Indonesian by default: " + both.out());
        assertTrue(run("record", "check", good.toString(), bad.toString(), "--trust", trust.toString(), "--lang", "en").out().contains("1 valid, 1 rejected"));
        assertEquals(2, run("record", "check", dir.resolve("missing.json").toString(), "--trust", trust.toString()).exit());
        assertEquals(2, run("record", "check", good.toString(), "--trust", dir.resolve("nowhere").toString()).exit());
        assertEquals(2, run("record", "check", good.toString()).exit());
    }
}
