package ktp.record;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the chip holds, modelled on ICAO 9303's logical data structure, and passive authentication (docs/chip-data.md):
 * DG1 biodata, DG2 the photo, DG3 the two fingerprint templates (ISO/IEC 19794-2), DG4 the signature image, each
 * a BER-TLV built deterministically from the print record; and a security object carrying the data center's
 * ES256 signature over the data groups' SHA-256 hashes. The data center signs the hash list when it issues the
 * record (the envelope's {@code chipSeal}), because the station cannot sign for it. Free of I/O.
 */
public final class ChipData {
    public static final List<Integer> GROUPS = List.of(1, 2, 3, 4);
    private static final byte[] HASH_LIST_MAGIC = "KTPEL-SOD1".getBytes(StandardCharsets.US_ASCII);

    private ChipData() {}

    /** DG1..DG4 of a record, in order. The same record gives the same bytes, here and at the data center. */
    public static Map<Integer, byte[]> dataGroups(PrintRecord r) {
        Map<Integer, byte[]> dgs = new LinkedHashMap<>();
        PrintRecord.Front f = r.front();
        ByteArrayOutputStream dg1 = new ByteArrayOutputStream();
        String[] fields = {r.nik(), f.nama(), f.tempatLahir(), CardFields.printedDate(f.tanggalLahir()), f.jenisKelamin().name(), f.golDarah(),
                f.alamat(), f.rtRw(), f.kelDesa(), f.kecamatan(), f.agama(), f.statusPerkawinan(), f.pekerjaan(), f.kewarganegaraan(),
                f.berlakuHingga(), f.provinsi(), f.kabupatenKota(), r.recordId(), r.issue().place(), CardFields.printedDate(r.issue().date())};
        for (int i = 0; i < fields.length; i++) tlv(dg1, 0x80 + i, fields[i] == null ? new byte[0] : fields[i].getBytes(StandardCharsets.UTF_8));
        dgs.put(1, tlv(0x61, dg1.toByteArray()));
        // Missing media (a defective record being signed for a test) become empty values; validation refuses them anyway.
        dgs.put(2, tlv(0x75, tlv(0x80, orEmpty(r.photoJpeg()))));
        ByteArrayOutputStream dg3 = new ByteArrayOutputStream();
        for (PrintRecord.Fingerprint fp : r.fingerprints() == null ? List.<PrintRecord.Fingerprint>of() : r.fingerprints()) {
            ByteArrayOutputStream one = new ByteArrayOutputStream();
            tlv(one, 0x80, new byte[] {(byte) fp.position()});
            tlv(one, 0x81, orEmpty(fp.isoTemplate()));
            tlv(dg3, 0xA0, one.toByteArray());
        }
        dgs.put(3, tlv(0x63, dg3.toByteArray()));
        dgs.put(4, tlv(0x76, tlv(0x80, orEmpty(r.signaturePng()))));
        return dgs;
    }

    /** What the operator sees of the holder on the chip: DG1's printed fields and DG2's photo. */
    public record Holder(String nik, String nama, String tempatLahir, String tanggalLahir, String jenisKelamin, String alamat,
                         String kecamatan, String kabupatenKota, String provinsi, String berlakuHingga, byte[] photoJpeg) {}

    /** The holder as DG1 and DG2 carry them; malformed groups are an IllegalArgumentException. */
    public static Holder holder(Map<Integer, byte[]> dgs) {
        List<byte[][]> f = childList(unwrap(dgs.get(1), 0x61));
        String[] v = new String[20];
        for (byte[][] c : f) {
            int i = (c[0][0] & 0xFF) - 0x80;
            if (i >= 0 && i < v.length) v[i] = new String(c[1], StandardCharsets.UTF_8);
        }
        byte[] photo = children(unwrap(dgs.get(2), 0x75)).getOrDefault(0x80, new byte[0]);
        return new Holder(v[0], v[1], v[2], v[3], v[4], v[6], v[9], v[16], v[15], v[14], photo);
    }

    /** The bytes the data center signs: "KTPEL-SOD1", then for each data group its number and SHA-256. */
    public static byte[] hashList(Map<Integer, byte[]> dgs) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(HASH_LIST_MAGIC);
        for (int g : GROUPS) {
            out.write(g);
            out.writeBytes(sha256(dgs.getOrDefault(g, new byte[0])));
        }
        return out.toByteArray();
    }

    /** The security object (DG tag 77): the key id, the hash list, and the data center's signature over it. */
    public static byte[] securityObject(String keyId, byte[] hashList, byte[] signature) {
        ByteArrayOutputStream in = new ByteArrayOutputStream();
        tlv(in, 0x80, keyId.getBytes(StandardCharsets.US_ASCII));
        tlv(in, 0x81, hashList);
        tlv(in, 0x82, signature);
        return tlv(0x77, in.toByteArray());
    }

    /** One fingerprint template from DG3: its ISO finger position and the ISO/IEC 19794-2 record. */
    public record FingerTemplate(int position, byte[] iso) {}

    /** DG3's templates in the order the data center wrote them; a malformed DG3 is named, not half read. */
    public static List<FingerTemplate> fingerTemplates(byte[] dg3) {
        List<FingerTemplate> out = new ArrayList<>();
        for (byte[][] one : childList(unwrap(dg3, 0x63))) {
            if ((one[0][0] & 0xFF) != 0xA0) throw new IllegalArgumentException(String.format("DG3 holds a %02X object where a finger (A0) belongs", one[0][0] & 0xFF));
            Map<Integer, byte[]> f = children(one[1]);
            byte[] position = f.get(0x80);
            byte[] iso = f.get(0x81);
            if (position == null || position.length != 1 || iso == null) throw new IllegalArgumentException("a DG3 finger lacks its position or template");
            out.add(new FingerTemplate(position[0] & 0xFF, iso));
        }
        return out;
    }

    /** Passive authentication's answer: valid, or which check failed. */
    public record Verdict(boolean valid, String detail) {}

    /** Checks the data groups read from a chip against its security object and the trusted keys. */
    public static Verdict passiveAuthentication(Map<Integer, byte[]> dgs, byte[] sod, java.util.function.Function<String, Optional<PublicKey>> keys) {
        Map<Integer, byte[]> parts;
        try {
            parts = children(unwrap(sod, 0x77));
        } catch (IllegalArgumentException e) {
            return new Verdict(false, "the security object is malformed: " + e.getMessage());
        }
        if (!parts.containsKey(0x80) || !parts.containsKey(0x81) || !parts.containsKey(0x82)) return new Verdict(false, "the security object lacks its key id, hash list or signature");
        String keyId = new String(parts.get(0x80), StandardCharsets.US_ASCII);
        byte[] signed = parts.get(0x81);
        Optional<PublicKey> key = keys.apply(keyId);
        if (key.isEmpty()) return new Verdict(false, "the security object is signed by key " + keyId + ", which is not trusted");
        if (!Signatures.verify(signed, parts.get(0x82), key.get())) return new Verdict(false, "the security object's signature does not verify");
        byte[] actual = hashList(dgs);
        if (java.util.Arrays.equals(actual, signed)) return new Verdict(true, "all " + GROUPS.size() + " data groups match the signed hashes");
        for (int i = 0; i < GROUPS.size(); i++) {
            int off = HASH_LIST_MAGIC.length + i * 33;
            if (signed.length < off + 33 || !java.util.Arrays.equals(signed, off, off + 33, actual, off, off + 33)) {
                return new Verdict(false, "DG" + GROUPS.get(i) + " does not match its signed hash: the chip's data was altered");
            }
        }
        return new Verdict(false, "the hash list differs");
    }

    private static byte[] orEmpty(byte[] b) { return b == null ? new byte[0] : b; }

    static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---------------------------------------------------------------- BER-TLV, one-byte tags

    static byte[] tlv(int tag, byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        tlv(out, tag, value);
        return out.toByteArray();
    }

    static void tlv(ByteArrayOutputStream out, int tag, byte[] value) {
        out.write(tag);
        int n = value.length;
        if (n < 0x80) out.write(n);
        else if (n <= 0xFF) { out.write(0x81); out.write(n); }
        else if (n <= 0xFFFF) { out.write(0x82); out.write(n >> 8); out.write(n & 0xFF); }
        else { out.write(0x83); out.write(n >> 16); out.write((n >> 8) & 0xFF); out.write(n & 0xFF); }
        out.writeBytes(value);
    }

    /** The value of a TLV with the given tag that fills {@code b} exactly. */
    public static byte[] unwrap(byte[] b, int tag) {
        if (b == null || b.length < 2 || (b[0] & 0xFF) != tag) throw new IllegalArgumentException(String.format("expected tag %02X", tag));
        int[] len = length(b, 1);
        if (len[1] + len[0] != b.length) throw new IllegalArgumentException("the length does not fill the object");
        return java.util.Arrays.copyOfRange(b, len[1], b.length);
    }

    /** Children of a constructed value, by tag (a tag seen twice keeps the last; use {@link #childList} for lists). */
    static Map<Integer, byte[]> children(byte[] value) {
        Map<Integer, byte[]> m = new LinkedHashMap<>();
        for (byte[][] c : childList(value)) m.put(c[0][0] & 0xFF, c[1]);
        return m;
    }

    static List<byte[][]> childList(byte[] value) {
        List<byte[][]> out = new ArrayList<>();
        int i = 0;
        while (i < value.length) {
            int tag = value[i] & 0xFF;
            int[] len = length(value, i + 1);
            if (len[1] + len[0] > value.length) throw new IllegalArgumentException("a child runs past its parent");
            out.add(new byte[][] {{(byte) tag}, java.util.Arrays.copyOfRange(value, len[1], len[1] + len[0])});
            i = len[1] + len[0];
        }
        return out;
    }

    /** {length, offset of the value} for the length field at {@code at}. */
    private static int[] length(byte[] b, int at) {
        if (at >= b.length) throw new IllegalArgumentException("no length");
        int first = b[at] & 0xFF;
        if (first < 0x80) return new int[] {first, at + 1};
        int n = first & 0x7F;
        if (n < 1 || n > 3 || at + n >= b.length) throw new IllegalArgumentException("bad length field");
        int len = 0;
        for (int k = 1; k <= n; k++) len = (len << 8) | (b[at + k] & 0xFF);
        return new int[] {len, at + 1 + n};
    }
}
