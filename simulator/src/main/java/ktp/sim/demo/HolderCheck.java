package ktp.sim.demo;

import com.machinezoo.sourceafis.FingerprintCompatibility;
import com.machinezoo.sourceafis.FingerprintImage;
import com.machinezoo.sourceafis.FingerprintImageOptions;
import com.machinezoo.sourceafis.FingerprintMatcher;
import com.machinezoo.sourceafis.FingerprintTemplate;
import java.util.List;
import java.util.Map;

/**
 * The demo's holder check until the scanner and activation room lands: the chip's ISO templates imported
 * into SourceAFIS, and live captures matched 1:1 with the station's policy (threshold 40, about FMR 0.01 %;
 * up to 3 attempts on the first finger, then the second).
 */
final class HolderCheck {
    static final double THRESHOLD = 40;
    static final int ATTEMPTS_PER_FINGER = 3;

    /** The captures a holder would give, by finger position, each an encoded image at {@code dpi}. */
    interface Captures {
        List<byte[]> forFinger(int position);
    }

    record Outcome(boolean matched, int position, double score, int attempts) {}

    private HolderCheck() {}

    static Outcome verify(Map<Integer, byte[]> chipTemplates, Captures captures, double dpi) {
        int attempts = 0;
        double best = 0;
        int lastPosition = 0;
        for (Map.Entry<Integer, byte[]> e : chipTemplates.entrySet()) {
            FingerprintTemplate enrolled = FingerprintCompatibility.importTemplate(e.getValue());
            FingerprintMatcher matcher = new FingerprintMatcher(enrolled);
            List<byte[]> images = captures.forFinger(e.getKey());
            for (int i = 0; i < Math.min(ATTEMPTS_PER_FINGER, images.size()); i++) {
                attempts++;
                lastPosition = e.getKey();
                FingerprintTemplate live = new FingerprintTemplate(new FingerprintImage(images.get(i), new FingerprintImageOptions().dpi(dpi)));
                double score = matcher.match(live);
                best = Math.max(best, score);
                if (score >= THRESHOLD) return new Outcome(true, e.getKey(), score, attempts);
            }
        }
        return new Outcome(false, lastPosition, best, attempts);
    }
}
