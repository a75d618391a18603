package ktp.record;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class CardSealTest {
    private static final CardSeal.Contents C = new CardSeal.Contents("dc-sim-3fbc1800", "3171012504840001", "IRWAN KURNIAWAN",
            LocalDate.of(1984, 4, 25), "PRR-000001-000001");

    @Test
    void theSignedTextIsExactlyTheDocumentedLayout() {
        assertEquals("KTPEL1|dc-sim-3fbc1800|3171012504840001|IRWAN KURNIAWAN|1984-04-25|PRR-000001-000001",
                new String(C.signedBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void aQrTextRoundTripsAndItsSealVerifiesOnlyForTheSameData() {
        byte[] sig = Signatures.sign(C.signedBytes(), (java.security.interfaces.ECPrivateKey) TestRecords.KEY.getPrivate());
        String qr = CardSeal.qrText(C, sig);
        assertEquals(C.signedBytes().length + 1 + 86, qr.getBytes(StandardCharsets.UTF_8).length);
        CardSeal.Parsed p = CardSeal.parse(qr);
        assertEquals(C, p.contents());
        assertArrayEquals(sig, p.signature());
        assertTrue(Signatures.verify(p.contents().signedBytes(), p.signature(), TestRecords.KEY.getPublic()));
        CardSeal.Parsed forged = CardSeal.parse(qr.replace("IRWAN KURNIAWAN", "IRWAN KURNIAWAM"));
        assertFalse(Signatures.verify(forged.contents().signedBytes(), forged.signature(), TestRecords.KEY.getPublic()));
    }

    @Test
    void malformedQrTextsAreNamed() {
        String good = CardSeal.qrText(C, new byte[64]);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CardSeal.parse("hello")).getMessage().contains("7 fields"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CardSeal.parse(good.replace("KTPEL1", "KTPEL9"))).getMessage().contains("KTPEL9"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CardSeal.parse(good.replace("3171012504840001", "31710125"))).getMessage().contains("NIK"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CardSeal.parse(good.replace("1984-04-25", "25-04-1984"))).getMessage().contains("birth"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CardSeal.parse(good.substring(0, good.length() - 3))).getMessage().contains("seal"));
        assertThrows(IllegalArgumentException.class, () -> new CardSeal.Contents("k", "3171012504840001", "A|B", LocalDate.of(1990, 1, 1), "R"));
        assertThrows(IllegalArgumentException.class, () -> CardSeal.qrText(C, Arrays.copyOf(new byte[64], 63)));
    }
}
