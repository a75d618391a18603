package ktp.station;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import ktp.job.JobState;
import ktp.store.Actor;
import ktp.store.AuditEntry;
import ktp.store.Job;
import ktp.store.Role;
import ktp.store.StationStore;
import ktp.store.StoreException;
import ktp.telemetry.CommandHandler;
import ktp.telemetry.Keyring;
import ktp.telemetry.OutboxPublisher;
import ktp.telemetry.TelemetryCodec;

/**
 * What the station does with the central office's commands, once the publisher has verified them (signed
 * with an office key of the configuration, for this station, inside the command window, never seen before):
 * PAUSE and RESUME switch the flag the job loop reads before taking the next card (a card in progress
 * finishes); AUTHORISE_REPRINT is a reprint decision made at the office, kept as a pending authorisation: only
 * when the station's own supervisor confirms it ({@link #confirmReprint}, {@code ktp reprint confirm}) is the
 * printed card spoiled as superseded and the record put back in the queue for a second blank, in the audit log
 * under the office key that signed it, the supervisor who confirmed, and the reason. Every command is in the audit log (who signed it, who issued it, why, and what was
 * done), carried out or refused; a command id already in the audit log is never carried out again, so a
 * command replayed after a restart changes nothing.
 */
public final class OfficeCommands implements CommandHandler {
    private static final Pattern COMMAND_ID = Pattern.compile("^command (\\S+) ");

    private final StationStore store;
    private final AtomicBoolean paused = new AtomicBoolean();
    private final Set<String> carriedOut = ConcurrentHashMap.newKeySet();

    public OfficeCommands(StationStore store) {
        this.store = store;
        // The ids of the commands of the last window, from the audit log: the publisher's memory does not survive a restart.
        Instant since = Instant.now().minus(OutboxPublisher.COMMAND_WINDOW.plus(Duration.ofMinutes(5)));
        for (AuditEntry a : store.auditLog()) {
            if (a.action().startsWith("OFFICE_") && a.at().isAfter(since)) {
                Matcher m = COMMAND_ID.matcher(a.detail());
                if (m.find()) carriedOut.add(m.group(1));
            }
        }
    }

    public boolean paused() { return paused.get(); }

    @Override
    public boolean alreadyCarriedOut(String commandId) { return carriedOut.contains(commandId); }

    @Override
    public Answer handle(TelemetryCodec.Command c, Keyring.Signer signedBy) {
        Actor office = new Actor("office:" + signedBy.owner(), Role.SUPERVISOR);
        carriedOut.add(c.commandId());
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
        store.audit(office, "OFFICE_" + c.command(), "command " + c.commandId() + " signed by " + signedBy + ", issued by " + c.issuedBy() + " at " + c.issuedAt()
                + (c.recordId() == null ? "" : ", record " + c.recordId()) + (c.reason() == null ? "" : ", reason: " + c.reason())
                + " -> " + (a.accepted() ? "carried out: " : "refused: ") + a.detail());
        return a;
    }

    private Answer reprint(TelemetryCodec.Command c, Actor office) {
        if (c.reason() == null || c.reason().isBlank()) return new Answer(false, "a reprint needs a reason");
        Job job = store.job(c.recordId()).orElse(null);
        if (job == null) return new Answer(false, "no job for record " + c.recordId() + " at this station");
        if (job.state() != JobState.AWAITING_HOLDER && job.state() != JobState.ACTIVATION_FAILED) {
            return new Answer(false, "record " + c.recordId() + " is " + job.state() + "; a reprint is decided for a printed card not yet issued");
        }
        if (pendingReprint(store, c.recordId()).isPresent()) return new Answer(false, "a reprint of " + c.recordId() + " is already waiting for the supervisor's confirmation");
        return new Answer(true, PENDING + ": record " + c.recordId() + " (blank " + job.blankId() + ") is reprinted once the station's supervisor confirms (ktp reprint confirm --record "
                + c.recordId() + ")");
    }

    static final String PENDING = "authorised, pending the station supervisor's confirmation";

    /** The office's authorisation of a reprint of {@code recordId} that no supervisor has confirmed or declined yet, if any. */
    public static java.util.Optional<AuditEntry> pendingReprint(StationStore store, String recordId) {
        AuditEntry pending = null;
        for (AuditEntry a : store.auditLog()) {
            if (a.action().equals("OFFICE_AUTHORISE_REPRINT") && a.detail().contains(", record " + recordId + ",") && a.detail().contains("carried out: " + PENDING)) pending = a;
            if ((a.action().equals("REPRINT_CONFIRMED") || a.action().equals("REPRINT_DECLINED")) && a.detail().startsWith("record " + recordId + " ")) pending = null;
        }
        return java.util.Optional.ofNullable(pending);
    }

    /**
     * The station's supervisor confirms the office's reprint authorisation: the printed card is spoiled as
     * superseded and the record goes back to the queue. Only a supervisor, only for a pending authorisation, only
     * while the card still waits for its holder.
     */
    public static Answer confirmReprint(StationStore store, String recordId, Actor supervisor) {
        if (supervisor.role() != Role.SUPERVISOR) return new Answer(false, supervisor.name() + " is not a supervisor: a reprint is a supervisor's decision");
        java.util.Optional<AuditEntry> pending = pendingReprint(store, recordId);
        if (pending.isEmpty()) return new Answer(false, "no reprint of " + recordId + " authorised by the office is waiting");
        Job job = store.job(recordId).orElse(null);
        if (job == null || (job.state() != JobState.AWAITING_HOLDER && job.state() != JobState.ACTIVATION_FAILED)) {
            return new Answer(false, "record " + recordId + " is " + (job == null ? "not here" : job.state()) + "; nothing to reprint");
        }
        try {
            store.transition(recordId, JobState.VALIDATED, supervisor, "reprint authorised by the central office (audit #" + pending.get().sequence() + ") and confirmed by "
                    + supervisor.name(), null);
            store.audit(supervisor, "REPRINT_CONFIRMED", "record " + recordId + " (office authorisation audit #" + pending.get().sequence() + "): blank " + job.blankId()
                    + " spoiled as superseded, the record is back in the queue");
            return new Answer(true, "record " + recordId + " is back in the queue; blank " + job.blankId() + " is spoiled as superseded");
        } catch (StoreException | ktp.job.IllegalJobTransitionException e) {
            return new Answer(false, e.getMessage());
        }
    }
}
