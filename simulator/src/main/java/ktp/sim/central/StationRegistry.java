package ktp.sim.central;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsExchange;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * The stations this data center serves, and how a request proves which one it comes from: over HTTPS the
 * client certificate's common name (the TLS layer has already checked it was issued by the stations' CA),
 * over plain HTTP a bearer token per station.
 */
final class StationRegistry {
    private final Map<String, String> tokens = new LinkedHashMap<>();

    /** Adds a station; {@code token} may be empty when the station only ever connects with its certificate. */
    StationRegistry add(String station, String token) {
        tokens.put(station, token == null ? "" : token);
        return this;
    }

    boolean knows(String station) { return tokens.containsKey(station); }

    Map<String, String> stations() { return Map.copyOf(tokens); }

    /** The station the request authenticated as, if any. */
    Optional<String> authenticate(HttpExchange exchange) {
        if (exchange instanceof HttpsExchange https) {
            try {
                Certificate[] chain = https.getSSLSession().getPeerCertificates();
                if (chain.length > 0 && chain[0] instanceof X509Certificate cert) return commonName(cert);
            } catch (SSLPeerUnverifiedException e) {
                // no client certificate: fall through to the token
            }
        }
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.startsWith("Bearer ")) return Optional.empty();
        byte[] presented = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        for (Map.Entry<String, String> e : tokens.entrySet()) {
            if (e.getValue().isEmpty()) continue;
            if (MessageDigest.isEqual(presented, e.getValue().getBytes(StandardCharsets.UTF_8))) return Optional.of(e.getKey());
        }
        return Optional.empty();
    }

    private static Optional<String> commonName(X509Certificate cert) {
        try {
            for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) return Optional.of(rdn.getValue().toString());
            }
        } catch (InvalidNameException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }
}
