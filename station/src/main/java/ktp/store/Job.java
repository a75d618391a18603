package ktp.store;

import java.time.Instant;
import ktp.job.JobState;

/**
 * One print job as the store keeps it.
 *
 * @param blankId the blank card now held for this job (chip UID or serial), or "" when none
 * @param reason the reason of the last rejection, spoilage or failure, or ""
 * @param reprintAuthorised a logged reprint decision allows this NIK through the printer once more
 * @param spoiledBlanks how many blanks this job has spoiled so far
 * @param envelopeSha256 hex SHA-256 of the envelope received; kept after the envelope itself is purged
 * @param revision incremented by every committed change
 */
public record Job(String recordId, int recordVersion, String nik, JobState state, String blankId, String reason,
                  boolean reprintAuthorised, int spoiledBlanks, String envelopeSha256,
                  Instant createdAt, Instant updatedAt, long revision) {

    Job with(JobState newState, String newBlankId, String newReason, boolean newReprint, int newSpoiled, Instant at) {
        return new Job(recordId, recordVersion, nik, newState, newBlankId, newReason, newReprint, newSpoiled,
                envelopeSha256, createdAt, at, revision + 1);
    }
}
