package ktp.datafile;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Files only their owner can read: 0600, in folders the station creates 0700, whatever the process's umask
 * (secrets, reports, records, biometrics). The mode is given when the file or folder is created, so there is
 * no moment at which another user could open it. Folders that already exist (the operator's working
 * directory, /tmp) are left as they are; {@link #restrictDirectory} tightens one the station owns.
 * On a file system without POSIX permissions the folder's own protection applies.
 */
public final class PrivateFiles {
    public static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
    public static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");

    private PrivateFiles() {}

    /** Creates the folder and any missing parent as 0700; an existing folder is not changed. */
    public static Path createDirectories(Path dir) throws IOException {
        Path abs = dir.toAbsolutePath();
        if (Files.isDirectory(abs)) return dir;
        Path parent = abs.getParent();
        if (parent != null) createDirectories(parent);
        try {
            Files.createDirectory(abs, attribute(DIRECTORY));
        } catch (FileAlreadyExistsException raced) {
            if (!Files.isDirectory(abs)) throw raced;
        } catch (UnsupportedOperationException notPosix) {
            Files.createDirectories(abs);
        }
        return dir;
    }

    /** Makes a folder the station owns 0700 (creating it if needed). */
    public static Path restrictDirectory(Path dir) throws IOException {
        createDirectories(dir);
        try {
            Files.setPosixFilePermissions(dir, DIRECTORY);
        } catch (UnsupportedOperationException notPosix) {
            // nothing to tighten
        }
        return dir;
    }

    /** Writes {@code out} in one step (temporary file, then an atomic move) as 0600; missing folders are made 0700. */
    public static void write(Path out, byte[] bytes) throws IOException {
        Path dir = out.toAbsolutePath().getParent();
        createDirectories(dir);
        Path tmp;
        try {
            tmp = Files.createTempFile(dir, "." + out.getFileName() + "-", ".tmp", attribute(FILE));
        } catch (UnsupportedOperationException notPosix) {
            tmp = Files.createTempFile(dir, "." + out.getFileName() + "-", ".tmp");
        }
        try {
            Files.write(tmp, bytes);
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    public static void writeString(Path out, String text) throws IOException { write(out, text.getBytes(StandardCharsets.UTF_8)); }

    /** Whether a file or folder can be read (or, for a folder, entered) by its group or by others. */
    public static boolean readableByOthers(Path p) throws IOException {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
            return perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ)
                    || (Files.isDirectory(p) && (perms.contains(PosixFilePermission.GROUP_EXECUTE) || perms.contains(PosixFilePermission.OTHERS_EXECUTE)));
        } catch (UnsupportedOperationException notPosix) {
            return false;
        }
    }

    /** The mode as ls shows it, for messages: rw-r--r--. */
    public static String mode(Path p) throws IOException {
        try {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
        } catch (UnsupportedOperationException notPosix) {
            return "(no POSIX permissions)";
        }
    }

    private static FileAttribute<Set<PosixFilePermission>> attribute(Set<PosixFilePermission> perms) {
        return PosixFilePermissions.asFileAttribute(perms);
    }
}
