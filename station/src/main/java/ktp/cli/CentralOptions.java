package ktp.cli;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import ktp.central.CentralClient;
import ktp.central.Tls;
import picocli.CommandLine.Option;

/** How a command reaches the data center: its URL, the pinned trust, and the station's credentials. */
public final class CentralOptions {
    @Option(names = "--central", paramLabel = "URL", description = "the data center, for example https://127.0.0.1:8443")
    URI url;

    @Option(names = "--station", paramLabel = "ID", defaultValue = "ST-DEMO-01", description = "this station's id (default ${DEFAULT-VALUE})")
    String station;

    @Option(names = "--ca", paramLabel = "PEM", description = "the only certificate(s) trusted for the data center (its CA or its own certificate)")
    Path ca;

    @Option(names = "--cert", paramLabel = "PEM", description = "this station's client certificate (then the CA), for HTTPS")
    Path cert;

    @Option(names = "--key", paramLabel = "PEM", description = "the PKCS#8 private key of --cert")
    Path key;

    @Option(names = "--token-file", paramLabel = "FILE", description = "a file holding the station's bearer token")
    Path tokenFile;

    @Option(names = "--plain-http", description = "allow an http:// URL (local demo only: records carry biometrics)")
    boolean plainHttp;

    /** The client these options describe; every problem is a {@link BadInputException} naming the option. */
    public CentralClient client() {
        if (url == null) throw new BadInputException("--central URL is needed");
        Optional<String> token = Optional.empty();
        if (tokenFile != null) {
            try {
                token = Optional.of(Files.readString(tokenFile).trim());
            } catch (IOException e) {
                throw new BadInputException("--token-file " + tokenFile + ": cannot read it (" + e.getMessage() + ")");
            }
            if (token.get().isEmpty()) throw new BadInputException("--token-file " + tokenFile + " is empty");
        }
        SSLContext tls = null;
        if (url.getScheme() != null && url.getScheme().equalsIgnoreCase("https")) {
            if (ca == null) throw new BadInputException("--central " + url + " is HTTPS: --ca must name the certificate to trust for it");
            if ((cert == null) != (key == null)) throw new BadInputException("--cert and --key go together");
            try {
                tls = Tls.context(ca, cert, key);
            } catch (IOException e) {
                throw new BadInputException(e.getMessage());
            }
        }
        try {
            return new CentralClient(CentralClient.Config.of(url, station, tls, token, plainHttp));
        } catch (IllegalArgumentException e) {
            throw new BadInputException("--central: " + e.getMessage() + (url.getScheme() != null && url.getScheme().equals("http") ? " (--plain-http)" : ""));
        }
    }
}
