package ktp.sim.card;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Map;
import javax.smartcardio.CardTerminal;
import javax.smartcardio.TerminalFactory;
import ktp.card.KtpelApplet;
import ktp.card.Personalizer;
import ktp.card.SmartcardioTransport;
import ktp.record.ChipData;
import ktp.record.Envelope;
import ktp.record.PrintRecord;
import ktp.record.TrustedKeys;
import ktp.sim.records.DataCenterKey;
import ktp.sim.records.FingerprintLibrary;
import ktp.sim.records.RecordGenerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * The station's PC/SC code through the real stack: javax.smartcardio, pcscd, its vpcd driver, and the virtual
 * card connected to vpcd. ./ktp test installs pcscd and vsmartcard-vpcd and starts pcscd; without it this
 * test fails, it does not skip. Each test holds vpcd's one slot ({@link ktp.sim.Pcscd#slot}) while it runs.
 */
class PcscThroughVpcdTest {
    @TempDir
    Path dir;

    private ktp.sim.Pcscd.Slot slot;

    @BeforeEach
    void takeTheVpcdSlot(TestInfo test) {
        slot = ktp.sim.Pcscd.slot(getClass().getSimpleName() + "." + test.getDisplayName());
    }

    @AfterEach
    void giveTheVpcdSlotBack() {
        if (slot != null) slot.close();
    }

    @Test
    void aCardIsPersonalizedThroughPcscdAndVpcdAndPassesPassiveAuthentication() throws Exception {
        ktp.sim.Pcscd.requireVpcd();
        DataCenterKey key = DataCenterKey.fromSeed(81);
        PrintRecord r = new RecordGenerator(81, FingerprintLibrary.embedded(), RecordGenerator.defaultIssueDate(81)).resident(0).record();
        Envelope e = key.signRecord(r);
        Map<Integer, byte[]> dgs = ChipData.dataGroups(r);
        byte[] sod = ChipData.securityObject(e.keyId(), ChipData.hashList(dgs), e.chipSeal());
        ktp.card.CardProfile profile = VirtualCards.profile();
        byte[] master = java.util.HexFormat.of().parseHex("0F0E0D0C0B0A09080706050403020100");
        // A production-like card: its own diversified keys, no test keys.
        VirtualCard card = new VirtualCard(profile, new byte[] {0x04, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F}, java.util.Optional.of(master), false);
        try (VpcdClient vicc = VpcdClient.connect("127.0.0.1", 35963, card)) {
            TerminalFactory pcsc = TerminalFactory.getDefault();
            long deadline = System.nanoTime() + 15_000_000_000L;
            boolean present = false;
            while (!present && System.nanoTime() < deadline) {
                for (CardTerminal t : pcsc.terminals().list()) if (t.getName().contains("Virtual PCD") && t.isCardPresent()) present = true;
                if (!present) Thread.sleep(100);
            }
            assertTrue(present, "vpcd never showed the virtual card; terminals: " + pcsc.terminals().list());
            try (SmartcardioTransport t = SmartcardioTransport.connect(pcsc, "Virtual PCD 00 00")) {
                assertTrue(profile.matchesAtr(t.atr()), "the ATR through pcscd is the profile's");
                Personalizer p = new Personalizer(t, profile, ktp.card.CardKeys.master(profile, master), new SecureRandom());
                Personalizer.Result result = p.personalize(dgs, sod);
                assertEquals("040A0B0C0D0E0F", result.uid());
                assertEquals(KtpelApplet.State.PERSONALIZED, p.state());
                key.writePublicKey(dir.resolve("keys"));
                TrustedKeys trust = TrustedKeys.loadDirectory(dir.resolve("keys"));
                Map<Integer, byte[]> back = p.readBack();
                ChipData.Verdict v = ChipData.passiveAuthentication(back, back.get(KtpelApplet.SOD), trust::get);
                assertTrue(v.valid(), v.detail());
            }
        }
    }

    @Test
    void theCardCommandsReadPersonalizeAndCheckTheChipThroughPcscd() throws Exception {
        VirtualCard card = VirtualCard.withTestKeys(VirtualCards.profile(), new byte[] {0x04, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26});
        try (VpcdClient vicc = VpcdClient.connect("127.0.0.1", 35963, card)) {
            long deadline = System.nanoTime() + 15_000_000_000L;
            ktp.sim.KtpRun info;
            do {
                info = ktp.sim.KtpRun.of("card", "info", "--reader", "Virtual PCD 00 00");
                if (info.exit() != 0) Thread.sleep(100);
            } while (info.exit() != 0 && System.nanoTime() < deadline);
            assertEquals(0, info.exit(), info.err());
            // In the operator's language by default; the UID and the state's name as they are.
            assertTrue(info.out().contains("UID        04212223242526") && info.out().contains("Siklus     BLANK"), info.out());
            assertEquals(0, ktp.sim.KtpRun.of("sim", "records", "--count", "1", "--seed", "83", "--out", dir.resolve("recs").toString()).exit());
            Path record;
            try (var files = java.nio.file.Files.list(dir.resolve("recs/records"))) {
                record = files.findFirst().orElseThrow();
            }
            ktp.sim.KtpRun personalized = ktp.sim.KtpRun.of("card", "personalize", "--record", record.toString(), "--reader", "Virtual PCD 00 00");
            assertEquals(0, personalized.exit(), personalized.err());
            String trust = dir.resolve("recs/trusted-keys").toString();
            ktp.sim.KtpRun read = ktp.sim.KtpRun.of("card", "read", "--trust", trust, "--reader", "Virtual PCD 00 00");
            assertEquals(0, read.exit(), read.out() + read.err());
            assertTrue(read.out().contains("Autentikasi pasif       VALID"), read.out());
            card.tamper(1, 20);
            ktp.sim.KtpRun tampered = ktp.sim.KtpRun.of("card", "read", "--trust", trust, "--reader", "Virtual PCD 00 00", "--lang", "en");
            assertEquals(1, tampered.exit());
            assertTrue(tampered.out().contains("Passive authentication  FAILED") && tampered.out().contains("DG1"), "English when asked: " + tampered.out());
        }
    }

    @Test
    void theEncoderSeesTheBlankArriveAndLeaveThroughPcscdAndAPulledCardStaysSpoiled() throws Exception {
        ktp.card.CardProfile profile = VirtualCards.profile();
        byte[] master = java.util.HexFormat.of().parseHex("1F1E1D1C1B1A19181716151413121110");
        DataCenterKey key = DataCenterKey.fromSeed(82);
        PrintRecord r = new RecordGenerator(82, FingerprintLibrary.embedded(), RecordGenerator.defaultIssueDate(82)).resident(0).record();
        Envelope e = key.signRecord(r);
        Map<Integer, byte[]> dgs = ChipData.dataGroups(r);
        ktp.card.ChipPayload payload = new ktp.card.ChipPayload(dgs, ChipData.securityObject(e.keyId(), ChipData.hashList(dgs), e.chipSeal()));
        ktp.card.ChipEncoder encoder = new ktp.card.ChipEncoder(TerminalFactory.getDefault(), "Virtual PCD 00 00", profile,
                ktp.card.CardKeys.master(profile, master), java.time.Duration.ofSeconds(15), id -> java.util.Optional.of(payload));
        VirtualCard card = new VirtualCard(profile, new byte[] {0x04, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36}, java.util.Optional.of(master), true);
        card.pullOutAfter(40);
        // The card arrives half a second after the encoder starts waiting, and is pulled out after 40 commands.
        java.util.concurrent.CompletableFuture<VpcdClient> inserted = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                Thread.sleep(500);
                return VpcdClient.connect("127.0.0.1", 35963, card);
            } catch (Exception x) {
                throw new IllegalStateException(x);
            }
        });
        ktp.card.ChipEncoder.Failure pulled = assertThrows(ktp.card.ChipEncoder.Failure.class, () -> encoder.encode(r.recordId()));
        inserted.get().close();
        assertEquals("04313233343536", pulled.uid());
        assertTrue(pulled.getMessage().startsWith("the card left the reader or the chip stopped answering"), pulled.getMessage());
        assertEquals(KtpelApplet.State.PERSONALIZING, card.state());

        // Put back: pcscd sees a card again, and it shows as half-written, never valid.
        card.insert();
        try (VpcdClient again = VpcdClient.connect("127.0.0.1", 35963, card)) {
            long deadline = System.nanoTime() + 15_000_000_000L;
            ktp.sim.KtpRun info;
            do {
                info = ktp.sim.KtpRun.of("card", "info", "--reader", "Virtual PCD 00 00");
                if (info.exit() != 0) Thread.sleep(100);
            } while (info.exit() != 0 && System.nanoTime() < deadline);
            assertTrue(info.out().contains("Siklus     PERSONALIZING  (setengah tertulis: SPOILED"), info.out() + info.err());
            ktp.card.ChipEncoder.Failure refused = assertThrows(ktp.card.ChipEncoder.Failure.class, () -> encoder.encode(r.recordId()));
            assertTrue(refused.getMessage().contains("not blank (PERSONALIZING"), refused.getMessage());
        }
    }
}
