package ktp.card;

import java.io.ByteArrayOutputStream;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
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
    private final CardProfile profile;
    private final CardKeys keys;
    private final SecureRandom random;
    private long apdus;
    private long sent;
    private long received;

    public Personalizer(ApduTransport card, CardProfile profile, CardKeys keys, SecureRandom random) {
        this.card = card;
        this.profile = profile;
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

    /**
     * Selects the KTP-el application and opens a level-33 channel with this card's keys (derived from the key
     * diversification data it answers with); a wrong key is refused once, never retried, so it cannot block the card.
     */
    public Scp03Session openChannel() throws ApduTransport.CardException, PersonalizationException {
        expect(select(profile.applicationAid()), "SELECT KTP-el");
        byte[] host = new byte[8];
        random.nextBytes(host);
        byte[] init = expect(Scp03Session.initializeUpdate(keys.version(), host), "INITIALIZE UPDATE");
        if (init.length < 10) throw new PersonalizationException("INITIALIZE UPDATE answered " + init.length + " bytes, too short for SCP03");
        Scp03Session s;
        try {
            s = Scp03Session.open(keys.forCard(Arrays.copyOf(init, 10)), host, init, LEVEL);
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

    /** Refuses, before anything reaches the chip, a data group larger than its file on this card model. */
    public void checkFits(Map<Integer, byte[]> groups) throws PersonalizationException {
        for (Map.Entry<Integer, byte[]> g : groups.entrySet()) {
            CardProfile.FileSlot slot = profile.files().get(g.getKey());
            if (slot == null) throw new PersonalizationException("the card profile " + profile.id() + " has no file for group " + g.getKey());
            if (g.getValue().length > slot.maxBytes()) {
                throw new PersonalizationException(CardProfile.name(g.getKey()) + " is " + g.getValue().length + " bytes; " + profile.id() + " holds at most " + slot.maxBytes());
            }
        }
    }

    /**
     * Checks the chip is blank, writes DG1..DG4 then the security object, marks the card personalized, reads it
     * all back and compares. A chip that is not blank (a half-written card comes back PERSONALIZING) is refused.
     */
    public Result personalize(Map<Integer, byte[]> dataGroups, byte[] securityObject) throws ApduTransport.CardException, PersonalizationException {
        apdus = 0;
        sent = 0;
        received = 0;
        Map<Integer, byte[]> files = new LinkedHashMap<>(dataGroups);
        files.put(CardProfile.SOD, securityObject);
        checkFits(files);
        String uid = readUid();
        KtpelApplet.State before = state();
        if (before != KtpelApplet.State.BLANK) {
            throw new PersonalizationException("the chip is not blank (" + before + (before == KtpelApplet.State.PERSONALIZING ? ": half-written before, spoiled" : "") + ")");
        }
        Scp03Session s = openChannel();
        int blockBytes = profile.blockBytes();
        for (int group : profile.groups()) {
            byte[] data = files.get(group);
            if (data == null) continue;
            int file = profile.fileOf(group);
            for (int block = 0; block * blockBytes < data.length; block++) {
                byte[] chunk = Arrays.copyOfRange(data, block * blockBytes, Math.min(data.length, (block + 1) * blockBytes));
                ByteArrayOutputStream c = new ByteArrayOutputStream();
                c.writeBytes(new byte[] {(byte) 0x80, (byte) KtpelApplet.INS_WRITE, (byte) file, (byte) block, (byte) chunk.length});
                c.writeBytes(chunk);
                secured(s, c.toByteArray(), "writing " + CardProfile.name(group));
            }
        }
        secured(s, new byte[] {(byte) 0x80, (byte) KtpelApplet.INS_SET_STATE, (byte) KtpelApplet.State.PERSONALIZED.ordinal(), 0}, "SET PERSONALIZED");
        Map<Integer, byte[]> back = readBack();
        for (Map.Entry<Integer, byte[]> f : files.entrySet()) {
            if (!Arrays.equals(f.getValue(), back.get(f.getKey()))) throw new PersonalizationException("read-back of " + CardProfile.name(f.getKey()) + " differs from what was written");
        }
        return new Result(uid, apdus, sent, received);
    }

    /** Moves the chip to ACTIVATED inside a fresh level-33 channel: only after the holder's fingerprint matched. */
    public void activate() throws ApduTransport.CardException, PersonalizationException {
        Scp03Session s = openChannel();
        secured(s, new byte[] {(byte) 0x80, (byte) KtpelApplet.INS_SET_STATE, (byte) KtpelApplet.State.ACTIVATED.ordinal(), 0}, "ACTIVATE");
    }

    /** Reads the chip's lifecycle state. */
    public KtpelApplet.State state() throws ApduTransport.CardException, PersonalizationException {
        expect(select(profile.applicationAid()), "SELECT KTP-el");
        byte[] b = expect(new byte[] {(byte) 0x80, (byte) KtpelApplet.INS_GET_STATE, 0, 0, 1}, "GET STATE");
        if (b.length != 1 || (b[0] & 0xFF) >= KtpelApplet.State.values().length) throw new PersonalizationException("GET STATE answered " + java.util.HexFormat.of().formatHex(b) + ", not a lifecycle state");
        return KtpelApplet.State.values()[b[0]];
    }

    /** Reads DG1-DG4 and the security object in the clear, as any reader may; keyed by group (SOD = {@link CardProfile#SOD}). */
    public Map<Integer, byte[]> readBack() throws ApduTransport.CardException, PersonalizationException {
        expect(select(profile.applicationAid()), "SELECT KTP-el");
        Map<Integer, byte[]> out = new LinkedHashMap<>();
        int blockBytes = profile.blockBytes();
        for (int group : profile.groups()) {
            int file = profile.fileOf(group);
            ByteArrayOutputStream f = new ByteArrayOutputStream();
            for (int block = 0; block < 256; block++) {
                byte[] r = send(new byte[] {0x00, (byte) KtpelApplet.INS_READ, (byte) file, (byte) block, 0});
                if (sw(r) == 0x6A82 && block == 0) break;
                if (sw(r) == 0x6B00) break;
                if (sw(r) != 0x9000) throw new PersonalizationException(String.format("reading %s: the chip answered %04X", CardProfile.name(group), sw(r)));
                if (r.length - 2 > blockBytes) throw new PersonalizationException("reading " + CardProfile.name(group) + ": the chip sent " + (r.length - 2) + " bytes for a " + blockBytes + "-byte block");
                f.writeBytes(body(r));
                if (r.length - 2 < blockBytes) break;
            }
            if (f.size() > 0) out.put(group, f.toByteArray());
        }
        return out;
    }
}
