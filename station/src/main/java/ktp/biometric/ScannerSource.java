package ktp.biometric;

import java.time.Duration;
import ktp.biometric.r30x.R30xScanner;

/**
 * An R30x-family scanner as the source of the holder's captures: what the holder can fix (wet, dry, smudged)
 * asks for the finger again; what the holder cannot (no finger in time, a silent or garbled module) stops the
 * verification without a decision.
 */
public final class ScannerSource implements HolderVerification.Source {
    private final R30xScanner scanner;
    private final Duration waitForFinger;

    public ScannerSource(R30xScanner scanner, Duration waitForFinger) {
        this.scanner = scanner;
        this.waitForFinger = waitForFinger;
    }

    @Override
    public byte[] capture(int fingerPosition) throws HolderVerification.Retake, HolderVerification.Unavailable {
        try {
            return scanner.capture(waitForFinger);
        } catch (R30xScanner.ScannerException e) {
            switch (e.kind()) {
                case TOO_WET, TOO_DRY, POOR_IMAGE -> throw new HolderVerification.Retake(e.getMessage());
                default -> throw new HolderVerification.Unavailable("scanner " + e.kind() + ": " + e.getMessage());
            }
        }
    }
}
