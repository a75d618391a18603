package ktp.biometric;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The station's rule for proving a card is its holder's: up to N counted attempts on the first finger on the
 * chip, then N on the second. A capture with too little detail, or one the scanner reports as too wet or too
 * dry, is not counted: the holder is asked to place the finger again (at most {@link #MAX_RETAKES} times a
 * finger, so a broken scanner cannot keep the holder at the counter for ever).
 */
public final class HolderVerification {
    public static final int MAX_RETAKES = 10;

    /** One template from the chip, with its ISO finger position. */
    public record ChipFinger(int position, HolderMatcher.Enrolled template) {}

    /** Where captures come from (a scanner driver); it may refuse a capture with a reason the holder can act on. */
    @FunctionalInterface
    public interface Source {
        byte[] capture(int fingerPosition) throws Retake, Unavailable;
    }

    /** The capture failed in a way the holder can fix by placing the finger again (wet, dry, smudged). */
    public static final class Retake extends Exception {
        public Retake(String message) { super(message); }
    }

    /** No capture can be had (no finger in time, scanner silent or broken): verification stops, nothing decided. */
    public static final class Unavailable extends Exception {
        public Unavailable(String message) { super(message); }
    }

    public record Attempt(int fingerPosition, int number, double score, boolean match) {}

    /**
     * {@code decided}: the holder matched, or used every attempt without a match. Otherwise verification
     * stopped for a reason the holder is not to blame for, and nothing may be concluded about the card.
     */
    public record Outcome(boolean matched, boolean decided, List<Attempt> attempts, int retakes, String stoppedBecause) {
        public double bestScore() { return attempts.stream().mapToDouble(Attempt::score).max().orElse(0); }
    }

    private HolderVerification() {}

    public static Outcome verify(List<ChipFinger> chip, Source source, HolderMatcher matcher, RetryPolicy policy, double dpi, Consumer<String> prompt) {
        List<Attempt> attempts = new ArrayList<>();
        int retakes = 0;
        for (int f = 0; f < Math.min(policy.fingers(), chip.size()); f++) {
            ChipFinger finger = chip.get(f);
            int counted = 0;
            int retakesHere = 0;
            while (counted < policy.attemptsPerFinger()) {
                prompt.accept("place finger " + finger.position() + " (" + fingerName(finger.position()) + ") on the scanner");
                HolderMatcher.Capture capture;
                try {
                    capture = HolderMatcher.extract(source.capture(finger.position()), dpi);
                } catch (BiometricException e) {
                    // Not the holder's doing: the image is not a fingerprint at the configured size and dpi.
                    return new Outcome(false, false, attempts, retakes, "the scanner's image cannot be used (" + e.getMessage() + "); check the scanner profile");
                } catch (Retake | HolderMatcher.PlaceFingerAgain e) {
                    retakes++;
                    prompt.accept(e instanceof HolderMatcher.PlaceFingerAgain ? e.getMessage() : "place your finger again: " + e.getMessage());
                    if (++retakesHere >= MAX_RETAKES) return new Outcome(false, false, attempts, retakes, "too many unusable captures of finger " + finger.position());
                    continue;
                } catch (Unavailable e) {
                    return new Outcome(false, false, attempts, retakes, e.getMessage());
                }
                counted++;
                HolderMatcher.Decision d = matcher.match(finger.template(), capture);
                attempts.add(new Attempt(finger.position(), counted, d.score(), d.match()));
                if (d.match()) return new Outcome(true, true, attempts, retakes, "");
            }
        }
        return new Outcome(false, true, attempts, retakes, "no finger matched in " + attempts.size() + " attempts");
    }

    static String fingerName(int position) {
        String[] names = {"", "right thumb", "right index", "right middle", "right ring", "right little",
                "left thumb", "left index", "left middle", "left ring", "left little"};
        return position >= 1 && position <= 10 ? names[position] : "finger " + position;
    }
}
