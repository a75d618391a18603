package ktp.record;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * The data center's seal for the QR code on the back of the card: an ES256 signature over a short text that
 * names the holder and the record, so anyone with the data center's public key can check a card offline
 * (docs/card-qr.md). Pure: no I/O, no keys held.
 *
 * <p>Signed text: {@code KTPEL1|KEYID|NIK|NAMA|YYYY-MM-DD|RECORDID}; the QR holds that text, a '|' and the
 * 64-byte signature in base64url without padding (86 characters).
 */
public final class CardSeal {
    public static final String VERSION = "KTPEL1";
    private static final Pattern NIK = Pattern.compile("\\d{16}");
    private static final Pattern SIGNATURE = Pattern.compile("[A-Za-z0-9_-]{86}");

    /** What the seal vouches for. */
    public record Contents(String keyId, String nik, String nama, LocalDate birthDate, String recordId) {
        public Contents {
            for (String s : new String[] {keyId, nik, nama, recordId}) {
                if (s == null || s.isEmpty() || s.indexOf('|') >= 0 || s.indexOf('\n') >= 0) {
                    throw new IllegalArgumentException("a seal field may not be empty or contain '|' or a line break: " + s);
                }
            }
        }

        public static Contents of(PrintRecord r, String keyId) {
            return new Contents(keyId, r.nik(), r.front().nama(), r.front().tanggalLahir(), r.recordId());
        }

        /** The exact bytes the data center signs. */
        public byte[] signedBytes() { return signedText().getBytes(StandardCharsets.UTF_8); }

        String signedText() { return String.join("|", VERSION, keyId, nik, nama, birthDate.toString(), recordId); }
    }

    /** A QR text taken apart: what it says and the signature it carries (not yet checked). */
    public record Parsed(Contents contents, byte[] signature) {}

    private CardSeal() {}

    public static String qrText(Contents c, byte[] signature) {
        if (signature.length != 64) throw new IllegalArgumentException("an ES256 seal is 64 bytes, got " + signature.length);
        return c.signedText() + "|" + Base64.getUrlEncoder().withoutPadding().encodeToString(signature);
    }

    /** Takes a QR text apart; every problem is named. */
    public static Parsed parse(String text) {
        if (text == null) throw new IllegalArgumentException("no text");
        String[] parts = text.split("\\|", -1);
        if (parts.length != 7) throw new IllegalArgumentException("a KTP-el QR has 7 fields separated by '|', this has " + parts.length);
        if (!parts[0].equals(VERSION)) throw new IllegalArgumentException("unknown QR format '" + parts[0] + "', expected " + VERSION);
        if (!NIK.matcher(parts[2]).matches()) throw new IllegalArgumentException("the NIK field is not 16 digits: '" + parts[2] + "'");
        LocalDate birth;
        try {
            birth = LocalDate.parse(parts[4]);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("the birth date is not YYYY-MM-DD: '" + parts[4] + "'");
        }
        if (!SIGNATURE.matcher(parts[6]).matches()) throw new IllegalArgumentException("the seal is not 86 base64url characters");
        return new Parsed(new Contents(parts[1], parts[2], parts[3], birth, parts[5]), Base64.getUrlDecoder().decode(parts[6]));
    }
}
