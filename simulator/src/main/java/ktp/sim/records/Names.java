package ktp.sim.records;

import java.util.List;
import java.util.Random;
import ktp.record.Sex;

/** Plausible Indonesian names, upper case as printed on the card. Many Indonesians have one or two names. */
final class Names {
    private static final List<String> MALE = List.of("BUDI", "AGUS", "ADI", "HENDRA", "RUDI", "EKO", "DEDI", "ANDI",
            "RIZKY", "FAJAR", "ARIF", "BAMBANG", "JOKO", "YUSUF", "IMAM", "WAHYU", "HERU", "SLAMET", "AHMAD",
            "MUHAMMAD", "I MADE", "I WAYAN", "DANIEL", "YOHANES", "TAUFIK", "IRWAN", "GILANG", "BAGUS");
    private static final List<String> FEMALE = List.of("SITI", "SRI", "DEWI", "RINA", "NUR", "AYU", "INDAH", "PUTRI",
            "LESTARI", "WULAN", "FITRI", "RATNA", "ENDANG", "YULIA", "MAYA", "NI LUH", "NI MADE", "MARIA",
            "ANISA", "NOVITA", "KARTIKA", "RAHMAWATI", "DIAN", "MELATI");
    private static final List<String> MIDDLE = List.of("NUR", "DWI", "TRI", "EKA", "ADI", "SRI", "PUTRA", "INDAH", "CAHYA");
    private static final List<String> FAMILY = List.of("SANTOSO", "WIJAYA", "HIDAYAT", "KURNIAWAN", "SETIAWAN",
            "NASUTION", "SIREGAR", "HARAHAP", "SIMANJUNTAK", "LUBIS", "SIHOMBING", "SUSANTO", "GUNAWAN", "HALIM",
            "TANJUNG", "WIBOWO", "PANGARIBUAN");
    /** Javanese-style second names that mark sex, used only for that sex. */
    private static final List<String> FAMILY_MALE = List.of("PRATAMA", "SAPUTRA", "RAMADHAN", "NUGROHO", "PRASETYO");
    private static final List<String> FAMILY_FEMALE = List.of("LESTARI", "HANDAYANI", "NINGSIH", "PURNAMASARI", "SAPUTRI", "RAHAYU");

    private Names() {}

    static String pick(Random random, Sex sex) {
        String given = pickFrom(random, sex == Sex.LAKI_LAKI ? MALE : FEMALE);
        int shape = random.nextInt(10);
        String family = random.nextInt(3) == 0
                ? pickFrom(random, sex == Sex.LAKI_LAKI ? FAMILY_MALE : FAMILY_FEMALE) : pickFrom(random, FAMILY);
        if (shape == 0) return given;
        if (shape < 3) return given + " " + pickFrom(random, MIDDLE) + " " + family;
        return given + " " + family;
    }

    static <T> T pickFrom(Random random, List<T> list) { return list.get(random.nextInt(list.size())); }
}
