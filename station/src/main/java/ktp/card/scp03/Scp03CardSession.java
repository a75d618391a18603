package ktp.card.scp03;

import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * The card's side of SCP03, free of I/O, for the virtual card: answers INITIALIZE UPDATE with a pseudo-random
 * card challenge (KDF(Key-ENC, 02, sequence counter | AID)) and its cryptogram, checks EXTERNAL AUTHENTICATE,
 * then unwraps each command (C-MAC checked before anything else, data decrypted) and wraps each response.
 */
public final class Scp03CardSession {
    private final Scp03.StaticKeys keys;
    private final byte[] aid;
    private final byte[] kdd;
    private Scp03.SessionKeys session;
    private byte[] hostChallenge;
    private byte[] cardChallenge;
    private int level;
    private byte[] chain = new byte[16];
    private long counter;
    private boolean open;

    /** {@code kdd}: the card's 10-byte key diversification data, from which the host derives its keys. */
    public Scp03CardSession(Scp03.StaticKeys keys, byte[] securityDomainAid, byte[] kdd) {
        if (kdd.length != 10) throw new IllegalArgumentException("key diversification data is 10 bytes");
        this.keys = keys;
        this.aid = securityDomainAid.clone();
        this.kdd = kdd.clone();
    }

    /** INITIALIZE UPDATE's answer for a host challenge and the card's sequence counter (3 bytes). */
    public byte[] initializeUpdate(byte[] hostChallenge, int sequenceCounter) {
        byte[] seq = {(byte) (sequenceCounter >> 16), (byte) (sequenceCounter >> 8), (byte) sequenceCounter};
        this.hostChallenge = hostChallenge.clone();
        this.cardChallenge = Scp03.kdf(keys.enc(), Scp03.CARD_CHALLENGE, Scp03.concat(seq, aid), 64);
        this.session = Scp03.sessionKeys(keys, hostChallenge, cardChallenge);
        this.open = false;
        this.chain = new byte[16];
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(kdd);
        out.write(keys.version());
        out.write(0x03);
        out.write(0x70); // i: pseudo-random challenge, R-MAC and R-ENC supported
        out.writeBytes(cardChallenge);
        out.writeBytes(Scp03.cryptogram(session, Scp03.CARD_CRYPTOGRAM, hostChallenge, cardChallenge));
        out.writeBytes(seq);
        return out.toByteArray();
    }

    /** Checks EXTERNAL AUTHENTICATE (the host cryptogram and its C-MAC); true opens the channel at the level in P1. */
    public boolean externalAuthenticate(byte[] apdu) {
        if (session == null || apdu.length < 5 + 16 || (apdu[4] & 0xFF) != 16) return false;
        byte[] header = Arrays.copyOf(apdu, 5);
        byte[] cryptogram = Arrays.copyOfRange(apdu, 5, 13);
        byte[] mac = Arrays.copyOfRange(apdu, 13, 21);
        byte[] expected = Scp03.cryptogram(session, Scp03.HOST_CRYPTOGRAM, hostChallenge, cardChallenge);
        byte[] full = Scp03.cmac(session.mac(), Scp03.concat(chain, header, cryptogram));
        if (!MessageDigest.isEqual(expected, cryptogram) || !MessageDigest.isEqual(Arrays.copyOf(full, 8), mac)) {
            session = null; // a failed authentication ends the attempt; the host must start again
            return false;
        }
        chain = full;
        level = apdu[2] & 0xFF;
        counter = 0;
        open = true;
        return true;
    }

    public boolean isOpen() { return open; }

    public int level() { return level; }

    /** The plain command from a wrapped one; throws if its C-MAC is wrong (the channel then closes). */
    public byte[] unwrap(byte[] apdu) throws Scp03Session.Scp03Exception {
        if (!open) throw new Scp03Session.Scp03Exception("no secure channel");
        if (apdu.length < 5 + 8) { open = false; throw new Scp03Session.Scp03Exception("a wrapped command carries at least a C-MAC"); }
        int lc = apdu[4] & 0xFF;
        if (apdu.length != 5 + lc && apdu.length != 6 + lc) { open = false; throw new Scp03Session.Scp03Exception("Lc does not match"); }
        byte[] header = Arrays.copyOf(apdu, 5);
        byte[] data = Arrays.copyOfRange(apdu, 5, 5 + lc - 8);
        byte[] mac = Arrays.copyOfRange(apdu, 5 + lc - 8, 5 + lc);
        byte[] full = Scp03.cmac(session.mac(), Scp03.concat(chain, header, data));
        if (!MessageDigest.isEqual(Arrays.copyOf(full, 8), mac)) {
            open = false;
            throw new Scp03Session.Scp03Exception("C-MAC does not verify");
        }
        chain = full;
        counter++;
        if ((level & Scp03Session.C_DEC) != 0 && data.length > 0) data = Scp03.unpad80(Scp03.cbc(false, session.enc(), Scp03.icv(session.enc(), counter, false), data));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(apdu[0] & ~0x04);
        out.write(apdu[1]);
        out.write(apdu[2]);
        out.write(apdu[3]);
        if (data.length > 0) {
            out.write(data.length);
            out.writeBytes(data);
        }
        if (apdu.length == 6 + lc) out.write(apdu[5 + lc]);
        return out.toByteArray();
    }

    /** The response body as the host must receive it: encrypted and R-MACed as the level asks (not on error status words). */
    public byte[] wrap(byte[] data, int sw) {
        boolean ok = sw == 0x9000 || (sw >> 8) == 0x62 || (sw >> 8) == 0x63;
        if (!open || (level & Scp03Session.R_MAC) == 0 || !ok) return data;
        if ((level & Scp03Session.R_ENC) != 0 && data.length > 0) data = Scp03.cbc(true, session.enc(), Scp03.icv(session.enc(), counter, true), Scp03.pad80(data));
        byte[] rmac = Arrays.copyOf(Scp03.cmac(session.rmac(), Scp03.concat(chain, data, new byte[] {(byte) (sw >> 8), (byte) sw})), 8);
        return Scp03.concat(data, rmac);
    }
}
