package ktp.store;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * The store's commit log: one record per committed transaction, appended and forced to disk before MapDB
 * commits. It exists because MapDB 3.1.0's file store does not replay its own write-ahead log after a crash
 * (see docs/store.md), so the journal, not MapDB's file, is what makes a commit durable.
 *
 * <p>Record framing: magic "KTJ2", payload length (u32), transaction number (u64), CRC32C (u32) over the
 * length, the transaction number and the payload, then the payload. (Format 1, "KTJ1", had the CRC over the
 * payload only, so a flipped bit in a transaction number went unseen; it is still read, never written.)
 *
 * <p>Reading never changes the file: {@link #scan} reports every intact record, every damaged span with
 * intact records after it (damage: committed transactions would be lost), and an unreadable tail with nothing
 * intact after it (a record torn by a crash, or damage to the last records: the store's high-water mark
 * tells which). Only a writer cuts a torn tail off, and only after the store decided it is one.
 */
final class Journal implements AutoCloseable {
    private static final int MAGIC = 0x4B544A32; // "KTJ2"
    private static final int LEGACY_MAGIC = 0x4B544A31; // "KTJ1"
    static final int HEADER = 4 + 4 + 8 + 4;
    /** Larger than any transaction the store writes (an envelope is about 18 KB); bounds the resync search. */
    private static final int MAX_PAYLOAD = 64 << 20;
    static final byte PUT = 1;
    static final byte REMOVE = 2;

    /** One change inside a transaction: a put or a remove of a serialized key and value in a named table. */
    record Change(String table, byte op, byte[] key, byte[] value) {}

    /** One intact record: its transaction, its changes, where it starts in the file and how long it is. */
    record Entry(long txNumber, List<Change> changes, long offset, int length, boolean legacy) {
        Entry(long txNumber, List<Change> changes) { this(txNumber, changes, -1, 0, false); }

        long end() { return offset + length; }
    }

    /** Bytes that are not an intact record: [start, end). */
    record Span(long start, long end) {
        long length() { return end - start; }
    }

    /**
     * What the file holds. {@code damaged} spans each have an intact record after them; {@code tail} is an
     * unreadable end with nothing intact after it; {@code intactEnd} is where the intact prefix ends.
     */
    record Scan(long size, List<Entry> entries, List<Span> damaged, Optional<Span> tail, long intactEnd) {
        boolean clean() { return damaged.isEmpty() && tail.isEmpty(); }

        /** The last intact record before {@code offset}, if any. */
        Optional<Entry> before(long offset) {
            Entry last = null;
            for (Entry e : entries) if (e.end() <= offset) last = e;
            return Optional.ofNullable(last);
        }

        /** The first intact record after {@code offset}, if any. */
        Optional<Entry> after(long offset) {
            for (Entry e : entries) if (e.offset() >= offset) return Optional.of(e);
            return Optional.empty();
        }
    }

    private final FileChannel channel;

    private Journal(FileChannel channel) { this.channel = channel; }

    /** Reads the whole journal through {@code ch} without changing it. */
    static Scan scan(FileChannel ch) throws IOException {
        long size = ch.size();
        if (size > Integer.MAX_VALUE) throw new IOException("the journal is " + size + " bytes, more than this station ever writes between checkpoints");
        ByteBuffer all = ByteBuffer.allocate((int) size);
        while (all.hasRemaining() && ch.read(all, all.position()) >= 0) { /* read it all */ }
        return scan(all.array());
    }

    static Scan scan(byte[] bytes) {
        List<Entry> entries = new ArrayList<>();
        List<Span> damaged = new ArrayList<>();
        Optional<Span> tail = Optional.empty();
        long intactEnd = -1;
        int pos = 0;
        while (pos < bytes.length) {
            Entry e = recordAt(bytes, pos);
            if (e != null) {
                entries.add(e);
                pos += e.length();
                continue;
            }
            if (intactEnd < 0) intactEnd = pos;
            int next = pos + 1;
            while (next < bytes.length && recordAt(bytes, next) == null) next++;
            if (next >= bytes.length) {
                tail = Optional.of(new Span(pos, bytes.length));
                break;
            }
            damaged.add(new Span(pos, next));
            pos = next;
        }
        if (intactEnd < 0) intactEnd = bytes.length;
        return new Scan(bytes.length, List.copyOf(entries), List.copyOf(damaged), tail, intactEnd);
    }

    /** The intact record starting at {@code pos}, or null. */
    private static Entry recordAt(byte[] bytes, int pos) {
        if (bytes.length - pos < HEADER) return null;
        ByteBuffer b = ByteBuffer.wrap(bytes, pos, HEADER);
        int magic = b.getInt();
        if (magic != MAGIC && magic != LEGACY_MAGIC) return null;
        int length = b.getInt();
        long tx = b.getLong();
        int crc = b.getInt();
        if (length < 0 || length > MAX_PAYLOAD || (long) pos + HEADER + length > bytes.length) return null;
        CRC32C c = new CRC32C();
        if (magic == MAGIC) c.update(bytes, pos + 4, 12);
        c.update(bytes, pos + HEADER, length);
        if ((int) c.getValue() != crc) return null;
        try {
            byte[] payload = java.util.Arrays.copyOfRange(bytes, pos + HEADER, pos + HEADER + length);
            return new Entry(tx, decode(payload), pos, HEADER + length, magic == LEGACY_MAGIC);
        } catch (IOException | RuntimeException e) {
            return null; // a checksum collision on garbage: not a record
        }
    }

    /** Reads what can be read of a damaged span's first record, ignoring its checksum (for a supervisor's report). */
    static String guess(byte[] bytes, Span span) {
        int pos = (int) span.start();
        if (span.length() < HEADER) return "a fragment of " + span.length() + " bytes";
        ByteBuffer b = ByteBuffer.wrap(bytes, pos, HEADER);
        b.getInt();
        int length = b.getInt();
        long tx = b.getLong();
        StringBuilder out = new StringBuilder("header says transaction " + tx + ", " + length + " payload bytes");
        if (length > 0 && length <= span.length() - HEADER) {
            try {
                byte[] payload = java.util.Arrays.copyOfRange(bytes, pos + HEADER, pos + HEADER + length);
                List<String> touched = new ArrayList<>();
                for (Change c : decode(payload)) touched.add(c.table() + (c.op() == PUT ? " put " : " remove ") + printableKey(c.key()));
                out.append("; unverified content: ").append(String.join(", ", touched));
            } catch (IOException | RuntimeException e) {
                out.append("; its content cannot be decoded");
            }
        }
        return out.toString();
    }

    private static String printableKey(byte[] key) {
        StringBuilder s = new StringBuilder();
        for (byte k : key) s.append(k >= 0x20 && k < 0x7f ? String.valueOf((char) k) : ".");
        return s.toString();
    }

    /** A journal for appending through {@code ch}, whose intact records end at {@code end}. */
    static Journal forAppend(FileChannel ch, long end) throws IOException {
        ch.position(end);
        return new Journal(ch);
    }

    /** Cuts off a torn tail (a writer, once the store has decided it is one). */
    void truncate(long end) throws IOException {
        channel.truncate(end);
        channel.position(end);
        channel.force(true);
    }

    /** One record's bytes, exactly as {@link #append} writes them. */
    static byte[] frame(long txNumber, List<Change> changes) throws IOException {
        byte[] payload = encode(changes);
        ByteBuffer buf = ByteBuffer.allocate(HEADER + payload.length);
        buf.putInt(MAGIC).putInt(payload.length).putLong(txNumber).putInt(0).put(payload);
        CRC32C c = new CRC32C();
        c.update(buf.array(), 4, 12);
        c.update(payload);
        buf.putInt(16, (int) c.getValue());
        return buf.array();
    }

    /** Appends one transaction and forces it to disk: after this returns, the transaction is committed. */
    void append(long txNumber, List<Change> changes) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(frame(txNumber, changes));
        while (buf.hasRemaining()) channel.write(buf);
        channel.force(false);
    }

    /** Empties the journal once a checkpoint holds everything in it. */
    void clear() throws IOException {
        channel.truncate(0);
        channel.position(0);
        channel.force(true);
    }

    long size() throws IOException { return channel.size(); }

    private static byte[] encode(List<Change> changes) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(changes.size());
            for (Change ch : changes) {
                out.writeUTF(ch.table());
                out.writeByte(ch.op());
                out.writeInt(ch.key().length);
                out.write(ch.key());
                if (ch.op() == PUT) {
                    out.writeInt(ch.value().length);
                    out.write(ch.value());
                }
            }
        }
        return bytes.toByteArray();
    }

    private static List<Change> decode(byte[] payload) throws IOException {
        List<Change> out = new ArrayList<>();
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(payload))) {
            int n = in.readInt();
            if (n < 0 || n > payload.length) throw new IOException("bad change count " + n);
            for (int i = 0; i < n; i++) {
                String table = in.readUTF();
                byte op = in.readByte();
                if (op != PUT && op != REMOVE) throw new IOException("bad operation " + op);
                int keyLength = in.readInt();
                if (keyLength < 0 || keyLength > payload.length) throw new IOException("bad key length");
                byte[] key = in.readNBytes(keyLength);
                byte[] value = null;
                if (op == PUT) {
                    int valueLength = in.readInt();
                    if (valueLength < 0 || valueLength > payload.length) throw new IOException("bad value length");
                    value = in.readNBytes(valueLength);
                }
                out.add(new Change(table, op, key, value));
            }
            if (in.available() != 0) throw new IOException("trailing bytes");
        }
        return out;
    }

    @Override
    public void close() throws IOException { channel.close(); }
}
