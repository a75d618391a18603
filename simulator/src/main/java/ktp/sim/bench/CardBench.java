package ktp.sim.bench;

import java.security.SecureRandom;
import java.util.Map;
import ktp.card.Personalizer;
import ktp.card.SmartcardioTransport;
import ktp.card.CardKeys;
import ktp.card.CardProfile;
import ktp.record.ChipData;
import ktp.record.Envelope;
import ktp.record.PrintRecord;
import ktp.sim.card.InProcessReaders;
import ktp.sim.card.VirtualCard;
import ktp.sim.card.VirtualCards;
import java.util.Optional;
import ktp.sim.records.DataCenterKey;
import ktp.sim.records.FingerprintLibrary;
import ktp.sim.records.RecordGenerator;

/** Personalization through javax.smartcardio and the in-process reader: APDUs and bytes per card, and the time. */
public final class CardBench {
    public record Result(int cards, long apdus, long bytesSent, long bytesReceived, Stats time, Stats throughVpcd) {}

    private CardBench() {}

    /** A benchmark-only master key: the cost of per-card (KDF3) keys is part of what is measured. */
    private static final byte[] MASTER = java.util.HexFormat.of().parseHex("6B74702D62656E63682D6D6173746572");

    public static Result run(int cards, int vpcdCards) throws Exception {
        CardProfile profile = VirtualCards.profile();
        CardKeys keys = CardKeys.master(profile, MASTER);
        RecordGenerator gen = new RecordGenerator(13, FingerprintLibrary.embedded(), RecordGenerator.defaultIssueDate(13));
        DataCenterKey key = DataCenterKey.fromSeed(13);
        long[] times = new long[cards];
        Personalizer.Result last = null;
        for (int i = 0; i < cards + 5; i++) {
            PrintRecord r = gen.resident(i).record();
            Envelope e = key.signRecord(r);
            Map<Integer, byte[]> dgs = ChipData.dataGroups(r);
            byte[] sod = ChipData.securityObject(e.keyId(), ChipData.hashList(dgs), e.chipSeal());
            VirtualCard card = VirtualCards.blank(profile, i, Optional.of(MASTER));
            long t0 = System.nanoTime();
            try (SmartcardioTransport t = SmartcardioTransport.connect(InProcessReaders.factory(card), "")) {
                last = new Personalizer(t, profile, keys, new SecureRandom()).personalize(dgs, sod);
            }
            if (i >= 5) times[i - 5] = System.nanoTime() - t0;
        }
        Stats vpcd = vpcdCards > 0 ? throughVpcd(gen, key, vpcdCards, profile, keys) : null;
        return new Result(cards, last.apdus(), last.bytesSent(), last.bytesReceived(), Stats.of(times), vpcd);
    }

    /** The same through pcscd and its vpcd driver (pcscd must be running with vpcd on 127.0.0.1:35963). */
    private static Stats throughVpcd(RecordGenerator gen, DataCenterKey key, int cards, CardProfile profile, CardKeys keys) throws Exception {
        long[] times = new long[cards];
        javax.smartcardio.TerminalFactory pcsc = javax.smartcardio.TerminalFactory.getDefault();
        // One card stays in vpcd's reader and is wiped to a fresh blank between personalizations.
        VirtualCard card = VirtualCards.blank(profile, 0x010101, Optional.of(MASTER));
        try (ktp.sim.card.VpcdClient vicc = ktp.sim.card.VpcdClient.connect("127.0.0.1", 35963, card)) {
            long deadline = System.nanoTime() + 15_000_000_000L;
            SmartcardioTransport t = null;
            while (t == null) {
                try {
                    t = SmartcardioTransport.connect(pcsc, "Virtual PCD 00 00");
                } catch (ktp.card.ApduTransport.CardException notYet) {
                    if (System.nanoTime() > deadline) throw notYet;
                    Thread.sleep(50);
                }
            }
            try (SmartcardioTransport open = t) {
                for (int i = 0; i < cards; i++) {
                    PrintRecord r = gen.resident(1000 + i).record();
                    Envelope e = key.signRecord(r);
                    Map<Integer, byte[]> dgs = ChipData.dataGroups(r);
                    byte[] sod = ChipData.securityObject(e.keyId(), ChipData.hashList(dgs), e.chipSeal());
                    card.wipe();
                    long t0 = System.nanoTime();
                    new Personalizer(open, profile, keys, new SecureRandom()).personalize(dgs, sod);
                    times[i] = System.nanoTime() - t0;
                }
            }
        }
        return Stats.of(times);
    }
}
