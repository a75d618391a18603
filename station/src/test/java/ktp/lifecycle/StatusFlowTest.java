package ktp.lifecycle;

import static ktp.lifecycle.NationalStatus.*;
import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class StatusFlowTest {

    /** The graph written out independently of the code, edge by edge, from the seed document. */
    private static final Set<String> EXPECTED = Set.of(
            "UNREGISTERED>BIO_CAPTURED", "BIO_CAPTURED>PROCESSING", "PROCESSING>SENT_FOR_ENROLLMENT",
            "SENT_FOR_ENROLLMENT>RECEIVED_AT_CENTRAL", "RECEIVED_AT_CENTRAL>SENT_FOR_DEDUP",
            "RECEIVED_AT_CENTRAL>ENROLL_FAILURE_AT_CENTRAL", "RECEIVED_AT_CENTRAL>SEARCH_FAILURE_AT_CENTRAL",
            "RECEIVED_AT_CENTRAL>ENROLL_FAILURE_AT_REGIONAL", "ENROLL_FAILURE_AT_CENTRAL>BIO_CAPTURED",
            "ENROLL_FAILURE_AT_REGIONAL>BIO_CAPTURED", "ENROLL_FAILURE_AT_CENTRAL>PACKET_ENTRY",
            "SEARCH_FAILURE_AT_CENTRAL>PACKET_ENTRY", "ENROLL_FAILURE_AT_REGIONAL>PACKET_ENTRY", "PACKET_ENTRY>SENT_FOR_DEDUP",
            "SENT_FOR_DEDUP>PRINT_READY_RECORD", "SENT_FOR_DEDUP>DUPLICATE_RECORD", "SENT_FOR_DEDUP>ADJUDICATE_RECORD",
            "SENT_FOR_DEDUP>REQUEST_VALIDATION", "ADJUDICATE_RECORD>PRINT_READY_RECORD", "ADJUDICATE_RECORD>DUPLICATE_RECORD",
            "REQUEST_VALIDATION>PRINT_READY_RECORD", "DUPLICATE_RECORD>REQUEST_FOR_DELETION", "ADJUDICATE_RECORD>REQUEST_FOR_DELETION",
            "REQUEST_VALIDATION>REQUEST_FOR_DELETION", "REQUEST_FOR_DELETION>UNREGISTERED",
            "PRINT_READY_RECORD>SENT_FOR_CARD_PRINTING", "SENT_FOR_CARD_PRINTING>PRINT_READY_RECORD",
            "SENT_FOR_CARD_PRINTING>CARD_SHIPPED", "CARD_SHIPPED>CARD_PRINTED", "SENT_FOR_CARD_PRINTING>CARD_PRINTED",
            "CARD_PRINTED>CARD_ISSUED");

    static Stream<Arguments> everyPair() {
        return Stream.of(NationalStatus.values()).flatMap(a -> Stream.of(NationalStatus.values()).map(b -> Arguments.of(a, b)));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("everyPair")
    void everyEdgeIsLegalAndEveryNonEdgeIsRefusedNamingBothStatuses(NationalStatus from, NationalStatus to) {
        boolean expected = EXPECTED.contains(from + ">" + to);
        assertEquals(expected, StatusFlow.isLegal(from, to));
        if (expected) {
            Transition t = StatusFlow.require(from, to);
            assertFalse(t.reason().isBlank(), "every edge has a reason");
        } else {
            IllegalTransitionException e = assertThrows(IllegalTransitionException.class, () -> StatusFlow.require(from, to));
            assertTrue(e.getMessage().contains(from.name()) && e.getMessage().contains(to.name()), e.getMessage());
            assertEquals(from, e.from());
            assertEquals(to, e.to());
        }
    }

    @Test
    void theGraphHasExactlyTheExpectedEdges() {
        Set<String> actual = StatusFlow.edges().stream().map(t -> t.from() + ">" + t.to()).collect(Collectors.toSet());
        assertEquals(EXPECTED, actual);
        assertEquals(EXPECTED.size(), StatusFlow.edges().size(), "no duplicate edges");
    }

    @Test
    void everyStatusHasItsPhaseResponsibilityAndBothExplanations() {
        assertEquals(19, NationalStatus.values().length);
        for (NationalStatus s : NationalStatus.values()) {
            assertNotNull(s.phase());
            assertNotNull(s.responsibility());
            assertTrue(s.explanationId().length() > 10, s + " Indonesian explanation");
            assertTrue(s.explanationEn().length() > 10, s + " English explanation");
        }
        assertEquals(6, PRINT_READY_RECORD.phase().number());
        assertEquals(4, PACKET_ENTRY.phase().number());
        assertEquals(5, REQUEST_FOR_DELETION.phase().number());
        assertEquals(Responsibility.CENTRAL, SENT_FOR_DEDUP.responsibility());
        assertEquals(Responsibility.REGIONAL, REQUEST_FOR_DELETION.responsibility());
    }

    @Test
    void everyStatusIsReachableFromUnregisteredAndEveryNonFinalStatusCanMoveOn() {
        Set<NationalStatus> seen = EnumSet.of(UNREGISTERED);
        ArrayDeque<NationalStatus> todo = new ArrayDeque<>(List.of(UNREGISTERED));
        while (!todo.isEmpty()) {
            for (Transition t : StatusFlow.from(todo.poll())) if (seen.add(t.to())) todo.add(t.to());
        }
        assertEquals(EnumSet.allOf(NationalStatus.class), seen);
        for (NationalStatus s : NationalStatus.values()) {
            if (s != CARD_ISSUED) assertFalse(StatusFlow.from(s).isEmpty(), s + " is a dead end");
        }
        assertTrue(StatusFlow.from(CARD_ISSUED).isEmpty());
    }

    @Test
    void dotAndTextListEveryEdge() {
        String dot = StatusFlow.toDot();
        String text = StatusFlow.toText();
        assertTrue(dot.startsWith("digraph"));
        for (Transition t : StatusFlow.edges()) {
            assertTrue(dot.contains(t.from() + " -> " + t.to()), "DOT lacks " + t);
            assertTrue(text.contains("-> " + t.to()), "text lacks " + t);
        }
    }

    @Test
    void theDocsExplainEveryEdge() throws IOException {
        Path doc = Path.of(System.getProperty("ktp.repo", ".."), "docs", "lifecycle.md");
        String text = Files.readString(doc);
        for (Transition t : StatusFlow.edges()) {
            assertTrue(text.contains("| " + t.from() + " | " + t.to() + " |"), "docs/lifecycle.md lacks the edge " + t.from() + " -> " + t.to());
        }
    }

    @Test
    void parseNamesTheUnknownValue() {
        assertEquals(ADJUDICATE_RECORD, NationalStatus.parse("ADJUDICATE RECORD"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NationalStatus.parse("LOST_IN_THE_MAIL"));
        assertTrue(e.getMessage().contains("LOST_IN_THE_MAIL"));
    }
}
