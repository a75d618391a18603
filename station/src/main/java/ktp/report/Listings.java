package ktp.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import ktp.store.Job;
import ktp.store.LedgerEntry;

/** The queue and the ledger as JSON, the same from `ktp queue --json`, `ktp ledger --json` and the console's API. */
public final class Listings {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Listings() {}

    public static ArrayNode jobs(List<Job> jobs) {
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

    public static ArrayNode ledger(List<LedgerEntry> entries) {
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
