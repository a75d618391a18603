package ktp.sim.bench;

import java.security.SecureRandom;
import java.util.Map;
import ktp.card.Personalizer;
import ktp.card.SmartcardioTransport;
import ktp.card.scp03.Scp03;
import ktp.record.ChipData;
import ktp.record.Envelope;
import ktp.record.PrintRecord;
import ktp.sim.card.InProcessReaders;
import ktp.sim.card.VirtualCard;
import ktp.sim.records.DataCenterKey;
import ktp.sim.records.FingerprintLibrary;
import ktp.sim.records.RecordGenerator;

/** Personalization through javax.smartcardio and the in-process reader: APDUs and bytes per card, and the time. */
public final class CardBench {
    public record Result(int cards, long apdus, long bytesSent, long bytesReceived, Stats time) {}

    private CardBench() {}

    public static Result run(int cards) throws Exception {
        RecordGenerator gen = new RecordGenerator(13, FingerprintLibrary.embedded(), RecordGenerator.defaultIssueDate(13));
        DataCenterKey key = DataCenterKey.fromSeed(13);
        long[] times = new long[cards];
        Personalizer.Result last = null;
        for (int i = 0; i < cards + 5; i++) {
            PrintRecord r = gen.resident(i).record();
            Envelope e = key.signRecord(r);
            Map<Integer, byte[]> dgs = ChipData.dataGroups(r);
            byte[] sod = ChipData.securityObject(e.keyId(), ChipData.hashList(dgs), e.chipSeal());
            VirtualCard card = new VirtualCard(Scp03.StaticKeys.globalPlatformTestKeys(), new byte[] {0x04, 0, 0, 0, 0, 0, (byte) i});
            long t0 = System.nanoTime();
            try (SmartcardioTransport t = SmartcardioTransport.connect(InProcessReaders.factory(card), "")) {
                last = new Personalizer(t, Scp03.StaticKeys.globalPlatformTestKeys(), new SecureRandom()).personalize(dgs, sod);
            }
            if (i >= 5) times[i - 5] = System.nanoTime() - t0;
        }
        return new Result(cards, last.apdus(), last.bytesSent(), last.bytesReceived(), Stats.of(times));
    }
}
