package ktp.telemetry;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.util.HexFormat;
import ktp.central.Pem;
import ktp.record.Signatures;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;

/**
 * A signing key of the telemetry contract: an ECDSA P-256 private key (a station's, the key of its client
 * certificate or a dedicated one; an office's, for commands, receipts and heartbeats), its public key and its
 * key id. The key id is the first 16 bytes of the SHA-256 of the public key's SubjectPublicKeyInfo, in hex:
 * readers find the key by it (so keys can be rotated: a station may have two registered at once) and the
 * office's registry revokes by it. The private key is never printed.
 */
public final class TelemetryKey {
    private static final X9ECParameters P256 = CustomNamedCurves.getByName("secp256r1");

    private final ECPrivateKey privateKey;
    private final PublicKey publicKey;
    private final String kid;

    private TelemetryKey(ECPrivateKey privateKey, PublicKey publicKey) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
        this.kid = kid(publicKey);
    }

    /** Reads a PKCS#8 PEM ("BEGIN PRIVATE KEY") P-256 key, as the station's client-certificate key is stored. */
    public static TelemetryKey load(Path pem) throws IOException {
        PrivateKey k = Pem.privateKey(pem);
        if (!(k instanceof ECPrivateKey ec) || ec.getParams().getCurve().getField().getFieldSize() != 256) {
            throw new IOException(pem + ": the telemetry signing key must be an EC P-256 key (ES256), this one is " + k.getAlgorithm());
        }
        return of(ec);
    }

    /** The key pair's signing half; the public key is computed from the private one. */
    public static TelemetryKey of(ECPrivateKey key) {
        org.bouncycastle.math.ec.ECPoint q = new FixedPointCombMultiplier().multiply(P256.getG(), key.getS()).normalize();
        try {
            PublicKey pub = KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(
                    new ECPoint(q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger()), key.getParams()));
            return new TelemetryKey(key, pub);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK refuses a P-256 public key", e);
        }
    }

    /** A new random key (tests, the demo, {@code ktp broker setup}). */
    public static TelemetryKey generate() {
        KeyPair kp = Signatures.generateKeyPair(null);
        return new TelemetryKey((ECPrivateKey) kp.getPrivate(), kp.getPublic());
    }

    public String kid() { return kid; }

    public PublicKey publicKey() { return publicKey; }

    /** ES256: ECDSA P-256 over SHA-256, the 64-byte r||s form JWS uses (RFC 7518 3.4), deterministic nonces. */
    byte[] sign(byte[] signingInput) { return Signatures.sign(signingInput, privateKey); }

    /** The key id of any P-256 public key (see the class comment). */
    public static String kid(PublicKey key) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
            return HexFormat.of().formatHex(h, 0, 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes the private key as PKCS#8 PEM, readable by its owner only. */
    public void writePrivate(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.deleteIfExists(file);
        Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, Pem.encode("PRIVATE KEY", privateKey.getEncoded()), StandardCharsets.US_ASCII);
    }

    /** The public key as a PEM "PUBLIC KEY" block (what a keyring directory holds). */
    public String publicPem() { return Pem.encode("PUBLIC KEY", publicKey.getEncoded()); }

    public static boolean isP256(PublicKey k) {
        return k instanceof ECPublicKey ec && ec.getParams().getCurve().getField().getFieldSize() == 256
                && ec.getParams().getOrder().equals(new BigInteger(1, P256.getN().toByteArray()));
    }

    @Override
    public String toString() { return "TelemetryKey[kid " + kid + "]"; }
}
