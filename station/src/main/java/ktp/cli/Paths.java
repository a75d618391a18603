package ktp.cli;

import java.nio.file.Path;

/**
 * Where the data files live, for the command line (see {@link ktp.datafile.Home}).
 */
public final class Paths {
    private Paths() {}

    public static Path home() { return ktp.datafile.Home.home(); }

    public static Path templates() { return home().resolve("templates"); }

    public static Path cardProfiles() { return home().resolve("firmware-profiles").resolve("cards"); }

    public static Path printerProfiles() { return home().resolve("firmware-profiles").resolve("printers"); }
}
