package ktp.datafile;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A file replaced in one step: written beside its place under a temporary name, then moved over it, so a
 * reader (or a crash) never sees it half written.
 */
public final class AtomicFile {
    private AtomicFile() {}

    /**
     * Every file the station writes this way is readable by its owner only (0600, from its first byte, in
     * folders it creates 0700: {@link PrivateFiles}); reports carry NIKs and names, the users file password
     * hashes. {@code ownerOnly} is kept for the callers' sake and no longer makes a difference.
     */
    public static void write(Path out, byte[] bytes, boolean ownerOnly) throws IOException {
        PrivateFiles.write(out, bytes);
    }
}
