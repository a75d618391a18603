package ktp.sim.soak;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The faults of one campaign, all drawn from its seed before the run starts: which fault, how long after the
 * previous one, and how long the technician takes to clear it. The same seed gives the same schedule.
 */
public record FaultSchedule(long seed, List<Step> steps) {
    /** Every kind of fault the simulators offer that the campaign injects. */
    public enum Kind {
        PRINTER_JAM, RIBBON_OUT, FEEDER_EMPTY, COVER_OPEN, REJECT_BOX_FULL, PRINTER_GARBAGE, PRINTER_SILENT, HEAD_HOT, PRINTER_UNPLUGGED,
        CHIP_WRITE_FAILS, CHIP_MUTE, CARD_PULLED_OUT, CARD_TAMPERED, DATA_CENTER_DOWN, DATA_CENTER_SLOW, DATA_CENTER_5XX, BROKER_DOWN, READER_UNPLUGGED, DAEMON_SIGKILL
    }

    /** {@code afterMs}: the wait before the fault; {@code holdMs}: until the technician clears it (or the daemon is restarted). */
    public record Step(int n, Kind kind, int afterMs, int holdMs) {
        @Override
        public String toString() { return "#" + n + " " + kind + " after " + afterMs + " ms, held " + holdMs + " ms"; }
    }

    public static FaultSchedule of(long seed, int faults, int kills) {
        Random r = new Random(seed);
        List<Kind> kinds = new ArrayList<>();
        Kind[] faultKinds = java.util.Arrays.stream(Kind.values()).filter(k -> k != Kind.DAEMON_SIGKILL).toArray(Kind[]::new);
        // Every kind at least once when the budget allows, the rest at random. A budget smaller than the kinds takes them
        // in turn from a place set by the seed, so that consecutive seeds together cover every kind.
        int from = (int) Math.floorMod(seed * faults, (long) faultKinds.length);
        for (int i = 0; i < faults; i++) {
            kinds.add(i < faultKinds.length ? faultKinds[(from + i) % faultKinds.length] : faultKinds[r.nextInt(faultKinds.length)]);
        }
        for (int i = 0; i < kills; i++) kinds.add(Kind.DAEMON_SIGKILL);
        Collections.shuffle(kinds, r);
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < kinds.size(); i++) steps.add(new Step(i + 1, kinds.get(i), 200 + r.nextInt(1800), 300 + r.nextInt(2200)));
        return new FaultSchedule(seed, List.copyOf(steps));
    }

    public Map<Kind, Integer> counts() {
        Map<Kind, Integer> m = new EnumMap<>(Kind.class);
        for (Step s : steps) m.merge(s.kind(), 1, Integer::sum);
        return m;
    }

    public String describe() {
        StringBuilder b = new StringBuilder("fault schedule of seed " + seed + " (" + steps.size() + " steps):\n");
        for (Step s : steps) b.append("  ").append(s).append('\n');
        return b.toString();
    }
}
