package ktp.sim.bench;

import java.util.Arrays;

/** Medians and percentiles of measured durations; the benchmark reports these, never means alone. */
public record Stats(int samples, double medianMicros, double p99Micros, double minMicros) {
    public static Stats of(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return new Stats(s.length, s[s.length / 2] / 1e3, s[Math.min(s.length - 1, (int) Math.ceil(s.length * 0.99) - 1)] / 1e3, s[0] / 1e3);
    }

    public double perSecond() { return 1e6 / medianMicros; }
}
