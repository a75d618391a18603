package ktp.record;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The 16-digit Nomor Induk Kependudukan: province(2) regency(2) district(2) DDMMYY of birth (day + 40 for
 * women) and a 4-digit serial starting at 0001. It has no checksum, so every rule here is structural. Pure
 * functions: no I/O, no clock except where a caller passes "today".
 */
public final class Nik {
    private final String digits;

    private Nik(String digits) { this.digits = digits; }

    /** Parses the form only (16 digits); the semantic rules are in {@link #check}. */
    public static Nik parse(String text) throws RecordRejectedException {
        if (text == null || !text.matches("[0-9]{16}")) {
            String shown = text == null ? "nothing" : "'" + text + "' (" + text.length() + " characters)";
            throw new RecordRejectedException(Reason.NIK_FORMAT, "nik", "NIK must be exactly 16 digits, got " + shown);
        }
        return new Nik(text);
    }

    public String digits() { return digits; }
    public String provinceCode() { return digits.substring(0, 2); }
    public String regencyCode() { return digits.substring(2, 4); }
    public String districtCode() { return digits.substring(4, 6); }
    public int rawDay() { return Integer.parseInt(digits.substring(6, 8)); }
    public int month() { return Integer.parseInt(digits.substring(8, 10)); }
    public int twoDigitYear() { return Integer.parseInt(digits.substring(10, 12)); }
    public String serial() { return digits.substring(12, 16); }

    /** The sex the NIK encodes: a day above 40 means a woman. */
    public Sex encodedSex() { return rawDay() > 40 ? Sex.PEREMPUAN : Sex.LAKI_LAKI; }

    /** The day of birth with the +40 for women removed. */
    public int dayOfBirth() { return rawDay() > 40 ? rawDay() - 40 : rawDay(); }

    /** The birth date in the given century (for example 1900 or 2000), if DDMMYY is a real date there. */
    public Optional<LocalDate> birthDateInCentury(int century) {
        try {
            return Optional.of(LocalDate.of(century + twoDigitYear(), month(), dayOfBirth()));
        } catch (DateTimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Birth dates the NIK can stand for, newest first: the two centuries, keeping those not after today and
     * at most 130 years ago. A NIK's year has two digits, so both may be possible.
     */
    public List<LocalDate> possibleBirthDates(LocalDate today) {
        List<LocalDate> out = new ArrayList<>();
        for (int century : new int[] {2000, 1900}) {
            birthDateInCentury(century)
                    .filter(d -> !d.isAfter(today) && d.isAfter(today.minusYears(130)))
                    .ifPresent(out::add);
        }
        return out;
    }

    /**
     * Every rule against what the record says of the holder; returns the defects found, each with its own
     * reason code, in a fixed order. An empty list means the NIK agrees with the record.
     *
     * @param regionCode the record's 6-digit province+regency+district code
     */
    public List<RecordRejectedException> check(String regionCode, Sex sex, LocalDate birthDate) {
        List<RecordRejectedException> defects = new ArrayList<>();
        if (!Provinces.isKnown(provinceCode())) {
            defects.add(new RecordRejectedException(Reason.NIK_PROVINCE_UNKNOWN, "nik",
                    "NIK " + digits + " starts with province code " + provinceCode() + ", which is not a province of Indonesia"));
        }
        if (!digits.startsWith(regionCode)) {
            defects.add(new RecordRejectedException(Reason.NIK_REGION_MISMATCH, "nik",
                    "NIK " + digits + " has region code " + digits.substring(0, 6) + " but the record's region is " + regionCode));
        } else if (regencyCode().equals("00") || districtCode().equals("00")) {
            defects.add(new RecordRejectedException(Reason.NIK_REGION_MISMATCH, "nik",
                    "NIK " + digits + " has regency " + regencyCode() + " and district " + districtCode() + "; neither may be 00"));
        }
        int century = birthDate.getYear() / 100 * 100;
        Optional<LocalDate> encoded = birthDateInCentury(century);
        boolean dayInRange = (rawDay() >= 1 && rawDay() <= 31) || (rawDay() >= 41 && rawDay() <= 71);
        if (!dayInRange || encoded.isEmpty()) {
            defects.add(new RecordRejectedException(Reason.NIK_BIRTH_DATE_INVALID, "nik",
                    "NIK " + digits + " has DDMMYY " + digits.substring(6, 12) + ", which is not a real date"
                            + " (day " + rawDay() + (rawDay() > 40 ? " = " + dayOfBirth() + " + 40" : "") + ", month " + month() + ")"));
        } else {
            if (!encoded.get().equals(birthDate)) {
                defects.add(new RecordRejectedException(Reason.NIK_BIRTH_DATE_MISMATCH, "front.tanggalLahir",
                        "NIK " + digits + " encodes birth date " + encoded.get() + " but Tgl Lahir is " + birthDate));
            }
            if (encodedSex() != sex) {
                defects.add(new RecordRejectedException(Reason.NIK_SEX_MISMATCH, "front.jenisKelamin",
                        "NIK " + digits + " encodes " + encodedSex().printed() + " (day " + rawDay()
                                + (rawDay() > 40 ? ", over 40" : ", not over 40") + ") but Jenis Kelamin is " + sex.printed()));
            }
        }
        if (serial().equals("0000")) {
            defects.add(new RecordRejectedException(Reason.NIK_SERIAL_ZERO, "nik",
                    "NIK " + digits + " has serial 0000; serials start at 0001"));
        }
        return defects;
    }

    /** Builds a NIK from its parts; for generators and tests. */
    public static String compose(String regionCode, LocalDate birthDate, Sex sex, int serial) {
        int day = birthDate.getDayOfMonth() + (sex == Sex.PEREMPUAN ? 40 : 0);
        return String.format("%s%02d%02d%02d%04d", regionCode, day, birthDate.getMonthValue(), birthDate.getYear() % 100, serial);
    }

    @Override
    public String toString() { return digits; }
}
