package ktp.sim.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import ktp.printer.PrinterProfile;
import ktp.record.CardSeal;
import ktp.record.Envelope;
import ktp.record.PrintRecord;
import ktp.render.CardRenderer;
import ktp.render.CardTemplate;
import ktp.sim.records.DataCenterKey;
import ktp.sim.records.FingerprintLibrary;
import ktp.sim.records.RecordGenerator;

/**
 * One card from record to printer panels: both sides rendered to PDF, rasterised at the profile's geometry
 * and separated into panels, timed per card over distinct synthetic records (after a warm-up).
 */
public final class RenderBench {
    public record Result(int cards, Stats total, Stats pdfs, Stats frontPanels, Stats backPanels) {}

    private RenderBench() {}

    public static Result run(CardRenderer renderer, PrinterProfile profile, int cards, PrintStream progress) throws Exception {
        RecordGenerator gen = new RecordGenerator(7, FingerprintLibrary.embedded(), RecordGenerator.defaultIssueDate(7));
        DataCenterKey key = DataCenterKey.fromSeed(7);
        int warmup = Math.min(20, cards);
        progress.println("generating " + (cards + warmup) + " signed records ...");
        List<PrintRecord> records = new ArrayList<>();
        List<String> qrs = new ArrayList<>();
        for (int i = 0; i < cards + warmup; i++) {
            PrintRecord r = gen.next().record();
            Envelope e = key.signRecord(r);
            records.add(r);
            qrs.add(CardSeal.qrText(CardSeal.Contents.of(r, e.keyId()), e.cardSeal()));
        }
        progress.println("rendering " + cards + " cards (after " + warmup + " to warm up) for " + profile.id() + " ...");
        long[] total = new long[cards];
        long[] pdfs = new long[cards];
        long[] front = new long[cards];
        long[] back = new long[cards];
        for (int i = 0; i < cards + warmup; i++) {
            long t0 = System.nanoTime();
            CardRenderer.RenderedCard card = renderer.render(records.get(i), qrs.get(i));
            long t1 = System.nanoTime();
            renderer.panels(card.side(CardTemplate.Side.FRONT), profile.panelLayout());
            long t2 = System.nanoTime();
            if (profile.dualSided()) renderer.panels(card.side(CardTemplate.Side.BACK), profile.panelLayout());
            long t3 = System.nanoTime();
            if (i < warmup) continue;
            int k = i - warmup;
            total[k] = t3 - t0;
            pdfs[k] = t1 - t0;
            front[k] = t2 - t1;
            back[k] = t3 - t2;
        }
        return new Result(cards, Stats.of(total), Stats.of(pdfs), Stats.of(front), Stats.of(back));
    }
}
