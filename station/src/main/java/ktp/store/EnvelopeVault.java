package ktp.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Where the store keeps envelopes (photo, signature, fingerprint templates) while a job needs them: one file
 * per record in {@code DIR/envelopes/} (0700, files 0600), outside the journal, the working copy and the
 * checkpoint, so that no file that keeps history ever holds biometrics. Purging an envelope overwrites its
 * file with zeros, forces that to disk and deletes it, right after the commit that ends the need; a file a
 * crash left behind is shredded at the next open ({@link StationStore}'s sweep).
 *
 * <p>A file is written (and forced, and renamed into place) before the transaction that references it commits,
 * and is checked against the job's SHA-256 when read. What this cannot promise: a file system or an SSD may
 * keep an overwritten block elsewhere (copy-on-write, wear levelling); a station's disk should be encrypted.
 */
final class EnvelopeVault {
    static final String FOLDER = "envelopes";
    private final Path dir;

    EnvelopeVault(Path storeDir) { this.dir = storeDir.resolve(FOLDER); }

    Path folder() { return dir; }

    static String fileName(String recordId) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(recordId.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 16) + ".env";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** Writes the envelope durably (temporary file, forced, renamed, folder forced) before its commit. */
    void put(String recordId, byte[] envelope) throws IOException {
        StoreFiles.createPrivateDirectory(dir);
        Path target = dir.resolve(fileName(recordId));
        Path tmp = dir.resolve(fileName(recordId) + ".tmp");
        try (FileChannel c = FileChannel.open(tmp, java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE), java.nio.file.attribute.PosixFilePermissions.asFileAttribute(StoreFiles.FILE_MODE))) {
            ByteBuffer b = ByteBuffer.wrap(envelope);
            while (b.hasRemaining()) c.write(b);
            c.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        forceFolder();
    }

    Optional<byte[]> get(String recordId) {
        try {
            return Optional.of(Files.readAllBytes(dir.resolve(fileName(recordId))));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StoreException(e, "store.envelope.cannotRead", recordId, dir, e.getMessage());
        }
    }

    /** Overwrites the file with zeros, forces it, deletes it and forces the folder; false if there was none. */
    boolean shred(String recordId) throws IOException { return shredFile(dir.resolve(fileName(recordId))); }

    boolean shredFile(Path file) throws IOException {
        long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            return false;
        }
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer zeros = ByteBuffer.allocate(8192);
            for (long at = 0; at < size; ) {
                zeros.clear().limit((int) Math.min(zeros.capacity(), size - at));
                at += c.write(zeros, at);
            }
            c.force(true);
        }
        Files.delete(file);
        forceFolder();
        return true;
    }

    /** Every envelope file (and temporary file) in the vault. */
    List<Path> files() throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        List<Path> out = new ArrayList<>();
        try (var list = Files.list(dir)) {
            for (Path p : list.toList()) if (Files.isRegularFile(p)) out.add(p);
        }
        return out;
    }

    private void forceFolder() throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }
}
