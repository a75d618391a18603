package ktp.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `ktp finger enroll|match|eval` as a technician runs them, on FVC2002 DB1_B. */
class FingerCommandTest {
    static final Path DB = Path.of(System.getProperty("ktp.repo", "..")).toAbsolutePath().normalize().resolve("testdata/fingerprints/fvc2002-db1b");

    @TempDir
    Path dir;

    @Test
    void enrollMatchAndEvalWithTheirExitCodes() throws Exception {
        Path iso = dir.resolve("107.iso");
        KtpCommandLineTest.Result enrolled = KtpCommandLineTest.run("finger", "enroll", "--image", DB.resolve("107_1.png").toString(), "--dpi", "500", "--out", iso.toString());
        assertEquals(0, enrolled.exit(), enrolled.err());
        assertTrue(Files.size(iso) > 28);
        KtpCommandLineTest.Result genuine = KtpCommandLineTest.run("finger", "match", "--template", iso.toString(), "--image", DB.resolve("107_5.png").toString(), "--dpi", "500");
        assertEquals(0, genuine.exit());
        assertTrue(genuine.out().matches("(?s)skor [0-9.]+  MATCH \\(ambang 40.0\\).*"), "Indonesian by default: " + genuine.out());
        KtpCommandLineTest.Result english = KtpCommandLineTest.run("finger", "match", "--template", iso.toString(), "--image", DB.resolve("107_5.png").toString(), "--dpi", "500", "--lang", "en");
        assertTrue(english.out().matches("(?s)score [0-9.]+  MATCH \\(threshold 40.0\\).*"), english.out());
        KtpCommandLineTest.Result impostor = KtpCommandLineTest.run("finger", "match", "--template", iso.toString(), "--image", DB.resolve("108_5.png").toString(), "--dpi", "500");
        assertEquals(0, impostor.exit(), "NO_MATCH is an answer, not an error");
        assertTrue(impostor.out().contains("NO_MATCH"), impostor.out());
        Path truncated = Files.write(dir.resolve("bad.iso"), Arrays.copyOf(Files.readAllBytes(iso), 30));
        KtpCommandLineTest.Result bad = KtpCommandLineTest.run("finger", "match", "--template", truncated.toString(), "--image", DB.resolve("108_5.png").toString(), "--dpi", "500");
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains("truncated"), bad.err());
        assertEquals(2, KtpCommandLineTest.run("finger", "match", "--template", iso.toString(), "--image", DB.resolve("108_5.png").toString(), "--dpi", "2000").exit());

        KtpCommandLineTest.Result eval = KtpCommandLineTest.run("finger", "eval", "--dir", DB.toString(), "--dpi", "500", "--json");
        assertEquals(0, eval.exit(), eval.err());
        JsonNode j = new ObjectMapper().readTree(eval.out());
        List<String> keys = List.of("threshold", "fnmrPerAttempt", "fmrPerAttempt", "fnmrPerTransaction", "fmrPerTransaction", "genuineAttempts", "impostorAttempts");
        for (String k : keys) assertTrue(j.has(k), k + " in " + eval.out());
        assertEquals(40.0, j.get("threshold").asDouble());
        assertTrue(j.get("fmrPerTransaction").asDouble() <= 0.001 && j.get("fnmrPerTransaction").asDouble() <= 0.05, eval.out());
    }
}
