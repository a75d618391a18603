package ktp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import ktp.i18n.Catalogue;
import ktp.i18n.Language;
import ktp.record.TestRecords;
import ktp.record.TrustedKeys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A station configuration's mistakes (YAML syntax, a wrong, missing or unknown key, the station's own rules) are said
 * as file, key, line and column in plain words, in Indonesian by default, in English with --lang en or with the file's
 * own station.language: en, and the same in `check-config`, `station run` and an operator's command that reads the
 * file (`queue --config`). The English texts are exactly those of before the catalogue. The key's path, the value as
 * typed and the line itself stay as they are in both languages.
 * Run alone: mvn -q -B -o -pl station test -Dtest=ConfigErrorLanguageTest
 */
class ConfigErrorLanguageTest {
    @TempDir
    Path dir;

    @AfterEach
    void noLanguageLeftBehind() { CliText.reset(); }

    /** A configuration's text and the error in both languages, after "FILE: ". */
    record Case(String yaml, String indonesian, String english) {}

    private static final String STATION = "station:\n  id: ST-CFG-01\n  store: store\n";
    private static final String CENTRAL = "central:\n  url: http://127.0.0.1:1\n  plain_http: true\n  token_file: token.txt\n";
    private static final String TRUST = "trusted_keys: trust\n";
    private static final String PRINTER = "printers:\n  - name: P1\n    uri: tcp://127.0.0.1:2\n    profile: evolis-primacy-dual-ymcko\n";
    private static final String ENCODER = "encoder:\n  reader: none\n  card_profile: ktpel-virtual\n";

    @Test
    void everyMistakeIsSaidInTheChosenLanguageWithItsLineColumnAndKey() throws Exception {
        Files.writeString(dir.resolve("token.txt"), "t\n");
        Path trust = Files.createDirectories(dir.resolve("trust"));
        Files.writeString(trust.resolve(TestRecords.KEY_ID + ".pem"), TrustedKeys.toPem(TestRecords.KEY.getPublic()));
        List<Case> cases = List.of(
                new Case("station:\n  id: ST/01\n  store: store\n",
                        "station.id: 'ST/01' harus 1 sampai 64 huruf, angka, '_' atau '-' (baris 2, kolom 3)",
                        "station.id: 'ST/01' must be 1 to 64 letters, digits, '_' or '-' (line 2, column 3)"),
                new Case("station:\n  id: ST-CFG-01\n  store: store\n  language: fr\n",
                        "station.language: bernilai 'fr'; harus salah satu dari [id, en] (baris 4, kolom 3)",
                        "station.language: is 'fr'; must be one of [id, en] (line 4, column 3)"),
                new Case("station:\n  id: ST-CFG-01\n  store: store\n  colour: blue\n",
                        "station.colour: kunci tidak dikenal (yang dikenal di sini: id, store, biometric_retention_days, language) (baris 4, kolom 3)",
                        "station.colour: unknown field (known here: id, store, biometric_retention_days, language) (line 4, column 3)"),
                new Case(STATION + "central:\n  plain_http: true\n",
                        "central.url: belum diisi (baris 4, kolom 1 (bagian central tempat kunci ini seharusnya))",
                        "central.url: is missing (line 4, column 1 (the central it belongs in))"),
                new Case(STATION + "central:\n  url: http://127.0.0.1:1\n  token_file: token.txt\n",
                        "central.url: http:// biasa: rekaman memuat biometrik, jadi ini perlu plain_http: true (hanya untuk demo lokal) (baris 5, kolom 3)",
                        "central.url: is plain http://: records carry biometrics, so this needs plain_http: true (local demos only) (line 5, column 3)"),
                new Case(STATION + CENTRAL + TRUST + PRINTER + "  - name: P1\n    uri: tcp://127.0.0.1:3\n    profile: evolis-primacy-dual-ymcko\n",
                        "printers[1].name: 'P1' dipakai oleh dua printer (baris 13, kolom 5)",
                        "printers[1].name: 'P1' is used by two printers (line 13, column 5)"),
                new Case(STATION + CENTRAL + TRUST + "printers:\n  - name: P1\n    uri: lpt1://127.0.0.1\n    profile: evolis-primacy-dual-ymcko\n",
                        "printers[0].uri: 'lpt1://127.0.0.1' bukan tcp://HOST:PORT, serial:/dev/ttyXXX atau file:PATH (baris 11, kolom 5)",
                        "printers[0].uri: 'lpt1://127.0.0.1' is not tcp://HOST:PORT or serial:/dev/ttyXXX or file:PATH (line 11, column 5)"),
                new Case(STATION + CENTRAL + TRUST + PRINTER + ENCODER + "scanner:\n  profile: r307\n",
                        "scanner.uri: belum diisi (baris 16, kolom 1 (bagian scanner tempat kunci ini seharusnya))",
                        "scanner.uri: is missing (line 16, column 1 (the scanner it belongs in))"),
                new Case(STATION + "scanner:\n  uri: tcp://127.0.0.1:9200\n    profile: r307\n",
                        "YAML tidak sah: baris 6, kolom 12 (dekat kunci 'profile'): ada 'kunci: nilai' di tempat yang tidak boleh: indentasi baris ini berbeda dari"
                                + " kunci di sebelahnya, atau sebuah nilai memuat ': ' dan perlu diberi tanda kutip; baris itu berbunyi: profile: r307",
                        "not valid YAML: line 6, column 12 (near the key 'profile'): a 'key: value' where none can start: the line is indented differently from"
                                + " the keys beside it, or a value holds ': ' and needs quotes; the line reads: profile: r307"),
                new Case(STATION + "scanner:\n\turi: tcp://127.0.0.1:9200\n",
                        "YAML tidak sah: baris 5, kolom 1 (dekat kunci 'uri'): karakter tab: YAML hanya memakai spasi untuk indentasi; baris itu berbunyi: uri: tcp://127.0.0.1:9200",
                        "not valid YAML: line 5, column 1 (near the key 'uri'): a tab character: YAML indents with spaces only; the line reads: uri: tcp://127.0.0.1:9200"));
        List<String> wrong = new ArrayList<>();
        int n = 0;
        for (Case c : cases) {
            Path file = dir.resolve("case-" + (++n) + ".yaml");
            Files.writeString(file, c.yaml());
            check(wrong, List.of("station", "check-config", file.toString()), "ktp: " + file + ": " + c.indonesian());
            check(wrong, List.of("station", "check-config", file.toString(), "--lang", "en"), "ktp: " + file + ": " + c.english());
        }
        assertEquals(List.of(), wrong);
    }

    /** The file's own station.language: en makes its errors English without --lang; --lang id overrides it. */
    @Test
    void theFilesOwnLanguageAndEveryCommandThatReadsItSayTheSame() throws Exception {
        Path english = dir.resolve("english.yaml");
        Files.writeString(english, "station:\n  id: ST-CFG-01\n  store: store\n  language: en\ncentral:\n  plain_http: true\n");
        String en = "central.url: is missing (line 5, column 1 (the central it belongs in))";
        String id = "central.url: belum diisi (baris 5, kolom 1 (bagian central tempat kunci ini seharusnya))";
        List<String> wrong = new ArrayList<>();
        check(wrong, List.of("station", "check-config", english.toString()), "ktp: " + english + ": " + en);
        check(wrong, List.of("station", "check-config", english.toString(), "--lang", "id"), "ktp: " + english + ": " + id);
        check(wrong, List.of("station", "run", "--config", english.toString()), "ktp: " + english + ": " + en);
        check(wrong, List.of("station", "run", "--config", english.toString(), "--lang", "id"), "ktp: " + english + ": " + id);
        // An operator's command that reads the configuration: the file's error inside the command's own words.
        check(wrong, List.of("queue", "--config", english.toString(), "--lang", "id"),
                "ktp: " + Catalogue.text(Language.ID, "cli.err.store.config", english, english + ": " + id));
        Path indonesian = dir.resolve("indonesian.yaml");
        Files.writeString(indonesian, "station:\n  id: ST-CFG-01\n  store: store\ncentral:\n  plain_http: true\n");
        check(wrong, List.of("station", "run", "--config", indonesian.toString()),
                "ktp: " + indonesian + ": central.url: belum diisi (baris 4, kolom 1 (bagian central tempat kunci ini seharusnya))");
        check(wrong, List.of("queue", "--config", indonesian.toString()),
                "ktp: " + Catalogue.text(Language.ID, "cli.err.store.config", indonesian, indonesian + ": central.url: belum diisi (baris 4, kolom 1 (bagian central tempat kunci ini seharusnya))"));
        assertEquals(List.of(), wrong);
    }

    /** A file that loads: its warnings (the old address form, a token other users can read) in the chosen language too. */
    @Test
    void theWarningsOfAFileThatLoadsAreTheOperatorsLanguageToo() throws Exception {
        Path token = dir.resolve("token.txt");
        Files.writeString(token, "t\n");
        Files.setPosixFilePermissions(token, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        Path trust = Files.createDirectories(dir.resolve("trust"));
        Files.writeString(trust.resolve(TestRecords.KEY_ID + ".pem"), TrustedKeys.toPem(TestRecords.KEY.getPublic()));
        Files.createDirectories(dir.resolve("keys"));
        ktp.telemetry.TelemetryKey.generate().writePrivate(dir.resolve("keys/signing.key"));
        ktp.telemetry.Keyring.add(dir.resolve("office-keys"), "test-office", ktp.telemetry.TelemetryKey.generate().publicKey());
        Path file = dir.resolve("old-form.yaml");
        Files.writeString(file, STATION + CENTRAL + TRUST + PRINTER.replace("tcp://127.0.0.1:2", "tcp:127.0.0.1:2") + ENCODER
                + "scanner:\n  uri: tcp://127.0.0.1:3\n  profile: r307\n"
                + "telemetry:\n  broker: tcp://127.0.0.1:4\n  signing_key: keys/signing.key\n  office_keys: office-keys\n");
        KtpCommandLineTest.Result id = KtpCommandLineTest.run("station", "check-config", file.toString());
        CliText.reset();
        assertEquals(0, id.exit(), id.err());
        assertTrue(id.out().contains("PERINGATAN " + file + ": printers[0].uri: 'tcp:127.0.0.1:2' adalah bentuk alamat lama; tulis tcp://127.0.0.1:2"
                + " (dibaca sebagai itu) (baris 11, kolom 5)\n"), id.out());
        assertTrue(id.out().contains("PERINGATAN central.token_file: " + token + " berizin rw-r--r--, dapat dibaca pengguna lain; jadikan hanya untuk"
                + " pemiliknya: chmod 600 " + token + "\n"), id.out());
        KtpCommandLineTest.Result en = KtpCommandLineTest.run("station", "check-config", file.toString(), "--lang", "en");
        CliText.reset();
        assertEquals(0, en.exit(), en.err());
        assertTrue(en.out().contains("WARNING    " + file + ": printers[0].uri: 'tcp:127.0.0.1:2' is the old address form; write tcp://127.0.0.1:2"
                + " (it is read as that) (line 11, column 5)\n"), en.out());
        assertTrue(en.out().contains("WARNING    central.token_file: " + token + " is rw-r--r--, readable by other users; make it owner-only: chmod 600 " + token + "\n"), en.out());
    }

    /**
     * A source scan: in the configuration's loader every problem is a key of the catalogue's config area in both
     * languages; the only literal problems left pass another room's message through (an exception's own text).
     */
    @Test
    void theStationsRulesAreTheCataloguesWords() throws Exception {
        List<String> bypass = new ArrayList<>();
        for (String file : List.of("src/main/java/ktp/station/StationConfig.java", "src/main/java/ktp/datafile/DataFile.java",
                "src/main/java/ktp/datafile/YamlErrors.java", "src/main/java/ktp/datafile/YamlPlaces.java")) {
            String source = Files.readString(Path.of(file));
            java.util.regex.Matcher literal = java.util.regex.Pattern.compile("\\.error\\([^;]*?,\\s*\"").matcher(source);
            while (literal.find()) bypass.add(file + ": a problem written as a literal text at offset " + literal.start());
            java.util.regex.Matcher key = java.util.regex.Pattern.compile("Words\\.of\\(\"([^\"]+)\"").matcher(source);
            int keys = 0;
            while (key.find()) {
                keys++;
                for (Language language : Language.values()) {
                    if (!Catalogue.keys(language).contains("config." + key.group(1))) bypass.add(file + ": config." + key.group(1) + " is not in the catalogue in " + language);
                }
            }
            if (keys == 0) bypass.add(file + ": no catalogue words found (the scan is broken)");
        }
        assertEquals(List.of(), bypass);
    }

    private static void check(List<String> wrong, List<String> args, String expected) {
        KtpCommandLineTest.Result r = KtpCommandLineTest.run(args.toArray(String[]::new));
        CliText.reset();
        if (r.exit() != ExitCodes.BAD_INPUT) wrong.add(args + ": exit " + r.exit() + " " + r.err());
        if (!r.err().strip().equals(expected)) wrong.add(args + ":\n  got      " + r.err().strip() + "\n  expected " + expected);
    }
}
