package ktp.card.scp03;

import java.security.MessageDigest;
import java.util.Arrays;

/**
 * The host's side of an SCP03 secure channel, free of I/O: checks the card's cryptogram from INITIALIZE
 * UPDATE's answer, makes EXTERNAL AUTHENTICATE, then wraps every command (C-MAC, C-DECRYPTION) and unwraps
 * every response (R-MAC, R-ENCRYPTION) as the security level asks (0x33: all four). Keys never leave it and
 * are never printed.
 */
public final class Scp03Session {
    public static final int C_MAC = 0x01;
    public static final int C_DEC = 0x02;
    public static final int R_MAC = 0x10;
    public static final int R_ENC = 0x20;

    /** The channel could not be opened or a response did not verify. */
    public static final class Scp03Exception extends Exception {
        public Scp03Exception(String message) { super(message); }
    }

    private final Scp03.SessionKeys keys;
    private final byte[] hostChallenge;
    private final byte[] cardChallenge;
    private final int level;
    private byte[] chain = new byte[16];
    private long counter;
    private boolean authenticated;

    private Scp03Session(Scp03.SessionKeys keys, byte[] hostChallenge, byte[] cardChallenge, int level) {
        this.keys = keys;
        this.hostChallenge = hostChallenge;
        this.cardChallenge = cardChallenge;
        this.level = level;
    }

    /** The INITIALIZE UPDATE command for a key version and an 8-byte host challenge. */
    public static byte[] initializeUpdate(int keyVersion, byte[] hostChallenge) {
        byte[] c = new byte[5 + hostChallenge.length + 1];
        c[0] = (byte) 0x80;
        c[1] = 0x50;
        c[2] = (byte) keyVersion;
        c[3] = 0x00;
        c[4] = (byte) hostChallenge.length;
        System.arraycopy(hostChallenge, 0, c, 5, hostChallenge.length);
        return c;
    }

    /**
     * Checks INITIALIZE UPDATE's answer (key diversification data 10, key information 3, card challenge 8,
     * card cryptogram 8, [sequence counter 3]) against the static keys; a wrong cryptogram means wrong keys.
     */
    public static Scp03Session open(Scp03.StaticKeys keys, byte[] hostChallenge, byte[] response, int securityLevel) throws Scp03Exception {
        if (response.length != 29 && response.length != 32) throw new Scp03Exception("INITIALIZE UPDATE answered " + response.length + " bytes; SCP03 (S8) answers 29 or 32");
        if ((response[11] & 0xFF) != 0x03) throw new Scp03Exception(String.format("the card offers SCP%02X, not SCP03", response[11] & 0xFF));
        if ((response[10] & 0xFF) != keys.version()) throw new Scp03Exception(String.format("the card answered with key version %02X, not %02X", response[10] & 0xFF, keys.version()));
        byte[] cardChallenge = Arrays.copyOfRange(response, 13, 21);
        byte[] cardCryptogram = Arrays.copyOfRange(response, 21, 29);
        Scp03.SessionKeys s = Scp03.sessionKeys(keys, hostChallenge, cardChallenge);
        if (!MessageDigest.isEqual(cardCryptogram, Scp03.cryptogram(s, Scp03.CARD_CRYPTOGRAM, hostChallenge, cardChallenge))) {
            throw new Scp03Exception("the card's cryptogram does not verify: the station's keys are not this card's (authentication refused; not retried)");
        }
        if ((securityLevel & ~0x33) != 0 || (securityLevel & C_MAC) == 0 || ((securityLevel & R_ENC) != 0 && (securityLevel & R_MAC) == 0)) {
            throw new Scp03Exception(String.format("security level %02X is not one SCP03 allows", securityLevel));
        }
        return new Scp03Session(s, hostChallenge, cardChallenge, securityLevel);
    }

    /** EXTERNAL AUTHENTICATE with the host cryptogram, C-MACed from a zero chaining value. */
    public byte[] externalAuthenticate() {
        byte[] cryptogram = Scp03.cryptogram(keys, Scp03.HOST_CRYPTOGRAM, hostChallenge, cardChallenge);
        byte[] header = {(byte) 0x84, (byte) 0x82, (byte) level, 0x00, 0x10};
        byte[] mac = macAndChain(header, cryptogram);
        authenticated = true;
        counter = 0;
        return Scp03.concat(header, cryptogram, mac);
    }

    private byte[] macAndChain(byte[] header, byte[] data) {
        byte[] full = Scp03.cmac(keys.mac(), Scp03.concat(chain, header, data));
        chain = full;
        return Arrays.copyOf(full, 8);
    }

    /** Wraps a plain command APDU (short length): encrypts its data if asked, then C-MACs it. */
    public byte[] wrap(byte[] apdu) {
        if (!authenticated) throw new IllegalStateException("EXTERNAL AUTHENTICATE first");
        if (apdu.length < 4) throw new IllegalArgumentException("an APDU has at least 4 bytes");
        byte[] data;
        Integer le = null;
        if (apdu.length == 4) data = new byte[0];
        else if (apdu.length == 5) { data = new byte[0]; le = apdu[4] & 0xFF; }
        else {
            int lc = apdu[4] & 0xFF;
            if (apdu.length != 5 + lc && apdu.length != 6 + lc) throw new IllegalArgumentException("Lc " + lc + " does not match the APDU's " + apdu.length + " bytes");
            data = Arrays.copyOfRange(apdu, 5, 5 + lc);
            if (apdu.length == 6 + lc) le = apdu[5 + lc] & 0xFF;
        }
        counter++;
        if ((level & C_DEC) != 0 && data.length > 0) data = Scp03.cbc(true, keys.enc(), Scp03.icv(keys.enc(), counter, false), Scp03.pad80(data));
        if (data.length + 8 > 255) throw new IllegalArgumentException("the wrapped command needs " + (data.length + 8) + " bytes; use command chaining");
        byte[] header = {(byte) (apdu[0] | 0x04), apdu[1], apdu[2], apdu[3], (byte) (data.length + 8)};
        byte[] mac = macAndChain(header, data);
        byte[] out = Scp03.concat(header, data, mac);
        return le == null ? out : Scp03.concat(out, new byte[] {le.byteValue()});
    }

    /**
     * Checks and opens a response: {@code body} is the response data (with its R-MAC when the level has one),
     * {@code sw} the status word. An error status word carries no R-MAC.
     */
    public byte[] unwrap(byte[] body, int sw) throws Scp03Exception {
        boolean ok = sw == 0x9000 || (sw >> 8) == 0x62 || (sw >> 8) == 0x63;
        if ((level & R_MAC) == 0 || !ok) return body;
        if (body.length < 8) throw new Scp03Exception("the response has no R-MAC (" + body.length + " bytes)");
        byte[] data = Arrays.copyOf(body, body.length - 8);
        byte[] rmac = Arrays.copyOfRange(body, body.length - 8, body.length);
        byte[] expected = Arrays.copyOf(Scp03.cmac(keys.rmac(), Scp03.concat(chain, data, new byte[] {(byte) (sw >> 8), (byte) sw})), 8);
        if (!MessageDigest.isEqual(rmac, expected)) throw new Scp03Exception("the response's R-MAC does not verify: the answer was altered or is not the card's");
        if ((level & R_ENC) != 0 && data.length > 0) {
            if (data.length % 16 != 0) throw new Scp03Exception("encrypted response data of " + data.length + " bytes is not whole AES blocks");
            data = Scp03.unpad80(Scp03.cbc(false, keys.enc(), Scp03.icv(keys.enc(), counter, true), data));
        }
        return data;
    }
}
