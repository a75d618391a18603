package ktp.record;

import java.time.LocalDate;
import java.util.List;

/**
 * A PRINT_READY record as the data center sends it: everything printed on the card and written to the chip.
 * The byte arrays are the images and templates exactly as received; callers must not modify them.
 */
public record PrintRecord(
        String recordId,
        int recordVersion,
        String nik,
        Region region,
        Front front,
        Issue issue,
        byte[] photoJpeg,
        byte[] signaturePng,
        List<Fingerprint> fingerprints) {

    /** Kemendagri region codes of the holder's first registration: province, regency/city, district. */
    public record Region(String province, String regency, String district) {
        public String code() { return province + regency + district; }
    }

    /** The fields printed on the card's front, in the order the card shows them. */
    public record Front(
            String provinsi,
            String kabupatenKota,
            String nama,
            String tempatLahir,
            LocalDate tanggalLahir,
            Sex jenisKelamin,
            String golDarah,
            String alamat,
            String rtRw,
            String kelDesa,
            String kecamatan,
            String agama,
            String statusPerkawinan,
            String pekerjaan,
            String kewarganegaraan,
            String berlakuHingga) {}

    /** Place and date of issue, printed under the signature. */
    public record Issue(String place, LocalDate date) {}

    /**
     * A fingerprint template in ISO/IEC 19794-2:2005 with its finger position (1-5 right thumb to little,
     * 6-10 left thumb to little).
     */
    public record Fingerprint(int position, byte[] isoTemplate) {}
}
