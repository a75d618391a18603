package ktp.sim.card;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Map;
import ktp.card.ApduTransport;
import ktp.card.KtpelApplet;
import ktp.card.Personalizer;
import ktp.card.scp03.Scp03;
import ktp.record.ChipData;
import ktp.record.Envelope;
import ktp.record.PrintRecord;
import ktp.record.TrustedKeys;
import ktp.sim.records.DataCenterKey;
import ktp.sim.records.FingerprintLibrary;
import ktp.sim.records.RecordGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The station personalizing the virtual card in process through SCP03 at level 33, and the faults. */
class PersonalizationTest {
    private static final DataCenterKey KEY = DataCenterKey.fromSeed(71);
    private static final byte[] UID = {0x04, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66};

    @TempDir
    Path dir;

    private record Issued(PrintRecord record, Map<Integer, byte[]> dgs, byte[] sod) {}

    private static Issued issued(int index) {
        PrintRecord r = new RecordGenerator(71, FingerprintLibrary.embedded(), RecordGenerator.defaultIssueDate(71)).resident(index).record();
        Envelope e = KEY.signRecord(r);
        Map<Integer, byte[]> dgs = ChipData.dataGroups(r);
        return new Issued(r, dgs, ChipData.securityObject(e.keyId(), ChipData.hashList(dgs), e.chipSeal()));
    }

    private TrustedKeys trust() throws Exception {
        KEY.writePublicKey(dir.resolve("keys"));
        return TrustedKeys.loadDirectory(dir.resolve("keys"));
    }

    @Test
    void aCardIsPersonalizedReadBackAndPassesPassiveAuthentication() throws Exception {
        Issued i = issued(0);
        VirtualCard card = new VirtualCard(Scp03.StaticKeys.globalPlatformTestKeys(), UID);
        Personalizer p = new Personalizer(card, Scp03.StaticKeys.globalPlatformTestKeys(), new SecureRandom());
        Personalizer.Result r = p.personalize(i.dgs(), i.sod());
        assertEquals("04112233445566", r.uid());
        assertEquals(KtpelApplet.State.PERSONALIZED, p.state());
        Map<Integer, byte[]> back = p.readBack();
        TrustedKeys trust = trust();
        ChipData.Verdict v = ChipData.passiveAuthentication(back, back.get(KtpelApplet.SOD), trust::get);
        assertTrue(v.valid(), v.detail());
        assertTrue(r.apdus() > 10 && r.bytesSent() > i.dgs().get(2).length, r.toString());

        card.tamper(2, 40);
        ChipData.Verdict tampered = ChipData.passiveAuthentication(p.readBack(), back.get(KtpelApplet.SOD), trust::get);
        assertFalse(tampered.valid());
        assertTrue(tampered.detail().contains("DG2"), tampered.detail());
    }

    @Test
    void withoutTheSecureChannelNothingCanBeWritten() throws Exception {
        VirtualCard card = new VirtualCard(Scp03.StaticKeys.globalPlatformTestKeys(), UID);
        card.transmit(new byte[] {0x00, (byte) 0xA4, 0x04, 0x00, (byte) KtpelApplet.APPLICATION_AID.length, (byte) 0xD3, 0x60, 0x00, 0x00, 0x4B, 0x54, 0x50, 0x45, 0x4C, 0x00});
        byte[] r = card.transmit(new byte[] {(byte) 0x80, (byte) KtpelApplet.INS_WRITE, 1, 0, 2, 0x61, 0x00});
        assertEquals("6982", java.util.HexFormat.of().formatHex(r));
        assertEquals(KtpelApplet.State.BLANK, card.state());
    }

    @Test
    void wrongKeysAreRefusedAtTheCardCryptogramWithoutEverTryingToAuthenticate() throws Exception {
        VirtualCard card = new VirtualCard(Scp03.StaticKeys.globalPlatformTestKeys(), UID);
        Scp03.StaticKeys wrong = new Scp03.StaticKeys(0, new byte[16], new byte[16], new byte[16]);
        Personalizer p = new Personalizer(card, wrong, new SecureRandom());
        Personalizer.PersonalizationException e = assertThrows(Personalizer.PersonalizationException.class, () -> p.personalize(issued(1).dgs(), issued(1).sod()));
        assertTrue(e.getMessage().contains("not this card's"), e.getMessage());
        assertEquals(3, card.commands(), "GET UID, SELECT, INITIALIZE UPDATE: the station stopped at the cryptogram, it sent no EXTERNAL AUTHENTICATE");
        assertEquals(KtpelApplet.State.BLANK, card.state());
    }

    @Test
    void aCardPulledOutHalfwayIsNeverValidAtTheNextInsertion() throws Exception {
        Issued i = issued(2);
        VirtualCard card = new VirtualCard(Scp03.StaticKeys.globalPlatformTestKeys(), UID);
        card.pullOutAfter(12);
        Personalizer p = new Personalizer(card, Scp03.StaticKeys.globalPlatformTestKeys(), new SecureRandom());
        assertThrows(ApduTransport.CardException.class, () -> p.personalize(i.dgs(), i.sod()));
        card.insert();
        assertEquals(KtpelApplet.State.PERSONALIZING, p.state(), "half-written: the station treats it as spoiled");
        Map<Integer, byte[]> back = p.readBack();
        ChipData.Verdict v = ChipData.passiveAuthentication(back, back.get(KtpelApplet.SOD), trust()::get);
        assertFalse(v.valid(), "a half-written chip never passes passive authentication");
    }

    @Test
    void threeFailedExternalAuthenticationsBlockTheSecurityDomain() throws Exception {
        VirtualCard card = new VirtualCard(Scp03.StaticKeys.globalPlatformTestKeys(), UID);
        byte[] select = {0x00, (byte) 0xA4, 0x04, 0x00, 0x09, (byte) 0xD3, 0x60, 0x00, 0x00, 0x4B, 0x54, 0x50, 0x45, 0x4C, 0x00};
        java.util.HexFormat hex = java.util.HexFormat.of();
        card.transmit(select);
        for (int n = 0; n < 3; n++) {
            byte[] init = card.transmit(ktp.card.scp03.Scp03Session.initializeUpdate(0, new byte[8]));
            assertEquals("9000", hex.formatHex(init, init.length - 2, init.length));
            byte[] bad = hex.parseHex("8482330010" + "00".repeat(16));
            assertEquals("6300", hex.formatHex(card.transmit(bad)));
        }
        assertEquals("6983", hex.formatHex(card.transmit(ktp.card.scp03.Scp03Session.initializeUpdate(0, new byte[8]))), "blocked");
    }

    @Test
    void theSameStationCodeRunsThroughJavaxSmartcardioWithTheInProcessReader() throws Exception {
        Issued i = issued(3);
        VirtualCard card = new VirtualCard(Scp03.StaticKeys.globalPlatformTestKeys(), UID);
        javax.smartcardio.TerminalFactory factory = InProcessReaders.factory(card);
        try (ktp.card.SmartcardioTransport t = ktp.card.SmartcardioTransport.connect(factory, "KTP Virtual")) {
            assertEquals(InProcessReaders.READER, t.readerName());
            assertEquals(0x3B, t.atr()[0] & 0xFF);
            Personalizer p = new Personalizer(t, Scp03.StaticKeys.globalPlatformTestKeys(), new SecureRandom());
            assertEquals("04112233445566", p.personalize(i.dgs(), i.sod()).uid());
            assertEquals(KtpelApplet.State.PERSONALIZED, p.state());
        }
        ApduTransport.CardException none = assertThrows(ApduTransport.CardException.class, () -> ktp.card.SmartcardioTransport.connect(factory, "^Gemalto"));
        assertTrue(none.getMessage().contains(InProcessReaders.READER), none.getMessage());
    }
}
