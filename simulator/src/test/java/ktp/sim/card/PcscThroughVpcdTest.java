package ktp.sim.card;

import static org.junit.jupiter.api.Assertions.*;

import java.net.Socket;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Map;
import javax.smartcardio.CardTerminal;
import javax.smartcardio.TerminalFactory;
import ktp.card.KtpelApplet;
import ktp.card.Personalizer;
import ktp.card.SmartcardioTransport;
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

/**
 * The station's PC/SC code through the real stack: javax.smartcardio, pcscd, its vpcd driver, and the virtual
 * card connected to vpcd. ./ktp test installs pcscd and vsmartcard-vpcd and starts pcscd; without it this
 * test fails, it does not skip.
 */
class PcscThroughVpcdTest {
    @TempDir
    Path dir;

    @Test
    void aCardIsPersonalizedThroughPcscdAndVpcdAndPassesPassiveAuthentication() throws Exception {
        try (Socket probe = new Socket("127.0.0.1", 35963)) {
            assertTrue(probe.isConnected());
        } catch (java.io.IOException e) {
            fail("pcscd with the vpcd driver is not listening on 127.0.0.1:35963 (./ktp test starts it): " + e.getMessage());
        }
        DataCenterKey key = DataCenterKey.fromSeed(81);
        PrintRecord r = new RecordGenerator(81, FingerprintLibrary.embedded(), RecordGenerator.defaultIssueDate(81)).resident(0).record();
        Envelope e = key.signRecord(r);
        Map<Integer, byte[]> dgs = ChipData.dataGroups(r);
        byte[] sod = ChipData.securityObject(e.keyId(), ChipData.hashList(dgs), e.chipSeal());
        VirtualCard card = new VirtualCard(Scp03.StaticKeys.globalPlatformTestKeys(), new byte[] {0x04, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F});
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
                Personalizer p = new Personalizer(t, Scp03.StaticKeys.globalPlatformTestKeys(), new SecureRandom());
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
        VirtualCard card = new VirtualCard(Scp03.StaticKeys.globalPlatformTestKeys(), new byte[] {0x04, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26});
        try (VpcdClient vicc = VpcdClient.connect("127.0.0.1", 35963, card)) {
            long deadline = System.nanoTime() + 15_000_000_000L;
            ktp.sim.KtpRun info;
            do {
                info = ktp.sim.KtpRun.of("card", "info", "--reader", "Virtual PCD 00 00");
                if (info.exit() != 0) Thread.sleep(100);
            } while (info.exit() != 0 && System.nanoTime() < deadline);
            assertEquals(0, info.exit(), info.err());
            assertTrue(info.out().contains("UID        04212223242526") && info.out().contains("Lifecycle  BLANK"), info.out());
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
            assertTrue(read.out().contains("Passive authentication  VALID"), read.out());
            card.tamper(1, 20);
            ktp.sim.KtpRun tampered = ktp.sim.KtpRun.of("card", "read", "--trust", trust, "--reader", "Virtual PCD 00 00");
            assertEquals(1, tampered.exit());
            assertTrue(tampered.out().contains("FAILED") && tampered.out().contains("DG1"), tampered.out());
        }
    }
}
