package ktp.telemetry;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The MQTT topics of the telemetry contract (docs/telemetry.md), all under {@code ktpel/v2/} (version 2: every message signed; version-1 readers would take unsigned messages, so the versions never share topics). */
public final class Topics {
    public static final String ROOT = "ktpel/v2/";
    private static final Pattern STATION = Pattern.compile("^ktpel/v2/stations/([A-Za-z0-9_-]{1,64})/(events|state|health|commands|acks|receipts)$");

    private Topics() {}

    public static String events(String station) { return station(station) + "/events"; }

    public static String state(String station) { return station(station) + "/state"; }

    public static String health(String station) { return station(station) + "/health"; }

    public static String commands(String station) { return station(station) + "/commands"; }

    public static String acks(String station) { return station(station) + "/acks"; }

    public static String receipts(String station) { return station(station) + "/receipts"; }

    /** A collector's heartbeat: it is subscribed and storing events (docs/telemetry.md). */
    public static String collectorHeartbeat(String collector) {
        if (!collector.matches("[A-Za-z0-9_-]{1,64}")) throw new IllegalArgumentException("a collector name is 1 to 64 letters, digits, '_' or '-': '" + collector + "'");
        return ROOT + "collectors/" + collector + "/heartbeat";
    }

    public static final String COLLECTOR_HEARTBEATS = ROOT + "collectors/+/heartbeat";

    /** Every station's messages of one kind, or all kinds ("#"), for subscribers. */
    public static String all(String kind) { return ROOT + "stations/+/" + kind; }

    private static String station(String id) {
        if (!id.matches("[A-Za-z0-9_-]{1,64}")) throw new IllegalArgumentException("a station id is 1 to 64 letters, digits, '_' or '-': '" + id + "'");
        return ROOT + "stations/" + id;
    }

    /** The station id and message kind of a contract topic. */
    public record Parsed(String station, String kind) {}

    public static Optional<Parsed> parse(String topic) {
        Matcher m = STATION.matcher(topic);
        return m.matches() ? Optional.of(new Parsed(m.group(1), m.group(2))) : Optional.empty();
    }
}
