package ktp.telemetry;

/** Carries out a command from the central office and says whether it was accepted, and why not. */
@FunctionalInterface
public interface CommandHandler {
    record Answer(boolean accepted, String detail) {}

    Answer handle(TelemetryCodec.Command command);

    /** Refuses everything: for a publisher that takes no commands. */
    CommandHandler NONE = c -> new Answer(false, "this station takes no commands");
}
