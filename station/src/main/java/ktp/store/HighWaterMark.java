package ktp.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * The store's high-water mark ({@code store.hwm}): the last committed transaction's number bound to the audit
 * chain's count and head, written and forced after every commit, outside the journal and the checkpoint. It
 * is what tells a store rolled back to an earlier consistent state (a journal cut at a record boundary, a
 * deleted or older checkpoint) from a current one: the store must reach the mark.
 *
 * <p>Two fixed 64-byte slots, written alternately (transaction n goes to slot n % 2), each with its own
 * CRC32C: a write torn by a crash spoils only the slot being written, and the other still holds the previous
 * transaction, which the journal (forced before the mark) is then ahead of by one.
 */
final class HighWaterMark {
    static final String FILE = "store.hwm";
    private static final int MAGIC = 0x4B544831; // "KTH1"
    static final int SLOT = 64;

    /** One mark: the transaction number and the audit chain's state after it. */
    record Mark(long txNumber, long auditCount, byte[] auditHead) {
        String headHex() { return HexFormat.of().formatHex(auditHead); }
    }

    /** What the file holds: the newest intact mark, and what is wrong with the slots, if anything. */
    record Reading(Optional<Mark> mark, List<String> problems) {}

    private HighWaterMark() {}

    static byte[] encode(Mark m) {
        ByteBuffer b = ByteBuffer.allocate(SLOT);
        b.putInt(MAGIC).putLong(m.txNumber()).putLong(m.auditCount()).put(m.auditHead());
        CRC32C c = new CRC32C();
        c.update(b.array(), 0, b.position());
        b.putInt((int) c.getValue());
        return b.array();
    }

    static Optional<Mark> decode(byte[] slot) {
        if (slot.length < SLOT) return Optional.empty();
        ByteBuffer b = ByteBuffer.wrap(slot);
        if (b.getInt() != MAGIC) return Optional.empty();
        long tx = b.getLong();
        long count = b.getLong();
        byte[] head = new byte[32];
        b.get(head);
        int crc = b.getInt();
        CRC32C c = new CRC32C();
        c.update(slot, 0, 4 + 8 + 8 + 32);
        if ((int) c.getValue() != crc || tx < 0 || count < 0) return Optional.empty();
        return Optional.of(new Mark(tx, count, head));
    }

    static Reading read(FileChannel ch) throws IOException {
        long size = ch.size();
        List<String> problems = new ArrayList<>();
        if (size == 0) return new Reading(Optional.empty(), List.of());
        if (size != 2L * SLOT) problems.add("it is " + size + " bytes, not " + 2 * SLOT);
        Mark best = null;
        int intact = 0;
        for (int i = 0; i < 2; i++) {
            ByteBuffer slot = ByteBuffer.allocate(SLOT);
            ch.read(slot, (long) i * SLOT);
            Optional<Mark> m = decode(slot.array());
            if (m.isEmpty()) {
                if (size >= (long) (i + 1) * SLOT) problems.add("slot " + i + " fails its checksum");
                continue;
            }
            intact++;
            if (best == null || m.get().txNumber() > best.txNumber()) best = m.get();
        }
        if (intact == 0) problems.add("no slot is intact");
        return new Reading(Optional.ofNullable(best), List.copyOf(problems));
    }

    /** Records {@code m} in its slot and forces it to disk (after the journal record it follows). */
    static void write(FileChannel ch, Mark m) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(encode(m));
        long at = (m.txNumber() % 2) * SLOT;
        while (b.hasRemaining()) at += ch.write(b, at);
        ch.force(false);
    }

    /** Both slots set to {@code m} (a new store, a migration, a repair): no older mark survives. */
    static void reset(FileChannel ch, Mark m) throws IOException {
        byte[] slot = encode(m);
        ByteBuffer b = ByteBuffer.allocate(2 * SLOT).put(slot).put(slot).flip();
        ch.truncate(0);
        long at = 0;
        while (b.hasRemaining()) at += ch.write(b, at);
        ch.force(true);
    }
}
