package ktp.counter;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import ktp.biometric.BiometricException;
import ktp.biometric.HolderMatcher;
import ktp.biometric.HolderVerification;
import ktp.biometric.RetryPolicy;
import ktp.card.ApduTransport;
import ktp.card.CardKeys;
import ktp.card.CardProfile;
import ktp.card.KtpelApplet;
import ktp.card.Personalizer;
import ktp.job.JobState;
import ktp.record.ChipData;
import ktp.record.TrustedKeys;
import ktp.store.Actor;
import ktp.store.Job;
import ktp.store.StationStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issues a printed card to its holder (docs/activation.md): the card must be the one printed for the record
 * (chip UID = the job's blank), its chip must pass passive authentication, and the holder's live finger must
 * match a template on the chip; only then is the chip activated inside an SCP03 channel and the job moved to
 * ISSUED, the ledger and the CARD_ISSUED event in the same transaction.
 *
 * <p>What ends where: a card that is not this job's, a chip that cannot be read, a template the matcher
 * cannot import, a scanner that fails or a holder who never places a finger: an {@link ActivationException}
 * (or a result without a decision), the job state unchanged. A chip whose data is not genuine, or a holder
 * whose every attempt failed: ACTIVATION_FAILED, which only a supervisor can override, with a reason.
 */
public final class HolderActivation {
    private static final Logger LOG = LoggerFactory.getLogger(HolderActivation.class);

    /** Nothing was decided and nothing changed: the reason names what to fix. */
    public static final class ActivationException extends Exception {
        public ActivationException(String message) { super(message); }
    }

    /** The job's state after the attempt, what happened, and the verification's record (empty if none ran). */
    public record Result(JobState state, String detail, HolderVerification.Outcome verification) {}

    private final StationStore store;
    private final CardProfile profile;
    private final CardKeys keys;
    private final TrustedKeys trust;
    private final HolderMatcher matcher;
    private final RetryPolicy policy;
    private final SecureRandom random = new SecureRandom();

    public HolderActivation(StationStore store, CardProfile profile, CardKeys keys, TrustedKeys trust, HolderMatcher matcher, RetryPolicy policy) {
        this.store = store;
        this.profile = profile;
        this.keys = keys;
        this.trust = trust;
        this.matcher = matcher;
        this.policy = policy;
    }

    /** The holder is at the counter with the card in the reader and a finger for the scanner. */
    public Result activate(String recordId, ApduTransport card, HolderVerification.Source scanner, double dpi, Actor actor, Consumer<String> prompt)
            throws ActivationException {
        Job job = store.job(recordId).orElseThrow(() -> new ActivationException("no job for record " + recordId));
        if (job.state() != JobState.AWAITING_HOLDER && job.state() != JobState.ACTIVATING) {
            throw new ActivationException("record " + recordId + " is " + job.state() + ", not awaiting its holder");
        }
        Personalizer chip = new Personalizer(card, profile, keys, random);
        ChipCheck check = checkChip(job, chip);
        if (!check.genuine()) {
            fail(recordId, actor, check.refusal());
            return new Result(JobState.ACTIVATION_FAILED, check.refusal(), null);
        }
        List<HolderVerification.ChipFinger> fingers = templates(check.groups().get(3));
        HolderVerification.Outcome o = HolderVerification.verify(fingers, scanner, matcher, policy, dpi, prompt);
        if (!o.decided()) {
            // Stopped without a decision (scanner silent or garbled, no finger in time): nothing changes.
            store.audit(actor, "ACTIVATION_INTERRUPTED", "record " + recordId + ": " + o.stoppedBecause() + " after " + o.attempts().size() + " counted attempts");
            LOG.warn(ktp.i18n.StationLog.line("counter.undecided", recordId, o.stoppedBecause()));
            return new Result(job.state(), o.stoppedBecause(), o);
        }
        if (!o.matched()) {
            String why = String.format("no finger matched in %d attempts (best score %.1f, threshold %.0f)", o.attempts().size(), o.bestScore(), matcher.threshold());
            fail(recordId, actor, why);
            return new Result(JobState.ACTIVATION_FAILED, why, o);
        }
        HolderVerification.Attempt hit = o.attempts().get(o.attempts().size() - 1);
        if (job.state() == JobState.AWAITING_HOLDER) store.transition(recordId, JobState.ACTIVATING, actor, "", null);
        String activated = activateChip(recordId, chip, actor);
        String detail = String.format("finger %d matched (score %.1f, attempt %d of %d)", hit.fingerPosition(), hit.score(), o.attempts().size(), policy.attemptsPerTransaction());
        if (activated != null) return new Result(JobState.AWAITING_HOLDER, activated, o);
        store.transition(recordId, JobState.ISSUED, actor, detail, null);
        LOG.info(ktp.i18n.StationLog.line("counter.issued", recordId, detail));
        return new Result(JobState.ISSUED, detail, o);
    }

    /** What the counter shows before the finger: the chip's holder and whether its data is genuine. */
    public record Inspection(String recordId, String uid, ChipData.Holder holder, boolean genuine, String refusal) {}

    /**
     * Reads this job's card and checks it by passive authentication without changing anything, so the operator
     * can compare the photo with the person at the counter before asking for the finger.
     */
    public Inspection inspect(String recordId, ApduTransport card) throws ActivationException {
        Job job = store.job(recordId).orElseThrow(() -> new ActivationException("no job for record " + recordId));
        ChipCheck check = checkChip(job, new Personalizer(card, profile, keys, random));
        try {
            return new Inspection(recordId, job.blankId(), ChipData.holder(check.groups()), check.genuine(), check.refusal());
        } catch (IllegalArgumentException | NullPointerException e) {
            return new Inspection(recordId, job.blankId(), null, false, "the chip's data groups are malformed: " + e.getMessage());
        }
    }

    /**
     * A supervisor issues a card whose holder could not be verified (worn fingers, an injury), with a reason
     * kept in the audit log. The chip must still be this job's and genuine: a forged chip is never issued.
     */
    public Result override(String recordId, ApduTransport card, Actor supervisor, String reason) throws ActivationException {
        Job job = store.job(recordId).orElseThrow(() -> new ActivationException("no job for record " + recordId));
        if (job.state() != JobState.ACTIVATION_FAILED) throw new ActivationException("record " + recordId + " is " + job.state() + "; only a failed activation can be overridden");
        if (reason == null || reason.isBlank()) throw new ActivationException("an override needs a reason");
        if (supervisor.role() != ktp.store.Role.SUPERVISOR) throw new ActivationException(supervisor + " is not a supervisor; only a supervisor can override a failed activation");
        Personalizer chip = new Personalizer(card, profile, keys, random);
        ChipCheck check = checkChip(job, chip);
        if (!check.genuine()) throw new ActivationException("refused: " + check.refusal());
        try {
            chip.activate();
        } catch (ApduTransport.CardException | Personalizer.PersonalizationException e) {
            throw new ActivationException("the chip did not accept ACTIVATE: " + e.getMessage());
        }
        store.transition(recordId, JobState.ISSUED, supervisor, "supervisor override: " + reason.trim(), null);
        return new Result(JobState.ISSUED, "issued by supervisor override", null);
    }

    /** The chip's data groups, and why they are not genuine (empty when they are). */
    private record ChipCheck(Map<Integer, byte[]> groups, String refusal) {
        boolean genuine() { return refusal.isEmpty(); }
    }

    /** Reads this job's card and checks its data by passive authentication; a card that is not this job's is an exception. */
    private ChipCheck checkChip(Job job, Personalizer chip) throws ActivationException {
        try {
            String uid = chip.readUid();
            if (!uid.equals(job.blankId())) {
                throw new ActivationException("the card in the reader (chip " + uid + ") is not the one printed for record " + job.recordId() + " (blank " + job.blankId() + ")");
            }
            KtpelApplet.State state = chip.state();
            if (state != KtpelApplet.State.PERSONALIZED && state != KtpelApplet.State.ACTIVATED) {
                throw new ActivationException("the chip is " + state + ", not personalized");
            }
            Map<Integer, byte[]> groups = chip.readBack();
            byte[] sod = groups.get(CardProfile.SOD);
            if (sod == null) return new ChipCheck(groups, "passive authentication failed: the chip has no security object");
            ChipData.Verdict v = ChipData.passiveAuthentication(groups, sod, trust::get);
            return new ChipCheck(groups, v.valid() ? "" : "passive authentication failed: " + v.detail());
        } catch (ApduTransport.CardException | Personalizer.PersonalizationException e) {
            throw new ActivationException("the chip cannot be read: " + e.getMessage());
        }
    }

    private static List<HolderVerification.ChipFinger> templates(byte[] dg3) throws ActivationException {
        List<HolderVerification.ChipFinger> out = new ArrayList<>();
        try {
            for (ChipData.FingerTemplate t : ChipData.fingerTemplates(dg3)) {
                try {
                    out.add(new HolderVerification.ChipFinger(t.position(), HolderMatcher.importIso(t.iso())));
                } catch (BiometricException e) {
                    throw new ActivationException("the chip's template for finger " + t.position() + " cannot be used: " + e.getMessage());
                }
            }
        } catch (IllegalArgumentException e) {
            throw new ActivationException("the chip's DG3 is malformed: " + e.getMessage());
        }
        if (out.isEmpty()) throw new ActivationException("the chip holds no fingerprint template");
        return out;
    }

    /** Sends ACTIVATE; on failure moves the job back to AWAITING_HOLDER with the reason and returns it. */
    private String activateChip(String recordId, Personalizer chip, Actor actor) {
        try {
            chip.activate();
            return null;
        } catch (ApduTransport.CardException | Personalizer.PersonalizationException e) {
            String why = "the chip did not accept ACTIVATE: " + e.getMessage();
            store.transition(recordId, JobState.AWAITING_HOLDER, actor, why, null);
            LOG.warn(ktp.i18n.StationLog.line("counter.notActivated", recordId, why));
            return why;
        }
    }

    private void fail(String recordId, Actor actor, String why) {
        Job job = store.job(recordId).orElseThrow();
        if (job.state() == JobState.AWAITING_HOLDER) store.transition(recordId, JobState.ACTIVATING, actor, "", null);
        store.transition(recordId, JobState.ACTIVATION_FAILED, actor, why, null);
        LOG.warn(ktp.i18n.StationLog.line("counter.failed", recordId, why));
    }
}
