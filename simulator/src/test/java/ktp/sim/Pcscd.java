package ktp.sim;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The tests that go through the real PC/SC stack need pcscd with the vpcd driver; without it they fail, never skip.
 *
 * <p>vpcd has ONE virtual card slot (port {@value #VPCD_PORT}) for the whole machine: two virtual cards connected
 * at once would take it from each other. The test JVMs run side by side (surefire forks, the office module beside
 * the simulators, another checkout's run), so every test that puts a card into vpcd first takes the slot with
 * {@link #slot}: an exclusive lock on {@value #SLOT_LOCK}, held until the slot is closed. The lock is the
 * kernel's (fcntl through {@link FileChannel#lock}), so a killed JVM gives it back at once.
 */
public final class Pcscd {
    public static final int VPCD_PORT = 35963;

    /**
     * Not /tmp/ktp-pcscd.lock: people hold that one with flock(1) around a whole test run, and a run holding it
     * must still let its own forks take turns at the slot.
     */
    public static final String SLOT_LOCK = "/tmp/ktp-vpcd-slot.lock";

    /** The longest a test waits for the slot: longer than StationCrashTest's worst case (12 min of limits), less than CI's 20. */
    private static final Duration MAX_WAIT = Duration.ofMinutes(15);

    /** A JVM may hold a file lock only once; this serializes the threads of one JVM before they ask the kernel. */
    private static final ReentrantLock IN_THIS_JVM = new ReentrantLock();

    private Pcscd() {}

    public static void requireVpcd() {
        try (Socket probe = new Socket("127.0.0.1", VPCD_PORT)) {
            probe.getInputStream();
        } catch (IOException e) {
            fail("pcscd with the vpcd driver is not listening on 127.0.0.1:" + VPCD_PORT + " (./ktp test starts it): " + e.getMessage());
        }
    }

    /** The vpcd slot, taken for {@code who} (the test, for the message another waiting test prints). */
    public interface Slot extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Waits (at most 15 minutes, then fails naming the holder) until no other test anywhere on this machine has
     * vpcd's slot, and takes it. Checks first that pcscd's vpcd listens.
     */
    public static Slot slot(String who) {
        requireVpcd();
        try {
            if (!IN_THIS_JVM.tryLock(MAX_WAIT.toMillis(), TimeUnit.MILLISECONDS)) fail("vpcd's slot stayed taken by another test of this JVM for " + MAX_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        FileChannel channel = null;
        try {
            channel = open(Path.of(SLOT_LOCK));
            long deadline = System.nanoTime() + MAX_WAIT.toNanos();
            FileLock lock;
            while ((lock = channel.tryLock()) == null) {
                if (System.nanoTime() > deadline) fail("vpcd's slot (" + SLOT_LOCK + ") stayed taken for " + MAX_WAIT + " by " + holder(channel));
                Thread.sleep(200);
            }
            // Who holds it, for a test that waits: read through this same channel (closing another descriptor of
            // the file would drop this JVM's fcntl lock).
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((who + " in pid " + ProcessHandle.current().pid() + " since " + Instant.now() + "\n")
                    .getBytes(StandardCharsets.UTF_8)), 0);
            FileChannel held = channel;
            FileLock taken = lock;
            return () -> {
                try {
                    taken.release();
                    held.close();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } finally {
                    IN_THIS_JVM.unlock();
                }
            };
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            try {
                if (channel != null) channel.close();
            } catch (IOException ignored) {
                // the failure below says what went wrong
            }
            IN_THIS_JVM.unlock();
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            if (e instanceof RuntimeException r) throw r;
            if (e instanceof Error r) throw r;
            throw new IllegalStateException("vpcd's slot lock " + SLOT_LOCK + ": " + e.getMessage(), e);
        }
    }

    /**
     * Opens the lock file, creating it readable and writable by everyone (any user's tests share the one slot).
     * An existing file is opened without O_CREAT: Linux's protected_regular refuses O_CREAT on another user's file
     * in /tmp.
     */
    private static FileChannel open(Path file) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try {
                return FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            } catch (NoSuchFileException absent) {
                try {
                    FileChannel c = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
                    try {
                        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));
                    } catch (IOException | UnsupportedOperationException notOurs) {
                        // others then need their own umask to allow it; the lock works for this user either way
                    }
                    return c;
                } catch (FileAlreadyExistsException raced) {
                    if (attempt > 5) throw raced;
                }
            }
        }
    }

    private static String holder(FileChannel channel) {
        try {
            ByteBuffer b = ByteBuffer.allocate(512);
            int n = channel.read(b, 0);
            return n <= 0 ? "(unnamed)" : new String(b.array(), 0, n, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }
}
