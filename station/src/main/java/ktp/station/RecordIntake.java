package ktp.station;

import java.util.Optional;
import java.util.function.Supplier;
import ktp.central.IntakePort;
import ktp.job.JobState;
import ktp.record.Envelope;
import ktp.record.PrintRecord;
import ktp.record.Reason;
import ktp.record.RecordRejectedException;
import ktp.record.RecordValidator;
import ktp.record.ValidatedRecord;
import ktp.store.Actor;
import ktp.store.Admission;
import ktp.store.Job;
import ktp.store.StationStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a record offered to the station enters it: validated first, then stored as a VALIDATED job ready to
 * print, or as a REJECTED job with its reason code (and never printed), or refused because the station has
 * it already or has printed its NIK. A bad envelope adds its own rejected job and changes nothing else.
 */
public final class RecordIntake implements IntakePort {
    private static final Logger LOG = LoggerFactory.getLogger(RecordIntake.class);
    private final Supplier<RecordValidator> validator;
    private final ValidatedRecords handoff;
    private final StationStore store;
    private final Actor actor;

    public RecordIntake(RecordValidator validator, StationStore store, Actor actor) { this(() -> validator, store, actor); }

    /** {@code validator} is asked at each record: the daemon swaps it when the trusted keys are reloaded. */
    public RecordIntake(Supplier<RecordValidator> validator, StationStore store, Actor actor) {
        this(validator, store, actor, null);
    }

    /** {@code handoff}: where each record validated here waits for its card's preparation (null: nowhere). */
    RecordIntake(Supplier<RecordValidator> validator, StationStore store, Actor actor, ValidatedRecords handoff) {
        this.handoff = handoff;
        this.validator = validator;
        this.store = store;
        this.actor = actor;
    }

    @Override
    public Decision take(String leasedRecordId, byte[] envelope) {
        Outcome o = offer(leasedRecordId, envelope);
        return switch (o.kind()) {
            case VALIDATED -> Decision.accepted();
            case REJECTED -> new Decision(Decision.Kind.REJECTED, o.rejection().map(r -> r.reason().name()).orElse("REJECTED"),
                    o.rejection().map(Throwable::getMessage).orElse(o.detail()));
            case HELD -> new Decision(Decision.Kind.HELD, o.rejection().map(r -> r.reason().name()).orElse("HELD"), o.detail());
            case NOT_ADMITTED -> new Decision(Decision.Kind.NOT_ADMITTED, "", o.detail());
        };
    }

    /** What became of an offered record. */
    public record Outcome(Kind kind, String recordId, Optional<PrintRecord> record, Optional<RecordRejectedException> rejection, String detail) {
        /** HELD: not stored, to be offered again (signed with a key the station does not trust yet). */
        public enum Kind { VALIDATED, REJECTED, HELD, NOT_ADMITTED }
    }

    /**
     * Offers the envelope leased as {@code leasedRecordId}. The id comes from the lease, not the envelope, so
     * that even an unreadable envelope is recorded under the record it was meant to be.
     */
    public Outcome offer(String leasedRecordId, byte[] envelope) {
        PrintRecord record;
        RecordValidator by;
        ValidatedRecord checked;
        try {
            by = validator.get();
            checked = by.validate(envelope);
            record = checked.record();
            if (!record.recordId().equals(leasedRecordId)) {
                throw new RecordRejectedException(Reason.RECORD_ID_MISMATCH, "recordId",
                        "the signed record is " + record.recordId() + " but it was leased as " + leasedRecordId);
            }
        } catch (RecordRejectedException e) {
            if (e.reason() == Reason.SIGNATURE_UNKNOWN_KEY) return hold(leasedRecordId, e);
            return reject(leasedRecordId, envelope, e);
        } catch (RuntimeException | StackOverflowError e) {
            return reject(leasedRecordId, envelope, internal(e));
        }
        Admission a = store.admit(record.recordId(), record.recordVersion(), record.nik(), envelope, actor);
        if (!a.admitted()) {
            return new Outcome(Outcome.Kind.NOT_ADMITTED, leasedRecordId, Optional.of(record), Optional.empty(), a.detail());
        }
        Job validated = store.transition(record.recordId(), JobState.VALIDATED, actor, "", null);
        // Handed down to the card's preparation: not validated a second time on its way to the printer.
        if (handoff != null) handoff.put(checked, by, validated.envelopeSha256());
        return new Outcome(Outcome.Kind.VALIDATED, leasedRecordId, Optional.of(record), Optional.empty(), "validated");
    }

    /**
     * A job the station stored but had not validated when it stopped (LEASED after a restart: its resume action is
     * REVALIDATE): the stored envelope is validated again and the job moves to VALIDATED or REJECTED, as at intake.
     */
    public Outcome revalidate(String recordId) {
        Job job = store.job(recordId).orElseThrow(() -> new IllegalArgumentException("no job for record " + recordId));
        if (job.state() != JobState.LEASED) return new Outcome(Outcome.Kind.NOT_ADMITTED, recordId, Optional.empty(), Optional.empty(), "record " + recordId + " is " + job.state());
        byte[] envelope = store.envelope(recordId).orElse(new byte[0]);
        try {
            PrintRecord record;
            try {
                record = validator.get().validate(envelope).record();
            } catch (RuntimeException | StackOverflowError e) {
                throw internal(e);
            }
            if (!record.recordId().equals(recordId)) {
                throw new RecordRejectedException(Reason.RECORD_ID_MISMATCH, "recordId", "the signed record is " + record.recordId() + " but it was stored as " + recordId);
            }
            store.transition(recordId, JobState.VALIDATED, actor, "validated again after a restart", null);
            return new Outcome(Outcome.Kind.VALIDATED, recordId, Optional.of(record), Optional.empty(), "validated after a restart");
        } catch (RecordRejectedException e) {
            store.transition(recordId, JobState.REJECTED, actor, e.reason() + (e.field().isEmpty() ? "" : " [" + e.field() + "]") + ": " + e.getMessage(), null);
            return new Outcome(Outcome.Kind.REJECTED, recordId, Optional.empty(), Optional.of(e), e.reason().name());
        }
    }

    /** An exception nobody expected while checking: the record is refused with a stable code naming it. */
    private static RecordRejectedException internal(Throwable e) {
        LOG.error(ktp.i18n.StationLog.line("intake.internal"), e);
        String msg = e.getClass().getName() + ": " + e.getMessage();
        return new RecordRejectedException(Reason.INTERNAL_CHECK_FAILED, "", msg.length() > 500 ? msg.substring(0, 500) + "..." : msg);
    }

    /**
     * Signed with a key the station does not trust (yet): nothing is stored against the record, so that when the
     * data center offers it again after the station's keys are updated (and reloaded), it is taken as any other.
     */
    private Outcome hold(String recordId, RecordRejectedException e) {
        store.audit(actor, "HELD_UNKNOWN_KEY", "record " + recordId + " held, not rejected: " + e.getMessage()
                + "; it is declined so that the data center can offer it again once the station trusts the key");
        return new Outcome(Outcome.Kind.HELD, recordId, Optional.empty(), Optional.of(e),
                "held: " + e.getMessage() + "; offer it again once the station trusts the key (its trusted keys are reloaded on SIGHUP or from the console)");
    }

    private Outcome reject(String recordId, byte[] envelope, RecordRejectedException e) {
        String nik;
        try {
            nik = Envelope.claimedNik(envelope).orElse("");
        } catch (RuntimeException | StackOverflowError odd) {
            nik = "";
        }
        Admission a = store.admit(recordId, 0, nik, envelope, actor);
        if (!a.admitted()) {
            // Already known (for example printed earlier, then offered again garbled): keep what is stored.
            return new Outcome(Outcome.Kind.NOT_ADMITTED, recordId, Optional.empty(), Optional.of(e), a.detail());
        }
        store.transition(recordId, JobState.REJECTED, actor, e.reason() + (e.field().isEmpty() ? "" : " [" + e.field() + "]") + ": " + e.getMessage(), null);
        return new Outcome(Outcome.Kind.REJECTED, recordId, Optional.empty(), Optional.of(e), e.reason().name());
    }
}
