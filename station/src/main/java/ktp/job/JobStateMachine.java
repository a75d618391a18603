package ktp.job;

import static ktp.job.JobState.*;
import static ktp.job.JobTransition.BlankEffect;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The legal changes of a job's state. Pure; the store asks it before every change it commits. */
public final class JobStateMachine {
    private static final List<JobTransition> TRANSITIONS = List.of(
            t(LEASED, VALIDATED, EventType.SENT_FOR_CARD_PRINTING, BlankEffect.NONE, false, false),
            t(LEASED, REJECTED, EventType.RECORD_REJECTED, BlankEffect.NONE, true, false),
            t(VALIDATED, ENCODING, null, BlankEffect.ENTERS_PRINTER, false, false),
            t(ENCODING, ENCODED, null, BlankEffect.NONE, false, false),
            t(ENCODING, SPOILED, EventType.CARD_SPOILED, BlankEffect.SPOILED, true, false),
            t(ENCODED, PRINTING, null, BlankEffect.NONE, false, false),
            t(ENCODED, SPOILED, EventType.CARD_SPOILED, BlankEffect.SPOILED, true, false),
            t(PRINTING, PRINTED, EventType.CARD_PRINTED, BlankEffect.PRINTED, false, false),
            t(PRINTING, SPOILED, EventType.CARD_SPOILED, BlankEffect.SPOILED, true, false),
            t(PRINTED, AWAITING_HOLDER, null, BlankEffect.NONE, false, false),
            t(PRINTED, SPOILED, EventType.CARD_SPOILED, BlankEffect.SPOILED, true, false),
            t(SPOILED, VALIDATED, null, BlankEffect.NONE, true, false),
            t(AWAITING_HOLDER, ACTIVATING, null, BlankEffect.NONE, false, false),
            t(AWAITING_HOLDER, VALIDATED, EventType.CARD_SPOILED, BlankEffect.SUPERSEDED, true, true),
            t(ACTIVATING, ISSUED, EventType.CARD_ISSUED, BlankEffect.ISSUED, false, false),
            t(ACTIVATING, ACTIVATION_FAILED, EventType.ACTIVATION_FAILED, BlankEffect.NONE, true, false),
            t(ACTIVATING, AWAITING_HOLDER, null, BlankEffect.NONE, true, false),
            t(ACTIVATION_FAILED, ACTIVATING, null, BlankEffect.NONE, true, true),
            t(ACTIVATION_FAILED, ISSUED, EventType.CARD_ISSUED, BlankEffect.ISSUED, true, true),
            t(ACTIVATION_FAILED, VALIDATED, EventType.CARD_SPOILED, BlankEffect.SUPERSEDED, true, true),
            // The data center already knows of a release (the station told it, or the lease ran out there),
            // so these write no event; a record handed back is leased again only through a new offer.
            t(LEASED, RELEASED, null, BlankEffect.NONE, true, false),
            t(VALIDATED, RELEASED, null, BlankEffect.NONE, true, false),
            t(RELEASED, LEASED, null, BlankEffect.NONE, false, false));

    private static final Map<JobState, Map<JobState, JobTransition>> INDEX = index();

    private JobStateMachine() {}

    private static JobTransition t(JobState from, JobState to, EventType event, BlankEffect blank, boolean reason, boolean supervisor) {
        return new JobTransition(from, to, Optional.ofNullable(event), blank, reason, supervisor);
    }

    private static Map<JobState, Map<JobState, JobTransition>> index() {
        Map<JobState, Map<JobState, JobTransition>> m = new EnumMap<>(JobState.class);
        for (JobState s : JobState.values()) m.put(s, new EnumMap<>(JobState.class));
        for (JobTransition t : TRANSITIONS) m.get(t.from()).put(t.to(), t);
        return m;
    }

    public static List<JobTransition> all() { return TRANSITIONS; }

    public static Optional<JobTransition> find(JobState from, JobState to) { return Optional.ofNullable(INDEX.get(from).get(to)); }

    public static JobTransition require(JobState from, JobState to) {
        return find(from, to).orElseThrow(() -> new IllegalJobTransitionException(
                "illegal job transition " + from + " -> " + to + "; from " + from + " a job may go to " + INDEX.get(from).keySet()));
    }
}
