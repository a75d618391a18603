package ktp.cli;

import java.nio.file.Path;

/**
 * Where the data files live: the ktp-station checkout the launcher runs from (-Dktp.home), else the nearest
 * folder at or above the working directory that has templates/ and firmware-profiles/.
 */
public final class Paths {
    private Paths() {}

    public static Path home() {
        String h = System.getProperty("ktp.home");
        if (h != null && !h.isBlank()) return Path.of(h);
        Path cwd = Path.of("").toAbsolutePath();
        for (Path p = cwd; p != null; p = p.getParent()) {
            if (java.nio.file.Files.isDirectory(p.resolve("templates")) && java.nio.file.Files.isDirectory(p.resolve("firmware-profiles"))) return p;
        }
        return cwd;
    }

    public static Path templates() { return home().resolve("templates"); }

    public static Path cardProfiles() { return home().resolve("firmware-profiles").resolve("cards"); }

    public static Path printerProfiles() { return home().resolve("firmware-profiles").resolve("printers"); }
}
