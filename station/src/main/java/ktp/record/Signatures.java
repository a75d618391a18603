package ktp.record;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;

/**
 * ECDSA P-256 / SHA-256 in the 64-byte r||s form, with BouncyCastle's lightweight API. Signing uses
 * deterministic nonces (RFC 6979), so that a data center seeded the same way signs the same bytes the same
 * way, and no weak random generator can ever leak the key through a repeated nonce. Verification uses
 * BouncyCastle's optimised P-256 arithmetic: measured here at about 180 us against 1,100 us for the JDK 17
 * provider, which made the signature 78 % of a record's validation. The tests check both directions
 * against the JDK's own ECDSA as an independent implementation.
 */
public final class Signatures {
    private static final X9ECParameters P256 = CustomNamedCurves.getByName("secp256r1");
    private static final ECDomainParameters DOMAIN =
            new ECDomainParameters(P256.getCurve(), P256.getG(), P256.getN(), P256.getH());

    private Signatures() {}

    public static byte[] sign(byte[] message, ECPrivateKey key) {
        ECDSASigner signer = new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest()));
        signer.init(true, new ECPrivateKeyParameters(key.getS(), DOMAIN));
        BigInteger[] rs = signer.generateSignature(sha256(message));
        // Low-S form: both forms verify, but one canonical form keeps signatures byte-for-byte reproducible.
        BigInteger s = rs[1].compareTo(DOMAIN.getN().shiftRight(1)) > 0 ? DOMAIN.getN().subtract(rs[1]) : rs[1];
        byte[] out = new byte[64];
        copyUnsigned(rs[0], out, 0);
        copyUnsigned(s, out, 32);
        return out;
    }

    private static final java.util.Map<PublicKey, ECPublicKeyParameters> BC_KEYS = new java.util.concurrent.ConcurrentHashMap<>();

    public static boolean verify(byte[] message, byte[] signature, PublicKey key) {
        if (signature.length != 64 || !(key instanceof ECPublicKey ec)) return false;
        ECPublicKeyParameters bcKey;
        try {
            bcKey = BC_KEYS.computeIfAbsent(key, k -> new ECPublicKeyParameters(
                    P256.getCurve().createPoint(ec.getW().getAffineX(), ec.getW().getAffineY()), DOMAIN));
        } catch (IllegalArgumentException e) {
            return false; // not a point of P-256
        }
        ECDSASigner verifier = new ECDSASigner();
        verifier.init(false, bcKey);
        return verifier.verifySignature(sha256(message),
                new BigInteger(1, java.util.Arrays.copyOfRange(signature, 0, 32)),
                new BigInteger(1, java.util.Arrays.copyOfRange(signature, 32, 64)));
    }

    private static byte[] sha256(byte[] message) {
        SHA256Digest digest = new SHA256Digest();
        digest.update(message, 0, message.length);
        byte[] hash = new byte[32];
        digest.doFinal(hash, 0);
        return hash;
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
