package ktp.record;

import static org.junit.jupiter.api.Assertions.*;

import java.time.LocalDate;
import java.util.List;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Generated valid NIKs are accepted; each single defect is rejected with its own reason code, and only that. */
class NikPropertiesTest {

    /** A holder as a record describes them, and the NIK that agrees. */
    record Holder(String region, LocalDate birth, Sex sex, int serial) {
        String nik() { return Nik.compose(region, birth, sex, serial); }
    }

    @Provide
    Arbitrary<Holder> holders() {
        Arbitrary<String> province = Arbitraries.of(List.copyOf(Provinces.all().keySet()));
        Arbitrary<String> twoDigits = Arbitraries.integers().between(1, 99).map(i -> String.format("%02d", i));
        Arbitrary<LocalDate> birth = Arbitraries.integers().between(0, 125 * 365).map(d -> LocalDate.of(1901, 1, 1).plusDays(d));
        return Combinators.combine(province, twoDigits, twoDigits, birth, Arbitraries.of(Sex.class), Arbitraries.integers().between(1, 9999))
                .as((p, r, d, b, s, n) -> new Holder(p + r + d, b, s, n));
    }

    private static List<Reason> reasons(String nik, String region, Sex sex, LocalDate birth) throws RecordRejectedException {
        return Nik.parse(nik).check(region, sex, birth).stream().map(RecordRejectedException::reason).collect(Collectors.toList());
    }

    @Property
    void aValidNikIsAccepted(@ForAll("holders") Holder h) throws Exception {
        assertEquals(List.of(), reasons(h.nik(), h.region(), h.sex(), h.birth()));
        Nik nik = Nik.parse(h.nik());
        assertEquals(h.sex(), nik.encodedSex());
        assertEquals(h.birth(), nik.birthDateInCentury(h.birth().getYear() / 100 * 100).orElseThrow());
    }

    @Property
    void theOtherSexIsNikSexMismatch(@ForAll("holders") Holder h) throws Exception {
        Sex other = h.sex() == Sex.LAKI_LAKI ? Sex.PEREMPUAN : Sex.LAKI_LAKI;
        assertEquals(List.of(Reason.NIK_SEX_MISMATCH), reasons(h.nik(), h.region(), other, h.birth()));
    }

    @Property
    void anotherBirthDateInTheSameCenturyIsNikBirthDateMismatch(@ForAll("holders") Holder h, @ForAll @IntRange(min = 1, max = 20000) int shift) throws Exception {
        LocalDate other = h.birth().minusDays(shift);
        if (other.getYear() / 100 != h.birth().getYear() / 100) other = h.birth().plusDays(shift);
        if (other.getYear() / 100 != h.birth().getYear() / 100) return; // no date in that century: nothing to test
        assertEquals(List.of(Reason.NIK_BIRTH_DATE_MISMATCH), reasons(h.nik(), h.region(), h.sex(), other));
    }

    @Property
    void aDifferentRecordRegionIsNikRegionMismatch(@ForAll("holders") Holder h, @ForAll @IntRange(min = 2, max = 5) int digit,
                                                    @ForAll @IntRange(min = 1, max = 9) int delta) throws Exception {
        char[] region = h.region().toCharArray();
        region[digit] = (char) ('0' + (region[digit] - '0' + delta) % 10);
        String recordRegion = new String(region);
        if (recordRegion.substring(2, 4).equals("00") || recordRegion.substring(4, 6).equals("00")) return;
        assertEquals(List.of(Reason.NIK_REGION_MISMATCH), reasons(h.nik(), recordRegion, h.sex(), h.birth()));
    }

    @Property
    void serialZeroIsNikSerialZero(@ForAll("holders") Holder h) throws Exception {
        String nik = h.nik().substring(0, 12) + "0000";
        assertEquals(List.of(Reason.NIK_SERIAL_ZERO), reasons(nik, h.region(), h.sex(), h.birth()));
    }

    @Property
    void aDdmmThatIsNoDateIsNikBirthDateInvalid(@ForAll("holders") Holder h,
                                                @ForAll("impossibleDayMonth") String ddmm) throws Exception {
        String nik = h.nik().substring(0, 6) + ddmm + h.nik().substring(10);
        assertEquals(List.of(Reason.NIK_BIRTH_DATE_INVALID), reasons(nik, h.region(), h.sex(), h.birth()));
    }

    @Provide
    Arbitrary<String> impossibleDayMonth() {
        Arbitrary<String> badDay = Arbitraries.of(0, 32, 33, 35, 38, 40, 72, 80, 99).map(d -> String.format("%02d01", d));
        Arbitrary<String> badMonth = Arbitraries.integers().between(1, 28).flatMap(d ->
                Arbitraries.of(0, 13, 20, 99).map(m -> String.format("%02d%02d", d, m)));
        Arbitrary<String> noSuchDay = Arbitraries.of("3102", "3002", "7002", "3104", "3106", "7111", "3109", "7109");
        return Arbitraries.oneOf(badDay, badMonth, noSuchDay);
    }

    @Property
    void anUnknownProvinceIsNikProvinceUnknown(@ForAll("holders") Holder h, @ForAll @IntRange(min = 0, max = 99) int code) throws Exception {
        String province = String.format("%02d", code);
        if (Provinces.isKnown(province)) return;
        String region = province + h.region().substring(2);
        String nik = province + h.nik().substring(2);
        assertEquals(List.of(Reason.NIK_PROVINCE_UNKNOWN), reasons(nik, region, h.sex(), h.birth()));
    }

    @Property
    void anythingButSixteenDigitsIsNikFormat(@ForAll("notSixteenDigits") String text) {
        RecordRejectedException e = assertThrows(RecordRejectedException.class, () -> Nik.parse(text));
        assertEquals(Reason.NIK_FORMAT, e.reason());
    }

    @Provide
    Arbitrary<String> notSixteenDigits() {
        return Arbitraries.oneOf(
                Arbitraries.strings().numeric().ofMinLength(0).ofMaxLength(30).filter(s -> s.length() != 16),
                Arbitraries.strings().numeric().ofLength(15).flatMap(s -> Arbitraries.of("A", " ", "-", "O", "٣").map(c -> s + c)));
    }

    @Property
    void possibleBirthDatesNeverLieInTheFuture(@ForAll("holders") Holder h) throws Exception {
        LocalDate today = LocalDate.of(2026, 11, 28);
        for (LocalDate d : Nik.parse(h.nik()).possibleBirthDates(today)) assertFalse(d.isAfter(today));
    }
}
