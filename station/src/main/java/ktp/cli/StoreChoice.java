package ktp.cli;

import java.nio.file.Path;
import java.time.Clock;
import ktp.store.StationStore;
import picocli.CommandLine.Option;

/**
 * Which station store a command reads: a store folder, or the one a station configuration names. A store in
 * use by the running daemon is locked, and the command says so (the console shows the same while it runs).
 */
final class StoreChoice {
    @Option(names = "--store", paramLabel = "DIR", description = "a station store folder (for a demo: DIR/station)")
    Path store;

    @Option(names = "--config", paramLabel = "FILE", description = "the station configuration whose store to use")
    Path config;

    Path resolve() {
        if (store != null) return store;
        return configuration().store();
    }

    ktp.station.StationConfig configuration() {
        if (config == null) throw new BadInputException("this needs the station configuration: --config FILE");
        try {
            return ktp.station.StationConfig.load(config, Paths.home().resolve("firmware-profiles"));
        } catch (ktp.datafile.DataFileException e) {
            throw new BadInputException("--config " + config + ": " + e.getMessage());
        }
    }

    StationStore open() {
        Path dir = resolve();
        if (!StationStore.existsIn(dir)) throw new BadInputException("no station store in " + dir + " (no checkpoint.db or journal.log)");
        try {
            return StationStore.open(dir, null, Clock.systemUTC());
        } catch (RuntimeException e) {
            throw new BadInputException("cannot open the station store " + dir + ": " + e.getMessage());
        }
    }
}
