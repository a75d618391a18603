package ktp.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The test data kept in the repository (testdata/, with its source and licence), so the suite passes on a
 * user's clone with nothing beside it; a test that needs it fails (never skips) when it is missing.
 */
public final class SharedData {
    private SharedData() {}

    /** The 80 FVC2002 DB1_B images (PNG, 500 dpi). */
    public static Path fingerprints() {
        Path dir = Path.of(System.getProperty("ktp.repo", "..")).toAbsolutePath().normalize()
                .resolve("testdata/fingerprints/fvc2002-db1b");
        assertTrue(Files.isDirectory(dir), "the FVC2002 DB1_B images are missing at " + dir
                + " (they are part of the repository: testdata/fingerprints)");
        return dir;
    }
}
