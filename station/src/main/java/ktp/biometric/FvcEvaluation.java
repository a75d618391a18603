package ktp.biometric;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The FVC protocol on a folder of FINGER_IMPRESSION images, with the station's matcher and retry policy, so a
 * technician can qualify a scanner or a threshold. Impression 1 of each finger is enrolled (exported to ISO
 * and imported back, as it travels on the chip); impressions 2 and up are probes.
 *
 * <ul>
 *   <li>Per attempt: every genuine probe against its own finger; every probe of every other finger as an impostor.</li>
 *   <li>Per transaction: a holder is two fingers (each finger and the next, in folder order, standing for right and
 *   left index). A genuine transaction presents the holder's probes in the policy's order (up to N attempts on the
 *   first finger, then the second); it fails only if every attempt fails. An impostor transaction presents another
 *   holder's fingers (sharing none) the same way; it is a false match if any attempt matches.</li>
 * </ul>
 */
public final class FvcEvaluation {
    private static final Pattern NAME = Pattern.compile("(\\d+)_(\\d+)\\.(tif|tiff|png|bmp)", Pattern.CASE_INSENSITIVE);

    public record Result(double threshold, double fnmrPerAttempt, double fmrPerAttempt, double fnmrPerTransaction, double fmrPerTransaction,
                         int genuineAttempts, int impostorAttempts, int genuineTransactions, int impostorTransactions, int refusedCaptures,
                         int fingers, double medianExtractMillis) {}

    private FvcEvaluation() {}

    public static Result run(Path dir, double dpi, HolderMatcher matcher, RetryPolicy policy) throws IOException, BiometricException {
        Map<String, Map<Integer, Path>> files = new TreeMap<>();
        try (var s = Files.list(dir)) {
            for (Path p : s.toList()) {
                Matcher m = NAME.matcher(p.getFileName().toString());
                if (m.matches()) files.computeIfAbsent(m.group(1), k -> new TreeMap<>()).put(Integer.parseInt(m.group(2)), p);
            }
        }
        if (files.size() < 4) throw new BiometricException(dir + " holds " + files.size() + " fingers named FINGER_IMPRESSION.tif; the protocol needs at least 4");
        List<String> fingers = new ArrayList<>(files.keySet());
        Map<String, HolderMatcher.Enrolled> enrolled = new TreeMap<>();
        Map<String, List<HolderMatcher.Capture>> probes = new TreeMap<>();
        List<Long> extract = new ArrayList<>();
        int refused = 0;
        for (String f : fingers) {
            Map<Integer, Path> imps = files.get(f);
            if (!imps.containsKey(1) || imps.size() < 1 + policy.attemptsPerFinger()) {
                throw new BiometricException("finger " + f + " needs impression 1 and at least " + policy.attemptsPerFinger() + " more");
            }
            try {
                enrolled.put(f, HolderMatcher.importIso(HolderMatcher.toIso(HolderMatcher.extract(Files.readAllBytes(imps.get(1)), dpi), 1)));
            } catch (HolderMatcher.PlaceFingerAgain e) {
                throw new BiometricException(imps.get(1) + " cannot be enrolled: " + e.getMessage());
            }
            List<HolderMatcher.Capture> list = new ArrayList<>();
            for (Map.Entry<Integer, Path> e : imps.entrySet()) {
                if (e.getKey() == 1) continue;
                long t0 = System.nanoTime();
                try {
                    list.add(HolderMatcher.extract(Files.readAllBytes(e.getValue()), dpi));
                } catch (HolderMatcher.PlaceFingerAgain p) {
                    refused++;
                }
                extract.add(System.nanoTime() - t0);
            }
            probes.put(f, list);
        }
        // Per attempt.
        int gen = 0, genFail = 0, imp = 0, impMatch = 0;
        for (String f : fingers) {
            for (HolderMatcher.Capture c : probes.get(f)) {
                gen++;
                if (!matcher.match(enrolled.get(f), c).match()) genFail++;
            }
            for (String g : fingers) {
                if (g.equals(f)) continue;
                for (HolderMatcher.Capture c : probes.get(g)) {
                    imp++;
                    if (matcher.match(enrolled.get(f), c).match()) impMatch++;
                }
            }
        }
        // Per transaction.
        int n = fingers.size();
        int genT = 0, genTFail = 0, impT = 0, impTMatch = 0;
        int k = policy.attemptsPerFinger();
        for (int h = 0; h < n; h++) {
            String[] holder = holder(fingers, h, policy);
            int windows = minProbes(probes, holder) / k;
            for (int w = 0; w < windows; w++) {
                genT++;
                if (!transaction(matcher, enrolled, probes, holder, holder, w * k, k)) genTFail++;
            }
            for (int p = 0; p < n; p++) {
                String[] other = holder(fingers, p, policy);
                if (shares(holder, other)) continue;
                impT++;
                if (transaction(matcher, enrolled, probes, holder, other, 0, k)) impTMatch++;
            }
        }
        extract.sort(null);
        return new Result(matcher.threshold(), ratio(genFail, gen), ratio(impMatch, imp), ratio(genTFail, genT), ratio(impTMatch, impT),
                gen, imp, genT, impT, refused, n, extract.get(extract.size() / 2) / 1e6);
    }

    private static String[] holder(List<String> fingers, int i, RetryPolicy policy) {
        return policy.fingers() == 1 ? new String[] {fingers.get(i)} : new String[] {fingers.get(i), fingers.get((i + 1) % fingers.size())};
    }

    private static boolean shares(String[] a, String[] b) {
        for (String x : a) for (String y : b) if (x.equals(y)) return true;
        return false;
    }

    private static int minProbes(Map<String, List<HolderMatcher.Capture>> probes, String[] fingers) {
        int m = Integer.MAX_VALUE;
        for (String f : fingers) m = Math.min(m, probes.get(f).size());
        return m;
    }

    /** The card's fingers in order, each tried with up to {@code k} of the presenter's probes from {@code from}; true on a match. */
    private static boolean transaction(HolderMatcher matcher, Map<String, HolderMatcher.Enrolled> enrolled, Map<String, List<HolderMatcher.Capture>> probes,
                                       String[] card, String[] presenter, int from, int k) {
        for (int i = 0; i < card.length; i++) {
            List<HolderMatcher.Capture> mine = probes.get(presenter[i]);
            for (int a = 0; a < k && from + a < mine.size(); a++) {
                if (matcher.match(enrolled.get(card[i]), mine.get(from + a)).match()) return true;
            }
        }
        return false;
    }

    private static double ratio(int a, int b) { return b == 0 ? 0 : (double) a / b; }
}
