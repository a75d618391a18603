package ktp.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Comparator;
import java.util.List;
import ktp.store.Job;
import ktp.store.LedgerEntry;
import ktp.store.StationStore;

/** The queue and the ledger as JSON, the same from `ktp queue --json`, `ktp ledger --json` and the console's API. */
public final class Listings {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Listings() {}

    /** The station's jobs, oldest first; {@code state} (a JobState name) and {@code nik} narrow it when not empty. */
    public static ArrayNode jobs(StationStore store, String state, String nik) { return jobs(store, state, nik, 0); }

    /**
     * The same, at most the newest {@code limit} jobs when no state and no NIK narrows it (0: every job). Each
     * comes from an index: a state's page from the state index, a NIK's jobs from the NIK index, the newest
     * jobs from the ends of the state index; only {@code limit} 0 without a filter reads every job.
     */
    public static ArrayNode jobs(StationStore store, String state, String nik, int limit) {
        boolean byState = state != null && !state.isEmpty();
        boolean byNik = nik != null && !nik.isEmpty();
        java.util.List<Job> from;
        if (byNik) from = store.jobsWithNik(nik);
        else if (byState) from = java.util.Arrays.stream(ktp.job.JobState.values()).anyMatch(x -> x.name().equals(state))
                ? store.jobsIn(ktp.job.JobState.valueOf(state), Integer.MAX_VALUE) : java.util.List.of();
        else from = limit > 0 ? store.latestJobs(limit) : store.jobs();
        return jobs(from.stream()
                .filter(j -> !byState || j.state().name().equals(state))
                .filter(j -> !byNik || j.nik().equals(nik))
                .sorted(Comparator.comparing(Job::createdAt)).toList());
    }

    /** The ledger, in the order the blanks entered the printers; {@code fate} (a BlankFate name) narrows it when not empty. */
    public static ArrayNode ledger(StationStore store, String fate) {
        java.util.List<LedgerEntry> from = fate == null || fate.isEmpty() ? store.ledger()
                : java.util.Arrays.stream(ktp.store.BlankFate.values()).anyMatch(x -> x.name().equals(fate))
                ? store.ledgerIn(ktp.store.BlankFate.valueOf(fate), Integer.MAX_VALUE) : java.util.List.<LedgerEntry>of();
        return ledger(from.stream()
                .filter(e -> fate == null || fate.isEmpty() || e.fate().name().equals(fate))
                .sorted(Comparator.comparing(LedgerEntry::enteredAt)).toList());
    }

    private static ArrayNode jobs(List<Job> jobs) {
        ArrayNode a = JSON.createArrayNode();
        for (Job j : jobs) {
            ObjectNode n = a.addObject();
            n.put("recordId", j.recordId());
            n.put("nik", j.nik());
            n.put("state", j.state().name());
            n.put("blankId", j.blankId());
            n.put("reason", j.reason());
            n.put("spoiledBlanks", j.spoiledBlanks());
            n.put("createdAt", j.createdAt().toString());
            n.put("updatedAt", j.updatedAt().toString());
        }
        return a;
    }

    private static ArrayNode ledger(List<LedgerEntry> entries) {
        ArrayNode a = JSON.createArrayNode();
        for (LedgerEntry e : entries) {
            ObjectNode n = a.addObject();
            n.put("blankId", e.blankId());
            n.put("recordId", e.recordId());
            n.put("nik", e.nik());
            n.put("fate", e.fate().name());
            n.put("reason", e.reason());
            n.put("enteredAt", e.enteredAt().toString());
            n.put("updatedAt", e.updatedAt().toString());
        }
        return a;
    }
}
