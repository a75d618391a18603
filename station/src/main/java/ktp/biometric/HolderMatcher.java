package ktp.biometric;

import com.machinezoo.sourceafis.FingerprintCompatibility;
import com.machinezoo.sourceafis.FingerprintImage;
import com.machinezoo.sourceafis.FingerprintImageOptions;
import com.machinezoo.sourceafis.FingerprintMatcher;
import com.machinezoo.sourceafis.FingerprintTemplate;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import javax.imageio.ImageIO;

/**
 * 1:1 matching of a live capture against a template from the chip (SourceAFIS 3.18.1). Templates in, a
 * decision out; the station hands it the chip's ISO/IEC 19794-2 templates. The default threshold, 40, is
 * SourceAFIS's score for a false match rate of 0.01 %.
 */
public final class HolderMatcher {
    public static final double DEFAULT_THRESHOLD = 40;
    /** Fewer minutiae than this in a capture: too little detail to count as an attempt ("place your finger again"). */
    public static final int MIN_MINUTIAE = 12;
    private static final int MAX_IMAGE_BYTES = 8 * 1024 * 1024;

    private final double threshold;

    public HolderMatcher(double threshold) {
        if (!(threshold > 0 && threshold < 1000)) throw new IllegalArgumentException("threshold must be in (0, 1000), got " + threshold);
        this.threshold = threshold;
    }

    public double threshold() { return threshold; }

    /** A template ready to match against. */
    public record Enrolled(FingerprintMatcher matcher, int minutiae) {}

    /** A live capture's template. */
    public record Capture(FingerprintTemplate template, int minutiae) {}

    public record Decision(double score, boolean match) {}

    /** Imports an ISO/IEC 19794-2:2005 record, checking its header and length first so a bad one is named. */
    public static Enrolled importIso(byte[] iso) throws BiometricException {
        if (iso == null || iso.length < 28) throw new BiometricException("not an ISO/IEC 19794-2 template: " + (iso == null ? 0 : iso.length) + " bytes, the header alone is 24");
        if (iso[0] != 'F' || iso[1] != 'M' || iso[2] != 'R' || iso[3] != 0) throw new BiometricException("not an ISO/IEC 19794-2 template: it does not start with \"FMR\\0\"");
        if (iso[4] != ' ' || iso[5] != '2' || iso[6] != '0' || iso[7] != 0) throw new BiometricException("unsupported ISO/IEC 19794-2 version (expected \" 20\", the 2005 edition)");
        long declared = ByteBuffer.wrap(iso, 8, 4).getInt() & 0xffffffffL;
        if (declared != iso.length) throw new BiometricException("the template says it is " + declared + " bytes but has " + iso.length + " (truncated or padded)");
        int minutiae = iso[24 + 3] & 0xff;
        if (28 + 6L * minutiae + 2 > iso.length) throw new BiometricException("the template lists " + minutiae + " minutiae but is too short to hold them");
        try {
            return new Enrolled(new FingerprintMatcher(FingerprintCompatibility.importTemplate(iso)), minutiae);
        } catch (RuntimeException e) {
            throw new BiometricException("the template cannot be read: " + e.getMessage(), e);
        }
    }

    /**
     * A capture from an 8-bit image at a known resolution. An image that is not a fingerprint image of a
     * plausible size is refused; one with too little detail is refused as "place your finger again".
     */
    public static Capture extract(byte[] image, double dpi) throws BiometricException, PlaceFingerAgain {
        if (!(dpi >= 250 && dpi <= 1500)) throw new BiometricException("resolution " + dpi + " dpi is outside 250..1500");
        if (image == null || image.length == 0) throw new BiometricException("no image");
        if (image.length > MAX_IMAGE_BYTES) throw new BiometricException("the image is " + image.length + " bytes; at most " + MAX_IMAGE_BYTES);
        BufferedImage img;
        try {
            img = ImageIO.read(new ByteArrayInputStream(image));
        } catch (IOException e) {
            throw new BiometricException("the image cannot be read: " + e.getMessage(), e);
        }
        if (img == null) throw new BiometricException("not an image format this station reads (TIFF, PNG, BMP, JPEG)");
        double wMm = img.getWidth() / dpi * 25.4;
        double hMm = img.getHeight() / dpi * 25.4;
        if (wMm < 8 || hMm < 8 || wMm > 40 || hMm > 40) {
            throw new BiometricException(String.format("the image is %d x %d pixels, %.1f x %.1f mm at %s dpi: not a fingerprint (8..40 mm a side); is the dpi right?",
                    img.getWidth(), img.getHeight(), wMm, hMm, dpi));
        }
        FingerprintTemplate t;
        try {
            t = new FingerprintTemplate(new FingerprintImage(image, new FingerprintImageOptions().dpi(dpi)));
        } catch (RuntimeException e) {
            throw new BiometricException("the image cannot be used: " + e.getMessage(), e);
        }
        int minutiae = minutiae(t);
        if (minutiae < MIN_MINUTIAE) throw new PlaceFingerAgain(minutiae);
        return new Capture(t, minutiae);
    }

    private static int minutiae(FingerprintTemplate t) {
        byte[] iso = FingerprintCompatibility.exportTemplates(com.machinezoo.fingerprintio.TemplateFormat.ISO_19794_2_2005, t);
        return iso.length > 27 ? iso[27] & 0xff : 0;
    }

    /** The capture as an ISO/IEC 19794-2:2005 record with its finger position (ISO 1..10). */
    public static byte[] toIso(Capture c, int fingerPosition) {
        byte[] iso = FingerprintCompatibility.exportTemplates(com.machinezoo.fingerprintio.TemplateFormat.ISO_19794_2_2005, c.template());
        iso[24] = (byte) fingerPosition;
        return iso;
    }

    public Decision match(Enrolled enrolled, Capture capture) {
        double score = enrolled.matcher().match(capture.template());
        return new Decision(score, score >= threshold);
    }

    /** Too little usable detail in the capture: it does not count as an attempt. */
    public static final class PlaceFingerAgain extends Exception {
        private final int minutiae;

        public PlaceFingerAgain(int minutiae) {
            super("place your finger again (only " + minutiae + " usable minutiae)");
            this.minutiae = minutiae;
        }

        public int minutiae() { return minutiae; }
    }
}
