package ktp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import ktp.i18n.Catalogue;
import ktp.i18n.Language;
import ktp.job.JobState;
import ktp.store.BlankFate;
import ktp.store.StationStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The errors an operator meets on the command line (queue, ledger, ledger load, issue, report, station status,
 * reprint, console user, printer status, the store and console access they share, the last-resort handler) are the
 * catalogue's, in Indonesian by default and in English with --lang en, with the value that was wrong in them; and
 * no such command's source builds an error or a printed line from a literal text that bypasses the catalogue.
 * Run alone: mvn -q -B -o -pl station test -Dtest=CliErrorLanguageTest
 */
class CliErrorLanguageTest {
    @TempDir
    Path dir;

    /** Before too: a test class run earlier in this JVM may have left --lang en chosen by its last command line. */
    @org.junit.jupiter.api.BeforeEach
    @AfterEach
    void noLanguageLeftBehind() { CliText.reset(); }

    /** A bad input: the command line, and the catalogue's error (key without "cli.err.") with its arguments. */
    record Case(List<String> args, String key, Object... values) {}

    @Test
    void everyBadInputIsTheCataloguesErrorInTheChosenLanguage() throws IOException {
        Path store = dir.resolve("store");
        try (StationStore s = StationStore.open(store, "ST-ERR-01", Clock.systemUTC())) {
            s.jobCount();
        }
        Path empty = Files.createDirectories(dir.resolve("no-store"));
        Path users = dir.resolve("users.json");
        ktp.console.Users.load(users).put("sari", ktp.store.Role.OPERATOR, new ktp.console.PasswordHasher().hash("sari-password-1".toCharArray()));
        String st = store.toString();
        String pdf = dir.resolve("r.pdf").toString();
        String nik = "3273014507900001";
        List<Case> cases = List.of(
                new Case(List.of("queue", "--store", st, "--state", "NOPE"), "queue.state", "NOPE", List.of(JobState.values())),
                new Case(List.of("queue", "--store", st, "--limit", "-1"), "queue.limit", "-1"),
                new Case(List.of("queue", "--store", st, "--nik", "123"), "nik", "123"),
                new Case(List.of("queue", "--store", empty.toString()), "store.none", empty),
                new Case(List.of("ledger", "--store", st, "--fate", "LOST"), "ledger.fate", "LOST", List.of(BlankFate.values())),
                new Case(List.of("ledger"), "ledger.noStore"),
                new Case(List.of("ledger", "load", "--store", st, "--count", "1", "--reference", "SJ-1", "--operator", "a b"), "operator", "a b"),
                new Case(List.of("ledger", "load", "--store", st, "--count", "0", "--reference", "SJ-1", "--operator", "budi"), "ledger.count", "0"),
                new Case(List.of("ledger", "load", "--store", st, "--count", "5", "--reference", " ", "--operator", "budi"), "ledger.reference"),
                new Case(List.of("issue", "--config", dir.resolve("none.yaml").toString(), "--nik", "12"), "nik", "12"),
                new Case(List.of("issue", "--config", dir.resolve("none.yaml").toString(), "--nik", nik, "--wait", "0"), "issue.wait"),
                new Case(List.of("report", "daily", "--store", st, "--out", pdf, "--date", "2026-13-01"), "report.date", "--date", "2026-13-01"),
                new Case(List.of("report", "daily", "--store", st, "--out", pdf, "--zone", "Mars/Base"), "report.zone", "Mars/Base"),
                new Case(List.of("report", "reconciliation", "--store", st, "--out", pdf, "--from", "2026-02-01", "--to", "2026-01-01"), "report.order", "2026-01-01", "2026-02-01"),
                new Case(List.of("report", "reconciliation", "--store", st, "--out", pdf, "--from", "2026-01-01", "--to", "2026-01-31", "--counted", "-1"), "report.counted", "-1"),
                new Case(List.of("reprint", "confirm", "--store", empty.toString(), "--record", "REC-1", "--supervisor", "budi"), "store.none", empty),
                new Case(List.of("station", "status"), "store.needConfig"),
                new Case(List.of("station", "status", "--store", empty.resolve("typo").toString()), "store.none", empty.resolve("typo")),
                new Case(List.of("queue", "--config", dir.resolve("typo.yaml").toString()), "store.noConfig", dir.resolve("typo.yaml")),
                new Case(List.of("console", "user", "remove", "--users", users.toString(), "--name", "ab", "--role", "operator"), "user.action", "remove"),
                new Case(List.of("console", "user", "add", "--users", users.toString(), "--name", "A!", "--role", "operator"), "user.name", "A!"),
                new Case(List.of("console", "user", "add", "--users", users.toString(), "--name", "ab", "--role", "king"), "user.role", "king"),
                new Case(List.of("printer", "status", "--printer", "file:/tmp/card.png"), "printer.file", "file:/tmp/card.png"),
                new Case(List.of("status", "123"), "status.nik", "123"),
                new Case(List.of("status", nik), "status.central", nik));
        for (Case c : cases) {
            String id = Catalogue.text(Language.ID, "cli.err." + c.key(), plain(c.values()));
            String en = Catalogue.text(Language.EN, "cli.err." + c.key(), plain(c.values()));
            assertNotEquals(id, en, c.key() + ": the two languages say the same");
            KtpCommandLineTest.Result byDefault = KtpCommandLineTest.run(c.args().toArray(String[]::new));
            assertEquals(ExitCodes.BAD_INPUT, byDefault.exit(), c.args() + ": " + byDefault.err());
            assertEquals("ktp: " + id, byDefault.err().strip(), c.args() + ": Indonesian by default");
            List<String> english = new ArrayList<>(c.args());
            english.addAll(List.of("--lang", "en"));
            KtpCommandLineTest.Result asked = KtpCommandLineTest.run(english.toArray(String[]::new));
            assertEquals(ExitCodes.BAD_INPUT, asked.exit(), english + ": " + asked.err());
            assertEquals("ktp: " + en, asked.err().strip(), english + ": English when asked");
        }
        assertTrue(!Files.exists(empty.resolve("typo")), "a mistyped --store is not made into a new store");
        // Usage errors: a missing option and an unknown one are the catalogue's too (exit 2 in both languages).
        for (Language language : Language.values()) {
            KtpCommandLineTest.Result missing = KtpCommandLineTest.run("ledger", "load", "--store", st, "--count", "1", "--operator", "budi", "--lang", language.code());
            assertEquals(ExitCodes.BAD_INPUT, missing.exit(), missing.err());
            assertEquals(List.of("ktp: " + Catalogue.text(language, "cli.err.usage.missing", "'--reference=TEXT'"),
                    Catalogue.text(language, "cli.err.usage", "ktp ledger load")), missing.err().strip().lines().toList());
            KtpCommandLineTest.Result unknown = KtpCommandLineTest.run("queue", "--store", st, "--colour", "--lang", language.code());
            assertEquals(ExitCodes.BAD_INPUT, unknown.exit(), unknown.err());
            assertTrue(unknown.err().startsWith("ktp: " + Catalogue.text(language, "cli.err.usage.unknown", "'--colour'")), unknown.err());
            // A value the option's type refuses, an option given twice, a value picocli's converter refuses: the option
            // and the value as typed, in the catalogue's words (the converter's own text only after them).
            KtpCommandLineTest.Result notANumber = KtpCommandLineTest.run("queue", "--store", st, "--limit", "ten", "--lang", language.code());
            assertEquals(ExitCodes.BAD_INPUT, notANumber.exit(), notANumber.err());
            assertEquals(List.of("ktp: " + Catalogue.text(language, "cli.err.usage.whole", "--limit", "ten"), Catalogue.text(language, "cli.err.usage", "ktp queue")),
                    notANumber.err().strip().lines().toList());
            KtpCommandLineTest.Result twice = KtpCommandLineTest.run("queue", "--store", st, "--limit", "1", "--limit", "2", "--lang", language.code());
            assertEquals(ExitCodes.BAD_INPUT, twice.exit(), twice.err());
            assertEquals("ktp: " + Catalogue.text(language, "cli.err.usage.twice", "'--limit'"), twice.err().strip().lines().findFirst().orElse(""));
            KtpCommandLineTest.Result badDpi = KtpCommandLineTest.run("finger", "enroll", "--dpi", "high", "--lang", language.code());
            assertEquals(ExitCodes.BAD_INPUT, badDpi.exit(), badDpi.err());
            assertEquals("ktp: " + Catalogue.text(language, "cli.err.usage.number", "--dpi", "high"), badDpi.err().strip().lines().findFirst().orElse(""));
            KtpCommandLineTest.Result badDate = KtpCommandLineTest.run("nik", "check", "3273014507900001", "--birth", "1990-13-45", "--lang", language.code());
            assertEquals(ExitCodes.BAD_INPUT, badDate.exit(), badDate.err());
            String said = badDate.err().strip().lines().findFirst().orElse("");
            String words = Catalogue.text(language, "cli.err.usage.value", "--birth", "1990-13-45", "\u0000");
            assertTrue(said.startsWith("ktp: " + words.substring(0, words.indexOf('\u0000'))), said);
        }
        // An account that exists already: the nested text (the role change) is the same language as the rest.
        String[] again = {"console", "user", "add", "--users", users.toString(), "--name", "sari", "--role", "supervisor"};
        KtpCommandLineTest.Result exists = KtpCommandLineTest.run(again);
        assertEquals(ExitCodes.BAD_INPUT, exists.exit(), exists.err());
        assertEquals("ktp: " + Catalogue.text(Language.ID, "cli.err.user.exists", "sari", "operator", users.toString(),
                Catalogue.text(Language.ID, "cli.err.user.andRole", "supervisor")), exists.err().strip());
    }

    /** 'ktp print' to a file (the exact byte stream): its result line in both languages, the ids and figures as they are. */
    @Test
    void printSaysItsResultInTheChosenLanguage() throws IOException {
        Path trust = Files.createDirectories(dir.resolve("trust"));
        Files.writeString(trust.resolve(ktp.record.TestRecords.KEY_ID + ".pem"), ktp.record.TrustedKeys.toPem(ktp.record.TestRecords.KEY.getPublic()));
        Path record = dir.resolve("record.json");
        Files.write(record, ktp.record.TestRecords.envelope(ktp.record.TestRecords.valid(1)));
        for (Language language : Language.values()) {
            Path store = dir.resolve("print-store-" + language.code());
            KtpCommandLineTest.Result r = KtpCommandLineTest.run("print", "--record", record.toString(), "--profile", "evolis-primacy-dual-ymcko",
                    "--printer", "file:" + dir.resolve("stream-" + language.code() + ".prn"), "--trust", trust.toString(), "--store", store.toString(),
                    "--lang", language.code());
            String line = r.out().strip();
            String words = Catalogue.text(language, "cli.print.done", "\u0000", "\u0000", "\u0000", "\u0000", "\u0000", "\u0000", store.toString());
            String[] fixed = words.split("\u0000", -1);
            assertTrue(line.endsWith(fixed[fixed.length - 1]), language + ": " + r.out() + r.err());
            assertTrue(line.contains(fixed[4]) && line.contains(fixed[5]), language + " (the figures' words): " + r.out() + r.err());
        }
    }

    /** The verification's steps that 'ktp issue' prints while the daemon is stopped, in the console's words. */
    @Test
    void theIssuanceStepsAreTheOperatorsLanguage() {
        String place = "place finger 2 (right index) on the scanner";
        String poor = "place your finger again (only 5 usable minutiae)";
        assertEquals(Catalogue.text(Language.ID, "cli.issue.place", Catalogue.text(Language.ID, "console.finger.2")), IssueCommand.step(place));
        assertEquals(Catalogue.text(Language.ID, "cli.issue.retake", Catalogue.text(Language.ID, "console.visit.poor.LITTLE_DETAIL", "5"), poor), IssueCommand.step(poor));
        CliText.choose("en");
        assertEquals("place the right index finger on the scanner ...", IssueCommand.step(place));
        assertTrue(IssueCommand.step("place your finger again: the finger is too wet").startsWith(Catalogue.text(Language.EN, "console.visit.poor.WET")));
    }

    private static final List<String> COMMANDS = List.of("QueueCommand", "LedgerCommand", "IssueCommand", "ReportCommand", "ReprintCommand", "ConsoleCommand",
            "StoreChoice", "ConsoleSession", "StatusCommand", "Ktp", "PrinterCommands", "RecordCommand", "ConfigWarnings", "NikCommand", "FingerCommand", "RenderCommand", "QrCommand", "CardCommand");
    private static final Pattern KEY = Pattern.compile("CliText\\.(bad|error|t)\\(\"([^\"]*)\"");
    private static final Pattern LETTERS = Pattern.compile("\"[^\"]*[A-Za-z][^\"]*\"");

    /**
     * A source scan: in these commands every error (BadInputException, a line to stderr) and every line to stdout
     * takes its words from the catalogue; the only literal texts left are the keys, "ktp: " and regular expressions.
     */
    @Test
    void noOperatorsErrorBypassesTheCatalogue() throws IOException {
        List<String> bypass = new ArrayList<>();
        for (String name : COMMANDS) {
            String source = Files.readString(Path.of("src/main/java/ktp/cli/" + name + ".java"));
            boolean bilingual = name.equals("StatusCommand"); // 'ktp status NIK' prints both languages side by side by design
            for (String statement : source.replaceAll("(?m)^\\s*(//|\\*|/\\*\\*).*$", "").split(";")) {
                boolean error = statement.contains("new BadInputException(") || statement.contains("err().println(") || statement.contains("System.err.println(")
                        || statement.contains("getErr().println(") || statement.contains("readPassword(");
                boolean output = !bilingual && statement.contains("System.out.println(");
                boolean answer = name.equals("PrinterCommands") && statement.strip().startsWith("return ");
                if (!error && !output && !answer) continue;
                if (statement.contains("new BadInputException(")) bypass.add(name + ": " + statement.strip());
                String rest = KEY.matcher(statement).replaceAll("").replace("\"ktp: \"", "").replace("\"HTTP \"", "").replace("\"%s\"", "");
                Matcher m = LETTERS.matcher(rest.replaceAll("path\\(\"[A-Za-z]+\"\\)", "").replaceAll("\"%[^\" ]*\"", ""));
                while (m.find()) {
                    // A key chosen by a condition (CliText.t(ok ? "a.b" : "a.c")) is the catalogue's too.
                    String literal = m.group().substring(1, m.group().length() - 1);
                    if (!Catalogue.has("cli." + literal)) bypass.add(name + ": " + m.group() + " in: " + statement.strip());
                }
            }
            Matcher k = KEY.matcher(source);
            while (k.find()) {
                String key = "cli." + k.group(2);
                for (Language language : Language.values()) {
                    if (!Catalogue.keys(language).contains(key)) bypass.add(name + ": " + key + " is not in the catalogue in " + language);
                }
            }
        }
        assertEquals(List.of(), bypass, "texts that bypass the catalogue");
    }

    private static Object[] plain(Object[] values) {
        Object[] out = new Object[values.length];
        for (int i = 0; i < values.length; i++) out[i] = values[i] instanceof Number ? String.valueOf(values[i]) : values[i];
        return out;
    }
}
