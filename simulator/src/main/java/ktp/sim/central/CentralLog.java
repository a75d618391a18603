package ktp.sim.central;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The data center's state as an append-only log of JSON lines, forced to disk before an answer leaves. A
 * restart replays it. A torn last line (a crash in the middle of a write) is cut off; a bad line anywhere
 * else means the file was damaged, and opening stops with its line number rather than guessing.
 */
final class CentralLog implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final FileChannel channel;
    private final List<ObjectNode> pending = new ArrayList<>();

    private CentralLog(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    static CentralLog open(Path file, Consumer<ObjectNode> replay) throws IOException {
        ktp.datafile.PrivateFiles.createDirectories(file.toAbsolutePath().getParent());
        long goodLength = 0;
        if (Files.exists(file)) {
            byte[] all = Files.readAllBytes(file);
            int start = 0;
            int lineNo = 0;
            while (start < all.length) {
                int end = start;
                while (end < all.length && all[end] != '\n') end++;
                lineNo++;
                if (end == all.length) break; // no newline: torn write at the end, dropped
                ObjectNode entry;
                try {
                    entry = (ObjectNode) JSON.readTree(new String(all, start, end - start, StandardCharsets.UTF_8));
                } catch (IOException | ClassCastException e) {
                    throw new IOException(file + " line " + lineNo + " is not a log entry (" + e.getMessage() + "); the state is damaged");
                }
                replay.accept(entry);
                start = end + 1;
                goodLength = start;
            }
        }
        FileChannel ch = FileChannel.open(file, java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                java.nio.file.attribute.PosixFilePermissions.asFileAttribute(ktp.datafile.PrivateFiles.FILE)); // NIKs and names: owner only
        ch.truncate(goodLength);
        ch.position(goodLength);
        return new CentralLog(file, ch);
    }

    /** Queues an entry; {@link #sync()} writes and forces everything queued. */
    void add(ObjectNode entry) { pending.add(entry); }

    ObjectNode entry(String type) {
        ObjectNode n = JSON.createObjectNode();
        n.put("t", type);
        return n;
    }

    void sync() {
        if (pending.isEmpty()) return;
        StringBuilder sb = new StringBuilder();
        for (ObjectNode n : pending) sb.append(n.toString()).append('\n');
        pending.clear();
        try {
            ByteBuffer buf = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8));
            while (buf.hasRemaining()) channel.write(buf);
            channel.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the data center's state " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() throws IOException {
        sync();
        channel.close();
    }
}
