package ktp.station;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The station's health, derived from the lanes' states and the store: what the health message, {@code ktp station
 * status} and the console's printer page all show. READY only when every lane can print now and nothing needs a
 * person. Written by the running daemon to the status file beside its store, so that the command line can show it.
 *
 * @param source "daemon" when read from the running daemon, "store" when the daemon is stopped
 */
public record StationHealth(String stationId, Instant at, String source, List<LaneState> lanes, List<Alert> alerts, long queueDepth,
                            long outboxDepth, Long blanksInFeeder, boolean dataCenterReachable, boolean takingRecords, boolean brokerConnected) {

    /** Something a person should look at; {@code printer} is "" for the station as a whole. */
    public record Alert(String code, String printer, String messageEn, String messageId, String detail) {}

    public static final String LANE_FAULTED = "LANE_FAULTED";
    public static final String LANE_PAUSED = "LANE_PAUSED";
    public static final String COVER_OPEN = "COVER_OPEN";
    public static final String PRINTER_SILENT = "PRINTER_SILENT";
    public static final String STATUS_STALE = "STATUS_STALE";
    public static final String FEEDER_UNKNOWN = "FEEDER_UNKNOWN";
    public static final String FEEDER_NEGATIVE = "FEEDER_NEGATIVE";
    public static final String OUTBOX_GROWING = "OUTBOX_GROWING";
    public static final String READER_MISSING = "READER_MISSING";
    public static final String DATA_CENTER_UNREACHABLE = "DATA_CENTER_UNREACHABLE";
    public static final String DAEMON_STOPPED = "DAEMON_STOPPED";

    /** The single word the health message carries for the printers: the worst lane's. */
    public String printerStatus() {
        for (LaneState l : lanes) if (l.kind() == LaneState.Kind.FAULTED) return "FAULTED";
        for (LaneState l : lanes) if (l.kind() == LaneState.Kind.PAUSED) return l.code();
        for (LaneState l : lanes) if (l.kind() == LaneState.Kind.STARTING || l.kind() == LaneState.Kind.STOPPED) return l.kind().name();
        for (LaneState l : lanes) if (l.kind() == LaneState.Kind.PRINTING) return "PRINTING";
        return lanes.isEmpty() ? "UNKNOWN" : "READY";
    }

    /** READY: every lane can print now and no alert is raised. */
    public boolean ready() { return !lanes.isEmpty() && alerts.isEmpty() && lanes.stream().allMatch(LaneState::canPrint); }

    public boolean hasAlert(String code) { return alerts.stream().anyMatch(a -> a.code().equals(code)); }

    /** Where the running daemon of a station keeps this: beside its store folder. */
    public static Path statusFile(Path store) { return store.toAbsolutePath().resolveSibling(store.getFileName() + ".status.json"); }

    private static final ObjectMapper JSON = new ObjectMapper();

    public byte[] toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("stationId", stationId);
        n.put("at", at.toString());
        n.put("source", source);
        n.put("status", ready() ? "READY" : "NOT_READY");
        n.put("printerStatus", printerStatus());
        ArrayNode ls = n.putArray("lanes");
        for (LaneState l : lanes) {
            ObjectNode o = ls.addObject();
            o.put("printer", l.printer());
            o.put("state", l.kind().name());
            o.put("code", l.code());
            o.put("messageEn", l.messageEn());
            o.put("messageId", l.messageId());
            o.put("detail", l.detail());
            o.put("recordId", l.recordId());
            o.put("since", l.since().toString());
        }
        ArrayNode as = n.putArray("alerts");
        for (Alert a : alerts) {
            ObjectNode o = as.addObject();
            o.put("code", a.code());
            o.put("printer", a.printer());
            o.put("messageEn", a.messageEn());
            o.put("messageId", a.messageId());
            o.put("detail", a.detail());
        }
        n.put("queueDepth", queueDepth);
        n.put("outboxDepth", outboxDepth);
        if (blanksInFeeder == null) n.putNull("blanksInFeeder");
        else n.put("blanksInFeeder", blanksInFeeder);
        n.put("dataCenterReachable", dataCenterReachable);
        n.put("takingRecords", takingRecords);
        n.put("brokerConnected", brokerConnected);
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(n);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static StationHealth fromJson(byte[] bytes) throws IOException {
        JsonNode n = JSON.readTree(bytes);
        if (n == null || !n.isObject()) throw new IOException("the status file is not a JSON object");
        List<LaneState> lanes = new ArrayList<>();
        for (JsonNode o : n.path("lanes")) {
            lanes.add(new LaneState(o.path("printer").asText(), LaneState.Kind.valueOf(o.path("state").asText("STOPPED")), o.path("code").asText(),
                    o.path("messageEn").asText(), o.path("messageId").asText(), o.path("detail").asText(), o.path("recordId").asText(),
                    Instant.parse(o.path("since").asText(Instant.EPOCH.toString()))));
        }
        List<Alert> alerts = new ArrayList<>();
        for (JsonNode o : n.path("alerts")) {
            alerts.add(new Alert(o.path("code").asText(), o.path("printer").asText(), o.path("messageEn").asText(), o.path("messageId").asText(), o.path("detail").asText()));
        }
        return new StationHealth(n.path("stationId").asText(), Instant.parse(n.path("at").asText()), n.path("source").asText(), List.copyOf(lanes),
                List.copyOf(alerts), n.path("queueDepth").asLong(), n.path("outboxDepth").asLong(),
                n.path("blanksInFeeder").isNull() || n.path("blanksInFeeder").isMissingNode() ? null : n.path("blanksInFeeder").asLong(),
                n.path("dataCenterReachable").asBoolean(), n.path("takingRecords").asBoolean(), n.path("brokerConnected").asBoolean());
    }
}
