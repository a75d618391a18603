package ktp.record;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.interfaces.ECPrivateKey;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordValidatorTest {
    private final RecordValidator validator = new RecordValidator(TestRecords.TRUST,
            Clock.fixed(TestRecords.TODAY.atStartOfDay().toInstant(ZoneOffset.UTC), ZoneOffset.UTC));

    private RecordRejectedException rejected(byte[] envelope) {
        return assertThrows(RecordRejectedException.class, () -> validator.validate(envelope));
    }

    private RecordRejectedException rejected(PrintRecord r) { return rejected(TestRecords.envelope(r)); }

    @Test
    void aValidRecordPassesAndRoundTrips() throws Exception {
        PrintRecord r = TestRecords.valid(1);
        ValidatedRecord v = validator.validate(TestRecords.envelope(r));
        assertEquals(r.nik(), v.record().nik());
        assertEquals(r.front(), v.record().front());
        assertArrayEquals(r.photoJpeg(), v.record().photoJpeg());
        assertArrayEquals(r.fingerprints().get(1).isoTemplate(), v.record().fingerprints().get(1).isoTemplate());
        assertEquals(TestRecords.KEY_ID, v.envelope().keyId());
    }

    @Test
    void malformedJson() {
        RecordRejectedException e = rejected("{\"format\": \"ktpel-envelope/1\", keyId: 3}".getBytes(StandardCharsets.UTF_8));
        assertEquals(Reason.ENVELOPE_MALFORMED, e.reason());
        assertTrue(e.getMessage().contains("line 1"), e.getMessage());
    }

    @Test
    void truncatedFileAndEmptyFile() {
        byte[] full = TestRecords.envelope(TestRecords.valid(1));
        assertEquals(Reason.ENVELOPE_TRUNCATED, rejected(Arrays.copyOf(full, full.length / 2)).reason());
        assertEquals(Reason.ENVELOPE_TRUNCATED, rejected(new byte[0]).reason());
    }

    @Test
    void envelopeFieldsAreChecked() {
        assertEquals("algorithm", rejected(replace(TestRecords.envelope(TestRecords.valid(1)), "ES256", "RS256")).field());
        assertEquals(Reason.ENVELOPE_INVALID, rejected("[1,2]".getBytes(StandardCharsets.UTF_8)).reason());
        RecordRejectedException e = rejected(replace(TestRecords.envelope(TestRecords.valid(1)), "\"signature\" : \"", "\"signature\" : \"AAAA"));
        assertEquals(Reason.ENVELOPE_INVALID, e.reason());
        assertEquals("signature", e.field());
    }

    @Test
    void wrongSignatureWhenThePayloadWasAltered() {
        PrintRecord r = TestRecords.valid(1);
        byte[] payload = RecordJson.write(r);
        byte[] signature = Signatures.sign(payload, (ECPrivateKey) TestRecords.KEY.getPrivate());
        byte[] altered = new String(payload, StandardCharsets.UTF_8).replace("SITI", "SITA").getBytes(StandardCharsets.UTF_8);
        assertEquals(Reason.SIGNATURE_INVALID, rejected(new Envelope(TestRecords.KEY_ID, altered, signature).toJson()).reason());
    }

    @Test
    void signatureByAnotherKeyUnderATrustedId() {
        KeyPair other = Signatures.generateKeyPair(7L);
        byte[] payload = RecordJson.write(TestRecords.valid(1));
        byte[] env = new Envelope(TestRecords.KEY_ID, payload, Signatures.sign(payload, (ECPrivateKey) other.getPrivate())).toJson();
        assertEquals(Reason.SIGNATURE_INVALID, rejected(env).reason());
    }

    @Test
    void unknownKeyId() {
        byte[] payload = RecordJson.write(TestRecords.valid(1));
        byte[] env = new Envelope("dc-elsewhere", payload, Signatures.sign(payload, (ECPrivateKey) TestRecords.KEY.getPrivate())).toJson();
        RecordRejectedException e = rejected(env);
        assertEquals(Reason.SIGNATURE_UNKNOWN_KEY, e.reason());
        assertTrue(e.getMessage().contains("dc-elsewhere") && e.getMessage().contains(TestRecords.KEY_ID));
    }

    @Test
    void signaturesAreDeterministicAndVerify() {
        byte[] payload = "abc".getBytes(StandardCharsets.UTF_8);
        byte[] a = Signatures.sign(payload, (ECPrivateKey) TestRecords.KEY.getPrivate());
        assertArrayEquals(a, Signatures.sign(payload, (ECPrivateKey) TestRecords.KEY.getPrivate()));
        assertTrue(Signatures.verify(payload, a, TestRecords.KEY.getPublic()));
        a[10] ^= 1;
        assertFalse(Signatures.verify(payload, a, TestRecords.KEY.getPublic()));
    }

    @Test
    void signaturesInteroperateWithTheJdksOwnEcdsaBothWays() throws Exception {
        byte[] payload = RecordJson.write(TestRecords.valid(3));
        java.security.Signature jdk = java.security.Signature.getInstance("SHA256withECDSAinP1363Format");
        jdk.initSign(TestRecords.KEY.getPrivate());
        jdk.update(payload);
        byte[] byJdk = jdk.sign();
        assertTrue(Signatures.verify(payload, byJdk, TestRecords.KEY.getPublic()), "our verifier accepts the JDK's signature");

        byte[] ours = Signatures.sign(payload, (ECPrivateKey) TestRecords.KEY.getPrivate());
        jdk.initVerify(TestRecords.KEY.getPublic());
        jdk.update(payload);
        assertTrue(jdk.verify(ours), "the JDK accepts our signature");

        byte[] highS = ours.clone(); // s and n - s are both valid; r||0 and out-of-range values are not
        java.util.Arrays.fill(highS, 32, 64, (byte) 0);
        assertFalse(Signatures.verify(payload, highS, TestRecords.KEY.getPublic()));
        java.util.Arrays.fill(highS, 32, 64, (byte) 0xFF);
        assertFalse(Signatures.verify(payload, highS, TestRecords.KEY.getPublic()));
        assertFalse(Signatures.verify(payload, java.util.Arrays.copyOf(ours, 63), TestRecords.KEY.getPublic()));
    }

    @Test
    void theSeedsExampleNikSaysManButSexSaysWoman() {
        PrintRecord r = TestRecords.valid(1);
        LocalDate birth = r.front().tanggalLahir();
        PrintRecord man = new PrintRecord(r.recordId(), 1, Nik.compose("327301", birth, Sex.LAKI_LAKI, 1), r.region(), r.front(),
                r.issue(), r.photoJpeg(), r.signaturePng(), r.fingerprints());
        RecordRejectedException e = rejected(man);
        assertEquals(Reason.NIK_SEX_MISMATCH, e.reason());
        assertEquals("front.jenisKelamin", e.field());
    }

    @Test
    void aBirthDateThatDisagreesWithTheNik() {
        PrintRecord r = TestRecords.valid(1);
        RecordRejectedException e = rejected(TestRecords.withFront(r, TestRecords.front("SITI NURHALIZA", Sex.PEREMPUAN, LocalDate.of(1990, 6, 6))));
        assertEquals(Reason.NIK_BIRTH_DATE_MISMATCH, e.reason());
        assertTrue(e.getMessage().contains("1990-06-05") && e.getMessage().contains("1990-06-06"), e.getMessage());
    }

    @Test
    void aMissingPhoto() {
        PrintRecord r = TestRecords.valid(1);
        PrintRecord noPhoto = new PrintRecord(r.recordId(), 1, r.nik(), r.region(), r.front(), r.issue(), null, r.signaturePng(), r.fingerprints());
        RecordRejectedException e = rejected(noPhoto);
        assertEquals(Reason.PHOTO_MISSING, e.reason());
        assertEquals("photo", e.field());
    }

    @Test
    void aPhotoThatIsNotAJpegOrTooSmall() {
        PrintRecord r = TestRecords.valid(1);
        PrintRecord png = new PrintRecord(r.recordId(), 1, r.nik(), r.region(), r.front(), r.issue(), TestRecords.png(120, 160), r.signaturePng(), r.fingerprints());
        assertEquals(Reason.PHOTO_INVALID, rejected(png).reason());
        PrintRecord tiny = new PrintRecord(r.recordId(), 1, r.nik(), r.region(), r.front(), r.issue(), TestRecords.jpeg(40, 50), r.signaturePng(), r.fingerprints());
        RecordRejectedException e = rejected(tiny);
        assertEquals(Reason.PHOTO_INVALID, e.reason());
        assertTrue(e.getMessage().contains("40x50"));
    }

    @Test
    void aNameTooLongForTheCard() {
        PrintRecord r = TestRecords.valid(1);
        String name = "MUHAMMAD RIZKY PRATAMA KURNIAWAN SETIAWAN HIDAYAT NASUTION SIREGAR HARAHAP";
        RecordRejectedException e = rejected(TestRecords.withFront(r, TestRecords.front(name, Sex.PEREMPUAN, r.front().tanggalLahir())));
        assertEquals(Reason.FIELD_TOO_LONG, e.reason());
        assertEquals("front.nama", e.field());
        // two full lines still fit
        String twoLines = "MUHAMMAD RIZKY PRATAMA KURNIAWAN SETIAWAN HIDAYAT";
        assertDoesNotThrow(() -> validator.validate(TestRecords.envelope(TestRecords.withFront(r, TestRecords.front(twoLines, Sex.PEREMPUAN, r.front().tanggalLahir())))));
    }

    @Test
    void fingerprintTemplatesAreChecked() {
        PrintRecord r = TestRecords.valid(1);
        byte[] good = TestRecords.iso(2, 20);
        assertTemplateRejected(r, Arrays.copyOf(good, good.length - 6), 2, "says it is");
        byte[] notIso = good.clone();
        notIso[4] = '3';
        assertTemplateRejected(r, notIso, 2, "FMR");
        assertTemplateRejected(r, TestRecords.iso(3, 20), 2, "finger position 3");
        byte[] tooManyMinutiae = good.clone();
        tooManyMinutiae[27] = (byte) 200;
        assertTemplateRejected(r, tooManyMinutiae, 2, "minutiae");
        PrintRecord sameFinger = new PrintRecord(r.recordId(), 1, r.nik(), r.region(), r.front(), r.issue(), r.photoJpeg(), r.signaturePng(),
                List.of(new PrintRecord.Fingerprint(2, good), new PrintRecord.Fingerprint(2, good)));
        assertEquals(Reason.FINGERPRINT_INVALID, rejected(sameFinger).reason());
    }

    private void assertTemplateRejected(PrintRecord r, byte[] template, int position, String expectedText) {
        PrintRecord bad = new PrintRecord(r.recordId(), 1, r.nik(), r.region(), r.front(), r.issue(), r.photoJpeg(), r.signaturePng(),
                List.of(new PrintRecord.Fingerprint(position, template), r.fingerprints().get(1)));
        RecordRejectedException e = rejected(bad);
        assertEquals(Reason.FINGERPRINT_INVALID, e.reason());
        assertEquals("fingerprints[0].data", e.field());
        assertTrue(e.getMessage().contains(expectedText), e.getMessage());
    }

    @Test
    void schemaViolationsNameTheField() {
        String payload = new String(RecordJson.write(TestRecords.valid(1)), StandardCharsets.UTF_8);
        assertSchema(payload.replace("\"golDarah\":\"A\"", "\"golDarah\":\"Z\""), "front.golDarah");
        assertSchema(payload.replace("\"rtRw\":\"001/002\"", "\"rtRw\":\"1/2\""), "front.rtRw");
        assertSchema(payload.replace("\"recordVersion\":1,", "\"recordVersion\":1,\"extra\":true,"), "");
        assertSchema(payload.replace("\"nama\":\"SITI NURHALIZA\",", ""), "front.nama");
        assertSchema(payload.replace("\"date\":\"2026-11-01\"", "\"date\":\"2026-02-30\""), "issue.date");
    }

    private void assertSchema(String payload, String field) {
        RecordRejectedException e = rejected(TestRecords.envelope(payload.getBytes(StandardCharsets.UTF_8)));
        assertEquals(Reason.SCHEMA_VIOLATION, e.reason(), e.toString());
        assertEquals(field, e.field(), e.toString());
    }

    @Test
    void payloadThatIsNotJson() {
        assertEquals(Reason.PAYLOAD_MALFORMED, rejected(TestRecords.envelope("not json".getBytes(StandardCharsets.UTF_8))).reason());
    }

    @Test
    void datesMustBeConsistent() {
        PrintRecord r = TestRecords.valid(1);
        PrintRecord future = new PrintRecord(r.recordId(), 1, r.nik(), r.region(), r.front(), new PrintRecord.Issue("BANDUNG", TestRecords.TODAY.plusDays(30)),
                r.photoJpeg(), r.signaturePng(), r.fingerprints());
        RecordRejectedException e = rejected(future);
        assertEquals(Reason.DATE_INCONSISTENT, e.reason());
        assertEquals("issue.date", e.field());
    }

    @Test
    void theSameRecordAlwaysGetsTheSameReason() {
        PrintRecord r = TestRecords.valid(1);
        byte[] env = TestRecords.envelope(TestRecords.withFront(r, TestRecords.front("SITI", Sex.LAKI_LAKI, LocalDate.of(1990, 6, 6))));
        Reason first = rejected(env).reason();
        for (int i = 0; i < 5; i++) assertEquals(first, rejected(env).reason());
    }

    private static byte[] replace(byte[] bytes, String from, String to) {
        String s = new String(bytes, StandardCharsets.UTF_8);
        assertTrue(s.contains(from), "fixture lacks " + from);
        return s.replace(from, to).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void trustedKeysRefuseAFileThatIsNotAKey(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Files.writeString(dir.resolve("dc-1.pem"), "-----BEGIN PUBLIC KEY-----\n" + Base64.getEncoder().encodeToString(new byte[40]) + "\n-----END PUBLIC KEY-----\n");
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> TrustedKeys.loadDirectory(dir));
        assertTrue(e.getMessage().contains("dc-1.pem"), e.getMessage());
        java.nio.file.Files.writeString(dir.resolve("dc-1.pem"), TrustedKeys.toPem(TestRecords.KEY.getPublic()));
        assertEquals(java.util.Set.of("dc-1"), TrustedKeys.loadDirectory(dir).keyIds());
    }

    @Test
    void aRecordWithoutACardSealOrWithASealForOtherDataIsRefused() {
        PrintRecord r = TestRecords.valid(3);
        byte[] payload = RecordJson.write(r);
        java.security.interfaces.ECPrivateKey key = (java.security.interfaces.ECPrivateKey) TestRecords.KEY.getPrivate();
        byte[] unsealed = new Envelope(TestRecords.KEY_ID, payload, Signatures.sign(payload, key)).toJson();
        assertEquals(Reason.CARD_SEAL_MISSING, rejected(unsealed).reason());
        CardSeal.Contents other = new CardSeal.Contents(TestRecords.KEY_ID, r.nik(), "SOMEONE ELSE", r.front().tanggalLahir(), r.recordId());
        byte[] wrongSeal = new Envelope(TestRecords.KEY_ID, payload, Signatures.sign(payload, key), Signatures.sign(other.signedBytes(), key)).toJson();
        RecordRejectedException e = rejected(wrongSeal);
        assertEquals(Reason.CARD_SEAL_INVALID, e.reason());
        assertEquals("cardSeal", e.field());
    }
}
