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

    public static SessionKeys sessionKeys(StaticKeys k, byte[] hostChallenge, byte[] cardChallenge) {
        byte[] context = concat(hostChallenge, cardChallenge);
        int bits = k.enc().length * 8;
        return new SessionKeys(kdf(k.enc(), S_ENC, context, bits), kdf(k.mac(), S_MAC, context, bits), kdf(k.mac(), S_RMAC, context, bits));
    }

    public static byte[] cryptogram(SessionKeys s, int which, byte[] hostChallenge, byte[] cardChallenge) {
        return kdf(s.mac(), which, concat(hostChallenge, cardChallenge), 64);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
