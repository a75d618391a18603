package ktp.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * The plan and the paperwork of {@link StationStore#repair}: which transactions can be proven (each journal
 * record by its own checksum, the checkpoint by MapDB reading it), which are lost, the copy of the damaged
 * files kept for an investigation, and the report a supervisor signs off.
 */
public final class StoreRepair {
    /** What the repair did: its report, the folder with the damaged files, and the counts. */
    public record Outcome(Path report, Path kept, int recovered, List<String> lost, long lastTx) {}

    private final Path dir;
    private final StoreInspection found;
    private final Clock clock;
    private final List<String> lost = new ArrayList<>();

    StoreRepair(Path dir, StoreInspection found, Clock clock) {
        this.dir = dir;
        this.found = found;
        this.clock = clock;
        long expected = usableCheckpoint() ? found.checkpointTx + 1 : 1;
        for (Journal.Entry e : found.replay) {
            if (e.txNumber() > expected) lost.add(range(expected, e.txNumber() - 1));
            expected = Math.max(expected, e.txNumber() + 1);
        }
        long markTx = found.mark.mark().map(HighWaterMark.Mark::txNumber).orElse(0L);
        if (markTx >= expected) lost.add(range(expected, markTx));
    }

    private boolean usableCheckpoint() { return found.checkpointExists && found.checkpointError.isEmpty(); }

    private static String range(long a, long b) { return a == b ? Long.toString(a) : a + ".." + b; }

    /** The journal records that can be proven, in order (each by its own checksum). */
    List<Journal.Entry> provenEntries() { return found.replay; }

    /** Copies the store's files as they are now into {@code DIR/damaged-TIME/} (0700, files 0600). */
    Path keepCopies(StoreFiles files) throws IOException {
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(clock.instant());
        Path kept = dir.resolve("damaged-" + stamp);
        for (int n = 2; Files.exists(kept); n++) kept = dir.resolve("damaged-" + stamp + "-" + n);
        StoreFiles.createPrivateDirectory(kept);
        Path checkpoint = dir.resolve(StoreInspection.CHECKPOINT_FILE);
        if (Files.exists(checkpoint)) {
            Files.copy(checkpoint, kept.resolve(checkpoint.getFileName()));
            StoreFiles.restrict(kept.resolve(checkpoint.getFileName()));
        }
        // The journal and the mark are read through the store's own locked channels (opening them again in this
        // process and closing that descriptor would drop the process's lock on them).
        write(kept.resolve(StoreFiles.JOURNAL_FILE), found.journalBytes);
        if (files.mark != null) {
            ByteBuffer b = ByteBuffer.allocate((int) files.mark.size());
            while (b.hasRemaining() && files.mark.read(b, b.position()) >= 0) { /* read it all */ }
            write(kept.resolve(HighWaterMark.FILE), b.array());
        }
        return kept;
    }

    String summary(List<long[]> auditGaps) {
        return "recovered " + (usableCheckpoint() ? "the checkpoint (transaction " + found.checkpointTx + ") and " : "")
                + found.replay.size() + " journal transactions; transactions lost: " + (lost.isEmpty() ? "none" : String.join(", ", lost))
                + "; audit entries lost: " + (auditGaps.isEmpty() ? "none" : String.join(", ", auditGaps.stream().map(g -> range(g[0], g[1])).toList()));
    }

    Outcome writeReport(Path report, Path kept, List<long[]> auditGaps, long lastTx, long auditCount, String stationId) throws IOException {
        StringBuilder r = new StringBuilder();
        r.append("KTP station store repair\n");
        r.append("store: ").append(dir.toAbsolutePath()).append("\nstation: ").append(stationId).append("\nrepaired at: ").append(clock.instant()).append('\n');
        r.append("damaged files kept in: ").append(kept.toAbsolutePath()).append("\n\n");
        r.append("What was found:\n");
        for (String d : found.damage) r.append("  - ").append(d).append('\n');
        for (String n : found.notes) r.append("  - (note) ").append(n).append('\n');
        if (found.damage.isEmpty()) r.append("  - no damage: the repair only rewrote the checkpoint and the mark\n");
        r.append("\nWhat was recovered (each proven by its own checksum):\n");
        if (usableCheckpoint()) r.append("  - the checkpoint ").append(StoreInspection.CHECKPOINT_FILE).append(" at transaction ").append(found.checkpointTx).append('\n');
        else r.append("  - no checkpoint could be used\n");
        if (!found.replay.isEmpty()) {
            r.append("  - ").append(found.replay.size()).append(" journal transactions, ").append(found.replay.get(0).txNumber())
                    .append(" to ").append(found.replay.get(found.replay.size() - 1).txNumber()).append(" (with the gaps below)\n");
        }
        r.append("\nWhat was lost (a supervisor must account for it):\n");
        if (lost.isEmpty()) r.append("  - no transaction\n");
        for (String l : lost) r.append("  - transactions ").append(l).append('\n');
        for (long[] g : auditGaps) r.append("  - audit entries ").append(range(g[0], g[1])).append('\n');
        for (Journal.Span s : found.journal.damaged()) {
            r.append("  - journal bytes ").append(s.start()).append("..").append(s.end() - 1).append(": ").append(Journal.guess(found.journalBytes, s)).append('\n');
        }
        found.journal.tail().ifPresent(t -> r.append("  - journal tail from offset ").append(t.start()).append(": ")
                .append(Journal.guess(found.journalBytes, t)).append('\n'));
        r.append("\nAny job, blank or event named in a lost transaction may be in an older state in the repaired store than it\n")
                .append("really was: check the printer's output tray, the blank stock and the data center's records for them.\n");
        r.append("\nThe store now: transaction ").append(lastTx).append(", ").append(auditCount)
                .append(" audit entries (the last one, STORE_REPAIRED, records this repair).\n");
        Path parent = report.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        write(report, r.toString().getBytes(StandardCharsets.UTF_8));
        return new Outcome(report, kept, found.replay.size(), List.copyOf(lost), lastTx);
    }

    private static void write(Path file, byte[] bytes) throws IOException {
        Files.write(file, bytes);
        StoreFiles.restrict(file);
    }
}
