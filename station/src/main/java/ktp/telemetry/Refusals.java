package ktp.telemetry;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The messages a reader refused: counted by why, the last {@link #KEPT} kept in memory, and each handed to a
 * durable sink (the station's audit log), at most {@link #SINK_PER_HOUR} an hour so that a flood of forgeries
 * cannot fill the disk; past that they are only counted, and the count says so. A refusal never does
 * anything else: no delete, no receipt, no command.
 */
public final class Refusals {
    public static final int KEPT = 100;
    public static final int SINK_PER_HOUR = 200;

    /** One refused message: where it came from, why, and its first bytes. */
    public record Refusal(Instant at, String topic, TelemetryCodec.Rejected.Kind kind, String why, String excerpt) {}

    private final Map<String, Long> counts = new TreeMap<>();
    private final Deque<Refusal> last = new ArrayDeque<>();
    private final Consumer<Refusal> sink;
    private long hourStart;
    private int sunkThisHour;
    private long notSunk;

    public Refusals(Consumer<Refusal> sink) { this.sink = sink; }

    public void refuse(Instant at, String topic, TelemetryCodec.Rejected r, byte[] payload) {
        String excerpt = new String(payload, 0, Math.min(payload.length, 300), java.nio.charset.StandardCharsets.UTF_8).replaceAll("[\\p{Cntrl}]", "?");
        Refusal x = new Refusal(at, topic, r.kind(), r.getMessage(), excerpt);
        boolean toSink;
        synchronized (this) {
            counts.merge(r.kind().name(), 1L, Long::sum);
            last.addLast(x);
            if (last.size() > KEPT) last.removeFirst();
            long hour = at.getEpochSecond() / 3600;
            if (hour != hourStart) {
                hourStart = hour;
                sunkThisHour = 0;
            }
            toSink = sunkThisHour < SINK_PER_HOUR;
            if (toSink) sunkThisHour++; else notSunk++;
        }
        if (toSink) sink.accept(x);
    }

    /** Counts by kind (what the station's health message reports). */
    public synchronized Map<String, Long> counts() { return Map.copyOf(counts); }

    public synchronized long total() { return counts.values().stream().mapToLong(Long::longValue).sum(); }

    /** Refusals counted but not written to the sink this hour, over its budget. */
    public synchronized long notKept() { return notSunk; }

    public synchronized List<Refusal> recent() { return List.copyOf(last); }
}
