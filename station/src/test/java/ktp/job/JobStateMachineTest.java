package ktp.job;

import static ktp.job.JobState.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class JobStateMachineTest {
    /** The station's job graph written out independently: edge -> event it must emit ("-" for none). */
    private static final Map<String, String> EXPECTED = Map.ofEntries(
            Map.entry("LEASED>VALIDATED", "SENT_FOR_CARD_PRINTING"), Map.entry("LEASED>REJECTED", "RECORD_REJECTED"),
            Map.entry("VALIDATED>ENCODING", "-"), Map.entry("ENCODING>ENCODED", "-"), Map.entry("ENCODING>SPOILED", "CARD_SPOILED"),
            Map.entry("ENCODED>PRINTING", "-"), Map.entry("ENCODED>SPOILED", "CARD_SPOILED"),
            Map.entry("PRINTING>PRINTED", "CARD_PRINTED"), Map.entry("PRINTING>SPOILED", "CARD_SPOILED"),
            Map.entry("PRINTED>AWAITING_HOLDER", "-"), Map.entry("PRINTED>SPOILED", "CARD_SPOILED"),
            Map.entry("SPOILED>VALIDATED", "-"), Map.entry("AWAITING_HOLDER>ACTIVATING", "-"),
            Map.entry("AWAITING_HOLDER>VALIDATED", "CARD_SPOILED"), Map.entry("ACTIVATING>ISSUED", "CARD_ISSUED"),
            Map.entry("ACTIVATING>ACTIVATION_FAILED", "ACTIVATION_FAILED"), Map.entry("ACTIVATING>AWAITING_HOLDER", "-"),
            Map.entry("ACTIVATION_FAILED>ACTIVATING", "-"), Map.entry("ACTIVATION_FAILED>ISSUED", "CARD_ISSUED"),
            Map.entry("ACTIVATION_FAILED>VALIDATED", "CARD_SPOILED"),
            Map.entry("LEASED>RELEASED", "-"), Map.entry("VALIDATED>RELEASED", "-"), Map.entry("RELEASED>LEASED", "-"));

    static Stream<Arguments> everyPair() {
        return Stream.of(JobState.values()).flatMap(a -> Stream.of(JobState.values()).map(b -> Arguments.of(a, b)));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("everyPair")
    void everyEdgeEmitsItsEventAndEveryNonEdgeIsRefused(JobState from, JobState to) {
        String expected = EXPECTED.get(from + ">" + to);
        Optional<JobTransition> t = JobStateMachine.find(from, to);
        if (expected == null) {
            assertTrue(t.isEmpty());
            IllegalJobTransitionException e = assertThrows(IllegalJobTransitionException.class, () -> JobStateMachine.require(from, to));
            assertTrue(e.getMessage().contains(from + " -> " + to), e.getMessage());
        } else {
            assertEquals(expected, t.orElseThrow().event().map(Enum::name).orElse("-"));
        }
    }

    @Test
    void terminalStatesHaveNoWayOutAndEveryOtherStateHasOne() {
        for (JobState s : JobState.values()) {
            boolean hasExit = JobStateMachine.all().stream().anyMatch(t -> t.from() == s);
            assertEquals(!s.isTerminal(), hasExit, s.toString());
        }
        assertEquals(Set.of(ISSUED, REJECTED), Set.copyOf(Stream.of(JobState.values()).filter(JobState::isTerminal).toList()));
    }

    @Test
    void blanksEnterOnlyAtEncodingAndLeaveAsIssuedPrintedOrSpoiled() {
        for (JobTransition t : JobStateMachine.all()) {
            switch (t.blank()) {
                case ENTERS_PRINTER -> assertEquals(ENCODING, t.to());
                case PRINTED -> assertEquals(PRINTED, t.to());
                case ISSUED -> assertEquals(ISSUED, t.to());
                case SPOILED -> assertEquals(SPOILED, t.to());
                case SUPERSEDED -> assertTrue(t.supervisorOnly() && t.needsReason() && t.to() == VALIDATED);
                case NONE -> { }
            }
        }
    }

    @Test
    void everyChangeThatDestroysOrOverridesNeedsAReason() {
        for (JobTransition t : JobStateMachine.all()) {
            if (t.to() == SPOILED || t.to() == REJECTED || t.to() == ACTIVATION_FAILED || t.supervisorOnly()) {
                assertTrue(t.needsReason(), t + " must carry a reason");
            }
        }
    }

    @Test
    void resumeActionsAfterACrash() {
        assertEquals(ResumeAction.SPOIL_BLANK_AND_REQUEUE, ENCODING.onResume());
        assertEquals(ResumeAction.SPOIL_BLANK_AND_REQUEUE, ENCODED.onResume());
        assertEquals(ResumeAction.SPOIL_BLANK_AND_REQUEUE, PRINTING.onResume());
        assertEquals(ResumeAction.MARK_AWAITING_HOLDER, PRINTED.onResume());
        assertEquals(ResumeAction.RESTART_ACTIVATION, ACTIVATING.onResume());
        assertEquals(ResumeAction.WAIT_FOR_SUPERVISOR, ACTIVATION_FAILED.onResume());
        for (JobState s : JobState.values()) assertEquals(s == ENCODING || s == ENCODED || s == PRINTING, s.holdsBlankInPrinter());
    }
}
