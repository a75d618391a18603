package ktp.record;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Province codes of the Ministry of Home Affairs (Kemendagri), the first two digits of every NIK. The six
 * Papua codes 91-96 follow the 2022 division; a NIK is permanent, so a code stays valid after a province splits.
 */
public final class Provinces {
    private static final Map<String, String> NAMES = new TreeMap<>(Map.ofEntries(
            Map.entry("11", "ACEH"), Map.entry("12", "SUMATERA UTARA"), Map.entry("13", "SUMATERA BARAT"),
            Map.entry("14", "RIAU"), Map.entry("15", "JAMBI"), Map.entry("16", "SUMATERA SELATAN"),
            Map.entry("17", "BENGKULU"), Map.entry("18", "LAMPUNG"), Map.entry("19", "KEPULAUAN BANGKA BELITUNG"),
            Map.entry("21", "KEPULAUAN RIAU"), Map.entry("31", "DKI JAKARTA"), Map.entry("32", "JAWA BARAT"),
            Map.entry("33", "JAWA TENGAH"), Map.entry("34", "DAERAH ISTIMEWA YOGYAKARTA"), Map.entry("35", "JAWA TIMUR"),
            Map.entry("36", "BANTEN"), Map.entry("51", "BALI"), Map.entry("52", "NUSA TENGGARA BARAT"),
            Map.entry("53", "NUSA TENGGARA TIMUR"), Map.entry("61", "KALIMANTAN BARAT"), Map.entry("62", "KALIMANTAN TENGAH"),
            Map.entry("63", "KALIMANTAN SELATAN"), Map.entry("64", "KALIMANTAN TIMUR"), Map.entry("65", "KALIMANTAN UTARA"),
            Map.entry("71", "SULAWESI UTARA"), Map.entry("72", "SULAWESI TENGAH"), Map.entry("73", "SULAWESI SELATAN"),
            Map.entry("74", "SULAWESI TENGGARA"), Map.entry("75", "GORONTALO"), Map.entry("76", "SULAWESI BARAT"),
            Map.entry("81", "MALUKU"), Map.entry("82", "MALUKU UTARA"), Map.entry("91", "PAPUA"),
            Map.entry("92", "PAPUA BARAT"), Map.entry("93", "PAPUA SELATAN"), Map.entry("94", "PAPUA TENGAH"),
            Map.entry("95", "PAPUA PEGUNUNGAN"), Map.entry("96", "PAPUA BARAT DAYA")));

    private Provinces() {}

    public static Optional<String> name(String code) { return Optional.ofNullable(NAMES.get(code)); }

    public static boolean isKnown(String code) { return NAMES.containsKey(code); }

    public static Map<String, String> all() { return java.util.Collections.unmodifiableMap(NAMES); }
}
