package ktp.card;

import java.io.ByteArrayOutputStream;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import ktp.card.scp03.Scp03;
import ktp.card.scp03.Scp03Session;

/**
 * Writes a card's data groups and security object through an SCP03 channel at level 33, marks it
 * personalized, reads everything back in the clear and compares: the station's side of encoding
 * (docs/chip-data.md). Counts APDUs and bytes for the benchmark. Not thread-safe: one card at a time.
 */
public final class Personalizer {
    public static final int LEVEL = 0x33;

    /** The chip refused a step, or what was read back differs from what was written. */
    public static final class PersonalizationException extends Exception {
        public PersonalizationException(String message) { super(message); }
    }

    public record Result(String uid, long apdus, long bytesSent, long bytesReceived) {}

    private final ApduTransport card;
    private final Scp03.StaticKeys keys;
    private final SecureRandom random;
    private long apdus;
    private long sent;
    private long received;

    public Personalizer(ApduTransport card, Scp03.StaticKeys keys, SecureRandom random) {
        this.card = card;
        this.keys = keys;
        this.random = random;
    }

    private byte[] send(byte[] apdu) throws ApduTransport.CardException {
        apdus++;
        sent += apdu.length;
        byte[] r = card.transmit(apdu);
        received += r.length;
        if (r.length < 2) throw new ApduTransport.CardException("the chip answered " + r.length + " bytes, not even a status word");
        return r;
    }

    private static int sw(byte[] r) { return ((r[r.length - 2] & 0xFF) << 8) | (r[r.length - 1] & 0xFF); }

    private static byte[] body(byte[] r) { return Arrays.copyOf(r, r.length - 2); }

    private byte[] expect(byte[] apdu, String what) throws ApduTransport.CardException, PersonalizationException {
        byte[] r = send(apdu);
        if (sw(r) != 0x9000) throw new PersonalizationException(String.format("%s: the chip answered %04X", what, sw(r)));
        return body(r);
    }

    /** The chip's UID (the reader's GET DATA FF CA): the blank's id in the ledger. */
    public String readUid() throws ApduTransport.CardException, PersonalizationException {
        return java.util.HexFormat.of().withUpperCase().formatHex(expect(new byte[] {(byte) 0xFF, (byte) 0xCA, 0, 0, 0}, "GET UID"));
    }

    private static byte[] select(byte[] aid) {
        byte[] c = new byte[5 + aid.length + 1];
        c[1] = (byte) 0xA4;
        c[2] = 0x04;
        c[4] = (byte) aid.length;
        System.arraycopy(aid, 0, c, 5, aid.length);
        return c;
    }

    /** Selects the KTP-el application and opens a level-33 channel; a wrong key is refused once, never retried. */
    public Scp03Session openChannel() throws ApduTransport.CardException, PersonalizationException {
        expect(select(KtpelApplet.APPLICATION_AID), "SELECT KTP-el");
        byte[] host = new byte[8];
        random.nextBytes(host);
        byte[] init = expect(Scp03Session.initializeUpdate(keys.version(), host), "INITIALIZE UPDATE");
        Scp03Session s;
        try {
            s = Scp03Session.open(keys, host, init, LEVEL);
        } catch (Scp03Session.Scp03Exception e) {
            throw new PersonalizationException(e.getMessage());
        }
        expect(s.externalAuthenticate(), "EXTERNAL AUTHENTICATE");
        return s;
    }

    private byte[] secured(Scp03Session s, byte[] plain, String what) throws ApduTransport.CardException, PersonalizationException {
        byte[] r = send(s.wrap(plain));
        if (sw(r) != 0x9000) throw new PersonalizationException(String.format("%s: the chip answered %04X", what, sw(r)));
        try {
            return s.unwrap(body(r), sw(r));
        } catch (Scp03Session.Scp03Exception e) {
            throw new PersonalizationException(what + ": " + e.getMessage());
        }
    }

    /** Writes every file, marks the card personalized, reads it all back and compares. */
    public Result personalize(Map<Integer, byte[]> dataGroups, byte[] securityObject) throws ApduTransport.CardException, PersonalizationException {
        apdus = 0;
        sent = 0;
        received = 0;
        String uid = readUid();
        Scp03Session s = openChannel();
        Map<Integer, byte[]> files = new LinkedHashMap<>(dataGroups);
        files.put(KtpelApplet.SOD, securityObject);
        for (Map.Entry<Integer, byte[]> f : files.entrySet()) {
            byte[] data = f.getValue();
            for (int block = 0; block * KtpelApplet.BLOCK < data.length; block++) {
                if (block > 255) throw new PersonalizationException("file " + f.getKey() + " is too large for the chip (" + data.length + " bytes)");
                byte[] chunk = Arrays.copyOfRange(data, block * KtpelApplet.BLOCK, Math.min(data.length, (block + 1) * KtpelApplet.BLOCK));
                ByteArrayOutputStream c = new ByteArrayOutputStream();
                c.writeBytes(new byte[] {(byte) 0x80, (byte) KtpelApplet.INS_WRITE, (byte) (int) f.getKey(), (byte) block, (byte) chunk.length});
                c.writeBytes(chunk);
                secured(s, c.toByteArray(), "writing file " + f.getKey());
            }
        }
        secured(s, new byte[] {(byte) 0x80, (byte) KtpelApplet.INS_SET_STATE, (byte) KtpelApplet.State.PERSONALIZED.ordinal(), 0}, "SET PERSONALIZED");
        Map<Integer, byte[]> back = readBack();
        for (Map.Entry<Integer, byte[]> f : files.entrySet()) {
            if (!Arrays.equals(f.getValue(), back.get(f.getKey()))) throw new PersonalizationException("read-back of file " + f.getKey() + " differs from what was written");
        }
        return new Result(uid, apdus, sent, received);
    }

    /** Reads the chip's lifecycle state. */
    public KtpelApplet.State state() throws ApduTransport.CardException, PersonalizationException {
        expect(select(KtpelApplet.APPLICATION_AID), "SELECT KTP-el");
        byte[] b = expect(new byte[] {(byte) 0x80, (byte) KtpelApplet.INS_GET_STATE, 0, 0, 1}, "GET STATE");
        return KtpelApplet.State.values()[b[0]];
    }

    /** Reads DG1-DG4 and the security object in the clear, as any reader may. */
    public Map<Integer, byte[]> readBack() throws ApduTransport.CardException, PersonalizationException {
        expect(select(KtpelApplet.APPLICATION_AID), "SELECT KTP-el");
        Map<Integer, byte[]> out = new LinkedHashMap<>();
        for (int file : new int[] {1, 2, 3, 4, KtpelApplet.SOD}) {
            ByteArrayOutputStream f = new ByteArrayOutputStream();
            for (int block = 0; block < 256; block++) {
                byte[] r = send(new byte[] {0x00, (byte) KtpelApplet.INS_READ, (byte) file, (byte) block, 0});
                if (sw(r) == 0x6A82 && block == 0) break;
                if (sw(r) == 0x6B00) break;
                if (sw(r) != 0x9000) throw new PersonalizationException(String.format("reading file %d: the chip answered %04X", file, sw(r)));
                f.writeBytes(body(r));
                if (r.length - 2 < KtpelApplet.BLOCK) break;
            }
            if (f.size() > 0) out.put(file, f.toByteArray());
        }
        return out;
    }
}
