package ktp.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The store folder's files that carry its state, opened and locked for the life of one store: the lock file,
 * the journal and the high-water mark. A writer holds an exclusive operating-system lock (fcntl, through
 * {@link FileChannel#tryLock}) on all three, a reader a shared one: deleting or replacing {@code station.lock}
 * under a running writer admits nobody, because the journal and the mark the writer appends to are still
 * locked, and a journal or mark swapped for a new file is a store that no longer reaches its mark (refused).
 *
 * <p>POSIX locks belong to the process and are released when the process closes <em>any</em> descriptor of the
 * file; so within one process these channels are the only ones ever opened on these files (the journal and
 * the mark are read through them), and a second open of the same folder in the process is refused before any
 * file is opened.
 */
final class StoreFiles implements AutoCloseable {
    static final String LOCK_FILE = "station.lock";
    static final String JOURNAL_FILE = "journal.log";
    static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
    static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
    private static final Map<Path, String> OPEN_HERE = new ConcurrentHashMap<>();

    final Path dir;
    final boolean writer;
    private final Path key;
    private final List<FileChannel> channels;
    private final List<FileLock> locks;
    /** Null for a reader when the file does not exist. */
    final FileChannel lock;
    FileChannel journal;
    FileChannel mark;
    private final String holderLine;

    private StoreFiles(Path dir, boolean writer, Path key, List<FileChannel> channels, List<FileLock> locks,
                       FileChannel lock, FileChannel journal, FileChannel mark, String holderLine) {
        this.holderLine = holderLine;
        this.dir = dir;
        this.writer = writer;
        this.key = key;
        this.channels = channels;
        this.locks = locks;
        this.lock = lock;
        this.journal = journal;
        this.mark = mark;
    }

    /** Opens and locks the files; a writer creates the folder (0700) and the files (0600) when missing. */
    static StoreFiles acquire(Path dir, boolean writer) {
        if (writer) createPrivateDirectory(dir);
        else if (!Files.isDirectory(dir)) throw new StoreException("store.folder.none", dir);
        Path key;
        try {
            key = dir.toRealPath();
        } catch (IOException e) {
            throw new StoreException(e, "store.folder.cannotResolve", dir, e.getMessage());
        }
        String line = "pid " + ProcessHandle.current().pid() + " (" + ProcessHandle.current().info().command().orElse("java") + ") since " + Instant.now();
        String already = OPEN_HERE.putIfAbsent(key, line);
        if (already != null) throw new StoreLockedException("store.locked.here", dir, already);
        List<FileChannel> channels = new ArrayList<>();
        List<FileLock> locks = new ArrayList<>();
        try {
            // A writer creates what is missing only in a new folder; in a store that has data, a missing file is
            // created after the store was found sound (a damaged store must stay exactly as it is).
            boolean create = writer && !StationStore.existsIn(dir);
            FileChannel lock = openAndLock(dir.resolve(LOCK_FILE), writer, writer, channels, locks, dir, null);
            FileChannel journal = openAndLock(dir.resolve(JOURNAL_FILE), writer, create, channels, locks, dir, LOCK_FILE);
            FileChannel mark = openAndLock(dir.resolve(HighWaterMark.FILE), writer, create, channels, locks, dir, LOCK_FILE);
            return new StoreFiles(dir, writer, key, channels, locks, lock, journal, mark, line);
        } catch (RuntimeException e) {
            release(channels, locks);
            OPEN_HERE.remove(key);
            throw e;
        }
    }

    private static FileChannel openAndLock(Path file, boolean writer, boolean create, List<FileChannel> channels, List<FileLock> locks, Path dir,
                                           String lockFileName) {
        FileChannel ch;
        try {
            if (writer) {
                Set<OpenOption> options = create ? Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)
                        : Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE);
                FileAttribute<Set<PosixFilePermission>> mode = PosixFilePermissions.asFileAttribute(FILE_MODE);
                ch = FileChannel.open(file, options, mode);
                restrict(file);
            } else {
                ch = FileChannel.open(file, StandardOpenOption.READ);
            }
        } catch (NoSuchFileException e) {
            return null; // a reader of a store that never had this file
        } catch (IOException e) {
            throw new StoreException(e, "store.file.cannotOpen", file, e.getMessage());
        }
        channels.add(ch);
        FileLock l;
        try {
            l = ch.tryLock(0, Long.MAX_VALUE, !writer);
        } catch (OverlappingFileLockException e) {
            throw new StoreLockedException("store.locked.hereNoHolder", dir);
        } catch (IOException e) {
            throw new StoreException(e, "store.file.cannotLock", file, e.getMessage());
        }
        if (l == null) {
            String who = lockFileName == null ? holder(file) : holderOf(file)
                    + " (it holds " + file.getFileName() + " locked although " + lockFileName + " was free: its " + lockFileName
                    + " was deleted or replaced while it runs)";
            throw new StoreLockedException("store.locked.other", dir, who);
        }
        locks.add(l);
        return ch;
    }

    /**
     * For a writer whose store was found sound: creates (0600) and locks the journal and the mark if they were
     * missing (a new store, or one of an older format), and names this process in the lock file.
     */
    void claimForWriting() {
        if (journal == null) journal = openAndLock(dir.resolve(JOURNAL_FILE), true, true, channels, locks, dir, LOCK_FILE);
        if (mark == null) mark = openAndLock(dir.resolve(HighWaterMark.FILE), true, true, channels, locks, dir, LOCK_FILE);
        writeHolder(holderLine);
    }

    private void writeHolder(String line) {
        try {
            lock.truncate(0);
            lock.write(java.nio.ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)), 0);
            lock.force(true);
        } catch (IOException e) {
            throw new StoreException(e, "store.lockFile.cannotWrite", dir.resolve(LOCK_FILE), e.getMessage());
        }
    }

    /** The holder named in a lock file that another process holds (reading it here releases nothing of ours). */
    private static String holder(Path lockPath) {
        try {
            String text = Files.readString(lockPath, StandardCharsets.UTF_8).trim();
            return text.isEmpty() ? holderOf(lockPath) : text;
        } catch (IOException e) {
            return holderOf(lockPath);
        }
    }

    /** The process holding a lock on {@code file}, from the kernel's lock table (Linux), when its lock file cannot say. */
    static String holderOf(Path file) {
        try {
            Object ino = Files.getAttribute(file, "unix:ino");
            for (String line : Files.readAllLines(Path.of("/proc/locks"))) {
                if (line.contains("->")) continue;
                String[] f = line.trim().split("\\s+");
                if (f.length < 6) continue;
                String[] dev = f[5].split(":");
                if (dev.length == 3 && dev[2].equals(String.valueOf(ino))) {
                    long pid = Long.parseLong(f[4]);
                    if (pid == ProcessHandle.current().pid()) continue;
                    String command = ProcessHandle.of(pid).flatMap(h -> h.info().command()).orElse("?");
                    return "pid " + pid + " (" + command + ")";
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through: the holder is unknown, the refusal stands
        }
        return "holder unknown";
    }

    /** Creates {@code dir} (and missing parents) as 0700 whatever the umask, and makes an existing store folder 0700. */
    static void createPrivateDirectory(Path dir) {
        try {
            if (!Files.isDirectory(dir)) Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIR_MODE));
            Files.setPosixFilePermissions(dir, DIR_MODE);
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: nothing to restrict
        } catch (IOException e) {
            throw new StoreException(e, "store.folder.cannotCreate", dir, e.getMessage());
        }
    }

    /** Makes a store file 0600 whatever the umask (for files MapDB or a copy created). */
    static void restrict(Path file) {
        try {
            if (Files.exists(file)) Files.setPosixFilePermissions(file, FILE_MODE);
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system
        } catch (IOException e) {
            throw new StoreException(e, "store.file.cannotPrivate", file, e.getMessage());
        }
    }

    /** The files of the store folder whose permissions are wider than 0600 (0700 for the folder). */
    static List<String> openPermissions(Path dir) throws IOException {
        List<String> out = new ArrayList<>();
        Set<PosixFilePermission> others = EnumSet.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
                PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE,
                PosixFilePermission.OTHERS_EXECUTE);
        try (var files = Files.walk(dir)) {
            for (Path p : files.toList()) {
                Set<PosixFilePermission> mode = Files.getPosixFilePermissions(p);
                mode.retainAll(others);
                if (!mode.isEmpty()) out.add(dir.relativize(p) + " is " + PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
            }
        } catch (UnsupportedOperationException e) {
            return List.of();
        }
        return out;
    }

    Optional<FileChannel> journalChannel() { return Optional.ofNullable(journal); }

    private static void release(List<FileChannel> channels, List<FileLock> locks) {
        for (FileLock l : locks) {
            try { l.release(); } catch (IOException ignored) { /* closing the channel releases it too */ }
        }
        for (FileChannel c : channels) {
            try { c.close(); } catch (IOException ignored) { /* nothing more to release */ }
        }
    }

    @Override
    public void close() {
        release(channels, locks);
        OPEN_HERE.remove(key);
    }
}
