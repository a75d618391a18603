package ktp.sim.demo;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ktp.record.PrintRecord;
import ktp.record.RecordJson;

/**
 * The demo's stand-in for a chip until the PC/SC encoder lands: the data groups (DG1 biodata, DG2 photo,
 * DG3 the two ISO templates, DG4 signature) written to a file, read back, and checked against the SHA-256 of
 * what was meant to be written. It does the read-back-and-compare a real encoder must do, on real bytes.
 */
final class ChipImageFile {
    private static final byte[] MAGIC = {'K', 'T', 'P', 'C', 'H', 'I', 'P', '1'};

    private ChipImageFile() {}

    static Map<Integer, byte[]> dataGroups(PrintRecord r) {
        Map<Integer, byte[]> dgs = new LinkedHashMap<>();
        dgs.put(1, RecordJson.write(new PrintRecord(r.recordId(), r.recordVersion(), r.nik(), r.region(), r.front(), r.issue(),
                null, null, List.of())));
        dgs.put(2, r.photoJpeg());
        ByteArrayOutputStream dg3 = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(dg3)) {
            out.writeByte(r.fingerprints().size());
            for (PrintRecord.Fingerprint fp : r.fingerprints()) {
                out.writeByte(fp.position());
                out.writeShort(fp.isoTemplate().length);
                out.write(fp.isoTemplate());
            }
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory failed", e);
        }
        dgs.put(3, dg3.toByteArray());
        dgs.put(4, r.signaturePng());
        return dgs;
    }

    /** Writes the data groups, forcing them to disk; {@code corruptByte} >= 0 flips that byte of DG2 (a fault). */
    static void write(Path file, Map<Integer, byte[]> dgs, int corruptByte) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.write(MAGIC);
            out.writeByte(dgs.size());
            for (Map.Entry<Integer, byte[]> e : dgs.entrySet()) {
                byte[] data = e.getValue().clone();
                if (e.getKey() == 2 && corruptByte >= 0) data[corruptByte % data.length] ^= 0x5A;
                out.writeByte(e.getKey());
                out.writeInt(data.length);
                out.write(data);
            }
        }
        Files.write(file, bytes.toByteArray(), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.SYNC);
    }

    static Map<Integer, byte[]> read(Path file) throws IOException {
        Map<Integer, byte[]> dgs = new LinkedHashMap<>();
        try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
            byte[] magic = in.readNBytes(MAGIC.length);
            if (!Arrays.equals(magic, MAGIC)) throw new IOException(file + " is not a chip image");
            int count = in.readUnsignedByte();
            for (int i = 0; i < count; i++) {
                int tag = in.readUnsignedByte();
                dgs.put(tag, in.readNBytes(in.readInt()));
            }
        }
        return dgs;
    }

    /** The data groups whose read-back hash differs from what was meant to be written. */
    static List<Integer> mismatches(Map<Integer, byte[]> intended, Map<Integer, byte[]> readBack) {
        List<Integer> bad = new ArrayList<>();
        for (Map.Entry<Integer, byte[]> e : intended.entrySet()) {
            byte[] got = readBack.get(e.getKey());
            if (got == null || !Arrays.equals(sha256(e.getValue()), sha256(got))) bad.add(e.getKey());
        }
        return bad;
    }

    /** DG3's templates by finger position. */
    static Map<Integer, byte[]> templates(byte[] dg3) throws IOException {
        Map<Integer, byte[]> out = new LinkedHashMap<>();
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(dg3))) {
            int count = in.readUnsignedByte();
            for (int i = 0; i < count; i++) {
                int position = in.readUnsignedByte();
                out.put(position, in.readNBytes(in.readUnsignedShort()));
            }
        }
        return out;
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
