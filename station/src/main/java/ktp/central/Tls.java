package ktp.central;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS contexts from PEM files. The trust store holds only what the configuration names (the data center's
 * CA, or its own certificate), never the system's CAs: that is the pin.
 */
public final class Tls {
    private Tls() {}

    /**
     * @param trusted certificates to trust, and nothing else
     * @param certificate our certificate chain (leaf first), or null for none
     * @param key the private key of {@code certificate}, or null
     */
    public static SSLContext context(Path trusted, Path certificate, Path key) throws IOException {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            int n = 0;
            for (X509Certificate c : Pem.certificates(trusted)) trust.setCertificateEntry("trusted-" + n++, c);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);

            KeyManagerFactory kmf = null;
            if (certificate != null) {
                if (key == null) throw new IOException("a certificate (" + certificate + ") needs its private key");
                List<X509Certificate> chain = Pem.certificates(certificate);
                PrivateKey privateKey = Pem.privateKey(key);
                char[] password = new char[0];
                KeyStore keys = KeyStore.getInstance("PKCS12");
                keys.load(null, null);
                keys.setKeyEntry("me", privateKey, password, chain.toArray(new X509Certificate[0]));
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, password);
            }
            SSLContext ctx = SSLContext.getInstance("TLSv1.3");
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), new SecureRandom());
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up TLS from " + trusted + (certificate == null ? "" : " and " + certificate) + ": " + e.getMessage(), e);
        }
    }
}
