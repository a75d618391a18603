package ktp.store;

import static ktp.store.StoreFixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One writer, enforced by the operating system (issue 16, Deliver 2): deleting or editing station.lock under a
 * running writer (a separate JVM) admits no second writer, nor a reader, and the writer's later commits survive.
 */
class StoreLockTest {
    @TempDir
    Path dir;

    @Test
    void deletingOrEditingTheLockFileUnderARunningWriterAdmitsNobody() throws Exception {
        Process writer = new ProcessBuilder(StationStoreTest.javaBin(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp",
                System.getProperty("java.class.path"), HoldWorker.class.getName(), dir.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.US_ASCII));
            assertEquals("READY", out.readLine());

            // Deleted: a second process would create a new station.lock and lock that.
            Files.delete(dir.resolve("station.lock"));
            StoreLockedException deleted = assertThrows(StoreLockedException.class, () -> StationStore.open(dir, "LOCK-01", CLOCK));
            assertTrue(deleted.getMessage().contains("in use by another process"), deleted.getMessage());
            assertTrue(deleted.getMessage().contains("pid " + writer.pid()), deleted.getMessage());
            assertTrue(deleted.getMessage().contains("journal.log"), deleted.getMessage());
            assertThrows(StoreLockedException.class, () -> StationStore.openReadOnly(dir, CLOCK));
            assertNotEquals(0, ktp.cli.Ktp.commandLine().execute("ledger", "load", "--store", dir.toString(), "--count", "7",
                    "--reference", "DN-7", "--operator", "budi"), "the issue's second writer: ktp ledger load");

            // Edited: the lock file replaced by one naming nobody.
            Files.writeString(dir.resolve("station.lock"), "");
            assertThrows(StoreLockedException.class, () -> StationStore.open(dir, "LOCK-01", CLOCK));
            Files.delete(dir.resolve("station.lock"));
            assertThrows(StoreLockedException.class, () -> StationStore.open(dir, "LOCK-01", CLOCK));

            writer.getOutputStream().close();
            String done = out.readLine();
            assertTrue(writer.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, writer.exitValue());
            assertEquals("DONE 2", done);
        } finally {
            writer.destroyForcibly();
        }
        try (StationStore s = StationStore.open(dir, "LOCK-01", CLOCK)) {
            assertEquals(2, s.auditSize(), "only the writer's own commits, none of the refused ones");
            assertEquals(0, s.blanksLoadedTotal());
            assertTrue(s.verifyAudit().intact());
        }
    }
}
