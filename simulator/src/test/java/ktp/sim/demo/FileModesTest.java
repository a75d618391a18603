package ktp.sim.demo;

import static org.junit.jupiter.api.Assertions.*;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import ktp.datafile.PrivateFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files a demo run writes, with the umask most systems give (022). On main issuer-master.hex, token.txt,
 * station.yaml, the reports and the log were 0644 in 0755 folders: any user of the machine could read the
 * station's master key and the holders' data. The store's own files (journal, MapDB) are helper 20's room
 * and checked by its tests; here they are listed only.
 */
class FileModesTest {
    static final Path REPO = Path.of(System.getProperty("ktp.repo", "..")).toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @Test
    void aDemoRunUnderUmask022LeavesNothingOtherUsersCanRead() throws Exception {
        Path out = dir.resolve("demo");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String command = "umask 022 && exec '" + java + "' -XX:TieredStopAtLevel=1 -Dktp.home='" + REPO + "' -cp '" + System.getProperty("java.class.path")
                + "' ktp.cli.Ktp demo --cards 2 --out '" + out + "'";
        Process p = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true).redirectOutput(dir.resolve("demo.txt").toFile()).start();
        assertTrue(p.waitFor(240, TimeUnit.SECONDS), "the demo did not finish in 4 minutes");
        assertEquals(0, p.exitValue(), Files.readString(dir.resolve("demo.txt")));

        // a control: a file this shell makes under the same umask is 0644, so the modes below are the code's doing
        Process control = new ProcessBuilder("sh", "-c", "umask 022 && touch '" + dir.resolve("control") + "'").start();
        assertEquals(0, control.waitFor());
        assertEquals("rw-r--r--", PrivateFiles.mode(dir.resolve("control")));

        List<String> readable = new ArrayList<>();
        List<String> all = new ArrayList<>();
        Path store = out.resolve("station");
        try (Stream<Path> files = Files.walk(out)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String line = PosixFilePermissions.toString(Files.getPosixFilePermissions(f)) + " " + out.relativize(f);
                all.add(line);
                if (f.startsWith(store)) continue; // the store's folder and files: helper 20 (StationStore, 0600 in 0700)
                if (PrivateFiles.readableByOthers(f)) readable.add(line);
            }
        }
        System.out.println("FileModesTest: " + String.join(File.pathSeparator.equals(":") ? "; " : ", ", all));
        for (String must : new String[] {"keys/issuer-master.hex", "keys/token.txt", "station.yaml"}) {
            assertTrue(all.stream().anyMatch(l -> l.endsWith(" " + must)), "the demo writes " + must + ": " + all);
        }
        assertTrue(all.stream().anyMatch(l -> l.endsWith(".pdf")), "the demo writes its reports: " + all);
        assertEquals(List.of(), readable, "files and folders other users can read");

        // check-config on the demo's configuration warns about none of its own files, and about each defect by key
        Path yaml = out.resolve("station.yaml");
        String clean = checkConfig(yaml);
        assertFalse(clean.lines().anyMatch(l -> l.startsWith("WARNING") && !l.contains("station.store")), clean);
        Files.setPosixFilePermissions(out.resolve("keys/issuer-master.hex"), PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(out.resolve("keys/token.txt"), PosixFilePermissions.fromString("rw-r-----"));
        Path users = out.resolve("users.json");
        Files.writeString(yaml, Files.readString(yaml).replace("store: station }", "store: not-a-folder }")
                + "console: { listen: \"0.0.0.0:8080\", users: \"" + users + "\" }\n");
        Files.writeString(out.resolve("not-a-folder"), "x");
        String warned = checkConfig(yaml);
        for (String key : new String[] {"WARNING    encoder.master_key: ", "WARNING    central.token_file: ", "WARNING    station.store: ",
                "WARNING    console.users: ", "WARNING    console.listen: "}) {
            assertTrue(warned.contains(key), key + " in:\n" + warned);
        }
        assertTrue(warned.contains("rw-r--r--, readable by other users; make it owner-only: chmod 600"), warned);
        assertTrue(warned.contains("is not a folder"), warned);
        assertTrue(warned.contains("TLS reverse proxy"), warned);
    }

    private static String checkConfig(Path yaml) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        java.io.PrintStream old = System.out;
        System.setOut(new java.io.PrintStream(b, true, java.nio.charset.StandardCharsets.UTF_8));
        int exit;
        try {
            exit = ktp.cli.Ktp.commandLine().execute("station", "check-config", "--lang", "en", yaml.toString());
        } finally {
            System.setOut(old);
        }
        String text = b.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, exit, "warnings do not fail the check: " + text);
        return text;
    }
}
