package ktp.telemetry;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import ktp.job.EventType;
import ktp.store.OutboxEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The contract's messages as bytes: what is written reads back, and what breaks the contract is refused by kind. */
class TelemetryCodecTest {
    private static final Instant T = Instant.parse("2026-11-28T03:04:05Z");
    private static final OutboxEvent ISSUED = new OutboxEvent(42, "0f8fad5b-d9cb-469f-a165-70867728950e", EventType.CARD_ISSUED, "ST-01",
            "PRR-000001-000007", "3171011606650007", "044B5400000008", "finger 2 matched (score 117.2, attempt 1 of 6)", T);

    private static byte[] utf8(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    @Test
    void anEventCarriesExactlyTheContractsFieldsAndReadsBack() throws Exception {
        byte[] b = TelemetryCodec.event(ISSUED);
        JsonNode n = new ObjectMapper().readTree(b);
        Set<String> fields = new TreeSet<>();
        n.fieldNames().forEachRemaining(fields::add);
        assertEquals(new TreeSet<>(List.of("type", "eventId", "sequence", "stationId", "recordId", "nik", "region", "blankId", "chipUid",
                "reason", "occurredAt")), fields, "no photo, signature or fingerprint field, nothing else");
        assertEquals("{\"type\":\"CARD_ISSUED\",\"eventId\":\"0f8fad5b-d9cb-469f-a165-70867728950e\",\"sequence\":42,\"stationId\":\"ST-01\","
                + "\"recordId\":\"PRR-000001-000007\",\"nik\":\"3171011606650007\",\"region\":\"3171\",\"blankId\":\"044B5400000008\",\"chipUid\":\"044B5400000008\","
                + "\"reason\":\"finger 2 matched (score 117.2, attempt 1 of 6)\",\"occurredAt\":\"2026-11-28T03:04:05Z\"}",
                new String(b, StandardCharsets.UTF_8));
        byte[] batch = TelemetryCodec.eventBatch("ST-01", "0123456789abcdef", List.of(ISSUED), T.plusSeconds(2));
        assertEquals("{\"v\":2,\"stationId\":\"ST-01\",\"run\":\"0123456789abcdef\",\"publishedAt\":\"2026-11-28T03:04:07Z\",\"events\":[" + new String(b, StandardCharsets.UTF_8) + "]}",
                new String(batch, StandardCharsets.UTF_8));
        TelemetryCodec.EventBatch read = TelemetryCodec.parseEventBatch(batch);
        TelemetryCodec.Event e = read.events().get(0);
        assertEquals(EventType.CARD_ISSUED, e.type());
        assertEquals(42, e.sequence());
        assertEquals("3171", e.region());
        assertEquals("044B5400000008", e.chipUid());
        assertEquals(T, e.occurredAt());
        assertEquals(T.plusSeconds(2), e.publishedAt());
        assertArrayEquals(b, read.eventJson().get(0), "the archive keeps each event's bytes as the station wrote them");
        assertEquals(e.eventId(), TelemetryCodec.parseEvent(b).eventId());
    }

    @Test
    void aBatchIsOneStationsEventsInAscendingOrderAndAtMost32() throws Exception {
        OutboxEvent other = new OutboxEvent(43, "0f8fad5b-d9cb-469f-a165-70867728950f", EventType.CARD_PRINTED, "ST-02", "R1", "3171011606650007", "", "", T);
        assertThrows(IllegalArgumentException.class, () -> TelemetryCodec.eventBatch("ST-01", "0123456789abcdef", List.of(ISSUED, other), T));
        String good = new String(TelemetryCodec.eventBatch("ST-01", "0123456789abcdef", List.of(ISSUED), T), StandardCharsets.UTF_8);
        String foreign = good.replace("\"sequence\":42,\"stationId\":\"ST-01\"", "\"sequence\":42,\"stationId\":\"ST-02\"");
        assertEquals(TelemetryCodec.Rejected.Kind.WRONG_SIGNER, assertThrows(TelemetryCodec.Rejected.class, () -> TelemetryCodec.parseEventBatch(utf8(foreign))).kind());
        String twice = good.replace("]}", "," + new String(TelemetryCodec.event(ISSUED), StandardCharsets.UTF_8) + "]}");
        assertEquals(TelemetryCodec.Rejected.Kind.INVALID, assertThrows(TelemetryCodec.Rejected.class, () -> TelemetryCodec.parseEventBatch(utf8(twice))).kind());
        java.util.List<OutboxEvent> many = new java.util.ArrayList<>();
        for (int i = 1; i <= 33; i++) many.add(new OutboxEvent(i, java.util.UUID.randomUUID().toString(), EventType.CARD_PRINTED, "ST-01", "R" + i, "3171011606650007", "", "", T));
        assertThrows(IllegalArgumentException.class, () -> TelemetryCodec.eventBatch("ST-01", "0123456789abcdef", many, T));
    }

    @Test
    void aBlankWithoutAChipHasNoChipUidAndAnEventWithoutACardNoBlank() throws Exception {
        OutboxEvent printedOnMono = new OutboxEvent(1, "0f8fad5b-d9cb-469f-a165-70867728950f", EventType.CARD_PRINTED, "ST-01", "R1", "3171011606650007", "PRN-E123-0000007", "", T);
        JsonNode n = new ObjectMapper().readTree(TelemetryCodec.event(printedOnMono));
        assertEquals("PRN-E123-0000007", n.get("blankId").asText());
        assertFalse(n.has("chipUid"));
        OutboxEvent rejected = new OutboxEvent(2, "0f8fad5b-d9cb-469f-a165-70867728951f", EventType.RECORD_REJECTED, "ST-01", "R2", "3171011606650008", "", "SIGNATURE_INVALID", T);
        JsonNode r = new ObjectMapper().readTree(TelemetryCodec.event(rejected));
        assertFalse(r.has("blankId"));
        assertEquals("SIGNATURE_INVALID", TelemetryCodec.parseEvent(TelemetryCodec.event(rejected)).reason());
    }

    @Test
    void aVersionOneArchiveLineIsStillRead() throws Exception {
        String v1 = "{\"v\":1,\"type\":\"CARD_ISSUED\",\"eventId\":\"0f8fad5b-d9cb-469f-a165-70867728950e\",\"sequence\":42,\"stationId\":\"ST-01\","
                + "\"recordId\":\"PRR-000001-000007\",\"occurredAt\":\"2026-11-28T03:04:05Z\",\"publishedAt\":\"2026-11-28T03:04:07Z\"}";
        TelemetryCodec.Event e = TelemetryCodec.parseEvent(utf8(v1));
        assertEquals(42, e.sequence());
        assertEquals(T.plusSeconds(2), e.publishedAt());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "not json {|MALFORMED|not JSON",
            "[1,2]|MALFORMED|not a JSON object",
            "{\"type\":\"CARD_ISSUED\"}|UNKNOWN_VERSION|no version field",
            "{\"v\":1,\"type\":\"CARD_ISSUED\"}|UNKNOWN_VERSION|version 1, this side reads version 2",
            "{\"v\":\"2\"}|UNKNOWN_VERSION|no version field",
            "{\"v\":2,\"stationId\":\"ST-01\"}|INVALID|event batch:",
    })
    void brokenBatchesAreRefusedByKind(String payload, String kind, String message) {
        TelemetryCodec.Rejected r = assertThrows(TelemetryCodec.Rejected.class, () -> TelemetryCodec.parseEventBatch(utf8(payload)));
        assertEquals(TelemetryCodec.Rejected.Kind.valueOf(kind), r.kind());
        assertTrue(r.getMessage().contains(message), r.getMessage());
    }

    @Test
    void fieldsOutsideTheContractAndBadValuesAreRefused() throws Exception {
        ObjectMapper json = new ObjectMapper();
        String good = new String(TelemetryCodec.event(ISSUED), StandardCharsets.UTF_8);
        for (String bad : List.of(
                good.replace("\"type\"", "\"photo\":\"/9j/4AAQ\",\"type\""),
                good.replace("3171011606650007", "31710116066500"),
                good.replace("CARD_ISSUED", "CARD_EATEN"),
                good.replace("\"sequence\":42", "\"sequence\":0"),
                good.replace("0f8fad5b-d9cb-469f-a165-70867728950e", "not-a-uuid"))) {
            TelemetryCodec.Rejected r = assertThrows(TelemetryCodec.Rejected.class, () -> TelemetryCodec.parseEvent(utf8(bad)), bad);
            assertEquals(TelemetryCodec.Rejected.Kind.INVALID, r.kind(), bad);
        }
        String badTime = good.replace("2026-11-28T03:04:05Z", "yesterday");
        assertEquals(TelemetryCodec.Rejected.Kind.INVALID, assertThrows(TelemetryCodec.Rejected.class, () -> TelemetryCodec.parseEvent(utf8(badTime))).kind());
        byte[] huge = new byte[TelemetryCodec.MAX_MESSAGE_BYTES + 1];
        assertEquals(TelemetryCodec.Rejected.Kind.OVERSIZED, assertThrows(TelemetryCodec.Rejected.class, () -> TelemetryCodec.parseEventBatch(huge)).kind());
        assertNotNull(json.readTree(good));
    }

    @Test
    void stateHealthCommandsAcksHeartbeatsAndReceiptsReadBack() throws Exception {
        TelemetryCodec.State off = TelemetryCodec.parseState(TelemetryCodec.state(new TelemetryCodec.State("ST-01", false, T, "connection lost (last will)")));
        assertFalse(off.online());
        assertEquals("connection lost (last will)", off.cause());
        TelemetryCodec.Health h = TelemetryCodec.parseHealth(TelemetryCodec.health(new TelemetryCodec.Health("ST-01", T, "RIBBON_OUT", 0, 120, true, 7, 1000, true)));
        assertEquals("RIBBON_OUT", h.printerStatus());
        assertEquals(0, h.ribbonRemaining());
        assertEquals(1000, h.outboxDepth());
        TelemetryCodec.Health unknown = TelemetryCodec.parseHealth(TelemetryCodec.health(new TelemetryCodec.Health("ST-01", T, "UNKNOWN", null, null, false, 0, 0, false)));
        assertNull(unknown.ribbonRemaining());
        TelemetryCodec.Command c = TelemetryCodec.parseCommand(TelemetryCodec.command(new TelemetryCodec.Command("c1", "ST-01", TelemetryCodec.CommandKind.AUTHORISE_REPRINT, "R9", "card lost", "kantor", T)));
        assertEquals("R9", c.recordId());
        assertEquals("ST-01", c.stationId(), "a command names its station: signed for one, it is refused by every other");
        TelemetryCodec.Rejected noRecord = assertThrows(TelemetryCodec.Rejected.class, () -> TelemetryCodec.parseCommand(
                TelemetryCodec.command(new TelemetryCodec.Command("c2", "ST-01", TelemetryCodec.CommandKind.AUTHORISE_REPRINT, null, null, "kantor", T))));
        assertTrue(noRecord.getMessage().contains("needs recordId"));
        assertTrue(TelemetryCodec.parseAck(TelemetryCodec.ack(new TelemetryCodec.Ack("c1", "ST-01", true, "ok", T))).accepted());
        assertEquals("office-1", TelemetryCodec.parseHeartbeat(TelemetryCodec.heartbeat(new TelemetryCodec.Heartbeat("office-1", "collectors", T))).collector());
        TelemetryCodec.Receipt r = TelemetryCodec.parseReceipt(TelemetryCodec.receipt(new TelemetryCodec.Receipt("office-1", "ST-01", "0123456789abcdef", List.of(new long[] {1, 64}, new long[] {66, 66}), T)));
        assertEquals(2, r.ranges().size());
        assertArrayEquals(new long[] {66, 66}, r.ranges().get(1));
        assertEquals(T, r.at());
        assertThrows(TelemetryCodec.Rejected.class, () -> TelemetryCodec.parseReceipt(utf8("{\"v\":2,\"collector\":\"c\",\"stationId\":\"S\",\"run\":\"0123456789abcdef\",\"ranges\":[[9,3]],\"at\":\"2026-11-28T03:04:05Z\"}")));
        TelemetryCodec.Health counted = TelemetryCodec.parseHealth(TelemetryCodec.health(new TelemetryCodec.Health("ST-01", T, "READY", null, null, true, 0, 0, false,
                java.util.Map.of("BAD_SIGNATURE", 3L))));
        assertEquals(java.util.Map.of("BAD_SIGNATURE", 3L), counted.refused(), "the office sees how many forgeries a station refused");
    }

    @Test
    void topicsAreNamedUnderTheRootAndAStationIdCannotEscapeIt() {
        assertEquals("ktpel/v2/stations/ST-01/events", Topics.events("ST-01"));
        assertEquals("ktpel/v2/stations/+/health", Topics.all("health"));
        assertEquals(new Topics.Parsed("ST-01", "receipts"), Topics.parse("ktpel/v2/stations/ST-01/receipts").orElseThrow());
        assertTrue(Topics.parse("ktpel/v1/stations/ST-01/events").isEmpty(), "version 1 (unsigned) lives on other topics");
        assertTrue(Topics.parse("ktpel/v2/stations/ST/01/events").isEmpty());
        assertThrows(IllegalArgumentException.class, () -> Topics.events("ST/#"));
        assertThrows(IllegalArgumentException.class, () -> Topics.events("+"));
    }
}
