package ktp.sim.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import ktp.sim.demo.SimulatedStation;

/**
 * The whole station, measured through the daemon ({@code ktp station run}) against the simulators on their
 * wires: the data center over HTTP, the printer simulator over TCP, the virtual card in process, MQTT to a
 * collector. Two runs. With zero-latency devices (the printer simulator does not wait for its mechanics)
 * the time between two cards coming out is the software's cost per card: lease and validate, render and pack
 * the panels, the Evolis job stream, the chip's APDUs through SCP03 with read-back, the store's commits and the
 * outbox. With the printer's real timings the idle gap, from one card out to the next card's job arriving,
 * is what the operator would see the printer wait for the software.
 */
public final class StationBench {
    /** Cards not counted while the JIT warms up. */
    private static final int WARM_UP = 3;

    /** {@code stationCpuPerCard}: CPU time of the daemon's own threads between two cards coming out (zero-latency run). */
    public record Result(int cards, Stats perCard, double cardsPerSecond, Stats idleGapZeroLatency,
                         int realCards, double realSpeed, List<Long> realGapsMillis, double realSecondsPerCard, Stats stationCpuPerCard) {}

    /** {@code cpuAtEject}: the station threads' CPU time (ns) sampled as each card came out. */
    private record Run(List<Long> ejects, List<Long> gapsMillis, List<Long> cpuAtEject) {}

    /**
     * The daemon's own threads, by the names it gives them (lanes, preparation, the data center link and its HTTP
     * client, the watch, the outbox publisher and its MQTT client): not the simulators', the broker's or the office's.
     * The in-process virtual card answers its APDUs on the lane's thread, so that small part is counted too.
     */
    static boolean stationThread(String name) {
        return name.startsWith("lane-") || name.startsWith("prepare-") || name.equals("central-link") || name.equals("station-watch")
                || name.equals("outbox-publisher") || name.startsWith("HttpClient-") || name.contains("ktp-station-");
    }

    private static long stationCpuNanos(java.lang.management.ThreadMXBean mx) {
        long sum = 0;
        long[] ids = mx.getAllThreadIds();
        java.lang.management.ThreadInfo[] infos = mx.getThreadInfo(ids);
        for (int i = 0; i < ids.length; i++) {
            if (infos[i] == null || !stationThread(infos[i].getThreadName())) continue;
            long t = mx.getThreadCpuTime(ids[i]);
            if (t > 0) sum += t;
        }
        return sum;
    }

    private StationBench() {}

    public static Result run(int cards, int realCards, double realSpeed, PrintStream log) throws IOException {
        Path tmp = Files.createTempDirectory("ktp-bench-station");
        try {
            log.println("station bench: " + cards + " cards through the daemon with zero-latency devices ...");
            Run fast = run(tmp.resolve("fast"), cards, 1e6, log);
            long[] perCard = new long[fast.ejects().size() - 1 - WARM_UP];
            for (int i = 0; i < perCard.length; i++) perCard[i] = fast.ejects().get(i + 1 + WARM_UP) - fast.ejects().get(i + WARM_UP);
            long[] gaps = fast.gapsMillis().stream().skip(WARM_UP).mapToLong(g -> g * 1_000_000L).toArray();
            Stats per = Stats.of(perCard);
            long[] cpu = new long[fast.cpuAtEject().size() - 1 - WARM_UP];
            for (int i = 0; i < cpu.length; i++) cpu[i] = fast.cpuAtEject().get(i + 1 + WARM_UP) - fast.cpuAtEject().get(i + WARM_UP);
            Run real = null;
            if (realCards > 0) {
                log.println("station bench: " + realCards + " cards at the printer's real timings" + (realSpeed == 1 ? "" : " sped up " + realSpeed + "x") + " ...");
                real = run(tmp.resolve("real"), realCards, realSpeed, log);
            }
            double realPerCard = real == null || real.ejects().size() < 2 ? 0
                    : (real.ejects().get(real.ejects().size() - 1) - real.ejects().get(0)) / 1e9 / (real.ejects().size() - 1);
            return new Result(cards, per, 1e6 / per.medianMicros(), gaps.length == 0 ? null : Stats.of(gaps),
                    realCards, realSpeed, real == null ? List.of() : real.gapsMillis(), realPerCard, Stats.of(cpu));
        } finally {
            WorkDirs.delete(tmp);
        }
    }

    private static Run run(Path dir, int cards, double speed, PrintStream log) throws IOException {
        SimulatedStation.Settings s = new SimulatedStation.Settings(dir, 1, cards, 0, null, null, speed, 0, 0, false);
        try (SimulatedStation station = SimulatedStation.start(s)) {
            // A card at real timings takes about 25 s; allow that plus a margin for a slow machine.
            long deadline = System.nanoTime() + (long) ((60 + cards * 30 / speed) * 1e9);
            java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
            if (!mx.isThreadCpuTimeEnabled()) mx.setThreadCpuTimeEnabled(true);
            List<Long> cpu = new java.util.ArrayList<>();
            long seen = 0;
            // Sampled as each card comes out (every millisecond; this thread's own time is not counted).
            while (station.printer().printed() < cards && System.nanoTime() < deadline) {
                long now = station.printer().printed();
                if (now > seen) {
                    long c = stationCpuNanos(mx);
                    for (long k = seen; k < now; k++) cpu.add(c);
                    seen = now;
                }
                sleep(1);
            }
            cpu.add(stationCpuNanos(mx));
            if (station.printer().printed() < cards) {
                throw new IOException("only " + station.printer().printed() + " of " + cards + " cards printed in time: " + station.daemon().store().countByState());
            }
            return new Run(station.printer().ejectedAtNanos(), station.printer().idleGapsMillis(), cpu);
        }
    }

    private static void sleep(long ms) throws IOException {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
