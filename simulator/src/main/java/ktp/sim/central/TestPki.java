package ktp.sim.central;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import ktp.central.Pem;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A private certificate authority for the simulated data center and its stations, made with BouncyCastle:
 * a CA, a server certificate for 127.0.0.1 and localhost, and one client certificate per station (its
 * common name is the station id). Written as PEM files a technician can inspect with openssl:
 * ca.pem, server.pem + server.key, STATION.pem + STATION.key. For tests and the lab, not for production.
 */
public final class TestPki {
    private final KeyPair caKeys;
    private final X509Certificate ca;
    private final Path dir;

    private TestPki(Path dir, KeyPair caKeys, X509Certificate ca) {
        this.dir = dir;
        this.caKeys = caKeys;
        this.ca = ca;
    }

    /** Makes a new CA and server certificate in {@code dir}. */
    public static TestPki create(Path dir) throws IOException {
        try {
            ktp.datafile.PrivateFiles.createDirectories(dir);
            KeyPair caKeys = newKeys();
            X500Name caName = new X500Name("CN=ktp-station test CA,O=ktp-station simulator");
            X509v3CertificateBuilder b = builder(caName, caName, caKeys, Duration.ofDays(3650));
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            b.addExtension(Extension.subjectKeyIdentifier, false, new JcaX509ExtensionUtils().createSubjectKeyIdentifier(caKeys.getPublic()));
            X509Certificate ca = sign(b, caKeys);
            Files.writeString(dir.resolve("ca.pem"), Pem.encode("CERTIFICATE", ca.getEncoded()));
            writeKey(dir.resolve("ca.key"), caKeys);
            TestPki pki = new TestPki(dir, caKeys, ca);
            pki.issue("server", new X500Name("CN=localhost,O=ktp-station simulated data center"), true);
            return pki;
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IOException("cannot make the test certificates: " + e.getMessage(), e);
        }
    }

    /** The CA in {@code dir} if one is there (ca.pem, ca.key, server.pem, server.key), else a new one. */
    public static TestPki openOrCreate(Path dir) throws IOException {
        Path caPem = dir.resolve("ca.pem");
        Path caKey = dir.resolve("ca.key");
        if (!Files.exists(caPem) || !Files.exists(caKey) || !Files.exists(dir.resolve("server.pem")) || !Files.exists(dir.resolve("server.key"))) {
            return create(dir);
        }
        X509Certificate ca = Pem.certificates(caPem).get(0);
        java.security.PrivateKey key = Pem.privateKey(caKey);
        return new TestPki(dir, new KeyPair(ca.getPublicKey(), key), ca);
    }

    public Path caFile() { return dir.resolve("ca.pem"); }

    public Path certificate(String name) { return dir.resolve(name + ".pem"); }

    public Path key(String name) { return dir.resolve(name + ".key"); }

    /** Issues a client certificate for a station: STATION.pem (certificate, then the CA) and STATION.key. */
    public void issueStation(String stationId) throws IOException {
        try {
            issue(stationId, new X500Name("CN=" + stationId + ",O=ktp-station print station"), false);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IOException("cannot make the certificate of " + stationId + ": " + e.getMessage(), e);
        }
    }

    private void issue(String name, X500Name subject, boolean server) throws IOException, GeneralSecurityException, OperatorCreationException {
        KeyPair keys = newKeys();
        X509v3CertificateBuilder b = builder(X500Name.getInstance(ca.getSubjectX500Principal().getEncoded()), subject, keys, Duration.ofDays(825));
        JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        b.addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(ca));
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(server ? KeyPurposeId.id_kp_serverAuth : KeyPurposeId.id_kp_clientAuth));
        if (server) {
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                    new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
        }
        X509Certificate cert = sign(b, caKeys);
        Files.writeString(certificate(name), Pem.encode("CERTIFICATE", cert.getEncoded()) + Pem.encode("CERTIFICATE", ca.getEncoded()));
        writeKey(key(name), keys);
    }

    private static void writeKey(Path keyFile, KeyPair keys) throws IOException {
        // 0600 from its first byte (a chmod after writing left a moment at 0644)
        ktp.datafile.PrivateFiles.writeString(keyFile, Pem.encode("PRIVATE KEY", keys.getPrivate().getEncoded()));
        try {
            Files.setPosixFilePermissions(keyFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: leave the default permissions
        }
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys, Duration validity) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, new BigInteger(64, new SecureRandom()).add(BigInteger.ONE),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(validity)), subject, keys.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, KeyPair signer) throws GeneralSecurityException, OperatorCreationException {
        return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
    }

    private static KeyPair newKeys() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    /** The files a station needs: the CA to pin, its certificate and key. */
    public List<Path> stationFiles(String stationId) { return List.of(caFile(), certificate(stationId), key(stationId)); }
}
