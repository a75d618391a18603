package ktp.record;

/** Jenis Kelamin as printed on the card; the NIK encodes it by adding 40 to the day of birth for women. */
public enum Sex {
    LAKI_LAKI("LAKI-LAKI", "L"),
    PEREMPUAN("PEREMPUAN", "P");

    private final String printed;
    private final String letter;

    Sex(String printed, String letter) {
        this.printed = printed;
        this.letter = letter;
    }

    public String printed() { return printed; }
    public String letter() { return letter; }

    /** Accepts the printed form (LAKI-LAKI, PEREMPUAN) or the letter (L, P). */
    public static Sex parse(String text) {
        for (Sex s : values()) {
            if (s.printed.equalsIgnoreCase(text) || s.letter.equalsIgnoreCase(text)) return s;
        }
        throw new IllegalArgumentException("unknown sex '" + text + "': use LAKI-LAKI (L) or PEREMPUAN (P)");
    }
}
