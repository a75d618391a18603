package ktp.lifecycle;

import static ktp.lifecycle.NationalStatus.*;
import static ktp.lifecycle.Transition.Kind.*;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The legal transition graph of the national status flow. It is the one place that says which status may
 * follow which; everything else (the data-center simulator, the station's reports) asks it.
 */
public final class StatusFlow {

    private static final List<Transition> EDGES = List.of(
            edge(UNREGISTERED, BIO_CAPTURED, FORWARD, "The resident is enrolled at the regional desk: photo, ten fingerprints, iris and signature."),
            edge(BIO_CAPTURED, PROCESSING, FORWARD, "The regional server packs the capture for sending."),
            edge(PROCESSING, SENT_FOR_ENROLLMENT, FORWARD, "The packet leaves the regional KTP-el server for the data center over the private network."),
            edge(SENT_FOR_ENROLLMENT, RECEIVED_AT_CENTRAL, FORWARD, "The data center has received the packet."),
            edge(RECEIVED_AT_CENTRAL, SENT_FOR_DEDUP, FORWARD, "The checks at the center passed at the first try; the record goes to de-duplication."),
            edge(RECEIVED_AT_CENTRAL, ENROLL_FAILURE_AT_CENTRAL, FAILURE, "The center's biometric verification found the capture incomplete or unreadable."),
            edge(RECEIVED_AT_CENTRAL, SEARCH_FAILURE_AT_CENTRAL, FAILURE, "The center's search of the record failed."),
            edge(RECEIVED_AT_CENTRAL, ENROLL_FAILURE_AT_REGIONAL, FAILURE, "The regional biometric verification was incomplete, or the capture carries a wrong area code."),
            edge(ENROLL_FAILURE_AT_CENTRAL, BIO_CAPTURED, RETRY, "Unreadable biometrics are captured again at the regional desk."),
            edge(ENROLL_FAILURE_AT_REGIONAL, BIO_CAPTURED, RETRY, "Incomplete regional biometrics are captured again at the regional desk."),
            edge(ENROLL_FAILURE_AT_CENTRAL, PACKET_ENTRY, RETRY, "The packet is sent again without a new capture (the fault was in transfer, not in the biometrics)."),
            edge(SEARCH_FAILURE_AT_CENTRAL, PACKET_ENTRY, RETRY, "The packet is sent again so that the center can repeat the search."),
            edge(ENROLL_FAILURE_AT_REGIONAL, PACKET_ENTRY, RETRY, "The area code is corrected and the packet is sent again."),
            edge(PACKET_ENTRY, SENT_FOR_DEDUP, FORWARD, "The resent packet passed the checks and goes to de-duplication."),
            edge(SENT_FOR_DEDUP, PRINT_READY_RECORD, FORWARD, "De-duplication found the record unique: it may be printed."),
            edge(SENT_FOR_DEDUP, DUPLICATE_RECORD, FAILURE, "The same biometrics already belong to another NIK (one to one or one to many)."),
            edge(SENT_FOR_DEDUP, ADJUDICATE_RECORD, FAILURE, "The fingerprints resemble another record and need a human adjudicator."),
            edge(SENT_FOR_DEDUP, REQUEST_VALIDATION, FAILURE, "The data contradicts itself (for example the NIK encodes a man and the sex field says woman) and the regency/city must validate it."),
            edge(ADJUDICATE_RECORD, PRINT_READY_RECORD, RETRY, "The adjudicator decided the two records are different people."),
            edge(ADJUDICATE_RECORD, DUPLICATE_RECORD, FAILURE, "The adjudicator decided the two records are the same person."),
            edge(REQUEST_VALIDATION, PRINT_READY_RECORD, RETRY, "The regency/city validated and corrected the record."),
            edge(DUPLICATE_RECORD, REQUEST_FOR_DELETION, FAILURE, "The regional office asks the center to delete the duplicate capture."),
            edge(ADJUDICATE_RECORD, REQUEST_FOR_DELETION, FAILURE, "The regional office asks the center to delete the capture under adjudication."),
            edge(REQUEST_VALIDATION, REQUEST_FOR_DELETION, FAILURE, "Validation failed; the regional office asks the center to delete the capture."),
            edge(REQUEST_FOR_DELETION, UNREGISTERED, RETRY, "The capture was deleted (through DELLICA): the NIK is empty of capture data again and the resident may enrol anew."),
            edge(PRINT_READY_RECORD, SENT_FOR_CARD_PRINTING, FORWARD, "A print station leased and acknowledged the record; it will be printed at the region."),
            edge(SENT_FOR_CARD_PRINTING, PRINT_READY_RECORD, RETRY, "The print station gave the record back (lease released or expired before printing) so another may print it."),
            edge(SENT_FOR_CARD_PRINTING, CARD_SHIPPED, FORWARD, "The record's data was shipped to another regional office that will print it (the seed lists this step between sending and printing)."),
            edge(CARD_SHIPPED, CARD_PRINTED, FORWARD, "The office the data was shipped to printed the card."),
            edge(SENT_FOR_CARD_PRINTING, CARD_PRINTED, FORWARD, "The print station encoded and printed the card itself."),
            edge(CARD_PRINTED, CARD_ISSUED, FORWARD, "The holder's live fingerprint matched the chip and the card was activated and handed over."));

    private static final Map<NationalStatus, List<Transition>> OUTGOING = index();

    private StatusFlow() {}

    private static Transition edge(NationalStatus from, NationalStatus to, Transition.Kind kind, String reason) {
        return new Transition(from, to, kind, reason);
    }

    private static Map<NationalStatus, List<Transition>> index() {
        Map<NationalStatus, List<Transition>> byFrom = new EnumMap<>(NationalStatus.class);
        for (NationalStatus s : NationalStatus.values()) byFrom.put(s, new ArrayList<>());
        for (Transition t : EDGES) byFrom.get(t.from()).add(t);
        byFrom.replaceAll((s, list) -> Collections.unmodifiableList(list));
        return Collections.unmodifiableMap(byFrom);
    }

    /** All legal edges, in the order of the flow. */
    public static List<Transition> edges() { return EDGES; }

    /** The legal edges that leave {@code from}. */
    public static List<Transition> from(NationalStatus from) { return OUTGOING.get(from); }

    public static Optional<Transition> find(NationalStatus from, NationalStatus to) {
        return OUTGOING.get(from).stream().filter(t -> t.to() == to).findFirst();
    }

    public static boolean isLegal(NationalStatus from, NationalStatus to) { return find(from, to).isPresent(); }

    /** Returns the edge, or refuses the change with an error that names both statuses. */
    public static Transition require(NationalStatus from, NationalStatus to) {
        return find(from, to).orElseThrow(() -> new IllegalTransitionException(from, to));
    }

    /** The graph as readable text: one line per edge, grouped by phase. */
    public static String toText() {
        StringBuilder out = new StringBuilder();
        Phase current = null;
        for (NationalStatus s : NationalStatus.values()) {
            if (s.phase() != current) {
                current = s.phase();
                out.append("Phase ").append(current.number()).append(" ").append(current.nameEn())
                        .append(" (").append(current.nameId()).append(")\n");
            }
            out.append("  ").append(s).append("  [").append(s.responsibility().name().toLowerCase(java.util.Locale.ROOT)).append("]\n");
            for (Transition t : from(s)) {
                out.append("    -> ").append(t.to()).append("  (").append(t.kind().name().toLowerCase(java.util.Locale.ROOT))
                        .append(") ").append(t.reason()).append('\n');
            }
        }
        return out.toString();
    }

    /** The graph in Graphviz DOT, one cluster per phase; failure edges red, retries dashed. */
    public static String toDot() {
        StringBuilder out = new StringBuilder("digraph ktpel_status_flow {\n  rankdir=TB;\n  node [shape=box, fontname=\"Helvetica\"];\n");
        for (Phase p : Phase.values()) {
            out.append("  subgraph cluster_phase").append(p.number()).append(" {\n    label=\"")
                    .append(p.number()).append(" ").append(p.nameEn()).append(" / ").append(p.nameId()).append("\";\n");
            for (NationalStatus s : NationalStatus.values()) {
                if (s.phase() == p) out.append("    ").append(s).append(";\n");
            }
            out.append("  }\n");
        }
        for (Transition t : EDGES) {
            out.append("  ").append(t.from()).append(" -> ").append(t.to());
            switch (t.kind()) {
                case FAILURE -> out.append(" [color=red]");
                case RETRY -> out.append(" [style=dashed]");
                default -> { }
            }
            out.append(";\n");
        }
        return out.append("}\n").toString();
    }
}
