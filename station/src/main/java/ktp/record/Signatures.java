package ktp.record;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;

/**
 * ECDSA P-256 / SHA-256 in the 64-byte r||s form. Verification uses the JDK; signing uses BouncyCastle with
 * deterministic nonces (RFC 6979), so that a data center seeded the same way signs the same bytes the same
 * way, and no weak random generator can ever leak the key through a repeated nonce.
 */
public final class Signatures {
    private static final X9ECParameters P256 = CustomNamedCurves.getByName("secp256r1");
    private static final ECDomainParameters DOMAIN =
            new ECDomainParameters(P256.getCurve(), P256.getG(), P256.getN(), P256.getH());

    private Signatures() {}

    public static byte[] sign(byte[] message, ECPrivateKey key) {
        ECDSASigner signer = new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest()));
        signer.init(true, new ECPrivateKeyParameters(key.getS(), DOMAIN));
        SHA256Digest digest = new SHA256Digest();
        digest.update(message, 0, message.length);
        byte[] hash = new byte[32];
        digest.doFinal(hash, 0);
        BigInteger[] rs = signer.generateSignature(hash);
        // Low-S form: both forms verify, but one canonical form keeps signatures byte-for-byte reproducible.
        BigInteger s = rs[1].compareTo(DOMAIN.getN().shiftRight(1)) > 0 ? DOMAIN.getN().subtract(rs[1]) : rs[1];
        byte[] out = new byte[64];
        copyUnsigned(rs[0], out, 0);
        copyUnsigned(s, out, 32);
        return out;
    }

    public static boolean verify(byte[] message, byte[] signature, PublicKey key) {
        try {
            Signature v = Signature.getInstance("SHA256withECDSAinP1363Format");
            v.initVerify(key);
            v.update(message);
            return v.verify(signature);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    /** A P-256 key pair; with a seed the pair is the same on every run (for the simulator only). */
    public static KeyPair generateKeyPair(Long seed) {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
            SecureRandom random = SecureRandom.getInstanceStrong();
            if (seed != null) {
                random = SecureRandom.getInstance("SHA1PRNG");
                random.setSeed(seed);
            }
            gen.initialize(new ECGenParameterSpec("secp256r1"), random);
            return gen.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no P-256 support", e);
        }
    }

    private static void copyUnsigned(BigInteger value, byte[] out, int offset) {
        byte[] raw = value.toByteArray();
        int start = raw.length > 32 ? raw.length - 32 : 0;
        int len = raw.length - start;
        System.arraycopy(raw, start, out, offset + 32 - len, len);
    }
}
