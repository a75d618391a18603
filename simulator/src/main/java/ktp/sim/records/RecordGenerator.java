package ktp.sim.records;

import java.time.LocalDate;
import java.util.List;
import java.util.Random;
import ktp.record.Nik;
import ktp.record.PrintRecord;
import ktp.record.Sex;

/**
 * Synthetic residents whose records reach PRINT_READY: plausible names, addresses and region codes, a NIK
 * consistent with the record, a generated photo and signature, and two fingerprint templates extracted
 * from real images. The same seed, library and issue date give the same residents, byte for byte.
 */
public final class RecordGenerator {
    /** ISO finger positions of the two fingers on the chip: right and left index (Perpres on KTP-el). */
    public static final int RIGHT_INDEX = 2;
    public static final int LEFT_INDEX = 7;
    /** NIK serials are four digits (0001-9999), and each resident gets its own, so no two share a NIK. */
    public static final int MAX_RESIDENTS = 9999;

    private static final List<String> STREETS = List.of("JL. MERDEKA", "JL. SUDIRMAN", "JL. DIPONEGORO", "JL. GAJAH MADA",
            "JL. AHMAD YANI", "JL. PAHLAWAN", "JL. MELATI", "GG. MAWAR", "JL. KENANGA", "JL. IMAM BONJOL", "JL. SISINGAMANGARAJA");
    private static final List<String> BIRTH_PLACES = List.of("PONTIANAK", "BANDUNG", "JAKARTA", "SEMARANG", "SURABAYA",
            "DENPASAR", "MEDAN", "MAKASSAR", "YOGYAKARTA", "GARUT", "SURAKARTA", "SINGKAWANG", "KETAPANG", "PADANG");
    private static final List<String> JOBS = List.of("PELAJAR/MAHASISWA", "KARYAWAN SWASTA", "WIRASWASTA", "PETANI/PEKEBUN",
            "MENGURUS RUMAH TANGGA", "PEGAWAI NEGERI SIPIL", "GURU", "PEDAGANG", "NELAYAN/PERIKANAN", "BURUH HARIAN LEPAS");
    private static final List<String> FAITHS = List.of("ISLAM", "ISLAM", "ISLAM", "ISLAM", "ISLAM", "ISLAM", "KRISTEN",
            "KATOLIK", "HINDU", "BUDDHA", "KONGHUCU");
    private static final List<String> BLOOD = List.of("A", "B", "AB", "O", "-");

    /** A generated resident: the record, and which library fingers its two chip templates came from. */
    public record Resident(PrintRecord record, String rightIndexFinger, String leftIndexFinger) {}

    private final long seed;
    private final FingerprintLibrary fingers;
    private final LocalDate issueDate;
    private final List<String> fingerIds;
    private int next;

    public RecordGenerator(long seed, FingerprintLibrary fingers, LocalDate issueDate) {
        this.seed = seed;
        this.fingers = fingers;
        this.issueDate = issueDate;
        this.fingerIds = fingers.fingers();
        if (fingerIds.size() < 2) throw new IllegalArgumentException(fingers.source() + " has fewer than two fingers");
    }

    /** A fixed, plausible issue date for a seed, so that records do not change with the day they are made. */
    public static LocalDate defaultIssueDate(long seed) {
        return LocalDate.of(2025, 1, 1).plusDays(Math.floorMod(seed * 7919, 330));
    }

    public FingerprintLibrary fingers() { return fingers; }

    public Resident next() { return resident(next++); }

    /** Who a resident is, without the costly parts (photo, signature, templates). */
    public record Identity(String recordId, String nik, Regions.Regency regency, Regions.District district, Sex sex, LocalDate birth) {}

    /** The identity of the resident at {@code index}: the same record id and NIK as {@link #resident(int)}, about 1000 times cheaper. */
    public Identity identity(int index) { return identity(index, new Random(seed * 1_000_003L + index)); }

    private Identity identity(int index, Random r) {
        if (index < 0 || index >= MAX_RESIDENTS) throw new IllegalArgumentException("resident index must be 0.." + (MAX_RESIDENTS - 1) + ", got " + index);
        Regions.Regency regency = Names.pickFrom(r, Regions.ALL);
        Regions.District district = Names.pickFrom(r, regency.districts());
        Sex sex = r.nextBoolean() ? Sex.LAKI_LAKI : Sex.PEREMPUAN;
        int ageDays = 17 * 365 + 10 + r.nextInt(60 * 365);
        LocalDate birth = issueDate.minusDays(ageDays);
        String regionCode = regency.provinceCode() + regency.regencyCode() + district.code();
        String nik = Nik.compose(regionCode, birth, sex, index + 1);
        return new Identity(recordId(index), nik, regency, district, sex, birth);
    }

    private String recordId(int index) { return String.format("PRR-%06X-%06d", Math.floorMod(seed, 0x1000000L), index + 1); }

    /** The resident at {@code index} (0-based), the same as the (index+1)-th call of {@link #next()}. */
    public Resident resident(int index) {
        Random r = new Random(seed * 1_000_003L + index);
        Identity id = identity(index, r);
        Regions.Regency regency = id.regency();
        Regions.District district = id.district();
        Sex sex = id.sex();
        LocalDate birth = id.birth();
        String nik = id.nik();
        int age = birth.until(issueDate).getYears();
        String marital = age < 21 ? "BELUM KAWIN" : Names.pickFrom(r, List.of("BELUM KAWIN", "KAWIN", "KAWIN", "KAWIN", "CERAI HIDUP", "CERAI MATI"));
        String job = age < 23 && r.nextBoolean() ? "PELAJAR/MAHASISWA" : Names.pickFrom(r, JOBS);
        String address = Names.pickFrom(r, STREETS) + " NO. " + (1 + r.nextInt(180));
        String rtRw = String.format("%03d/%03d", 1 + r.nextInt(15), 1 + r.nextInt(12));

        int pair = (2 * index) % fingerIds.size();
        String rightFinger = fingerIds.get(pair);
        String leftFinger = fingerIds.get((pair + 1) % fingerIds.size());
        int firstImpression = fingers.impressions(rightFinger).get(0);
        int firstLeftImpression = fingers.impressions(leftFinger).get(0);

        PrintRecord record = new PrintRecord(
                id.recordId(),
                1,
                nik,
                new PrintRecord.Region(regency.provinceCode(), regency.regencyCode(), district.code()),
                new PrintRecord.Front(regency.provinceName(), regency.regencyName(), Names.pick(r, sex),
                        Names.pickFrom(r, BIRTH_PLACES), birth, sex, Names.pickFrom(r, BLOOD), address, rtRw,
                        Names.pickFrom(r, district.villages()), district.name(), Names.pickFrom(r, FAITHS), marital, job,
                        "WNI", "SEUMUR HIDUP"),
                new PrintRecord.Issue(regency.city(), issueDate),
                Portraits.photo(r, birth.getYear(), sex == Sex.PEREMPUAN),
                Portraits.signature(r),
                List.of(new PrintRecord.Fingerprint(RIGHT_INDEX, fingers.isoTemplate(rightFinger, firstImpression, RIGHT_INDEX)),
                        new PrintRecord.Fingerprint(LEFT_INDEX, fingers.isoTemplate(leftFinger, firstLeftImpression, LEFT_INDEX))));
        return new Resident(record, rightFinger, leftFinger);
    }
}
