package ktp.central;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** PEM files as the JDK needs them: certificates, and PKCS#8 private keys ("BEGIN PRIVATE KEY"). */
public final class Pem {
    private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");

    private Pem() {}

    public static List<X509Certificate> certificates(Path file) throws IOException {
        List<X509Certificate> out = new ArrayList<>();
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            for (byte[] der : blocks(file, "CERTIFICATE")) {
                out.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(der)));
            }
        } catch (CertificateException e) {
            throw new IOException(file + ": not a readable certificate (" + e.getMessage() + ")", e);
        }
        if (out.isEmpty()) throw new IOException(file + ": no '-----BEGIN CERTIFICATE-----' block");
        return out;
    }

    public static PrivateKey privateKey(Path file) throws IOException {
        List<byte[]> der = blocks(file, "PRIVATE KEY");
        if (der.size() != 1) throw new IOException(file + ": expected one '-----BEGIN PRIVATE KEY-----' (PKCS#8) block, found " + der.size());
        for (String algorithm : List.of("EC", "RSA", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der.get(0)));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new IOException(file + ": the private key is not an EC, RSA or Ed25519 PKCS#8 key");
    }

    public static String encode(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static List<byte[]> blocks(Path file, String type) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        List<byte[]> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            if (!m.group(1).equals(type)) continue;
            try {
                out.add(Base64.getMimeDecoder().decode(m.group(2)));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ": bad base64 in a " + type + " block", e);
            }
        }
        return out;
    }
}
