package ktp.job;

/** What the station does with a job it finds in a given state when it starts (after a crash or a stop). */
public enum ResumeAction {
    /** Validation is pure: run it again on the stored envelope. */
    REVALIDATE("validate the stored record again"),
    /** Nothing physical has happened yet: take a fresh blank and go on. */
    TAKE_NEW_BLANK("take a fresh blank and encode"),
    /**
     * A blank was in the printer when the station stopped; its chip or surface may be half done, so it is
     * spoiled with the reason, sent to the reject box, and the job goes back for a fresh blank (logged).
     */
    SPOIL_BLANK_AND_REQUEUE("spoil the blank that was in the printer (reject box) and requeue for a fresh blank"),
    /** The card was printed and CARD_PRINTED is in the outbox; only the hand-over to the holder tray remains. */
    MARK_AWAITING_HOLDER("move the printed card to the holder tray"),
    WAIT_FOR_HOLDER("wait for the holder's visit"),
    /** Activation is repeated from the start; the chip's ACTIVATE is idempotent, so a half-finished one is safe. */
    RESTART_ACTIVATION("abandon the interrupted activation; the holder starts again"),
    REQUEUE("requeue for a fresh blank (the spoiled blank stays in the ledger)"),
    WAIT_FOR_SUPERVISOR("wait for a supervisor's decision"),
    /** The record went back to the data center unprinted; it returns only if the data center offers it again. */
    WAIT_FOR_OFFER("nothing until the data center offers the record again"),
    NONE("nothing: the job is finished");

    private final String description;

    ResumeAction(String description) { this.description = description; }

    public String description() { return description; }
}
