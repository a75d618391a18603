package ktp.record;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The record defects of issue 16, each reproduced as an attacker with the data center's key (or a clumsy data
 * center) would send it. Every one of these was accepted or made the validator throw on main before the fix.
 */
class RecordIntegrityTest {
    private final RecordValidator validator = new RecordValidator(TestRecords.TRUST,
            Clock.fixed(TestRecords.TODAY.atStartOfDay().toInstant(ZoneOffset.UTC), ZoneOffset.UTC));

    /**
     * A payload signed as the data center would, with seals made over it whatever it holds (CardSeal.Contents
     * refuses a name with a line break, so the seal is signed over the payload itself: the validator must
     * reject the record before it ever looks at a seal).
     */
    static byte[] signed(byte[] payload) {
        ECPrivateKey key = (ECPrivateKey) TestRecords.KEY.getPrivate();
        return new Envelope(TestRecords.KEY_ID, payload, Signatures.sign(payload, key), Signatures.sign(payload, key), Signatures.sign(payload, key)).toJson();
    }

    static byte[] payloadWith(UnaryOperator<String> edit) {
        String json = new String(RecordJson.write(TestRecords.valid(1)), StandardCharsets.UTF_8);
        String edited = edit.apply(json);
        assertNotEquals(json, edited, "the edit must change the payload");
        return edited.getBytes(StandardCharsets.UTF_8);
    }

    /** JSON text of a string with every non-ASCII and control character escaped, as a data center may write it. */
    static String jsonString(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.append('"').toString();
    }

    private RecordRejectedException rejected(byte[] envelope) {
        return assertThrows(RecordRejectedException.class, () -> validator.validate(envelope));
    }

    private void assertFieldRejected(String jsonField, String oldValue, String newValue, String path) {
        byte[] payload = payloadWith(j -> j.replace("\"" + jsonField + "\":" + jsonString(oldValue), "\"" + jsonField + "\":" + jsonString(newValue)));
        RecordRejectedException e = rejected(signed(payload));
        assertEquals(Reason.SCHEMA_VIOLATION, e.reason(), path + " = " + SafeTextForTest.show(newValue) + ": " + e);
        assertEquals(path, e.field(), e.toString());
        assertEquals(-1, ktp.text.SafeText.firstUnsafe(e.getMessage()), "the message shows no raw control character: " + e.getMessage());
    }

    private static final class SafeTextForTest {
        static String show(String s) { return ktp.text.SafeText.escape(s); }
    }

    @Test
    void aTrailingLineTerminatorNoLongerPassesTheSchemasPatterns() {
        // main: Java's '$' matched before a final line terminator, so these three validated (printed "\r" on the card).
        assertFieldRejected("nama", "SITI NURHALIZA", "SITI NURHALIZA\r", "front.nama");
        assertFieldRejected("rtRw", "001/002", "001/002\n", "front.rtRw");
        assertFieldRejected("berlakuHingga", "SEUMUR HIDUP", "SEUMUR HIDUP\n", "front.berlakuHingga");
        assertFieldRejected("province", "32", "32\r\n", "region.province");
        assertFieldRejected("tanggalLahir", "1990-06-05", "1990-06-05\n", "front.tanggalLahir");
    }

    @Test
    void aLineTerminatorThatUsedToThrowIsARejection() {
        // main: IllegalArgumentException from CardSeal.Contents (recordId, nama ending in \n) and from the font
        // check (nama ending in U+0085), which stopped the intake instead of rejecting the record.
        assertFieldRejected("nama", "SITI NURHALIZA", "SITI NURHALIZA\n", "front.nama");
        assertFieldRejected("recordId", "PRR-TEST-1", "PRR-TEST-1\n", "recordId");
        assertFieldRejected("nama", "SITI NURHALIZA", "SITI NURHALIZA\u0085", "front.nama");
        assertFieldRejected("nama", "SITI NURHALIZA", "SITI NURHALIZA\u2028", "front.nama");
        assertFieldRejected("nama", "SITI NURHALIZA", "SITI NURHALIZA\u2029", "front.nama");
    }

    @Test
    void noControlOrFormatCharacterAnywhereInAPrintedField() {
        for (String bad : new String[] {"\u001b[2K", "\u0000", "\u007f", "\u009b", "\u200e", "\u202e", "\ufeff", "\t"}) {
            assertFieldRejected("nama", "SITI NURHALIZA", "SITI" + bad + "NURHALIZA", "front.nama");
            assertFieldRejected("alamat", "JL. MERDEKA NO. 12", bad + "JL. MERDEKA NO. 12", "front.alamat");
        }
        // the NIK has no schema pattern (its rules are checked in code); a control character there is refused too
        String nik = TestRecords.valid(1).nik();
        assertFieldRejected("nik", nik, nik + "\n", "nik");
    }

    @Test
    void theFontCheckOfTheRealTemplateNeverThrows() {
        // main: U+0085 in nama reached CardRenderer's glyph check, which threw IllegalArgumentException.
        // With a fit check that throws (a stand-in for any library that fails on input it did not expect),
        // the validator still answers with a rejection.
        RecordValidator throwing = new RecordValidator(TestRecords.TRUST,
                Clock.fixed(TestRecords.TODAY.atStartOfDay().toInstant(ZoneOffset.UTC), ZoneOffset.UTC),
                r -> { throw new IllegalArgumentException("No glyph for U+0085 in font"); });
        RecordRejectedException e = assertThrows(RecordRejectedException.class, () -> throwing.validate(TestRecords.envelope(TestRecords.valid(1))));
        assertEquals(Reason.INTERNAL_CHECK_FAILED, e.reason());
        assertTrue(e.getMessage().contains("IllegalArgumentException") && e.getMessage().contains("No glyph"), e.getMessage());
    }

    @Test
    void integersOutOfRangeAreRefusedNotWrapped() {
        // main: 2147483648 was taken as -2147483648 and 4294967297 as 1.
        for (String big : new String[] {"2147483648", "4294967297", "9223372036854775808", "1e400", "-1", "0", "1.5"}) {
            RecordRejectedException e = rejected(signed(payloadWith(j -> j.replace("\"recordVersion\":1,", "\"recordVersion\":" + big + ","))));
            assertEquals(Reason.SCHEMA_VIOLATION, e.reason(), big + ": " + e);
            assertEquals("recordVersion", e.field(), big + ": " + e);
        }
        PrintRecord r = TestRecords.valid(1);
        PrintRecord highest = new PrintRecord(r.recordId(), Integer.MAX_VALUE, r.nik(), r.region(), r.front(), r.issue(), r.photoJpeg(), r.signaturePng(), r.fingerprints());
        assertEquals(Integer.MAX_VALUE, assertDoesNotThrow(() -> validator.validate(TestRecords.envelope(highest))).record().recordVersion());
    }

    @Test
    void aHugeNumberWhereTextBelongsIsASchemaViolation() {
        // found by fuzzing (TelemetryCodecFuzzTest, then here): 1e400 read as a double is Infinity, and the schema
        // validator's enum check threw NumberFormatException on it instead of reporting the field.
        for (String field : new String[] {"golDarah", "nama", "agama"}) {
            RecordRejectedException e = rejected(signed(payloadWith(j -> j.replaceFirst("\"" + field + "\":\"[^\"]*\"", "\"" + field + "\":1e400"))));
            assertEquals(Reason.SCHEMA_VIOLATION, e.reason(), field + ": " + e);
            assertEquals("front." + field, e.field(), e.toString());
        }
    }

    @Test
    void duplicateKeysAreRefusedInThePayloadAndTheEnvelope() {
        // main: the last of two keys won silently, so what was checked and what a reader saw could differ.
        RecordRejectedException p = rejected(signed(payloadWith(j -> j.replace("\"nama\":", "\"nama\":\"BUDI\",\"nama\":"))));
        assertEquals(Reason.PAYLOAD_MALFORMED, p.reason(), p.toString());
        assertTrue(p.getMessage().contains("Duplicate field 'nama'"), p.getMessage());

        String env = new String(TestRecords.envelope(TestRecords.valid(1)), StandardCharsets.UTF_8);
        byte[] twice = env.replaceFirst("\\{", "{\"keyId\" : \"dc-other\",").getBytes(StandardCharsets.UTF_8);
        RecordRejectedException e = rejected(twice);
        assertEquals(Reason.ENVELOPE_MALFORMED, e.reason(), e.toString());
        assertTrue(e.getMessage().contains("Duplicate field 'keyId'"), e.getMessage());
    }

    @Test
    void aKeyIdWithALineBreakIsAnEnvelopeRejection() {
        // main: a keyId with '\n' reached CardSeal.Contents, which threw IllegalArgumentException.
        String env = new String(TestRecords.envelope(TestRecords.valid(1)), StandardCharsets.UTF_8);
        RecordRejectedException e = rejected(env.replace("\"dc-test-1\"", "\"dc-test-1\\n\"").getBytes(StandardCharsets.UTF_8));
        assertEquals(Reason.ENVELOPE_INVALID, e.reason());
        assertEquals("keyId", e.field());
        assertTrue(e.getMessage().contains("dc-test-1\\u000A"), e.getMessage());
    }

    @TempDir
    Path dir;

    private Path pem(String curve) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC", new org.bouncycastle.jce.provider.BouncyCastleProvider());
        g.initialize(new ECGenParameterSpec(curve));
        Path f = dir.resolve(curve + ".pem");
        Files.writeString(f, TrustedKeys.toPem(g.generateKeyPair().getPublic()));
        return f;
    }

    @Test
    void onlyP256KeysAreTrustedNotAny256BitCurve() throws Exception {
        // main: the check compared the field size only, so secp256k1 and brainpoolP256r1 keys passed as P-256.
        for (String curve : new String[] {"secp256k1", "brainpoolP256r1", "brainpoolP256t1", "secp384r1"}) {
            Path f = pem(curve);
            IOException e = assertThrows(IOException.class, () -> TrustedKeys.readPem(f), curve);
            assertTrue(e.getMessage().contains("P-256") || e.getMessage().contains("not a valid EC public key"), curve + ": " + e.getMessage());
        }
        assertNotNull(TrustedKeys.readPem(pem("secp256r1")));
        // the same curve's parameters written differently (BouncyCastle's own spec objects) are still P-256
        assertTrue(TrustedKeys.isP256(((java.security.interfaces.ECPublicKey) TestRecords.KEY.getPublic()).getParams()));
        BigInteger p = ((java.security.spec.ECFieldFp) ((java.security.interfaces.ECPublicKey) TestRecords.KEY.getPublic()).getParams().getCurve().getField()).getP();
        assertEquals(256, p.bitLength());
    }
}
