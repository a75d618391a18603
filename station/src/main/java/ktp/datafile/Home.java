package ktp.datafile;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the data files live: the ktp-station checkout the launcher runs from (-Dktp.home), else the nearest
 * folder at or above the working directory that has templates/ and firmware-profiles/. Kept in this low room so
 * that the rooms that read data files (reports, templates) need not reach up to the command line for it.
 */
public final class Home {
    private Home() {}

    public static Path home() {
        String h = System.getProperty("ktp.home");
        if (h != null && !h.isBlank()) return Path.of(h);
        Path cwd = Path.of("").toAbsolutePath();
        for (Path p = cwd; p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("templates")) && Files.isDirectory(p.resolve("firmware-profiles"))) return p;
        }
        return cwd;
    }

    public static Path templates() { return home().resolve("templates"); }
}
