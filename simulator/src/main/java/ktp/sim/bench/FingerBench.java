package ktp.sim.bench;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import ktp.biometric.HolderMatcher;
import ktp.biometric.r30x.R30xScanner;
import ktp.sim.records.FingerprintLibrary;
import ktp.sim.scanner.SimulatedScanner;

/**
 * From capture to decision: the simulated R30x module sends the image over TCP at 4 bits a pixel, the station
 * extracts the template and matches it against the enrolled one; and the extraction alone.
 */
public final class FingerBench {
    public record Result(int samples, Stats captureToDecision, Stats extractOnly, Stats matchOnly, int matches, int attempts, int refused) {}

    private FingerBench() {}

    public static Result run(FingerprintLibrary fingers, int rounds) throws Exception {
        R30xScanner.Geometry g = new R30xScanner.Geometry(256, 288, 500);
        HolderMatcher m = new HolderMatcher(HolderMatcher.DEFAULT_THRESHOLD);
        List<Long> total = new ArrayList<>();
        List<Long> extract = new ArrayList<>();
        List<Long> match = new ArrayList<>();
        int matches = 0;
        int attempts = 0;
        int refused = 0;
        try (SimulatedScanner sim = new SimulatedScanner(g.width(), g.height(), new InetSocketAddress("127.0.0.1", 0));
             R30xScanner scanner = R30xScanner.tcp("127.0.0.1", sim.port(), g, Duration.ofSeconds(2))) {
            for (int round = 0; round < rounds; round++) {
                for (String f : fingers.fingers()) {
                    List<Integer> imps = fingers.impressions(f);
                    HolderMatcher.Enrolled chip = HolderMatcher.importIso(HolderMatcher.toIso(HolderMatcher.extract(fingers.image(f, imps.get(0)), fingers.dpi()), 2));
                    for (int i = 1; i < imps.size(); i++) {
                        sim.place(fingers.image(f, imps.get(i)));
                        long t0 = System.nanoTime();
                        byte[] png = scanner.capture(Duration.ofSeconds(2));
                        long t1 = System.nanoTime();
                        HolderMatcher.Capture c;
                        try {
                            c = HolderMatcher.extract(png, g.dpi());
                        } catch (HolderMatcher.PlaceFingerAgain again) {
                            refused++;
                            continue;
                        }
                        attempts++;
                        long t2 = System.nanoTime();
                        if (m.match(chip, c).match()) matches++;
                        long t3 = System.nanoTime();
                        if (round > 0) { // the first round warms up the JIT
                            total.add(t3 - t0);
                            extract.add(t2 - t1);
                            match.add(t3 - t2);
                        }
                    }
                }
            }
        }
        return new Result(total.size(), Stats.of(toArray(total)), Stats.of(toArray(extract)), Stats.of(toArray(match)), matches, attempts, refused);
    }

    private static long[] toArray(List<Long> l) {
        long[] a = new long[l.size()];
        for (int i = 0; i < a.length; i++) a[i] = l.get(i);
        return a;
    }
}
