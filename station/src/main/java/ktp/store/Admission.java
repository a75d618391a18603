package ktp.store;

/** The store's answer to a record offered for printing. */
public record Admission(Outcome outcome, Job job, String detail) {
    public enum Outcome {
        /** A new job in LEASED. */
        ADMITTED,
        /** The job is already here and still in flight: the same lease offered again. */
        ALREADY_IN_FLIGHT,
        /** The record was already printed, issued or rejected here: it is not printed again. */
        ALREADY_DONE,
        /** Another record of the same NIK was already printed here and no reprint was decided. */
        NIK_ALREADY_PRINTED
    }

    public boolean admitted() { return outcome == Outcome.ADMITTED; }
}
