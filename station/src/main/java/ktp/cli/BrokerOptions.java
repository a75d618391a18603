package ktp.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import ktp.telemetry.BrokerSettings;
import picocli.CommandLine.Option;

/** The MQTT broker and how to log in to it: shared by every command that speaks the telemetry contract. */
final class BrokerOptions {
    @Option(names = "--broker", required = true, paramLabel = "URL", description = "tcp://HOST:PORT or ssl://HOST:PORT")
    String url;

    @Option(names = "--broker-user", paramLabel = "NAME")
    String user;

    @Option(names = "--broker-password-file", paramLabel = "FILE", description = "a file holding the password (never given on the command line)")
    Path passwordFile;

    @Option(names = "--broker-ca", paramLabel = "PEM", description = "for ssl://: the CA (or certificate) to trust, and nothing else")
    Path ca;

    @Option(names = "--broker-cert", paramLabel = "PEM", description = "for ssl://: a client certificate")
    Path cert;

    @Option(names = "--broker-key", paramLabel = "PEM", description = "the client certificate's private key")
    Path key;

    BrokerSettings settings() {
        char[] password = null;
        if (passwordFile != null) {
            try {
                password = Files.readString(passwordFile, StandardCharsets.UTF_8).strip().toCharArray();
            } catch (IOException e) {
                throw new BadInputException("--broker-password-file " + passwordFile + ": cannot read it (" + e.getClass().getSimpleName() + ")");
            }
        }
        try {
            return new BrokerSettings(url, user, password, ca, cert, key);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(e.getMessage());
        }
    }
}
