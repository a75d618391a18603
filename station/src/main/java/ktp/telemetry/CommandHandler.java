package ktp.telemetry;

/**
 * Carries out a command from the central office and says whether it was accepted, and why not. The publisher
 * hands over only commands whose signature verified with an office key, for this station, issued inside the
 * command window and never carried out before; {@code signedBy} says whose key it was.
 */
public interface CommandHandler {
    record Answer(boolean accepted, String detail) {}

    Answer handle(TelemetryCodec.Command command, Keyring.Signer signedBy);

    /** Whether a command id was carried out already (before a restart too): a second one with that id is a replay. */
    default boolean alreadyCarriedOut(String commandId) { return false; }

    /** Refuses everything: for a publisher that takes no commands. */
    CommandHandler NONE = (c, s) -> new Answer(false, "this station takes no commands");
}
