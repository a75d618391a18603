package ktp.station;

import java.util.concurrent.atomic.AtomicBoolean;
import ktp.job.JobState;
import ktp.store.Actor;
import ktp.store.Job;
import ktp.store.Role;
import ktp.store.StationStore;
import ktp.store.StoreException;
import ktp.telemetry.CommandHandler;
import ktp.telemetry.TelemetryCodec;

/**
 * What the station does with the central office's commands: PAUSE and RESUME switch the flag the job loop
 * reads before taking the next card (a card in progress finishes); AUTHORISE_REPRINT is a supervisor's
 * reprint decision made at the office, so the job's printed card is spoiled as superseded and the record goes
 * back to the queue, in the audit log under the office's name and with the reason. Every command is in the
 * audit log, carried out or refused.
 */
public final class OfficeCommands implements CommandHandler {
    private final StationStore store;
    private final AtomicBoolean paused = new AtomicBoolean();

    public OfficeCommands(StationStore store) { this.store = store; }

    public boolean paused() { return paused.get(); }

    @Override
    public Answer handle(TelemetryCodec.Command c) {
        Actor office = new Actor("office:" + c.issuedBy(), Role.SUPERVISOR);
        Answer a = switch (c.command()) {
            case PAUSE -> {
                boolean was = paused.getAndSet(true);
                yield new Answer(true, was ? "already paused" : "paused: no new card will be started");
            }
            case RESUME -> {
                boolean was = paused.getAndSet(false);
                yield new Answer(true, was ? "resumed" : "was not paused");
            }
            case AUTHORISE_REPRINT -> reprint(c, office);
        };
        store.audit(office, "OFFICE_" + c.command(), "command " + c.commandId() + (c.recordId() == null ? "" : " record " + c.recordId())
                + (c.reason() == null ? "" : " reason: " + c.reason()) + " -> " + (a.accepted() ? "carried out: " : "refused: ") + a.detail());
        return a;
    }

    private Answer reprint(TelemetryCodec.Command c, Actor office) {
        if (c.reason() == null || c.reason().isBlank()) return new Answer(false, "a reprint needs a reason");
        Job job = store.job(c.recordId()).orElse(null);
        if (job == null) return new Answer(false, "no job for record " + c.recordId() + " at this station");
        if (job.state() != JobState.AWAITING_HOLDER && job.state() != JobState.ACTIVATION_FAILED) {
            return new Answer(false, "record " + c.recordId() + " is " + job.state() + "; a reprint is decided for a printed card not yet issued");
        }
        try {
            store.transition(c.recordId(), JobState.VALIDATED, office, "reprint authorised by the central office: " + c.reason(), null);
            return new Answer(true, "record " + c.recordId() + " is back in the queue; blank " + job.blankId() + " is spoiled as superseded");
        } catch (StoreException | ktp.job.IllegalJobTransitionException e) {
            return new Answer(false, e.getMessage());
        }
    }
}
