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
        if (config == null) throw CliText.bad("err.store.needConfig");
        // The operator's most common slip (a mistyped path), and what is wrong inside the file, in their language.
        if (!java.nio.file.Files.isRegularFile(config)) throw CliText.bad("err.store.noConfig", config);
        try {
            return ktp.station.StationConfig.load(config, Paths.home().resolve("firmware-profiles"));
        } catch (ktp.datafile.DataFileException e) {
            throw CliText.bad("err.store.config", config, e.message(CliText.language()));
        }
    }

    /**
     * The store when no daemon holds it; otherwise, with --config and --user, a signed-in session with the
     * daemon's console (exactly one of the two is set).
     */
    record Access(StationStore store, ConsoleSession console) implements AutoCloseable {
        @Override
        public void close() {
            if (store != null) store.close();
        }
    }

    /** {@code user}: the command's own --user option (an exclusive group cannot hold it beside --config); may be null. */
    Access access(String user) { return access(user, false); }

    /** {@code readOnly}: a command that only reads opens the store without writing a byte of it. */
    Access access(String user, boolean readOnly) {
        Path dir = resolve();
        if (!StationStore.existsIn(dir)) throw CliText.bad("err.store.none", dir);
        try {
            return new Access(readOnly ? StationStore.openReadOnly(dir, Clock.systemUTC()) : StationStore.open(dir, null, Clock.systemUTC()), null);
        } catch (ktp.store.StoreLockedException locked) {
            if (config == null) throw CliText.bad("err.store.lockedNoConfig", locked.message(CliText.language()));
            ktp.station.StationConfig c = configuration();
            if (c.console().users() == null) throw CliText.bad("err.store.noConsole", locked.message(CliText.language()), config);
            if (user == null) throw CliText.bad("err.store.needUser", c.console().listen());
            return new Access(null, ConsoleSession.signIn(c.console().listen(), user));
        } catch (ktp.store.StoreDamagedException e) {
            throw e; // exit 1 with the whole refusal: damage is not a usage error
        } catch (RuntimeException e) {
            throw CliText.bad("err.store.cannotOpen", dir, ktp.store.StoreException.message(e, CliText.language()));
        }
    }
}
