package ktp.counter;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ktp.job.JobState;
import ktp.store.Actor;
import ktp.store.AuditEntry;
import ktp.store.Job;
import ktp.store.Role;
import ktp.store.StationStore;

/**
 * A reprint as a workflow: an operator requests it with its reason, a supervisor approves or refuses it, and an
 * approved request waits for the office's AUTHORISE_REPRINT (a second blank for a NIK is the office's decision:
 * the station's policy), which the supervisor then confirms (ktp.station.OfficeCommands.confirmReprint). The
 * audit log is the record of every step, so the workflow's state is read back from it: nothing else to keep in
 * step, and nothing lost at a restart.
 */
public final class Reprints {
    public enum Why { DAMAGED, SPOILED_AFTER_PRINTING, DATA_CORRECTED, LOST }

    public enum Status { REQUESTED, REFUSED, WAITING_FOR_OFFICE, OFFICE_AUTHORISED, REPRINTED }

    public record Request(String recordId, Why why, String note, String requestedBy, Instant at, Status status, String decidedBy, String decisionNote) {
        public boolean open() { return status != Status.REFUSED && status != Status.REPRINTED; }
    }

    public static final String REQUESTED = "REPRINT_REQUESTED";
    public static final String REFUSED = "REPRINT_REQUEST_REFUSED";
    public static final String APPROVED = "REPRINT_REQUEST_APPROVED";

    private Reprints() {}

    /** An operator's (or supervisor's) request for a printed card not yet issued. */
    public static Request request(StationStore store, String recordId, Why why, String note, Actor who) throws HolderActivation.ActivationException {
        Job job = store.job(recordId).orElseThrow(() -> new HolderActivation.ActivationException("no job for record " + recordId));
        if (job.state() != JobState.AWAITING_HOLDER && job.state() != JobState.ACTIVATION_FAILED) {
            throw new HolderActivation.ActivationException("record " + recordId + " is " + job.state() + "; a reprint is requested for a printed card not yet issued");
        }
        if (who.role() != Role.OPERATOR && who.role() != Role.SUPERVISOR) throw new HolderActivation.ActivationException(who + " may not request a reprint");
        if (note == null || note.isBlank() || note.length() > 300) throw new HolderActivation.ActivationException("a reprint request needs a note (at most 300 characters)");
        Request open = all(store).get(recordId);
        if (open != null && open.open()) throw new HolderActivation.ActivationException("a reprint of " + recordId + " is already " + open.status());
        store.audit(who, REQUESTED, "record " + recordId + " blank " + job.blankId() + ": " + why + ": " + note.strip().replace('\n', ' '));
        return all(store).get(recordId);
    }

    /** The supervisor's decision on a request (after the confirmation screen). */
    public static Request decide(StationStore store, String recordId, boolean approve, String note, Actor supervisor) throws HolderActivation.ActivationException {
        if (supervisor.role() != Role.SUPERVISOR) throw new HolderActivation.ActivationException(supervisor + " is not a supervisor: a reprint is a supervisor's decision");
        Request r = all(store).get(recordId);
        if (r == null || r.status() != Status.REQUESTED) throw new HolderActivation.ActivationException("no reprint request of " + recordId + " waits for a decision");
        if (!approve && (note == null || note.isBlank())) throw new HolderActivation.ActivationException("a refusal needs its reason");
        store.audit(supervisor, approve ? APPROVED : REFUSED, "record " + recordId + ": " + (approve ? "approved, waiting for the office's AUTHORISE_REPRINT" : "refused")
                + (note == null || note.isBlank() ? "" : ": " + note.strip().replace('\n', ' ')));
        return all(store).get(recordId);
    }

    /** Every record's latest reprint request with its status, read from the audit log; also the office's authorisations nobody asked for here. */
    public static Map<String, Request> all(StationStore store) {
        Map<String, Request> out = new LinkedHashMap<>();
        for (AuditEntry a : store.auditLog()) {
            String d = a.detail();
            switch (a.action()) {
                case REQUESTED -> {
                    String rec = word(d, 1);
                    String[] parts = d.split(": ", 3);
                    Why why;
                    try {
                        why = Why.valueOf(parts.length > 1 ? parts[1] : "");
                    } catch (IllegalArgumentException e) {
                        why = Why.DAMAGED;
                    }
                    out.put(rec, new Request(rec, why, parts.length > 2 ? parts[2] : "", a.actor(), a.at(), Status.REQUESTED, "", ""));
                }
                case REFUSED, APPROVED -> {
                    String rec = word(d, 1).replace(":", "");
                    Request r = out.get(rec);
                    if (r != null && r.status() == Status.REQUESTED) {
                        int colon = d.indexOf(": ", d.indexOf(": ") + 1);
                        out.put(rec, new Request(rec, r.why(), r.note(), r.requestedBy(), r.at(), a.action().equals(APPROVED) ? Status.WAITING_FOR_OFFICE : Status.REFUSED,
                                a.actor(), colon < 0 ? "" : d.substring(colon + 2)));
                    }
                }
                case "OFFICE_AUTHORISE_REPRINT" -> {
                    int at = d.indexOf(", record ");
                    if (at < 0 || !d.contains("carried out: ")) break;
                    String rec = d.substring(at + 9).split(",")[0].strip();
                    Request r = out.get(rec);
                    if (r == null || !r.open()) {
                        r = new Request(rec, Why.DAMAGED, "", a.actor(), a.at(), Status.OFFICE_AUTHORISED, "", "");
                        out.put(rec, r);
                    } else {
                        out.put(rec, new Request(rec, r.why(), r.note(), r.requestedBy(), r.at(), Status.OFFICE_AUTHORISED, r.decidedBy(), r.decisionNote()));
                    }
                }
                case "REPRINT_CONFIRMED", "REPRINT_DECLINED" -> {
                    String rec = word(d, 1);
                    Request r = out.get(rec);
                    if (r != null) out.put(rec, new Request(rec, r.why(), r.note(), r.requestedBy(), r.at(), a.action().equals("REPRINT_CONFIRMED") ? Status.REPRINTED : Status.REFUSED,
                            a.actor(), r.decisionNote()));
                }
                default -> { }
            }
        }
        return out;
    }

    /** The requests, newest first. */
    public static List<Request> list(StationStore store) {
        List<Request> l = new ArrayList<>(all(store).values());
        l.sort((x, y) -> y.at().compareTo(x.at()));
        return l;
    }

    private static String word(String text, int i) {
        String[] w = text.split(" ");
        return w.length > i ? w[i].replace(":", "") : "";
    }
}
