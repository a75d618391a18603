package ktp.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** The shared test data beside the repository; a test that needs it fails (never skips) when it is missing. */
public final class SharedData {
    private SharedData() {}

    public static Path fingerprints() {
        Path dir = Path.of(System.getProperty("ktp.shared", "../../shared"), "data", "fingerprints", "fvc2002-db1b");
        assertTrue(Files.isDirectory(dir), "the FVC2002 DB1_B images are missing at " + dir.toAbsolutePath()
                + " (tests need shared/ beside the repository)");
        return dir;
    }
}
