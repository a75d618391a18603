package ktp.station;

import java.util.Optional;
import ktp.job.JobState;
import ktp.record.Envelope;
import ktp.record.PrintRecord;
import ktp.record.Reason;
import ktp.record.RecordRejectedException;
import ktp.record.RecordValidator;
import ktp.store.Actor;
import ktp.store.Admission;
import ktp.store.Job;
import ktp.store.StationStore;

/**
 * Where a record offered to the station enters it: validated first, then stored as a VALIDATED job ready to
 * print, or as a REJECTED job with its reason code (and never printed), or refused because the station has
 * it already or has printed its NIK. A bad envelope adds its own rejected job and changes nothing else.
 */
public final class RecordIntake {
    private final RecordValidator validator;
    private final StationStore store;
    private final Actor actor;

    public RecordIntake(RecordValidator validator, StationStore store, Actor actor) {
        this.validator = validator;
        this.store = store;
        this.actor = actor;
    }

    /** What became of an offered record. */
    public record Outcome(Kind kind, String recordId, Optional<PrintRecord> record, Optional<RecordRejectedException> rejection, String detail) {
        public enum Kind { VALIDATED, REJECTED, NOT_ADMITTED }
    }

    /**
     * Offers the envelope leased as {@code leasedRecordId}. The id comes from the lease, not the envelope, so
     * that even an unreadable envelope is recorded under the record it was meant to be.
     */
    public Outcome offer(String leasedRecordId, byte[] envelope) {
        PrintRecord record;
        try {
            record = validator.validate(envelope).record();
            if (!record.recordId().equals(leasedRecordId)) {
                throw new RecordRejectedException(Reason.RECORD_ID_MISMATCH, "recordId",
                        "the signed record is " + record.recordId() + " but it was leased as " + leasedRecordId);
            }
        } catch (RecordRejectedException e) {
            return reject(leasedRecordId, envelope, e);
        }
        Admission a = store.admit(record.recordId(), record.recordVersion(), record.nik(), envelope, actor);
        if (!a.admitted()) {
            return new Outcome(Outcome.Kind.NOT_ADMITTED, leasedRecordId, Optional.of(record), Optional.empty(), a.detail());
        }
        store.transition(record.recordId(), JobState.VALIDATED, actor, "", null);
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
            PrintRecord record = validator.validate(envelope).record();
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

    private Outcome reject(String recordId, byte[] envelope, RecordRejectedException e) {
        String nik = Envelope.claimedNik(envelope).orElse("");
        Admission a = store.admit(recordId, 0, nik, envelope, actor);
        if (!a.admitted()) {
            // Already known (for example printed earlier, then offered again garbled): keep what is stored.
            return new Outcome(Outcome.Kind.NOT_ADMITTED, recordId, Optional.empty(), Optional.of(e), a.detail());
        }
        store.transition(recordId, JobState.REJECTED, actor, e.reason() + (e.field().isEmpty() ? "" : " [" + e.field() + "]") + ": " + e.getMessage(), null);
        return new Outcome(Outcome.Kind.REJECTED, recordId, Optional.empty(), Optional.of(e), e.reason().name());
    }
}
