package ktp.sim.records;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import ktp.record.Envelope;
import ktp.record.PrintRecord;
import ktp.record.RecordJson;
import ktp.record.Reason;
import ktp.record.Sex;

/**
 * One kind of defect a station must catch, each producing exactly one reason code. Apart from the
 * envelope-level defects, the faulty payload is signed with the data center's real key: the record is
 * genuine and still wrong, which is the case the seed's REQUEST_VALIDATION describes.
 */
public enum Defect {
    MALFORMED_JSON(Reason.ENVELOPE_MALFORMED),
    TRUNCATED_FILE(Reason.ENVELOPE_TRUNCATED),
    WRONG_SIGNATURE(Reason.SIGNATURE_INVALID),
    UNKNOWN_KEY(Reason.SIGNATURE_UNKNOWN_KEY),
    SCHEMA_LOWER_CASE_NAME(Reason.SCHEMA_VIOLATION),
    NIK_SEX_MISMATCH(Reason.NIK_SEX_MISMATCH),
    NIK_BIRTH_DATE_MISMATCH(Reason.NIK_BIRTH_DATE_MISMATCH),
    NIK_NOT_A_DATE(Reason.NIK_BIRTH_DATE_INVALID),
    NIK_REGION_MISMATCH(Reason.NIK_REGION_MISMATCH),
    NIK_SERIAL_ZERO(Reason.NIK_SERIAL_ZERO),
    PHOTO_MISSING(Reason.PHOTO_MISSING),
    PHOTO_CORRUPT(Reason.PHOTO_INVALID),
    TEMPLATE_TRUNCATED(Reason.FINGERPRINT_INVALID),
    NAME_TOO_LONG(Reason.FIELD_TOO_LONG);

    private final Reason expected;

    Defect(Reason expected) { this.expected = expected; }

    /** The reason code the station must give this defect. */
    public Reason expected() { return expected; }

    /** The defective envelope's bytes, made from a valid record. */
    public byte[] apply(PrintRecord valid, DataCenterKey key, DataCenterKey otherKey) {
        return switch (this) {
            case MALFORMED_JSON -> {
                String json = new String(key.signRecord(valid).toJson(), StandardCharsets.UTF_8);
                yield json.replaceFirst("\"keyId\"", "\"keyId").getBytes(StandardCharsets.UTF_8);
            }
            case TRUNCATED_FILE -> {
                byte[] full = key.signRecord(valid).toJson();
                yield Arrays.copyOf(full, full.length * 3 / 5);
            }
            case WRONG_SIGNATURE -> {
                Envelope genuine = key.signRecord(valid);
                byte[] altered = RecordJson.write(withFront(valid, front(valid, "X" + valid.front().nama().substring(1), valid.front().jenisKelamin(), valid.front().tanggalLahir())));
                yield new Envelope(genuine.keyId(), altered, genuine.signature()).toJson();
            }
            case UNKNOWN_KEY -> otherKey.signRecord(valid).toJson();
            case SCHEMA_LOWER_CASE_NAME -> signed(key, withFront(valid, front(valid, valid.front().nama().toLowerCase(java.util.Locale.ROOT), valid.front().jenisKelamin(), valid.front().tanggalLahir())));
            case NIK_SEX_MISMATCH -> {
                Sex other = valid.front().jenisKelamin() == Sex.LAKI_LAKI ? Sex.PEREMPUAN : Sex.LAKI_LAKI;
                yield signed(key, withFront(valid, front(valid, valid.front().nama(), other, valid.front().tanggalLahir())));
            }
            case NIK_BIRTH_DATE_MISMATCH -> signed(key, withFront(valid, front(valid, valid.front().nama(), valid.front().jenisKelamin(), valid.front().tanggalLahir().minusDays(3))));
            case NIK_NOT_A_DATE -> {
                int badDay = valid.front().jenisKelamin() == Sex.PEREMPUAN ? 75 : 35;
                yield signed(key, withNik(valid, valid.nik().substring(0, 6) + badDay + valid.nik().substring(8)));
            }
            case NIK_REGION_MISMATCH -> {
                PrintRecord.Region r = valid.region();
                String otherDistrict = r.district().equals("09") ? "08" : "09";
                yield signed(key, new PrintRecord(valid.recordId(), valid.recordVersion(), valid.nik(),
                        new PrintRecord.Region(r.province(), r.regency(), otherDistrict), valid.front(), valid.issue(),
                        valid.photoJpeg(), valid.signaturePng(), valid.fingerprints()));
            }
            case NIK_SERIAL_ZERO -> signed(key, withNik(valid, valid.nik().substring(0, 12) + "0000"));
            case PHOTO_MISSING -> signed(key, withPhoto(valid, null));
            case PHOTO_CORRUPT -> {
                byte[] corrupt = new byte[2048];
                corrupt[0] = (byte) 0xFF;
                corrupt[1] = (byte) 0xD8;
                corrupt[2] = (byte) 0xFF;
                yield signed(key, withPhoto(valid, corrupt));
            }
            case TEMPLATE_TRUNCATED -> {
                PrintRecord.Fingerprint first = valid.fingerprints().get(0);
                PrintRecord.Fingerprint cut = new PrintRecord.Fingerprint(first.position(), Arrays.copyOf(first.isoTemplate(), first.isoTemplate().length - 12));
                yield signed(key, new PrintRecord(valid.recordId(), valid.recordVersion(), valid.nik(), valid.region(), valid.front(),
                        valid.issue(), valid.photoJpeg(), valid.signaturePng(), List.of(cut, valid.fingerprints().get(1))));
            }
            case NAME_TOO_LONG -> signed(key, withFront(valid, front(valid,
                    "MUHAMMAD RIZKY PRATAMA KURNIAWAN SETIAWAN HIDAYAT NASUTION SIREGAR HARAHAP",
                    valid.front().jenisKelamin(), valid.front().tanggalLahir())));
        };
    }

    private static byte[] signed(DataCenterKey key, PrintRecord r) { return key.signRecord(r).toJson(); }

    private static PrintRecord.Front front(PrintRecord r, String nama, Sex sex, java.time.LocalDate birth) {
        PrintRecord.Front f = r.front();
        return new PrintRecord.Front(f.provinsi(), f.kabupatenKota(), nama, f.tempatLahir(), birth, sex, f.golDarah(), f.alamat(),
                f.rtRw(), f.kelDesa(), f.kecamatan(), f.agama(), f.statusPerkawinan(), f.pekerjaan(), f.kewarganegaraan(), f.berlakuHingga());
    }

    private static PrintRecord withFront(PrintRecord r, PrintRecord.Front f) {
        return new PrintRecord(r.recordId(), r.recordVersion(), r.nik(), r.region(), f, r.issue(), r.photoJpeg(), r.signaturePng(), r.fingerprints());
    }

    private static PrintRecord withNik(PrintRecord r, String nik) {
        return new PrintRecord(r.recordId(), r.recordVersion(), nik, r.region(), r.front(), r.issue(), r.photoJpeg(), r.signaturePng(), r.fingerprints());
    }

    private static PrintRecord withPhoto(PrintRecord r, byte[] photo) {
        return new PrintRecord(r.recordId(), r.recordVersion(), r.nik(), r.region(), r.front(), r.issue(), photo, r.signaturePng(), r.fingerprints());
    }
}
