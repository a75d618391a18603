package ktp.record;

/**
 * Stable reason codes for a rejected record. The codes are a contract: they are stored in the job, sent in
 * RECORD_REJECTED telemetry and counted in reports, so a code is never renamed, only added.
 */
public enum Reason {
    ENVELOPE_TRUNCATED("the file ends before the JSON does (truncated or empty)"),
    ENVELOPE_MALFORMED("the envelope is not valid JSON"),
    ENVELOPE_INVALID("the envelope lacks a field or a field is not what it must be"),
    SIGNATURE_UNKNOWN_KEY("the envelope is signed with a key id the station does not trust"),
    SIGNATURE_INVALID("the data center's signature does not match the payload"),
    PAYLOAD_MALFORMED("the signed payload is not valid JSON"),
    SCHEMA_VIOLATION("the record does not follow the print-record schema"),
    RECORD_ID_MISMATCH("the signed record's id differs from the id it was leased under"),
    NIK_FORMAT("the NIK is not 16 digits"),
    NIK_PROVINCE_UNKNOWN("the NIK's province code is not a province of Indonesia"),
    NIK_REGION_MISMATCH("the NIK's region codes differ from the record's province/regency/district codes"),
    NIK_BIRTH_DATE_INVALID("the NIK's DDMMYY part is not a real date"),
    NIK_BIRTH_DATE_MISMATCH("the NIK's DDMMYY part differs from the birth date"),
    NIK_SEX_MISMATCH("the NIK's day (+40 for women) disagrees with Jenis Kelamin"),
    NIK_SERIAL_ZERO("the NIK's serial is 0000"),
    DATE_INCONSISTENT("a date is in the future or issue precedes birth"),
    PHOTO_MISSING("the record has no photo"),
    PHOTO_INVALID("the photo is not a readable JPEG"),
    SIGNATURE_IMAGE_MISSING("the record has no signature image"),
    SIGNATURE_IMAGE_INVALID("the signature image is not a readable PNG"),
    FINGERPRINT_INVALID("a fingerprint template is not an ISO/IEC 19794-2:2005 record or disagrees with its finger position"),
    FIELD_TOO_LONG("a printed field does not fit its place on the card"),
    CARD_SEAL_MISSING("the envelope has no seal for the card's QR code"),
    CARD_SEAL_INVALID("the QR seal does not verify for this record's NIK, name, birth date and id"),
    CHIP_SEAL_MISSING("the envelope has no seal for the chip's security object"),
    CHIP_SEAL_INVALID("the chip seal does not verify over the hashes of this record's data groups"),
    /** The check itself broke (an exception nobody expected): the record is refused rather than trusted half-checked. */
    INTERNAL_CHECK_FAILED("checking the record failed inside the station (the detail names the exception); the record is refused, not printed");

    private final String meaning;

    Reason(String meaning) { this.meaning = meaning; }

    /** What the code means, for help texts and docs. */
    public String meaning() { return meaning; }
}
