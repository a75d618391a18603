package ktp.store;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The store's commit log: one record per committed transaction, appended and forced to disk before MapDB
 * commits. It exists because MapDB 3.1.0's file store does not replay its own write-ahead log after a crash
 * (see docs/store.md), so the journal, not MapDB's file, is what makes a commit durable.
 *
 * <p>Record framing: magic "KTJ1", payload length (u32), transaction number (u64), CRC32C of the payload
 * (u32), payload. Reading stops at the first record that is short or fails its check: a record torn by a
 * crash was never acknowledged to anyone, so dropping it loses nothing committed.
 */
final class Journal implements AutoCloseable {
    private static final int MAGIC = 0x4B544A31; // "KTJ1"
    private static final int HEADER = 4 + 4 + 8 + 4;
    static final byte PUT = 1;
    static final byte REMOVE = 2;

    /** One change inside a transaction: a put or a remove of a serialized key and value in a named table. */
    record Change(String table, byte op, byte[] key, byte[] value) {}

    record Entry(long txNumber, List<Change> changes) {}

    private final FileChannel channel;

    private Journal(FileChannel channel) { this.channel = channel; }

    /**
     * Opens the journal, returns its intact records through {@code read}, and cuts off anything after the last
     * intact record so that new records follow it directly.
     */
    static Journal open(Path file, List<Entry> read) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        long size = ch.size();
        long pos = 0;
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        while (pos + HEADER <= size) {
            header.clear();
            ch.read(header, pos);
            header.flip();
            if (header.getInt() != MAGIC) break;
            int length = header.getInt();
            long tx = header.getLong();
            int crc = header.getInt();
            if (length < 0 || pos + HEADER + length > size) break;
            ByteBuffer payload = ByteBuffer.allocate(length);
            ch.read(payload, pos + HEADER);
            CRC32C c = new CRC32C();
            c.update(payload.array());
            if ((int) c.getValue() != crc) break;
            read.add(new Entry(tx, decode(payload.array())));
            pos += HEADER + length;
        }
        if (pos < size) {
            ch.truncate(pos);
            ch.force(true);
        }
        ch.position(pos);
        return new Journal(ch);
    }

    /** Appends one transaction and forces it to disk: after this returns, the transaction is committed. */
    void append(long txNumber, List<Change> changes) throws IOException {
        byte[] payload = encode(changes);
        CRC32C c = new CRC32C();
        c.update(payload);
        ByteBuffer buf = ByteBuffer.allocate(HEADER + payload.length);
        buf.putInt(MAGIC).putInt(payload.length).putLong(txNumber).putInt((int) c.getValue()).put(payload).flip();
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
            for (int i = 0; i < n; i++) {
                String table = in.readUTF();
                byte op = in.readByte();
                byte[] key = in.readNBytes(in.readInt());
                byte[] value = op == PUT ? in.readNBytes(in.readInt()) : null;
                out.add(new Change(table, op, key, value));
            }
        }
        return out;
    }

    @Override
    public void close() throws IOException { channel.close(); }
}
