package ktp.station;

import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import ktp.job.JobState;
import ktp.store.Job;
import ktp.store.StationStore;

/**
 * The station's queue of VALIDATED records and who holds which: a lane claims the oldest one before it prepares
 * it, so two lanes never take the same record, and the hand-back of unstarted leases claims them the same way,
 * so a lane cannot start a record at the moment it goes back to the data center.
 */
final class RecordQueue {
    private final StationStore store;
    private final Set<String> claimed = ConcurrentHashMap.newKeySet();

    RecordQueue(StationStore store) { this.store = store; }

    /** The oldest VALIDATED record nobody holds (and not {@code except}) that {@code mayStart} allows, claimed for the caller. */
    synchronized String claimNext(String except, Predicate<String> mayStart) {
        // The state index (docs/store.md): the cost is the queue's length, not the store's history.
        return store.jobsIn(JobState.VALIDATED, Integer.MAX_VALUE).stream()
                .filter(j -> j.state() == JobState.VALIDATED && !j.recordId().equals(except) && !claimed.contains(j.recordId()))
                .filter(j -> mayStart.test(j.recordId()))
                .min(Comparator.comparing(Job::createdAt))
                .map(j -> {
                    claimed.add(j.recordId());
                    return j.recordId();
                }).orElse(null);
    }

    /** Every VALIDATED or LEASED record nobody holds, claimed for the caller (to hand them back). */
    synchronized List<String> claimAllUnstarted() {
        List<String> ids = store.jobsIn(java.util.EnumSet.of(JobState.VALIDATED, JobState.LEASED), Integer.MAX_VALUE).stream()
                .filter(j -> (j.state() == JobState.VALIDATED || j.state() == JobState.LEASED) && !claimed.contains(j.recordId()))
                .map(Job::recordId).toList();
        claimed.addAll(ids);
        return ids;
    }

    void release(String recordId) {
        if (recordId != null) claimed.remove(recordId);
    }

    boolean isClaimed(String recordId) { return claimed.contains(recordId); }
}
