package ktp.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.interfaces.ECPrivateKey;
import ktp.record.Envelope;
import ktp.record.RecordJson;
import ktp.record.Signatures;
import ktp.record.TestRecords;
import ktp.record.TrustedKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `ktp record check` gives every file its verdict whatever happens to another. On main a record whose name
 * ends in '\n' made the validator throw, and `ktp record check bad.json good.json` stopped there without
 * checking good.json; a missing file stopped the batch too.
 */
class RecordCheckTest {
    @TempDir
    Path dir;

    private Path signed(String name, byte[] payload) throws Exception {
        ECPrivateKey key = (ECPrivateKey) TestRecords.KEY.getPrivate();
        Path f = dir.resolve(name);
        Files.write(f, new Envelope(TestRecords.KEY_ID, payload, Signatures.sign(payload, key), Signatures.sign(payload, key), Signatures.sign(payload, key)).toJson());
        return f;
    }

    @Test
    void everyFileIsCheckedAndTheExitCodeSaysWhetherAnyFailed() throws Exception {
        Path trust = Files.createDirectories(dir.resolve("trust"));
        Files.writeString(trust.resolve(TestRecords.KEY_ID + ".pem"), TrustedKeys.toPem(TestRecords.KEY.getPublic()));
        String json = new String(RecordJson.write(TestRecords.valid(1)), StandardCharsets.UTF_8);
        Path poison = signed("poison.json", json.replace("\"SITI NURHALIZA\"", "\"SITI NURHALIZA\\n\"").getBytes(StandardCharsets.UTF_8));
        Path escape = signed("escape.json", json.replace("\"SITI NURHALIZA\"", "\"SITI\\u001b[2K\\rVALID NURHALIZA\"").getBytes(StandardCharsets.UTF_8));
        Path good = dir.resolve("good.json");
        Files.write(good, TestRecords.envelope(TestRecords.valid(2)));
        Path missing = dir.resolve("missing.json");

        KtpCommandLineTest.Result r = KtpCommandLineTest.run("record", "check", poison.toString(), escape.toString(), good.toString(), "--trust", trust.toString());
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("REJECTED  " + poison + "  SCHEMA_VIOLATION [front.nama]"), r.out());
        assertTrue(r.out().contains("REJECTED  " + escape + "  SCHEMA_VIOLATION [front.nama]"), r.out());
        assertTrue(r.out().contains("VALID     " + good), r.out());
        assertTrue(r.out().contains("1 sah, 2 ditolak"), "Indonesian by default: " + r.out());
        assertFalse(r.out().contains("\u001b") || r.out().contains("\r"), "no raw control character reaches the terminal: " + r.out());

        KtpCommandLineTest.Result m = KtpCommandLineTest.run("record", "check", missing.toString(), good.toString(), poison.toString(), "--trust", trust.toString(), "--lang", "en");
        assertEquals(2, m.exit(), "a file that cannot be read is bad input (2), and the others are still checked: " + m.out());
        assertTrue(m.out().contains("UNREADABLE " + missing + "  no such file"), m.out());
        assertTrue(m.out().contains("VALID     " + good), m.out());
        assertTrue(m.out().contains("REJECTED  " + poison), m.out());
        assertTrue(m.out().contains("1 valid, 1 rejected, 1 unreadable"), m.out());
    }
}
