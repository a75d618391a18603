package ktp.counter;

import ktp.biometric.HolderVerification;
import ktp.store.Actor;

/**
 * One holder's visit at the counter as it happens, for a screen that updates itself: which finger to place,
 * the attempt (n of m for this finger), "lift the finger" after a capture, a retake with the reason when the
 * capture was poor, and at the end the decision or why nothing was decided. Written by the issuing thread,
 * read by anyone: each change replaces one immutable snapshot.
 */
public final class Visit {
    public enum Phase { STARTING, PLACE, LIFT, RETAKE, DECIDED, NOT_DECIDED }

    /**
     * Why a capture was too poor to count, for the words on the screen: too little detail in the image (the
     * station's own judgement, with the minutiae it found), too wet or too dry, or no image (the module's).
     */
    public enum Poor { NONE, LITTLE_DETAIL, WET, DRY, NO_IMAGE, OTHER }

    private static final java.util.regex.Pattern MINUTIAE = java.util.regex.Pattern.compile("only (\\d+) usable minutiae");

    /** {@code seq} grows with every change, so a screen can tell a new prompt from the same one. */
    public record Progress(long seq, String recordId, Phase phase, int finger, int attempt, int attemptsPerFinger, String quality,
                           HolderActivation.Result result, String error) {
        public boolean over() { return phase == Phase.DECIDED || phase == Phase.NOT_DECIDED; }

        /** The kind of the last poor capture, read from the verification's retake text ({@code quality}, kept as the technical detail). */
        public Poor poor() {
            if (quality.isEmpty()) return Poor.NONE;
            if (MINUTIAE.matcher(quality).find()) return Poor.LITTLE_DETAIL;
            if (quality.contains("too wet")) return Poor.WET;
            if (quality.contains("too dry")) return Poor.DRY;
            if (quality.contains("could not take an image")) return Poor.NO_IMAGE;
            return Poor.OTHER;
        }

        /** The minutiae found in a capture with too little detail; 0 otherwise. */
        public int minutiae() {
            java.util.regex.Matcher m = MINUTIAE.matcher(quality);
            return m.find() ? Integer.parseInt(m.group(1)) : 0;
        }
    }

    private final String recordId;
    private final Actor operator;
    private final int attemptsPerFinger;
    private final java.util.function.BiConsumer<String, String> audit;
    private volatile Progress now;
    // Only the issuing thread touches these.
    private int finger = -1;
    private int attempt;
    private boolean retakePending;

    Visit(String recordId, Actor operator, int attemptsPerFinger, java.util.function.BiConsumer<String, String> audit) {
        this.audit = audit;
        this.recordId = recordId;
        this.operator = operator;
        this.attemptsPerFinger = attemptsPerFinger;
        now = new Progress(0, recordId, Phase.STARTING, 0, 0, attemptsPerFinger, "", null, "");
    }

    public Progress progress() { return now; }

    public String recordId() { return recordId; }

    public Actor operator() { return operator; }

    private synchronized void set(Phase phase, String quality, HolderActivation.Result result, String error) {
        now = new Progress(now.seq() + 1, recordId, phase, Math.max(finger, 0), attempt, attemptsPerFinger, quality, result, error);
    }

    /** The scanner as the verification sees it, telling the visit when a finger is asked for and when it was taken. */
    HolderVerification.Source watch(HolderVerification.Source glass) {
        return position -> {
            if (position != finger) {
                finger = position;
                attempt = 0;
                retakePending = false;
            }
            if (!retakePending) attempt++;
            // After a poor capture the prompt to place the finger again keeps saying why, until the next capture is taken.
            String poorBefore = retakePending ? now.quality() : "";
            retakePending = false;
            set(Phase.PLACE, poorBefore, null, "");
            audit.accept("CONSOLE_CAPTURE", "record " + recordId + ": finger " + position + ", attempt " + attempt + " of " + attemptsPerFinger);
            byte[] image = glass.capture(position);
            set(Phase.LIFT, "", null, "");
            return image;
        };
    }

    /** The verification's prompts: anything but "place finger ..." asks for the same finger again (a poor capture). */
    void prompt(String text) {
        if (text.startsWith("place finger ")) return;
        if (text.startsWith("insert the holder's card")) return;
        retakePending = true;
        set(Phase.RETAKE, text, null, "");
        audit.accept("CONSOLE_CAPTURE_RETAKE", "record " + recordId + ": finger " + finger + ", attempt " + attempt + ": " + text);
    }

    void decided(HolderActivation.Result r) {
        set(r.verification() == null || r.verification().decided() ? Phase.DECIDED : Phase.NOT_DECIDED, "", r, r.verification() != null && !r.verification().decided() ? r.detail() : "");
    }

    void failed(String why) { set(Phase.NOT_DECIDED, "", null, why); }
}
