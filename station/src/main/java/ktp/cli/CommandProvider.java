package ktp.cli;

import java.util.List;

/**
 * Lets another module (the simulator) add top-level commands to ktp without the station depending on it.
 * Implementations are found with {@link java.util.ServiceLoader}.
 */
public interface CommandProvider {
    /** Picocli command objects to add as top-level subcommands. */
    List<Object> commands();
}
