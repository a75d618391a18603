package ktp.job;

/**
 * Station-local states of one print job, from the record's lease to the card's hand-over, each with what the
 * station does with it after a crash. See docs/job-states.md.
 */
public enum JobState {
    LEASED(ResumeAction.REVALIDATE),
    VALIDATED(ResumeAction.TAKE_NEW_BLANK),
    ENCODING(ResumeAction.SPOIL_BLANK_AND_REQUEUE),
    ENCODED(ResumeAction.SPOIL_BLANK_AND_REQUEUE),
    PRINTING(ResumeAction.SPOIL_BLANK_AND_REQUEUE),
    PRINTED(ResumeAction.MARK_AWAITING_HOLDER),
    AWAITING_HOLDER(ResumeAction.WAIT_FOR_HOLDER),
    ACTIVATING(ResumeAction.RESTART_ACTIVATION),
    ISSUED(ResumeAction.NONE),
    REJECTED(ResumeAction.NONE),
    SPOILED(ResumeAction.REQUEUE),
    ACTIVATION_FAILED(ResumeAction.WAIT_FOR_SUPERVISOR),
    /** Handed back to the data center before any blank was used: the lease was released or lost. */
    RELEASED(ResumeAction.WAIT_FOR_OFFER);

    private final ResumeAction onResume;

    JobState(ResumeAction onResume) { this.onResume = onResume; }

    public ResumeAction onResume() { return onResume; }

    public boolean isTerminal() { return onResume == ResumeAction.NONE; }

    /** States in which a blank card is physically inside the printer for this job. */
    public boolean holdsBlankInPrinter() { return this == ENCODING || this == ENCODED || this == PRINTING; }
}
