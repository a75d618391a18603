package ktp.record;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.security.interfaces.ECPrivateKey;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/** Builds valid records, envelopes and keys for the station's tests, from nothing but the JDK. */
public final class TestRecords {
    public static final LocalDate TODAY = LocalDate.of(2026, 11, 28);
    public static final KeyPair KEY = Signatures.generateKeyPair(42L);
    public static final String KEY_ID = "dc-test-1";
    public static final TrustedKeys TRUST = new TrustedKeys(Map.of(KEY_ID, KEY.getPublic()));

    private TestRecords() {}

    /** A valid record: a woman born 1990-06-05 in region 32 73 01, serial {@code serial}. */
    public static PrintRecord valid(int serial) {
        LocalDate birth = LocalDate.of(1990, 6, 5);
        return new PrintRecord("PRR-TEST-" + serial, 1, Nik.compose("327301", birth, Sex.PEREMPUAN, serial),
                new PrintRecord.Region("32", "73", "01"),
                front("SITI NURHALIZA", Sex.PEREMPUAN, birth),
                new PrintRecord.Issue("BANDUNG", LocalDate.of(2026, 11, 1)),
                jpeg(120, 160), png(300, 100),
                List.of(new PrintRecord.Fingerprint(2, iso(2, 20)), new PrintRecord.Fingerprint(7, iso(7, 18))));
    }

    public static PrintRecord.Front front(String nama, Sex sex, LocalDate birth) {
        return new PrintRecord.Front("JAWA BARAT", "KOTA BANDUNG", nama, "BANDUNG", birth, sex, "A",
                "JL. MERDEKA NO. 12", "001/002", "SUKAMAJU", "SUKASARI", "ISLAM", "KAWIN", "KARYAWAN SWASTA", "WNI", "SEUMUR HIDUP");
    }

    public static PrintRecord withFront(PrintRecord r, PrintRecord.Front f) {
        return new PrintRecord(r.recordId(), r.recordVersion(), r.nik(), r.region(), f, r.issue(), r.photoJpeg(), r.signaturePng(), r.fingerprints());
    }

    /** The record signed as the data center issues it, card seal included. */
    public static byte[] envelope(PrintRecord r) {
        byte[] payload = RecordJson.write(r);
        ECPrivateKey key = (ECPrivateKey) KEY.getPrivate();
        return new Envelope(KEY_ID, payload, Signatures.sign(payload, key), Signatures.sign(CardSeal.Contents.of(r, KEY_ID).signedBytes(), key),
                Signatures.sign(ktp.record.ChipData.hashList(ktp.record.ChipData.dataGroups(r)), key)).toJson();
    }

    public static byte[] envelope(byte[] payload) {
        return new Envelope(KEY_ID, payload, Signatures.sign(payload, (ECPrivateKey) KEY.getPrivate())).toJson();
    }

    public static byte[] jpeg(int w, int h) { return image(w, h, BufferedImage.TYPE_INT_RGB, "jpeg"); }

    public static byte[] png(int w, int h) { return image(w, h, BufferedImage.TYPE_BYTE_GRAY, "png"); }

    private static byte[] image(int w, int h, int type, String format) {
        BufferedImage img = new BufferedImage(w, h, type);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.setRGB(x, y, (x * 7 + y * 13) % 256 * 0x010101);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, format, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * An ISO/IEC 19794-2:2005 record built field by field from the standard's layout: 24-byte header, one
     * finger view of 4 bytes, 6 bytes per minutia, 2 bytes of extended-data length.
     */
    public static byte[] iso(int fingerPosition, int minutiae) {
        int length = 24 + 4 + 6 * minutiae + 2;
        ByteBuffer b = ByteBuffer.allocate(length);
        b.put(new byte[] {'F', 'M', 'R', 0, ' ', '2', '0', 0});
        b.putInt(length);
        b.putShort((short) 0);            // not certified, sensor 0
        b.putShort((short) 388).putShort((short) 374);
        b.putShort((short) 197).putShort((short) 197); // px/cm = 500 dpi
        b.put((byte) 1).put((byte) 0);    // one view, reserved
        b.put((byte) fingerPosition).put((byte) 0).put((byte) 80).put((byte) minutiae);
        for (int i = 0; i < minutiae; i++) {
            b.putShort((short) ((1 << 14) | (20 + i * 15)));  // ridge ending at x
            b.putShort((short) (30 + i * 11));
            b.put((byte) (i * 9)).put((byte) 60);
        }
        b.putShort((short) 0);
        return b.array();
    }
}
