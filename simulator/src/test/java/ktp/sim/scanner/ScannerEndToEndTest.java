package ktp.sim.scanner;

import static org.junit.jupiter.api.Assertions.*;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import ktp.biometric.HolderMatcher;
import ktp.biometric.r30x.R30xScanner;
import ktp.sim.SharedData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The R30x protocol end to end over TCP: the simulated module serves real FVC2002 images; the station captures and matches. */
class ScannerEndToEndTest {
    private static final R30xScanner.Geometry R307 = new R30xScanner.Geometry(256, 288, 500);

    private SimulatedScanner sim;
    private R30xScanner scanner;

    @BeforeEach
    void start() throws Exception {
        sim = new SimulatedScanner(R307.width(), R307.height(), new InetSocketAddress("127.0.0.1", 0));
        scanner = R30xScanner.tcp("127.0.0.1", sim.port(), R307, Duration.ofMillis(800));
    }

    @AfterEach
    void stop() throws Exception {
        scanner.close();
        sim.close();
    }

    private static byte[] fvc(String name) throws Exception { return Files.readAllBytes(SharedData.fingerprints().resolve(name)); }

    @Test
    void theHoldersFingerMatchesTheChipsTemplateAndAnotherFingerDoesNot() throws Exception {
        HolderMatcher m = new HolderMatcher(HolderMatcher.DEFAULT_THRESHOLD);
        // The chip's template was made at enrolment from a full image.
        HolderMatcher.Enrolled chip = HolderMatcher.importIso(HolderMatcher.toIso(HolderMatcher.extract(fvc("101_1.png"), 500), 2));
        sim.place(fvc("101_3.png"));
        HolderMatcher.Decision genuine = m.match(chip, HolderMatcher.extract(scanner.capture(Duration.ofSeconds(2)), R307.dpi()));
        assertTrue(genuine.match(), "score " + genuine.score());
        sim.place(fvc("102_3.png"));
        HolderMatcher.Decision impostor = m.match(chip, HolderMatcher.extract(scanner.capture(Duration.ofSeconds(2)), R307.dpi()));
        assertFalse(impostor.match(), "score " + impostor.score());
    }

    @Test
    void aFingerTouchingOnlyByItsTipIsSentAndJudgedTooPoorToCount() throws Exception {
        sim.place(fvc("101_3.png"));
        sim.fault(SimulatedScanner.Fault.PARTIAL);
        byte[] poor = scanner.capture(Duration.ofSeconds(2));
        HolderMatcher.PlaceFingerAgain again = assertThrows(HolderMatcher.PlaceFingerAgain.class, () -> HolderMatcher.extract(poor, R307.dpi()));
        assertTrue(again.minutiae() < HolderMatcher.MIN_MINUTIAE, "minutiae " + again.minutiae());
        assertEquals(1, sim.imagesSent(), "the poor image was sent over the wire, not refused by the module");
        sim.fault(SimulatedScanner.Fault.NONE);
        assertTrue(HolderMatcher.extract(scanner.capture(Duration.ofSeconds(2)), R307.dpi()).minutiae() >= HolderMatcher.MIN_MINUTIAE, "the same finger laid flat");
        // Once: the poor capture, then the finger is lifted (no finger), then placed again and good.
        sim.poorOnce(SimulatedScanner.Fault.PARTIAL);
        assertThrows(HolderMatcher.PlaceFingerAgain.class, () -> HolderMatcher.extract(scanner.capture(Duration.ofSeconds(2)), R307.dpi()));
        assertEquals(R30xScanner.ScannerException.Kind.NO_FINGER, assertThrows(R30xScanner.ScannerException.class, () -> scanner.capture(Duration.ofMillis(300))).kind());
        sim.place(fvc("101_3.png"));
        assertTrue(HolderMatcher.extract(scanner.capture(Duration.ofSeconds(2)), R307.dpi()).minutiae() >= HolderMatcher.MIN_MINUTIAE, "good again");
        sim.poorOnce(SimulatedScanner.Fault.WET);
        assertEquals(R30xScanner.ScannerException.Kind.TOO_WET, assertThrows(R30xScanner.ScannerException.class, () -> scanner.capture(Duration.ofSeconds(1))).kind());
        sim.place(fvc("101_3.png"));
        assertTrue(HolderMatcher.extract(scanner.capture(Duration.ofSeconds(2)), R307.dpi()).minutiae() >= HolderMatcher.MIN_MINUTIAE, "dry again");
    }

    @Test
    void noFingerWetFingerSilenceAndABadChecksumAreClearErrors() throws Exception {
        long t0 = System.nanoTime();
        R30xScanner.ScannerException none = assertThrows(R30xScanner.ScannerException.class, () -> scanner.capture(Duration.ofMillis(300)));
        assertEquals(R30xScanner.ScannerException.Kind.NO_FINGER, none.kind());
        assertTrue((System.nanoTime() - t0) / 1e9 < 3);
        sim.place(fvc("101_3.png"));
        sim.fault(SimulatedScanner.Fault.WET);
        assertEquals(R30xScanner.ScannerException.Kind.TOO_WET, assertThrows(R30xScanner.ScannerException.class, () -> scanner.capture(Duration.ofSeconds(1))).kind());
        sim.fault(SimulatedScanner.Fault.BAD_CHECKSUM);
        R30xScanner.ScannerException bad = assertThrows(R30xScanner.ScannerException.class, () -> scanner.capture(Duration.ofSeconds(1)));
        assertEquals(R30xScanner.ScannerException.Kind.BAD_PACKET, bad.kind());
        assertTrue(bad.getMessage().contains("bad checksum"), bad.getMessage());
        sim.fault(SimulatedScanner.Fault.SILENT);
        R30xScanner.ScannerException silent = assertThrows(R30xScanner.ScannerException.class, () -> scanner.capture(Duration.ofSeconds(1)));
        assertEquals(R30xScanner.ScannerException.Kind.TIMEOUT, silent.kind());
        assertTrue(silent.getMessage().contains("800 ms"), silent.getMessage());
    }

    /** The scanner as the verification's source: the test decides what is on the glass for each capture. */
    private ktp.biometric.HolderVerification.Source source(java.util.Iterator<String> images) {
        return position -> {
            try {
                String next = images.next();
                if (next.equals("blank")) sim.place(blankImage());
                else sim.place(fvc(next));
                return scanner.capture(Duration.ofSeconds(2));
            } catch (R30xScanner.ScannerException e) {
                if (e.kind() == R30xScanner.ScannerException.Kind.TOO_WET || e.kind() == R30xScanner.ScannerException.Kind.TOO_DRY) {
                    throw new ktp.biometric.HolderVerification.Retake(e.getMessage());
                }
                throw new ktp.biometric.HolderVerification.Unavailable(e.getMessage());
            } catch (Exception e) {
                throw new ktp.biometric.HolderVerification.Unavailable(e.toString());
            }
        };
    }

    private static byte[] blankImage() throws Exception {
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(388, 374, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        var g = img.createGraphics();
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(0, 0, 388, 374);
        g.dispose();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    private java.util.List<ktp.biometric.HolderVerification.ChipFinger> chip() throws Exception {
        return java.util.List.of(
                new ktp.biometric.HolderVerification.ChipFinger(2, HolderMatcher.importIso(HolderMatcher.toIso(HolderMatcher.extract(fvc("104_1.png"), 500), 2))),
                new ktp.biometric.HolderVerification.ChipFinger(7, HolderMatcher.importIso(HolderMatcher.toIso(HolderMatcher.extract(fvc("105_1.png"), 500), 7))));
    }

    @Test
    void threeAttemptsOnTheFirstFingerThenTheSecondAndAPoorCaptureIsNotCounted() throws Exception {
        java.util.List<String> prompts = new java.util.ArrayList<>();
        // A blank capture (not counted), three misses on the right index, then the left index matches.
        var images = java.util.List.of("blank", "106_2.png", "106_3.png", "106_4.png", "105_3.png").iterator();
        var out = ktp.biometric.HolderVerification.verify(chip(), source(images), new HolderMatcher(40), ktp.biometric.RetryPolicy.STATION, 500, prompts::add);
        assertTrue(out.matched(), out.toString());
        assertEquals(4, out.attempts().size());
        assertEquals(7, out.attempts().get(3).fingerPosition());
        assertEquals(1, out.attempts().get(3).number());
        assertEquals(1, out.retakes());
        assertTrue(prompts.stream().anyMatch(p -> p.startsWith("place your finger again")), prompts.toString());
        assertTrue(prompts.get(0).contains("right index"), prompts.toString());
    }

    @Test
    void anImpostorIsRefusedAfterSixAttemptsAndASilentScannerStopsWithoutADecision() throws Exception {
        var images = java.util.List.of("101_2.png", "101_3.png", "101_4.png", "102_2.png", "102_3.png", "102_4.png").iterator();
        var out = ktp.biometric.HolderVerification.verify(chip(), source(images), new HolderMatcher(40), ktp.biometric.RetryPolicy.STATION, 500, p -> { });
        assertFalse(out.matched());
        assertEquals(6, out.attempts().size());
        assertTrue(out.stoppedBecause().contains("6 attempts"), out.stoppedBecause());
        sim.fault(SimulatedScanner.Fault.SILENT);
        var silent = ktp.biometric.HolderVerification.verify(chip(), source(java.util.List.of("104_2.png").iterator()), new HolderMatcher(40),
                ktp.biometric.RetryPolicy.STATION, 500, p -> { });
        assertFalse(silent.matched());
        assertEquals(0, silent.attempts().size(), "no attempt is counted when the scanner is silent");
        assertTrue(silent.stoppedBecause().contains("did not answer"), silent.stoppedBecause());
    }

    @Test
    void overASerialPtyPairFromSocatTheCaptureMatchesToo(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path a = dir.resolve("module");
        Path b = dir.resolve("station");
        Process socat;
        try {
            socat = new ProcessBuilder("socat", "pty,raw,echo=0,link=" + a, "pty,raw,echo=0,link=" + b).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            throw new AssertionError("socat is missing: install Debian's socat (./ktp test does)", e);
        }
        try {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!(Files.exists(a) && Files.exists(b)) && System.nanoTime() < deadline) Thread.sleep(20);
            try (SimulatedScanner module = new SimulatedScanner(R307.width(), R307.height(), a.toRealPath().toString(), 57600);
                 R30xScanner serial = R30xScanner.serial(b.toRealPath().toString(), 57600, R307, Duration.ofSeconds(2))) {
                module.place(fvc("101_4.png"));
                HolderMatcher.Enrolled chip = HolderMatcher.importIso(HolderMatcher.toIso(HolderMatcher.extract(fvc("101_1.png"), 500), 2));
                HolderMatcher.Decision d = new HolderMatcher(40).match(chip, HolderMatcher.extract(serial.capture(Duration.ofSeconds(2)), R307.dpi()));
                assertTrue(d.match(), "score " + d.score());
            }
        } finally {
            socat.destroy();
            socat.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
        }
    }
}
