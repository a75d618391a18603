package ktp.job;

import java.util.Optional;

/**
 * One legal change of a job's state, with what it means for the blank-card ledger and the outbox.
 *
 * @param event the telemetry event written in the same transaction, if any
 * @param blank what happens to the job's blank card
 * @param needsReason whether the change must carry a reason (it is logged in the audit trail)
 * @param supervisorOnly whether only a supervisor may make it
 */
public record JobTransition(JobState from, JobState to, Optional<EventType> event, BlankEffect blank,
                            boolean needsReason, boolean supervisorOnly) {

    /** The change's effect on the blank-card ledger. */
    public enum BlankEffect {
        NONE,
        /** A blank enters the printer: a new ledger entry, fate still open. */
        ENTERS_PRINTER,
        /** The card is printed: its fate is PRINTED_AWAITING_HOLDER. */
        PRINTED,
        /** The card is handed to its holder: fate ISSUED. */
        ISSUED,
        /** The card is spoiled: fate SPOILED with the reason; the job no longer holds a blank. */
        SPOILED,
        /** A printed card is superseded by a reprint: it is spoiled with the reason, and must be destroyed. */
        SUPERSEDED
    }
}
