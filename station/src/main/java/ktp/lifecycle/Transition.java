package ktp.lifecycle;

/** One legal edge of the national flow, with why it exists (documented in docs/lifecycle.md). */
public record Transition(NationalStatus from, NationalStatus to, Kind kind, String reason) {

    /** Whether an edge moves a record forward, or sends it back after a failure. */
    public enum Kind { FORWARD, FAILURE, RETRY }
}
