package ktp.collector;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;

/**
 * The collector's store: every accepted event, one JSON line each, appended to {@code events.jsonl}. A line
 * is handed to the operating system before the broker is acknowledged (so a killed collector loses nothing),
 * and forced to the disk at least every {@link #FORCE_EVERY_MS} ms. At start the file is replayed; a torn
 * last line (a crash mid-write) is cut off, a damaged line elsewhere stops the start with its line number.
 */
final class EventArchive implements AutoCloseable {
    static final long FORCE_EVERY_MS = 200;

    private final Path file;
    private final FileChannel channel;
    private volatile long lastForce = System.currentTimeMillis();

    private EventArchive(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    /** Opens (creating) the archive in {@code dir} and feeds every stored line to {@code replay}, in order. */
    static EventArchive open(Path dir, Consumer<byte[]> replay) throws IOException { return open(dir, "events.jsonl", replay); }

    static EventArchive open(Path dir, String name, Consumer<byte[]> replay) throws IOException {
        ktp.datafile.PrivateFiles.createDirectories(dir);
        Path file = dir.resolve(name);
        long good = 0;
        if (Files.exists(file)) {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8))) {
                String line;
                int n = 0;
                long size = Files.size(file);
                while ((line = in.readLine()) != null) {
                    n++;
                    long next = good + line.getBytes(StandardCharsets.UTF_8).length + 1;
                    if (next > size) break; // no newline: the last write was torn; cut it off below
                    try {
                        replay.accept(line.getBytes(StandardCharsets.UTF_8));
                    } catch (IllegalArgumentException e) {
                        throw new IOException(file + " line " + n + " is damaged: " + e.getMessage());
                    }
                    good = next;
                }
            }
        }
        FileChannel ch = FileChannel.open(file, java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                java.nio.file.attribute.PosixFilePermissions.asFileAttribute(ktp.datafile.PrivateFiles.FILE)); // NIKs and names: owner only
        ch.truncate(good);
        ch.position(good);
        return new EventArchive(file, ch);
    }

    synchronized void append(byte[] json) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(json.length + 1);
        b.put(json).put((byte) '\n').flip();
        while (b.hasRemaining()) channel.write(b);
        long now = System.currentTimeMillis();
        if (now - lastForce >= FORCE_EVERY_MS) {
            channel.force(false);
            lastForce = now;
        }
    }

    /**
     * Forces everything appended so far to the disk. Not under the archive's monitor: FileChannel.force may run
     * while another thread appends (what it appends meanwhile may or may not be included, and is forced by the
     * next call), so the collector keeps storing while its receipts wait for the disk.
     */
    void force() throws IOException {
        channel.force(false);
        lastForce = System.currentTimeMillis();
    }

    Path file() { return file; }

    @Override
    public synchronized void close() throws IOException {
        channel.force(false);
        channel.close();
    }
}
