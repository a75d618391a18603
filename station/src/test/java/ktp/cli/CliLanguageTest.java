package ktp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import ktp.i18n.Catalogue;
import ktp.job.JobState;
import ktp.store.Actor;
import ktp.store.Role;
import ktp.store.StationStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line's human output is the operator's language: Indonesian by default, English with --lang en,
 * from the catalogue's cli area (state and fate names the console's); JSON is the same in both. And no key the
 * CLI's code names (the set-up checklist's included) is missing from the catalogue. Run alone: mvn -q -B -o -pl station test -Dtest=CliLanguageTest
 */
class CliLanguageTest {
    @TempDir
    Path dir;

    private Path store() {
        Path s = dir.resolve("store");
        try (StationStore store = StationStore.open(s, "ST-LANG-01", Clock.systemUTC())) {
            Actor system = new Actor("station", Role.SYSTEM);
            store.admit("REC-LANG-1", 1, "3273014507900001", "{}".getBytes(StandardCharsets.UTF_8), system);
            store.transition("REC-LANG-1", JobState.VALIDATED, system, "", null);
            store.transition("REC-LANG-1", JobState.ENCODING, system, "", "04A1B2C3D4E5F6");
            store.admit("REC-LANG-2", 1, "3273014507900002", "{}".getBytes(StandardCharsets.UTF_8), system);
        }
        return s;
    }

    @Test
    void queueAndLedgerSpeakIndonesianByDefaultAndEnglishWhenAsked() {
        String s = store().toString();
        KtpCommandLineTest.Result id = KtpCommandLineTest.run("queue", "--store", s);
        assertEquals(0, id.exit(), id.err());
        assertTrue(id.out().contains("REKAMAN") && id.out().contains("STATUS") && id.out().contains("ALASAN"), id.out());
        assertTrue(id.out().contains("Chip sedang diisi") && id.out().contains("Diterima dari pusat data"), "the states in Indonesian: " + id.out());
        assertTrue(id.out().contains("2 pekerjaan"), id.out());
        assertFalse(id.out().contains("ENCODING") || id.out().contains("RECORD") || id.out().contains("job(s)"), "no English left: " + id.out());

        KtpCommandLineTest.Result en = KtpCommandLineTest.run("queue", "--store", s, "--lang", "en");
        assertEquals(0, en.exit(), en.err());
        assertTrue(en.out().contains("RECORD") && en.out().contains("Chip being written"), en.out());
        assertTrue(en.out().contains("2 job(s)"), en.out());
        assertFalse(en.out().contains("REKAMAN") || en.out().contains("pekerjaan"), en.out());

        // JSON is for programs: the same bytes whatever the language.
        assertEquals(KtpCommandLineTest.run("queue", "--store", s, "--json").out(), KtpCommandLineTest.run("queue", "--store", s, "--json", "--lang", "en").out());
        assertTrue(KtpCommandLineTest.run("queue", "--store", s, "--json").out().contains("\"state\":\"ENCODING\""));

        KtpCommandLineTest.Result ledger = KtpCommandLineTest.run("ledger", "--store", s);
        assertEquals(0, ledger.exit(), ledger.err());
        assertTrue(ledger.out().contains("BLANKO") && ledger.out().contains("Di printer") && ledger.out().contains("1 blanko: {Di printer=1}"), ledger.out());
        KtpCommandLineTest.Result ledgerEn = KtpCommandLineTest.run("ledger", "--store", s, "--lang", "en");
        assertTrue(ledgerEn.out().contains("BLANK") && ledgerEn.out().contains("1 blank(s): {In the printer=1}"), ledgerEn.out());
        assertFalse(ledgerEn.out().contains("Di printer"), ledgerEn.out());

        KtpCommandLineTest.Result load = KtpCommandLineTest.run("ledger", "load", "--store", s, "--count", "5", "--reference", "DO-7", "--operator", "sari");
        assertEquals(0, load.exit(), load.err());
        assertTrue(load.out().contains("tercatat: 5 blanko dimuat oleh sari (DO-7)"), load.out());

        KtpCommandLineTest.Result status = KtpCommandLineTest.run("station", "status", "--store", s, "--lang", "en");
        assertTrue(status.out().contains("NOT READY (from the store") && status.out().contains("ALERT DAEMON_STOPPED"), status.out());
        KtpCommandLineTest.Result statusId = KtpCommandLineTest.run("station", "status", "--store", s);
        assertTrue(statusId.out().contains("TIDAK SIAP (dari penyimpanan") && statusId.out().contains("PERINGATAN DAEMON_STOPPED: Daemon stasiun tidak berjalan"), statusId.out());
        assertTrue(statusId.out().contains("antrean "), statusId.out());

        KtpCommandLineTest.Result bad = KtpCommandLineTest.run("queue", "--store", s, "--lang", "fr");
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains("--lang") && bad.err().contains("id (Bahasa Indonesia) or en (English)"), bad.err());
    }

    /** Every cli key the command line's code names (a "area.key" literal in a file that uses CliText) is in the catalogue. */
    @Test
    void everyKeyTheCommandLineNamesIsInTheCatalogue() throws Exception {
        Pattern literal = Pattern.compile("\"((?:col|queue|ledger|issue|status|check|probe|report|reprint|init|user|printer)\\.[A-Za-z.]+)\"");
        Set<String> missing = new TreeSet<>();
        List<String> seen = new ArrayList<>();
        try (var files = Files.list(Path.of("src/main/java/ktp/cli"))) {
            for (Path f : files.toList()) {
                String src = Files.readString(f);
                if (!src.contains("CliText.t(")) continue;
                Matcher m = literal.matcher(src);
                while (m.find()) {
                    String key = m.group(1);
                    if (key.endsWith(".")) continue; // a prefix completed at run time
                    seen.add(key);
                    if (!Catalogue.has("cli." + key)) missing.add(f.getFileName() + ": cli." + key);
                }
            }
        }
        // The set-up checklist's texts are the setup area's: every s("...") and question or step key it names.
        String setup = Files.readString(Path.of("src/main/java/ktp/cli/StationSetup.java"));
        Matcher m = Pattern.compile("(?:s|ask|askAddress|heading)\\(\"([a-zA-Z.]+)\"|\"((?:q|e|step)\\.[a-zA-Z.]+)\"").matcher(setup);
        int setupKeys = 0;
        while (m.find()) {
            String key = m.group(1) != null ? m.group(1) : m.group(2);
            setupKeys++;
            if (!Catalogue.has("setup." + key)) missing.add("StationSetup.java: setup." + key);
        }
        assertTrue(setupKeys > 60, "the scan found the set-up's keys: " + setupKeys);
        assertTrue(seen.size() > 50, "the scan found the keys: " + seen.size());
        assertTrue(missing.isEmpty(), "keys not in the catalogue: " + missing);
    }
}
