package ktp.sim.card;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Map;
import ktp.card.ApduTransport;
import ktp.card.CardKeys;
import ktp.card.CardProfile;
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
    private static final CardProfile PROFILE = VirtualCards.profile();
    private static final byte[] MASTER = java.util.HexFormat.of().parseHex("000102030405060708090A0B0C0D0E0F");
    private static final CardKeys TEST_KEYS = CardKeys.globalPlatformTestKeys();

    private static VirtualCard testCard() { return VirtualCard.withTestKeys(PROFILE, UID); }

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
        VirtualCard card = testCard();
        Personalizer p = new Personalizer(card, PROFILE, TEST_KEYS, new SecureRandom());
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
        VirtualCard card = testCard();
        card.transmit(java.util.HexFormat.of().parseHex("00A4040009D36000004B5450454C00"));
        byte[] r = card.transmit(new byte[] {(byte) 0x80, (byte) KtpelApplet.INS_WRITE, 1, 0, 2, 0x61, 0x00});
        assertEquals("6982", java.util.HexFormat.of().formatHex(r));
        assertEquals(KtpelApplet.State.BLANK, card.state());
    }

    @Test
    void wrongKeysAreRefusedAtTheCardCryptogramWithoutEverTryingToAuthenticate() throws Exception {
        VirtualCard card = testCard();
        Personalizer p = new Personalizer(card, PROFILE, CardKeys.master(PROFILE, new byte[16]), new SecureRandom());
        Personalizer.PersonalizationException e = assertThrows(Personalizer.PersonalizationException.class, () -> p.personalize(issued(1).dgs(), issued(1).sod()));
        assertTrue(e.getMessage().contains("6A88"), "the card has no issuer keys at version 1: " + e.getMessage());
        VirtualCard issued = new VirtualCard(PROFILE, UID, java.util.Optional.of(MASTER), false);
        Personalizer wrongMaster = new Personalizer(issued, PROFILE, CardKeys.master(PROFILE, new byte[16]), new SecureRandom());
        e = assertThrows(Personalizer.PersonalizationException.class, () -> wrongMaster.personalize(issued(1).dgs(), issued(1).sod()));
        assertTrue(e.getMessage().contains("not this card's"), e.getMessage());
        assertEquals(5, issued.commands(), "GET UID, SELECT + GET STATE, SELECT, INITIALIZE UPDATE: the station stopped at the cryptogram, it sent no EXTERNAL AUTHENTICATE");
        assertEquals(KtpelApplet.State.BLANK, card.state());
    }

    @Test
    void aCardPulledOutHalfwayIsNeverValidAtTheNextInsertion() throws Exception {
        Issued i = issued(2);
        VirtualCard card = testCard();
        card.pullOutAfter(12);
        Personalizer p = new Personalizer(card, PROFILE, TEST_KEYS, new SecureRandom());
        assertThrows(ApduTransport.CardException.class, () -> p.personalize(i.dgs(), i.sod()));
        card.insert();
        assertEquals(KtpelApplet.State.PERSONALIZING, p.state(), "half-written: the station treats it as spoiled");
        Personalizer.PersonalizationException again = assertThrows(Personalizer.PersonalizationException.class, () -> p.personalize(i.dgs(), i.sod()));
        assertTrue(again.getMessage().contains("not blank (PERSONALIZING"), "a half-written card is never written over: " + again.getMessage());
        Map<Integer, byte[]> back = p.readBack();
        ChipData.Verdict v = ChipData.passiveAuthentication(back, back.get(KtpelApplet.SOD), trust()::get);
        assertFalse(v.valid(), "a half-written chip never passes passive authentication");
    }

    @Test
    void threeFailedExternalAuthenticationsBlockTheSecurityDomain() throws Exception {
        VirtualCard card = testCard();
        byte[] select = java.util.HexFormat.of().parseHex("00A4040009D36000004B5450454C00");
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
        VirtualCard card = testCard();
        javax.smartcardio.TerminalFactory factory = InProcessReaders.factory(card);
        try (ktp.card.SmartcardioTransport t = ktp.card.SmartcardioTransport.connect(factory, "KTP Virtual")) {
            assertEquals(InProcessReaders.READER, t.readerName());
            assertEquals(0x3B, t.atr()[0] & 0xFF);
            Personalizer p = new Personalizer(t, PROFILE, TEST_KEYS, new SecureRandom());
            assertEquals("04112233445566", p.personalize(i.dgs(), i.sod()).uid());
            assertEquals(KtpelApplet.State.PERSONALIZED, p.state());
        }
        ApduTransport.CardException none = assertThrows(ApduTransport.CardException.class, () -> ktp.card.SmartcardioTransport.connect(factory, "^Gemalto"));
        assertTrue(none.getMessage().contains(InProcessReaders.READER), none.getMessage());
    }

    @Test
    void perCardIssuerKeysOpenOnlyTheirOwnCardAndTheTestKeysCanBeRefused() throws Exception {
        Issued i = issued(4);
        CardKeys issuer = CardKeys.master(PROFILE, MASTER);
        VirtualCard card = new VirtualCard(PROFILE, UID, java.util.Optional.of(MASTER), false);
        Personalizer p = new Personalizer(card, PROFILE, issuer, new SecureRandom());
        assertEquals("04112233445566", p.personalize(i.dgs(), i.sod()).uid());
        assertEquals(KtpelApplet.State.PERSONALIZED, card.state());
        // A production-like card without the test keys: key version 0 falls to its own keys, which the test keys are not.
        VirtualCard noTest = new VirtualCard(PROFILE, new byte[] {0x04, 1, 2, 3, 4, 5, 6}, java.util.Optional.of(MASTER), false);
        Personalizer.PersonalizationException e = assertThrows(Personalizer.PersonalizationException.class,
                () -> new Personalizer(noTest, PROFILE, TEST_KEYS, new SecureRandom()).personalize(i.dgs(), i.sod()));
        assertTrue(e.getMessage().contains("key version 01, not 00") || e.getMessage().contains("not this card's"), e.getMessage());
        assertEquals(KtpelApplet.State.BLANK, noTest.state());
        // The keys really are per card: the master's keys for UID A differ from those for UID B.
        byte[] kddA = new byte[10];
        byte[] kddB = new byte[10];
        kddB[9] = 1;
        assertFalse(java.util.Arrays.equals(issuer.forCard(kddA).enc(), issuer.forCard(kddB).enc()));
    }

    @Test
    void anErrorStatusWordOrAMuteChipStopsPersonalizationWithAClearReason() throws Exception {
        Issued i = issued(5);
        VirtualCard failing = testCard();
        failing.failWritesWith(0x6581);
        Personalizer.PersonalizationException e = assertThrows(Personalizer.PersonalizationException.class,
                () -> new Personalizer(failing, PROFILE, TEST_KEYS, new SecureRandom()).personalize(i.dgs(), i.sod()));
        assertEquals("writing DG1: the chip answered 6581", e.getMessage());
        VirtualCard mute = testCard();
        mute.mute(true);
        ApduTransport.CardException none = assertThrows(ApduTransport.CardException.class,
                () -> new Personalizer(mute, PROFILE, TEST_KEYS, new SecureRandom()).personalize(i.dgs(), i.sod()));
        assertTrue(none.getMessage().contains("does not answer"), none.getMessage());
    }

    @Test
    void aDataGroupLargerThanItsFileIsRefusedBeforeTheChipIsTouched() throws Exception {
        Issued i = issued(6);
        VirtualCard card = testCard();
        Map<Integer, byte[]> big = new java.util.HashMap<>(i.dgs());
        big.put(2, new byte[PROFILE.files().get(2).maxBytes() + 1]);
        Personalizer.PersonalizationException e = assertThrows(Personalizer.PersonalizationException.class,
                () -> new Personalizer(card, PROFILE, TEST_KEYS, new SecureRandom()).personalize(big, i.sod()));
        assertTrue(e.getMessage().startsWith("DG2 is " + (PROFILE.files().get(2).maxBytes() + 1) + " bytes; ktpel-virtual holds at most"), e.getMessage());
        assertEquals(0, card.commands());
    }

    @Test
    void anyScp03HostCanOpenALevel33ChannelOnTheSecurityDomainWithTheTestKeysAndReadTheCplc() throws Exception {
        VirtualCard card = testCard();
        java.util.HexFormat hex = java.util.HexFormat.of();
        assertEquals("9000", hex.formatHex(card.transmit(hex.parseHex("00A4040008A000000151000000"))));
        byte[] host = hex.parseHex("0102030405060708");
        byte[] init = card.transmit(ktp.card.scp03.Scp03Session.initializeUpdate(0, host));
        assertEquals("9000", hex.formatHex(init, init.length - 2, init.length));
        byte[] body = java.util.Arrays.copyOf(init, init.length - 2);
        assertEquals("00000004112233445566", hex.formatHex(body, 0, 10), "key diversification data: the UID, right-aligned");
        ktp.card.scp03.Scp03Session s = ktp.card.scp03.Scp03Session.open(Scp03.StaticKeys.globalPlatformTestKeys(), host, body, 0x33);
        assertEquals("9000", hex.formatHex(card.transmit(s.externalAuthenticate())));
        byte[] r = card.transmit(s.wrap(hex.parseHex("80CA9F7F00")));
        byte[] cplc = s.unwrap(java.util.Arrays.copyOf(r, r.length - 2), 0x9000);
        assertEquals("9f7f2a", hex.formatHex(cplc, 0, 3));
        assertEquals(45, cplc.length);
    }
}
