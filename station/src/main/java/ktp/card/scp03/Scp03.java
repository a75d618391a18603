package ktp.card.scp03;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.macs.CMac;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * GlobalPlatform SCP03 (Card Specification Amendment D) key derivation, free of I/O: the NIST SP 800-108
 * counter-mode KDF with AES-CMAC, session keys, and the card and host cryptograms. Session handling (MAC
 * chaining, encryption counter, wrapping) is {@link Scp03Session}.
 */
public final class Scp03 {
    public static final int CARD_CRYPTOGRAM = 0x00;
    public static final int HOST_CRYPTOGRAM = 0x01;
    public static final int CARD_CHALLENGE = 0x02;
    public static final int S_ENC = 0x04;
    public static final int S_MAC = 0x06;
    public static final int S_RMAC = 0x07;

    /** The card's static keys (Key-ENC, Key-MAC, Key-DEK), AES-128, 192 or 256, all of one length. */
    public record StaticKeys(int version, byte[] enc, byte[] mac, byte[] dek) {
        public StaticKeys {
            for (byte[] k : new byte[][] {enc, mac, dek}) {
                if (k.length != 16 && k.length != 24 && k.length != 32) throw new IllegalArgumentException("SCP03 keys are AES-128, 192 or 256, got " + k.length + " bytes");
            }
            if (enc.length != mac.length || mac.length != dek.length) throw new IllegalArgumentException("the three keys must have one length");
        }

        /** The GlobalPlatform test keys 404142...4F, for a virtual card in its default configuration. */
        public static StaticKeys globalPlatformTestKeys() {
            byte[] k = new byte[16];
            for (int i = 0; i < 16; i++) k[i] = (byte) (0x40 + i);
            return new StaticKeys(0, k.clone(), k.clone(), k.clone());
        }

        @Override
        public String toString() { return "StaticKeys[version=" + version + ", AES-" + enc.length * 8 + ", values hidden]"; }
    }

    public record SessionKeys(byte[] enc, byte[] mac, byte[] rmac) {
        @Override
        public String toString() { return "SessionKeys[values hidden]"; }
    }

    private Scp03() {}

    public static byte[] cmac(byte[] key, byte[] data) {
        CMac mac = new CMac(AESEngine.newInstance());
        mac.init(new KeyParameter(key));
        mac.update(data, 0, data.length);
        byte[] out = new byte[16];
        mac.doFinal(out, 0);
        return out;
    }

    /** KDF(key, constant, context) giving {@code bits} bits: 11 x 00 | constant | 00 | L | i | context, per block. */
    public static byte[] kdf(byte[] key, int constant, byte[] context, int bits) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 1; out.size() * 8 < bits; i++) {
            ByteArrayOutputStream in = new ByteArrayOutputStream();
            in.writeBytes(new byte[11]);
            in.write(constant);
            in.write(0x00);
            in.write((bits >> 8) & 0xFF);
            in.write(bits & 0xFF);
            in.write(i);
            in.writeBytes(context);
            out.writeBytes(cmac(key, in.toByteArray()));
        }
        return Arrays.copyOf(out.toByteArray(), bits / 8);
    }

    /**
     * Per-card static keys from one master key and the card's key diversification data (the first 10 bytes of
     * INITIALIZE UPDATE's answer), by the scheme GlobalPlatformPro calls KDF3: for key k (1 ENC, 2 MAC, 3 DEK),
     * the NIST SP 800-108 counter-mode KDF with AES-CMAC over i | 00 00 00 0k 00 | KDD, as many bytes as the
     * master key has. A stolen card's keys then open no other card.
     */
    public static StaticKeys diversifyKdf3(byte[] master, int keyVersion, byte[] kdd) {
        if (kdd.length != 10) throw new IllegalArgumentException("key diversification data is 10 bytes, got " + kdd.length);
        return new StaticKeys(keyVersion, kdf3(master, 1, kdd), kdf3(master, 2, kdd), kdf3(master, 3, kdd));
    }

    static byte[] kdf3(byte[] master, int key, byte[] kdd) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 1; out.size() < master.length; i++) {
            out.writeBytes(cmac(master, concat(new byte[] {(byte) i, 0, 0, 0, (byte) key, 0}, kdd)));
        }
        return Arrays.copyOf(out.toByteArray(), master.length);
    }

    public static SessionKeys sessionKeys(StaticKeys k, byte[] hostChallenge, byte[] cardChallenge) {
        byte[] context = concat(hostChallenge, cardChallenge);
        int bits = k.enc().length * 8;
        return new SessionKeys(kdf(k.enc(), S_ENC, context, bits), kdf(k.mac(), S_MAC, context, bits), kdf(k.mac(), S_RMAC, context, bits));
    }

    public static byte[] cryptogram(SessionKeys s, int which, byte[] hostChallenge, byte[] cardChallenge) {
        return kdf(s.mac(), which, concat(hostChallenge, cardChallenge), 64);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    /**
     * The ICV of the command (or response) numbered {@code counter}: AES(S-ENC, the counter as a 16-byte
     * block), the block's first byte set to 80 for a response. Both sides of the channel use it.
     */
    static byte[] icv(byte[] sEnc, long counter, boolean response) {
        byte[] block = new byte[16];
        for (int i = 0; i < 8; i++) block[15 - i] = (byte) (counter >>> (8 * i));
        if (response) block[0] = (byte) 0x80;
        org.bouncycastle.crypto.BlockCipher e = AESEngine.newInstance();
        e.init(true, new KeyParameter(sEnc));
        byte[] out = new byte[16];
        e.processBlock(block, 0, out, 0);
        return out;
    }

    static byte[] cbc(boolean encrypt, byte[] key, byte[] iv, byte[] data) {
        org.bouncycastle.crypto.BufferedBlockCipher c = new org.bouncycastle.crypto.DefaultBufferedBlockCipher(
                org.bouncycastle.crypto.modes.CBCBlockCipher.newInstance(AESEngine.newInstance()));
        c.init(encrypt, new org.bouncycastle.crypto.params.ParametersWithIV(new KeyParameter(key), iv));
        byte[] out = new byte[c.getOutputSize(data.length)];
        int n = c.processBytes(data, 0, data.length, out, 0);
        try {
            n += c.doFinal(out, n);
        } catch (org.bouncycastle.crypto.InvalidCipherTextException e) {
            throw new IllegalStateException(e);
        }
        return Arrays.copyOf(out, n);
    }

    /** ISO 9797-1 method 2 padding to whole AES blocks: 80, then zeros. */
    static byte[] pad80(byte[] data) {
        byte[] out = Arrays.copyOf(data, (data.length / 16 + 1) * 16);
        out[data.length] = (byte) 0x80;
        return out;
    }

    static byte[] unpad80(byte[] data) throws Scp03Session.Scp03Exception {
        int i = data.length - 1;
        while (i >= 0 && data[i] == 0) i--;
        if (i < 0 || (data[i] & 0xFF) != 0x80) throw new Scp03Session.Scp03Exception("decrypted data has no 80 00... padding");
        return Arrays.copyOf(data, i);
    }
}
