package ktp.record;

import static org.junit.jupiter.api.Assertions.*;

import java.security.KeyPair;
import java.security.interfaces.ECPrivateKey;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The chip's data groups, its security object, and passive authentication. */
class ChipDataTest {
    private static final Clock CLOCK = Clock.fixed(TestRecords.TODAY.atStartOfDay().toInstant(ZoneOffset.UTC), ZoneOffset.UTC);

    private static byte[] sod(PrintRecord r, KeyPair key) {
        byte[] hashes = ChipData.hashList(ChipData.dataGroups(r));
        return ChipData.securityObject(TestRecords.KEY_ID, hashes, Signatures.sign(hashes, (ECPrivateKey) key.getPrivate()));
    }

    @Test
    void dataGroupsAreDeterministicTlvsWithTheRecordsData() {
        PrintRecord r = TestRecords.valid(4);
        Map<Integer, byte[]> a = ChipData.dataGroups(r);
        Map<Integer, byte[]> b = ChipData.dataGroups(r);
        assertEquals(java.util.List.of(1, 2, 3, 4), java.util.List.copyOf(a.keySet()));
        for (int g : a.keySet()) assertArrayEquals(a.get(g), b.get(g), "DG" + g);
        assertEquals(0x61, a.get(1)[0] & 0xFF);
        assertEquals(0x75, a.get(2)[0] & 0xFF);
        assertEquals(0x63, a.get(3)[0] & 0xFF);
        assertEquals(0x76, a.get(4)[0] & 0xFF);
        byte[] dg1 = ChipData.unwrap(a.get(1), 0x61);
        assertEquals(r.nik(), new String(ChipData.children(dg1).get(0x80), java.nio.charset.StandardCharsets.UTF_8));
        byte[] photo = ChipData.children(ChipData.unwrap(a.get(2), 0x75)).get(0x80);
        assertArrayEquals(r.photoJpeg(), photo);
        assertEquals(2, ChipData.childList(ChipData.unwrap(a.get(3), 0x63)).size(), "two fingerprint templates");
        byte[] hashes = ChipData.hashList(a);
        assertEquals(10 + 4 * 33, hashes.length);
    }

    @Test
    void passiveAuthenticationAcceptsTheIssuedDataAndNamesWhatWasAltered() {
        PrintRecord r = TestRecords.valid(5);
        byte[] sod = sod(r, TestRecords.KEY);
        Map<Integer, byte[]> dgs = ChipData.dataGroups(r);
        ChipData.Verdict ok = ChipData.passiveAuthentication(dgs, sod, TestRecords.TRUST::get);
        assertTrue(ok.valid(), ok.detail());

        Map<Integer, byte[]> altered = new LinkedHashMap<>(dgs);
        byte[] dg2 = altered.get(2).clone();
        dg2[dg2.length - 5] ^= 0x01;
        altered.put(2, dg2);
        ChipData.Verdict tampered = ChipData.passiveAuthentication(altered, sod, TestRecords.TRUST::get);
        assertFalse(tampered.valid());
        assertTrue(tampered.detail().contains("DG2"), tampered.detail());

        KeyPair stranger = Signatures.generateKeyPair(7L);
        assertTrue(ChipData.passiveAuthentication(dgs, sod(r, stranger), TestRecords.TRUST::get).detail().contains("does not verify"));
        assertTrue(ChipData.passiveAuthentication(dgs, sod, id -> Optional.empty()).detail().contains("not trusted"));
        assertTrue(ChipData.passiveAuthentication(dgs, new byte[] {0x77, 0x05, 0x01}, TestRecords.TRUST::get).detail().contains("malformed"));
    }

    @Test
    void aRecordWithoutAValidChipSealIsRefused() {
        PrintRecord r = TestRecords.valid(6);
        byte[] payload = RecordJson.write(r);
        ECPrivateKey key = (ECPrivateKey) TestRecords.KEY.getPrivate();
        byte[] cardSeal = Signatures.sign(CardSeal.Contents.of(r, TestRecords.KEY_ID).signedBytes(), key);
        RecordValidator v = new RecordValidator(TestRecords.TRUST, CLOCK);
        RecordRejectedException missing = assertThrows(RecordRejectedException.class,
                () -> v.validate(new Envelope(TestRecords.KEY_ID, payload, Signatures.sign(payload, key), cardSeal).toJson()));
        assertEquals(Reason.CHIP_SEAL_MISSING, missing.reason());
        byte[] otherHashes = ChipData.hashList(ChipData.dataGroups(TestRecords.valid(7)));
        RecordRejectedException wrong = assertThrows(RecordRejectedException.class,
                () -> v.validate(new Envelope(TestRecords.KEY_ID, payload, Signatures.sign(payload, key), cardSeal, Signatures.sign(otherHashes, key)).toJson()));
        assertEquals(Reason.CHIP_SEAL_INVALID, wrong.reason());
        assertEquals("chipSeal", wrong.field());
    }

    @Test
    void dg3IsReadBackAsItsFingersAndAMalformedOneIsNamed() {
        java.util.HexFormat hex = java.util.HexFormat.of();
        // 63 { A0 { 80 02, 81 "FMR" }, A0 { 80 07, 81 "X" } }
        java.util.List<ChipData.FingerTemplate> two = ChipData.fingerTemplates(hex.parseHex("6312" + "A0078001028102464D" + "A00780010781024142"));
        assertEquals(2, two.size());
        assertEquals(2, two.get(0).position());
        assertEquals("464d", hex.formatHex(two.get(0).iso()));
        assertEquals(7, two.get(1).position());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ChipData.fingerTemplates(hex.parseHex("6409A0078001028102464D"))).getMessage().contains("expected tag 63"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ChipData.fingerTemplates(hex.parseHex("6309A1078001028102464D"))).getMessage().contains("a A1 object where a finger (A0) belongs"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ChipData.fingerTemplates(hex.parseHex("6305A003800102"))).getMessage().contains("lacks its position or template"));
        assertThrows(IllegalArgumentException.class, () -> ChipData.fingerTemplates(hex.parseHex("630AA0078001028102464D")), "truncated");
    }
}
