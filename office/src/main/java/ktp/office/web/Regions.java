package ktp.office.web;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/** Province and regency names by Kemendagri code, from the data shipped in ktp/office/regions (its SOURCE.md). */
public final class Regions {
    private static final Map<String, String> NAMES = load();

    private Regions() {}

    /** A 2-digit province or 4-digit regency code's name, or the code when it is not known. */
    public static String name(String code) {
        if (code == null || code.isEmpty()) return "-";
        return NAMES.getOrDefault(code, code);
    }

    private static Map<String, String> load() {
        Map<String, String> m = new TreeMap<>();
        read("provinces.csv", m, false);
        read("regencies.csv", m, true);
        return Map.copyOf(m);
    }

    private static void read(String file, Map<String, String> into, boolean regency) {
        try (InputStream in = Regions.class.getResourceAsStream("/ktp/office/regions/" + file)) {
            if (in == null) throw new IllegalStateException("ktp/office/regions/" + file + " is missing from the office's resources");
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            r.readLine();
            String line;
            while ((line = r.readLine()) != null) {
                String[] p = line.split(",", regency ? 3 : 2);
                if (p.length < 2) continue;
                into.put(p[0].replace(".", ""), (regency ? p[2] : p[1]).replace("\"", "").strip());
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the region names: " + e.getMessage(), e);
        }
    }
}
