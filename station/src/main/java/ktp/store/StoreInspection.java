package ktp.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.mapdb.DB;
import org.mapdb.DBMaker;
import org.mapdb.Serializer;

/**
 * What the store folder holds, read without changing a byte: the checkpoint's transaction, every intact and
 * damaged part of the journal, the high-water mark, and from these whether the store reaches its last commit.
 * {@link #damage()} lists everything that refuses the open (each naming the file, the offset and the
 * transactions around it); {@link #notes()} what a writer will fix by itself (a torn tail, a mark one behind).
 */
final class StoreInspection {
    static final String CHECKPOINT_FILE = "checkpoint.db";
    static final String FORMAT = "2";

    final Path dir;
    final boolean checkpointExists;
    /** The checkpoint's transaction (0 when there is none or it cannot be read). */
    final long checkpointTx;
    final Map<String, String> checkpointMeta;
    final Optional<String> checkpointError;
    final byte[] journalBytes;
    final Journal.Scan journal;
    final HighWaterMark.Reading mark;
    final boolean markFileExists;
    /** The journal's records newer than the checkpoint, in order, as they would be replayed. */
    final List<Journal.Entry> replay;
    /** The last transaction the store reaches (checkpoint plus contiguous journal records). */
    final long lastTx;
    final long auditCount;
    final String auditHead;
    final boolean legacyFormat;
    final List<String> damage = new ArrayList<>();
    final List<String> notes = new ArrayList<>();

    private StoreInspection(Path dir, StoreFiles files) throws IOException {
        this.dir = dir;
        Path checkpoint = dir.resolve(CHECKPOINT_FILE);
        checkpointExists = Files.isRegularFile(checkpoint);
        Map<String, String> meta = Map.of();
        String error = null;
        if (checkpointExists) {
            try {
                meta = readMeta(checkpoint);
                if (meta.get("txNumber") == null && !meta.isEmpty()) error = "it has no transaction number";
            } catch (RuntimeException e) {
                error = e.getMessage() == null ? e.toString() : e.getMessage();
            }
        }
        checkpointMeta = meta;
        checkpointError = Optional.ofNullable(error);
        checkpointTx = error == null ? parse(meta.get("txNumber")) : 0;
        journalBytes = files.journal == null ? new byte[0] : readAll(files.journal);
        journal = Journal.scan(journalBytes);
        markFileExists = files.mark != null && files.mark.size() > 0;
        mark = files.mark == null ? new HighWaterMark.Reading(Optional.empty(), List.of()) : HighWaterMark.read(files.mark);

        Path journalPath = dir.resolve(StoreFiles.JOURNAL_FILE);
        if (checkpointError.isPresent()) {
            damage.add(checkpoint + ": cannot be read (" + checkpointError.get() + "); it was not modified");
        }
        for (Journal.Span s : journal.damaged()) {
            String before = journal.before(s.start()).map(e -> "transaction " + e.txNumber() + " (ends at offset " + e.end() + ")").orElse("none");
            Journal.Entry next = journal.after(s.end()).orElseThrow();
            long from = journal.before(s.start()).map(e -> e.txNumber() + 1).orElse(checkpointTx + 1);
            damage.add(journalPath + ": bytes " + s.start() + ".." + (s.end() - 1) + " (" + s.length() + " bytes) are not an intact record: "
                    + "the last intact record before them is " + before + ", the next intact one is transaction " + next.txNumber()
                    + " at offset " + next.offset() + range(": transactions ", from, next.txNumber() - 1, " cannot be read"));
        }
        // Replay order: records at or below the checkpoint are already in it; the rest must follow on one by one.
        List<Journal.Entry> newer = new ArrayList<>();
        long expected = checkpointTx + 1;
        long previousTx = -1;
        for (Journal.Entry e : journal.entries()) {
            if (e.txNumber() <= previousTx) {
                damage.add(journalPath + ": the record at offset " + e.offset() + " is transaction " + e.txNumber()
                        + ", after transaction " + previousTx + ": the journal is out of order");
            }
            previousTx = e.txNumber();
            if (e.txNumber() < expected) continue;
            if (e.txNumber() != expected) {
                boolean explained = journal.damaged().stream().anyMatch(s -> s.end() == e.offset());
                if (!explained) {
                    String base = newer.isEmpty() ? (checkpointExists ? "the checkpoint " + checkpoint + " (transaction " + checkpointTx + ")"
                            : "an empty store (no checkpoint)") : "transaction " + (expected - 1);
                    damage.add(journalPath + ": the record at offset " + e.offset() + " is transaction " + e.txNumber() + " but "
                            + base + " needs transaction " + expected + " next" + range(": transactions ", expected, e.txNumber() - 1, " are missing")
                            + " (a checkpoint deleted or replaced by an older one?)");
                }
            }
            newer.add(e);
            expected = e.txNumber() + 1;
        }
        replay = List.copyOf(newer);
        lastTx = expected - 1;

        // The state the store reaches: the checkpoint's meta overlaid by the replayed records' meta changes.
        String format = meta.get("format");
        String count = meta.get("auditCount");
        String head = meta.get("auditHead");
        for (Journal.Entry e : replay) {
            for (Journal.Change c : e.changes()) {
                if (!c.table().equals("meta") || c.op() != Journal.PUT) continue;
                String k = Table.string(c.key());
                if (k.equals("format")) format = Table.string(c.value());
                else if (k.equals("auditCount")) count = Table.string(c.value());
                else if (k.equals("auditHead")) head = Table.string(c.value());
            }
        }
        auditCount = parse(count);
        auditHead = head == null || head.isEmpty() ? HexFormat.of().formatHex(AuditChain.GENESIS) : head;
        legacyFormat = format == null && lastTx > 0 && mark.mark().isEmpty() && !markFileExists;

        Path markPath = dir.resolve(HighWaterMark.FILE);
        for (String p : mark.problems()) {
            if (mark.mark().isEmpty()) damage.add(markPath + ": " + p + "; the store cannot show it holds its last commit");
            else notes.add(markPath + ": " + p + " (a write torn by a crash, or damage; the other slot is used)");
        }
        journal.tail().ifPresent(t -> {
            long markTx = mark.mark().map(HighWaterMark.Mark::txNumber).orElse(0L);
            if (lastTx < markTx || !journal.damaged().isEmpty()) {
                damage.add(journalPath + ": the last " + t.length() + " bytes, from offset " + t.start() + ", are not an intact record"
                        + (lastTx < markTx ? ", and the high-water mark says transaction " + markTx + " was committed"
                        + range(": transactions ", lastTx + 1, markTx, " are lost (damaged, not torn by a crash)") : ""));
            } else {
                notes.add(journalPath + ": a record torn by a crash at offset " + t.start() + " (" + t.length()
                        + " bytes), never committed; a writer cuts it off");
            }
        });
        if (legacyFormat) {
            notes.add(dir + ": written by an older version of the store (no format mark, no high-water mark); the next writer migrates it");
        } else if (lastTx > 0 && format == null) {
            damage.add(dir + ": the store has no format mark although it has a high-water mark");
        }
        Optional<HighWaterMark.Mark> m = mark.mark();
        if (m.isEmpty() && !legacyFormat && lastTx > 0 && mark.problems().isEmpty()) {
            damage.add(markPath + " is missing: the store (transaction " + lastTx + ") cannot show that it holds its last commit");
        }
        if (m.isPresent()) {
            HighWaterMark.Mark hw = m.get();
            if (lastTx < hw.txNumber()) {
                String what = lastTx == 0 ? "it has held " + hw.txNumber() + " transactions and now opens empty"
                        : "it reaches only transaction " + lastTx + " (checkpoint " + (checkpointExists ? "at " + checkpointTx : "missing") + ", "
                        + journal.entries().size() + " journal records)";
                damage.add(dir + ": the store was rolled back: its high-water mark " + markPath + " records transaction " + hw.txNumber()
                        + " with " + hw.auditCount() + " audit entries (head " + hw.headHex().substring(0, 16) + "...), but " + what
                        + range("; transactions ", lastTx + 1, hw.txNumber(), " are missing")
                        + (auditCount < hw.auditCount() ? range(", audit entries ", auditCount + 1, hw.auditCount(), " with them") : ""));
            } else if (lastTx == hw.txNumber() && (auditCount != hw.auditCount() || !auditHead.equals(hw.headHex()))) {
                damage.add(dir + ": at transaction " + lastTx + " the audit chain holds " + auditCount + " entries with head "
                        + auditHead.substring(0, 16) + "..., but the high-water mark recorded " + hw.auditCount() + " entries with head "
                        + hw.headHex().substring(0, 16) + "... at that commit");
            } else if (lastTx > hw.txNumber() + 1) {
                notes.add(markPath + " records transaction " + hw.txNumber() + ", older than the store's " + lastTx
                        + " (the mark was replaced by an older copy?); a writer rewrites it");
            }
        }
    }

    static StoreInspection of(Path dir, StoreFiles files) {
        try {
            return new StoreInspection(dir, files);
        } catch (IOException e) {
            throw new StoreException(e, "store.cannotRead", dir, e.getMessage());
        }
    }

    boolean ok() { return damage.isEmpty(); }

    /** The store has never held anything: no checkpoint, no journal record, no mark. */
    boolean fresh() { return lastTx == 0 && !checkpointExists && mark.mark().isEmpty() && journal.entries().isEmpty(); }

    /** The refusal a technician reads: every problem, that nothing changed, and the two commands that help. */
    StoreDamagedException refusal() {
        // The frame is the operator's words; each damage line stays the technical detail (file, offset, transaction).
        return new StoreDamagedException("store.damaged", dir, String.join("\n  - ", damage));
    }

    private static String range(String prefix, long from, long to, String suffix) {
        if (to < from) return "";
        return prefix + (from == to ? Long.toString(from) : from + ".." + to) + suffix;
    }

    private static long parse(String v) {
        try {
            return v == null ? 0 : Long.parseLong(v);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The checkpoint's meta table, read with MapDB in read-only mode (the file is not written). */
    static Map<String, String> readMeta(Path checkpoint) {
        DB db = DBMaker.fileDB(checkpoint.toFile()).readOnly().fileLockDisable().make();
        try {
            if (!db.exists("meta")) return Map.of();
            return Map.copyOf(db.treeMap("meta", Serializer.STRING, Serializer.STRING).valuesOutsideNodesEnable().open());
        } finally {
            db.close();
        }
    }

    private static byte[] readAll(java.nio.channels.FileChannel ch) throws IOException {
        long size = ch.size();
        if (size > Integer.MAX_VALUE) throw new IOException("the journal is " + size + " bytes");
        java.nio.ByteBuffer all = java.nio.ByteBuffer.allocate((int) size);
        while (all.hasRemaining() && ch.read(all, all.position()) >= 0) { /* read it all */ }
        return all.array();
    }
}
