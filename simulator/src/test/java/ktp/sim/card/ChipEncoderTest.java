package ktp.sim.card;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import ktp.card.CardKeys;
import ktp.card.CardProfile;
import ktp.card.ChipEncoder;
import ktp.card.ChipPayload;
import ktp.card.KtpelApplet;
import ktp.record.ChipData;
import ktp.record.Envelope;
import ktp.record.PrintRecord;
import ktp.sim.records.DataCenterKey;
import ktp.sim.records.FingerprintLibrary;
import ktp.sim.records.RecordGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The station's encoder through javax.smartcardio with the in-process reader: waiting for the blank, checking
 * its ATR, and every way a chip can fail ending in a ChipFailure that names the reason (and the UID when the
 * chip answered), which the printer turns into a rejected card and a SPOILED ledger entry.
 */
class ChipEncoderTest {
    private static final CardProfile PROFILE = VirtualCards.profile();
    private static final byte[] MASTER = HexFormat.of().parseHex("00112233445566778899AABBCCDDEEFF");

    @TempDir
    Path dir;

    private static ChipPayload payload(int i) {
        DataCenterKey key = DataCenterKey.fromSeed(91);
        PrintRecord r = new RecordGenerator(91, FingerprintLibrary.embedded(), RecordGenerator.defaultIssueDate(91)).resident(i).record();
        Envelope e = key.signRecord(r);
        Map<Integer, byte[]> dgs = ChipData.dataGroups(r);
        return new ChipPayload(dgs, ChipData.securityObject(e.keyId(), ChipData.hashList(dgs), e.chipSeal()));
    }

    private static ChipEncoder encoder(CardSlot slot, CardProfile profile, Duration wait) throws Exception {
        ChipPayload p = payload(0);
        return new ChipEncoder(InProcessReaders.factory(slot), "KTP Virtual", profile, CardKeys.master(profile, MASTER), wait,
                id -> id.equals("R1") ? Optional.of(p) : Optional.empty());
    }

    private static VirtualCard blank(long n) { return VirtualCards.blank(PROFILE, n, Optional.of(MASTER)); }

    @Test
    void theEncoderWaitsForTheBlankToArriveThenPersonalizesIt() throws Exception {
        CardSlot slot = new CardSlot();
        VirtualCard card = blank(7);
        Thread feeder = new Thread(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                return;
            }
            slot.insert(card);
        });
        feeder.start();
        String uid = encoder(slot, PROFILE, Duration.ofSeconds(5)).encode("R1");
        feeder.join();
        assertEquals(HexFormat.of().withUpperCase().formatHex(card.uid()), uid);
        assertEquals(KtpelApplet.State.PERSONALIZED, card.state());
    }

    @Test
    void noCardNoDataAndAForeignCardAreEachRefusedByName() throws Exception {
        CardSlot empty = new CardSlot();
        ChipEncoder.Failure none = assertThrows(ChipEncoder.Failure.class, () -> encoder(empty, PROFILE, Duration.ofMillis(200)).encode("R1"));
        assertTrue(none.getMessage().startsWith("no card reached the encoder 'KTP Virtual Reader 0'"), none.getMessage());
        assertNull(none.uid());

        ChipEncoder.Failure noData = assertThrows(ChipEncoder.Failure.class, () -> encoder(CardSlot.holding(blank(1)), PROFILE, Duration.ofMillis(200)).encode("R9"));
        assertTrue(noData.getMessage().contains("no chip data for record R9"), noData.getMessage());

        Path profiles = Files.createDirectories(dir.resolve("cards"));
        String yaml = Files.readString(ktp.cli.Paths.cardProfiles().resolve("ktpel-virtual.yaml"))
                .replace("id: ktpel-virtual", "id: other-card").replace("atr: \"3B8A80014B5450454C2D53494D0031\"", "atr: \"3B6F.*\"");
        Files.writeString(profiles.resolve("other-card.yaml"), yaml);
        CardProfile other = CardProfile.resolve(profiles, "other-card");
        VirtualCard card = blank(2);
        ChipEncoder.Failure foreign = assertThrows(ChipEncoder.Failure.class, () -> encoder(CardSlot.holding(card), other, Duration.ofMillis(200)).encode("R1"));
        assertTrue(foreign.getMessage().contains("is not a other-card card"), foreign.getMessage());
        assertEquals(0, card.commands(), "nothing was sent to a card of the wrong model");
    }

    @Test
    void aCardPulledOutHalfwayIsSpoiledByUidAndRefusedWhenItComesBack() throws Exception {
        VirtualCard card = blank(3);
        CardSlot slot = CardSlot.holding(card);
        card.pullOutAfter(30);
        ChipEncoder encoder = encoder(slot, PROFILE, Duration.ofMillis(300));
        ChipEncoder.Failure pulled = assertThrows(ChipEncoder.Failure.class, () -> encoder.encode("R1"));
        assertEquals(HexFormat.of().withUpperCase().formatHex(card.uid()), pulled.uid(), "the ledger learns which blank it was");
        assertTrue(pulled.getMessage().startsWith("the card left the reader or the chip stopped answering"), pulled.getMessage());

        slot.insert(card);
        assertEquals(KtpelApplet.State.PERSONALIZING, card.state());
        ChipEncoder.Failure again = assertThrows(ChipEncoder.Failure.class, () -> encoder.encode("R1"));
        assertTrue(again.getMessage().contains("not blank (PERSONALIZING: half-written before, spoiled)"), again.getMessage());
        assertEquals(KtpelApplet.State.PERSONALIZING, card.state(), "never made valid");
    }

    @Test
    void aMuteChipAndWrongKeysEndInAFailureWithoutRetries() throws Exception {
        VirtualCard mute = blank(4);
        mute.mute(true);
        ChipEncoder.Failure silent = assertThrows(ChipEncoder.Failure.class, () -> encoder(CardSlot.holding(mute), PROFILE, Duration.ofMillis(300)).encode("R1"));
        assertTrue(silent.getMessage().contains("does not answer"), silent.getMessage());

        // A blank from another issuer's batch: its keys derive from another master.
        VirtualCard foreignKeys = new VirtualCard(PROFILE, new byte[] {0x04, 9, 9, 9, 9, 9, 9}, Optional.of(new byte[16]), false);
        ChipEncoder.Failure refused = assertThrows(ChipEncoder.Failure.class, () -> encoder(CardSlot.holding(foreignKeys), PROFILE, Duration.ofMillis(300)).encode("R1"));
        assertTrue(refused.getMessage().contains("not this card's"), refused.getMessage());
        assertEquals("04090909090909", refused.uid());
        long before = foreignKeys.commands();
        assertThrows(ChipEncoder.Failure.class, () -> encoder(CardSlot.holding(foreignKeys), PROFILE, Duration.ofMillis(300)).encode("R1"));
        assertEquals(before * 2, foreignKeys.commands(), "each attempt is one INITIALIZE UPDATE and no EXTERNAL AUTHENTICATE: nothing counts towards blocking");
        assertEquals(KtpelApplet.State.BLANK, foreignKeys.state());
    }
}
