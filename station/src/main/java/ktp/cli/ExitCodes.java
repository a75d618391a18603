package ktp.cli;

/** The exit codes every ktp command uses (documented in the README and in --help). */
public final class ExitCodes {
    /** Done, and the answer is yes (valid, verified, completed). */
    public static final int OK = 0;
    /** The command ran and the answer is no, or something failed at run time (device, store, network). */
    public static final int FAILURE = 1;
    /** The command was used wrongly: unknown option, missing or unreadable file, malformed argument. */
    public static final int BAD_INPUT = 2;

    private ExitCodes() {}
}
