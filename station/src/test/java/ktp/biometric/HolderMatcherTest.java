package ktp.biometric;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Matching on the real FVC2002 DB1_B images (testdata/fingerprints in the repository), and every bad input named. */
class HolderMatcherTest {
    static final Path DB = Path.of(System.getProperty("ktp.repo", "..")).toAbsolutePath().normalize().resolve("testdata/fingerprints/fvc2002-db1b");

    static Path image(String name) {
        Path p = DB.resolve(name);
        assertTrue(Files.isRegularFile(p), "the FVC2002 DB1_B images are part of the repository (testdata/fingerprints): " + p);
        return p;
    }

    @Test
    void theStationsPolicyMeetsItsAccuracyTargetsOnFvc2002Db1b() throws Exception {
        image("101_1.png");
        FvcEvaluation.Result r = FvcEvaluation.run(DB, 500, new HolderMatcher(HolderMatcher.DEFAULT_THRESHOLD), RetryPolicy.STATION);
        assertEquals(10, r.fingers());
        assertEquals(70, r.genuineAttempts() + r.refusedCaptures(), "10 fingers x 7 probes, less those refused for too little detail");
        assertTrue(r.impostorAttempts() >= 600);
        assertTrue(r.fmrPerTransaction() <= 0.001, "per-transaction FMR " + r.fmrPerTransaction());
        assertTrue(r.fnmrPerTransaction() <= 0.05, "per-transaction FNMR " + r.fnmrPerTransaction());
        assertTrue(r.fnmrPerTransaction() <= r.fnmrPerAttempt(), "retries can only help the genuine holder");
        System.out.println("FVC2002 DB1_B at threshold 40: " + r);
    }

    @Test
    void aGenuineFingerMatchesAndAnotherDoesNot() throws Exception {
        HolderMatcher m = new HolderMatcher(HolderMatcher.DEFAULT_THRESHOLD);
        HolderMatcher.Enrolled card = HolderMatcher.importIso(HolderMatcher.toIso(HolderMatcher.extract(Files.readAllBytes(image("103_1.png")), 500), 2));
        HolderMatcher.Decision genuine = m.match(card, HolderMatcher.extract(Files.readAllBytes(image("103_3.png")), 500));
        HolderMatcher.Decision impostor = m.match(card, HolderMatcher.extract(Files.readAllBytes(image("104_3.png")), 500));
        assertTrue(genuine.match(), "score " + genuine.score());
        assertFalse(impostor.match(), "score " + impostor.score());
    }

    @Test
    void badTemplatesAndImagesAreNamed() throws Exception {
        byte[] iso = HolderMatcher.toIso(HolderMatcher.extract(Files.readAllBytes(image("101_1.png")), 500), 2);
        assertTrue(assertThrows(BiometricException.class, () -> HolderMatcher.importIso(Arrays.copyOf(iso, iso.length - 10)))
                .getMessage().contains("truncated"));
        assertTrue(assertThrows(BiometricException.class, () -> HolderMatcher.importIso("not a template at all, sorry".getBytes()))
                .getMessage().contains("FMR"));
        assertThrows(BiometricException.class, () -> HolderMatcher.importIso(new byte[3]));
        byte[] tif = Files.readAllBytes(image("101_2.png"));
        assertTrue(assertThrows(BiometricException.class, () -> HolderMatcher.extract(tif, 100)).getMessage().contains("250..1500"));
        assertTrue(assertThrows(BiometricException.class, () -> HolderMatcher.extract(tif, 1500)).getMessage().contains("is the dpi right"));
        assertTrue(assertThrows(BiometricException.class, () -> HolderMatcher.extract("garbage".getBytes(), 500)).getMessage().contains("not an image"));
        java.awt.image.BufferedImage blank = new java.awt.image.BufferedImage(388, 374, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        var g = blank.createGraphics();
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(0, 0, 388, 374);
        g.dispose();
        java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(blank, "png", png);
        HolderMatcher.PlaceFingerAgain again = assertThrows(HolderMatcher.PlaceFingerAgain.class, () -> HolderMatcher.extract(png.toByteArray(), 500));
        assertTrue(again.getMessage().startsWith("place your finger again"), again.getMessage());
    }
}
