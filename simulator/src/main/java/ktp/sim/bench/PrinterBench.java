package ktp.sim.bench;

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import ktp.printer.PrintJob;
import ktp.printer.PrinterDriver;
import ktp.printer.PrinterProfile;
import ktp.printer.link.PrinterLink;
import ktp.record.Envelope;
import ktp.record.PrintRecord;
import ktp.record.RecordValidator;
import ktp.record.TrustedKeys;
import ktp.render.CardRenderer;
import ktp.sim.printer.PrinterSimServer;
import ktp.sim.printer.SimulatedPrinter;
import ktp.sim.records.DataCenterKey;
import ktp.sim.records.FingerprintLibrary;
import ktp.sim.records.RecordGenerator;
import ktp.station.PrintRunner;
import ktp.station.RecordIntake;
import ktp.store.Actor;
import ktp.store.StationStore;

/**
 * The printer link's figures: bytes on the wire per card with and without compression; the time to send one
 * card over a serial pty at 115200 baud (a pty does not throttle, so the line's own time is computed too); and
 * the printer's idle gap between cards with the profile's real timings while the station prepares the next
 * card (validate, render, separate, pack) as the current one prints.
 */
public final class PrinterBench {
    public record Result(int cards, double bytesCompressed, double bytesPlain, double lineSecondsCompressed, double lineSecondsPlain,
                         Stats ptyTransfer, List<Long> idleGapsMillis, double secondsPerCard) {}

    private PrinterBench() {}

    private record Prepared(String recordId, PrintJob compressed, PrintJob plain) {}

    public static Result run(CardRenderer renderer, PrinterProfile profile, int cards, double speed, PrintStream progress) throws Exception {
        Path work = Files.createTempDirectory("ktp-bench-printer");
        RecordGenerator gen = new RecordGenerator(9, FingerprintLibrary.embedded(), RecordGenerator.defaultIssueDate(9));
        DataCenterKey key = DataCenterKey.fromSeed(9);
        key.writePublicKey(work.resolve("keys"));
        try (StationStore store = StationStore.open(work.resolve("store"), "ST-BENCH", Clock.systemUTC())) {
            RecordIntake intake = new RecordIntake(new RecordValidator(TrustedKeys.loadDirectory(work.resolve("keys")), Clock.systemUTC(), renderer.fitCheck()),
                    store, Actor.STATION);
            // 1. Bytes, and the transfer over a pty (fast simulator: the line is what is timed).
            progress.println("sizing jobs and timing transfers over a socat pty ...");
            List<Long> plainBytes = new ArrayList<>();
            List<Long> compressedBytes = new ArrayList<>();
            long[] transfer = new long[Math.max(3, Math.min(cards, 10))];
            Path a = work.resolve("pty-printer");
            Path b = work.resolve("pty-station");
            Process socat = new ProcessBuilder("socat", "pty,raw,echo=0,link=" + a, "pty,raw,echo=0,link=" + b).redirectErrorStream(true).start();
            try {
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (!(Files.exists(a) && Files.exists(b)) && System.nanoTime() < deadline) Thread.sleep(20);
                SimulatedPrinter fast = new SimulatedPrinter(profile, 1e6, null);
                try (PrinterSimServer serial = PrinterSimServer.serial(fast, a.toRealPath().toString(), 115200);
                     PrinterDriver driver = new PrinterDriver(profile, () -> PrinterLink.open("serial:" + b.toRealPath() + "?baud=115200", profile.link()))) {
                    PrintRunner runner = new PrintRunner(store, driver, null, Actor.STATION, Duration.ofMillis(100), (e, m) -> progress.println("printer: " + m));
                    for (int i = 0; i < transfer.length; i++) {
                        Prepared p = prepare(gen, key, renderer, profile, intake);
                        plainBytes.add(p.plain().wireBytes());
                        compressedBytes.add(p.compressed().wireBytes());
                        long t0 = System.nanoTime();
                        runner.print(p.compressed(), () -> false);
                        transfer[i] = System.nanoTime() - t0;
                    }
                }
            } finally {
                socat.destroy();
                socat.waitFor(5, TimeUnit.SECONDS);
            }
            double comp = median(compressedBytes);
            double plain = median(plainBytes);

            // 2. The idle gap with real timings, the next card prepared while the current one prints.
            progress.println("printing " + cards + " cards with the profile's timings x" + speed + " (about "
                    + Math.round(cards * (profile.simulator().secondsPerCard() + 7 * profile.simulator().secondsPerPanel()) / speed) + " s) ...");
            SimulatedPrinter real = new SimulatedPrinter(profile, speed, null);
            BlockingQueue<Prepared> ready = new ArrayBlockingQueue<>(1);
            Thread preparer = new Thread(() -> {
                try {
                    for (int i = 0; i < cards; i++) ready.put(prepare(gen, key, renderer, profile, intake));
                } catch (Exception e) {
                    progress.println("preparing failed: " + e);
                }
            }, "bench-preparer");
            long t0;
            try (PrinterSimServer tcp = PrinterSimServer.tcp(real, new InetSocketAddress("127.0.0.1", 0));
                 PrinterDriver driver = new PrinterDriver(profile, () -> PrinterLink.open("tcp://127.0.0.1:" + tcp.port(), profile.link()))) {
                PrintRunner runner = new PrintRunner(store, driver, null, Actor.STATION, Duration.ofMillis(100), (e, m) -> progress.println("printer: " + m));
                preparer.start();
                t0 = System.nanoTime();
                for (int i = 0; i < cards; i++) {
                    Prepared p = ready.poll(5, TimeUnit.MINUTES);
                    if (p == null) throw new IllegalStateException("no card prepared in 5 minutes");
                    runner.print(p.compressed(), () -> false);
                }
            }
            double perCard = (System.nanoTime() - t0) / 1e9 / cards;
            return new Result(cards, comp, plain, comp * 10 / 115200, plain * 10 / 115200, Stats.of(transfer), real.idleGapsMillis(), perCard);
        }
    }

    private static Prepared prepare(RecordGenerator gen, DataCenterKey key, CardRenderer renderer, PrinterProfile profile, RecordIntake intake) throws Exception {
        PrintRecord r = gen.next().record();
        Envelope e = key.signRecord(r);
        RecordIntake.Outcome o = intake.offer(r.recordId(), e.toJson());
        if (o.kind() != RecordIntake.Outcome.Kind.VALIDATED) throw new IllegalStateException(r.recordId() + ": " + o.detail());
        return new Prepared(r.recordId(), ktp.station.CardPreparation.printJob(renderer, r, e.keyId(), e.cardSeal(), profile, true),
                ktp.station.CardPreparation.printJob(renderer, r, e.keyId(), e.cardSeal(), profile, false));
    }

    private static double median(List<Long> v) {
        List<Long> s = new ArrayList<>(v);
        s.sort(null);
        return s.get(s.size() / 2);
    }
}
