package ktp.cli;

import java.nio.file.Path;

/** Where the data files live: under the ktp-station checkout the launcher runs from (-Dktp.home), else the working directory. */
final class Paths {
    private Paths() {}

    static Path home() {
        String h = System.getProperty("ktp.home");
        return h == null || h.isBlank() ? Path.of("").toAbsolutePath() : Path.of(h);
    }

    static Path templates() { return home().resolve("templates"); }

    static Path printerProfiles() { return home().resolve("firmware-profiles").resolve("printers"); }
}
