package ktp.record;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The data-center public keys a station trusts, by key id. On disk: a directory of {@code KEYID.pem} files,
 * each a PEM "PUBLIC KEY" (SubjectPublicKeyInfo) of a P-256 key. A bad file is refused on load with its name
 * and the problem, so a typo cannot silently drop a key.
 */
public final class TrustedKeys {
    private final Map<String, PublicKey> byId;

    public TrustedKeys(Map<String, PublicKey> byId) { this.byId = Collections.unmodifiableMap(new TreeMap<>(byId)); }

    public Optional<PublicKey> get(String keyId) { return Optional.ofNullable(byId.get(keyId)); }

    public java.util.Set<String> keyIds() { return byId.keySet(); }

    public static TrustedKeys loadDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) throw new IOException("trusted-key directory " + dir + " does not exist");
        Map<String, PublicKey> keys = new TreeMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.pem")) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (!Envelope.KEY_ID.matcher(name.substring(0, name.length() - 4)).matches()) {
                    throw new IOException(file + ": the file name is not KEYID.pem with a key id of 1 to 128 of A-Z a-z 0-9 . _ : -");
                }
                keys.put(name.substring(0, name.length() - 4), readPem(file));
            }
        }
        if (keys.isEmpty()) throw new IOException("trusted-key directory " + dir + " holds no KEYID.pem file");
        return new TrustedKeys(keys);
    }

    public static PublicKey readPem(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        int begin = text.indexOf("-----BEGIN PUBLIC KEY-----");
        int end = text.indexOf("-----END PUBLIC KEY-----");
        if (begin < 0 || end < begin) throw new IOException(file + ": no PEM 'PUBLIC KEY' block");
        String body = text.substring(begin + 26, end).replaceAll("\\s", "");
        try {
            PublicKey key = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(body)));
            if (!(key instanceof ECPublicKey ec) || !isP256(ec.getParams())) {
                throw new IOException(file + ": the key is not a P-256 (secp256r1) EC public key"
                        + (key instanceof ECPublicKey ec2 ? " but another " + ec2.getParams().getCurve().getField().getFieldSize() + "-bit curve (secp256k1, brainpoolP256r1 ... are refused)" : ""));
            }
            return key;
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw new IOException(file + ": the PEM body is not a valid EC public key (" + e.getMessage() + ")", e);
        }
    }

    private static final ECParameterSpec P256 = p256();

    private static ECParameterSpec p256() {
        try {
            AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
            p.init(new ECGenParameterSpec("secp256r1"));
            return p.getParameterSpec(ECParameterSpec.class);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK does not know the P-256 curve", e);
        }
    }

    /**
     * Exactly P-256: the same prime field, coefficients, base point, order and cofactor. The field size alone
     * (256 bits) would admit secp256k1 and brainpoolP256r1, whose signatures the data center never makes.
     */
    static boolean isP256(ECParameterSpec s) {
        return s.getCurve().getField() instanceof ECFieldFp f && f.equals(P256.getCurve().getField())
                && s.getCurve().getA().equals(P256.getCurve().getA()) && s.getCurve().getB().equals(P256.getCurve().getB())
                && s.getGenerator().equals(P256.getGenerator()) && s.getOrder().equals(P256.getOrder())
                && s.getCofactor() == P256.getCofactor();
    }

    public static String toPem(PublicKey key) {
        String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded());
        return "-----BEGIN PUBLIC KEY-----\n" + b64 + "\n-----END PUBLIC KEY-----\n";
    }
}
