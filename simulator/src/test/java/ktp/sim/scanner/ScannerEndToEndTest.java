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
        HolderMatcher.Enrolled chip = HolderMatcher.importIso(HolderMatcher.toIso(HolderMatcher.extract(fvc("101_1.tif"), 500), 2));
        sim.place(fvc("101_3.tif"));
        HolderMatcher.Decision genuine = m.match(chip, HolderMatcher.extract(scanner.capture(Duration.ofSeconds(2)), R307.dpi()));
        assertTrue(genuine.match(), "score " + genuine.score());
        sim.place(fvc("102_3.tif"));
        HolderMatcher.Decision impostor = m.match(chip, HolderMatcher.extract(scanner.capture(Duration.ofSeconds(2)), R307.dpi()));
        assertFalse(impostor.match(), "score " + impostor.score());
    }

    @Test
    void noFingerWetFingerSilenceAndABadChecksumAreClearErrors() throws Exception {
        long t0 = System.nanoTime();
        R30xScanner.ScannerException none = assertThrows(R30xScanner.ScannerException.class, () -> scanner.capture(Duration.ofMillis(300)));
        assertEquals(R30xScanner.ScannerException.Kind.NO_FINGER, none.kind());
        assertTrue((System.nanoTime() - t0) / 1e9 < 3);
        sim.place(fvc("101_3.tif"));
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
}
