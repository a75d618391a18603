package ktp.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import ktp.biometric.BiometricException;
import ktp.biometric.FvcEvaluation;
import ktp.biometric.HolderMatcher;
import ktp.biometric.RetryPolicy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "finger", mixinStandardHelpOptions = true, description = "Fingerprints: enrol, match 1:1, and qualify a scanner.",
        subcommands = {FingerCommand.Enroll.class, FingerCommand.Match.class, FingerCommand.Eval.class})
final class FingerCommand extends CommandGroup {

    static byte[] read(Path p, String option) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw CliText.bad("err.finger.read", option, p.toString(), String.valueOf(e.getMessage()));
        }
    }

    static HolderMatcher.Capture capture(Path image, double dpi) {
        try {
            return HolderMatcher.extract(read(image, "--image"), dpi);
        } catch (BiometricException e) {
            throw CliText.bad("err.finger.image", image.toString(), String.valueOf(e.getMessage()));
        } catch (HolderMatcher.PlaceFingerAgain e) {
            // The console's own words for a poor capture, the matcher's text after them.
            String why = ktp.i18n.Catalogue.text(CliText.language(), "console.visit.poor.LITTLE_DETAIL", String.valueOf(e.minutiae()));
            throw CliText.bad("err.finger.poor", image.toString(), why, String.valueOf(e.getMessage()));
        }
    }

    @Command(name = "enroll", mixinStandardHelpOptions = true, description = "Extract an ISO/IEC 19794-2:2005 template from an 8-bit fingerprint image.")
    static final class Enroll implements Callable<Integer> {
        @Option(names = "--image", required = true, paramLabel = "FILE") Path image;
        @Option(names = "--dpi", required = true, paramLabel = "N") double dpi;
        @Option(names = "--out", required = true, paramLabel = "FILE.iso") Path out;
        @Option(names = "--finger", defaultValue = "2", paramLabel = "POS", description = "ISO finger position 1..10 (default ${DEFAULT-VALUE}, right index)") int finger;

        @Override
        public Integer call() throws IOException {
            if (finger < 1 || finger > 10) throw CliText.bad("err.finger.position", String.valueOf(finger));
            HolderMatcher.Capture c = capture(image, dpi);
            ktp.datafile.PrivateFiles.write(out, HolderMatcher.toIso(c, finger)); // a biometric template: owner only
            System.out.println(CliText.t("finger.enrolled", image.toString(), String.valueOf(c.minutiae()), String.valueOf(finger), out.toString()));
            return ExitCodes.OK;
        }
    }

    @Command(name = "match", mixinStandardHelpOptions = true,
            description = {"Match a fingerprint image against an ISO template: prints the score and MATCH or NO_MATCH.",
                    "Exit 0 for either decision, 2 for bad input."})
    static final class Match implements Callable<Integer> {
        @Option(names = "--template", required = true, paramLabel = "FILE.iso") Path template;
        @Option(names = "--image", required = true, paramLabel = "FILE") Path image;
        @Option(names = "--dpi", required = true, paramLabel = "N") double dpi;
        @Option(names = "--threshold", defaultValue = "40", paramLabel = "SCORE", description = "decision threshold (default ${DEFAULT-VALUE}: FMR 0.01 %)") double threshold;

        @Override
        public Integer call() {
            HolderMatcher.Enrolled e;
            try {
                e = HolderMatcher.importIso(read(template, "--template"));
            } catch (BiometricException ex) {
                throw CliText.bad("err.finger.template", template.toString(), String.valueOf(ex.getMessage()));
            }
            HolderMatcher m;
            try {
                m = new HolderMatcher(threshold);
            } catch (IllegalArgumentException ex) {
                throw CliText.bad("err.finger.threshold", String.valueOf(ex.getMessage()));
            }
            HolderMatcher.Decision d = m.match(e, capture(image, dpi));
            // MATCH and NO_MATCH are codes (scripts read them); the words around them are the operator's.
            String verdict = d.match() ? "MATCH" : "NO_MATCH";
            System.out.println(CliText.t("finger.score", String.format(java.util.Locale.ROOT, "%.1f", d.score()), verdict, String.valueOf(threshold)));
            return ExitCodes.OK;
        }
    }

    @Command(name = "eval", mixinStandardHelpOptions = true,
            description = {"The FVC protocol on a folder of FINGER_IMPRESSION images: enrol impression 1, genuine probes from the",
                    "others, impostor probes from other fingers; FNMR and FMR per attempt and per transaction with the station's",
                    "retry policy (3 attempts on the first finger, then the second) at the threshold."})
    static final class Eval implements Callable<Integer> {
        @Option(names = "--dir", required = true, paramLabel = "DIR") Path dir;
        @Option(names = "--dpi", required = true, paramLabel = "N") double dpi;
        @Option(names = "--threshold", defaultValue = "40", paramLabel = "SCORE") double threshold;
        @Option(names = "--json", description = "one JSON object") boolean json;

        @Override
        public Integer call() throws IOException {
            if (!Files.isDirectory(dir)) throw CliText.bad("err.finger.dir", dir.toString());
            FvcEvaluation.Result r;
            try {
                r = FvcEvaluation.run(dir, dpi, new HolderMatcher(threshold), RetryPolicy.STATION);
            } catch (BiometricException | IllegalArgumentException e) {
                throw CliText.bad("err.finger.eval", String.valueOf(e.getMessage()));
            }
            if (json) {
                System.out.printf(java.util.Locale.ROOT, "{\"threshold\":%s,\"fnmrPerAttempt\":%.6f,\"fmrPerAttempt\":%.6f,\"fnmrPerTransaction\":%.6f,"
                                + "\"fmrPerTransaction\":%.6f,\"genuineAttempts\":%d,\"impostorAttempts\":%d}%n", r.threshold(), r.fnmrPerAttempt(),
                        r.fmrPerAttempt(), r.fnmrPerTransaction(), r.fmrPerTransaction(), r.genuineAttempts(), r.impostorAttempts());
            } else {
                java.util.Locale root = java.util.Locale.ROOT;
                System.out.println(CliText.t("finger.evalHead", String.valueOf(r.fingers()), String.valueOf(r.threshold())));
                System.out.println(CliText.t("finger.perAttempt", String.format(root, "%.2f", 100 * r.fnmrPerAttempt()), String.valueOf(r.genuineAttempts()),
                        String.format(root, "%.3f", 100 * r.fmrPerAttempt()), String.valueOf(r.impostorAttempts())));
                System.out.println(CliText.t("finger.perTransaction", String.format(root, "%.2f", 100 * r.fnmrPerTransaction()), String.valueOf(r.genuineTransactions()),
                        String.format(root, "%.3f", 100 * r.fmrPerTransaction()), String.valueOf(r.impostorTransactions())));
                System.out.println(CliText.t("finger.refused", String.valueOf(r.refusedCaptures()), String.format(root, "%.1f", r.medianExtractMillis())));
            }
            return ExitCodes.OK;
        }
    }
}
