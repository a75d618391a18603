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
public record FaultSchedule(long seed, List<Step> steps, List<CounterFault> counter) {
    /** Every kind of fault the simulators offer that the campaign injects. */
    public enum Kind {
        PRINTER_JAM, RIBBON_OUT, FEEDER_EMPTY, COVER_OPEN, REJECT_BOX_FULL, PRINTER_GARBAGE, PRINTER_SILENT, HEAD_HOT, PRINTER_UNPLUGGED,
        CHIP_WRITE_FAILS, CHIP_MUTE, CARD_PULLED_OUT, CARD_TAMPERED, DATA_CENTER_DOWN, DATA_CENTER_SLOW, DATA_CENTER_5XX, BROKER_DOWN, READER_UNPLUGGED, DAEMON_SIGKILL,
        /** At the counter, once the printing has settled: the scanner falls silent, garbles its frames, the holder lifts the finger. */
        SCANNER_SILENT, SCANNER_GARBLED, SCANNER_NO_FINGER;

        boolean atCounter() { return this == SCANNER_SILENT || this == SCANNER_GARBLED || this == SCANNER_NO_FINGER; }
    }

    /** A scanner fault in one holder's visit, starting after {@code afterCommands} commands of the issuance were answered well. */
    public record CounterFault(Kind kind, int afterCommands) {
        @Override
        public String toString() { return kind == Kind.SCANNER_NO_FINGER ? kind + " (the holder never puts the finger on)" : kind + " after " + afterCommands + " scanner commands"; }
    }

    /** {@code afterMs}: the wait before the fault; {@code holdMs}: until the technician clears it (or the daemon is restarted). */
    public record Step(int n, Kind kind, int afterMs, int holdMs) {
        @Override
        public String toString() { return "#" + n + " " + kind + " after " + afterMs + " ms, held " + holdMs + " ms"; }
    }

    public static FaultSchedule of(long seed, int faults, int kills) {
        Random r = new Random(seed);
        List<Kind> kinds = new ArrayList<>();
        Kind[] faultKinds = java.util.Arrays.stream(Kind.values()).filter(k -> k != Kind.DAEMON_SIGKILL && !k.atCounter()).toArray(Kind[]::new);
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
        // Every run's counter meets each scanner fault once, in the seed's order, at the seed's moment in the visit
        // (after 0 commands answered well: the capture's first exchange, GenImg; after 1: the next, UpImage as the image comes up).
        List<CounterFault> counter = new ArrayList<>();
        for (Kind k : List.of(Kind.SCANNER_SILENT, Kind.SCANNER_GARBLED, Kind.SCANNER_NO_FINGER)) {
            int after = r.nextInt(2);
            counter.add(new CounterFault(k, k == Kind.SCANNER_NO_FINGER ? 0 : after)); // no finger: none all along
        }
        Collections.shuffle(counter, r);
        return new FaultSchedule(seed, List.copyOf(steps), List.copyOf(counter));
    }

    public Map<Kind, Integer> counts() {
        Map<Kind, Integer> m = new EnumMap<>(Kind.class);
        for (Step s : steps) m.merge(s.kind(), 1, Integer::sum);
        for (CounterFault c : counter) m.merge(c.kind(), 1, Integer::sum);
        return m;
    }

    public String describe() {
        StringBuilder b = new StringBuilder("fault schedule of seed " + seed + " (" + steps.size() + " steps):\n");
        for (Step s : steps) b.append("  ").append(s).append('\n');
        b.append("  then at the counter: ").append(counter).append('\n');
        return b.toString();
    }
}
