package ktp.cli;

import java.io.IOException;
import java.nio.file.Path;
import ktp.telemetry.Keyring;
import ktp.telemetry.TelemetryKey;
import picocli.CommandLine.Option;

/** The office's side of the signatures: its signing key, and the registry of station certificates it trusts. */
final class OfficeKeyOptions {
    @Option(names = "--key", required = true, paramLabel = "PEM", description = "the office's P-256 private key (PKCS#8 PEM) that signs receipts, heartbeats and commands")
    Path key;

    @Option(names = "--stations", required = true, paramLabel = "DIR",
            description = "the station registry: STATION.pem (its certificate or public key) per station, revoked.txt for revoked key ids")
    Path stations;

    TelemetryKey signingKey() {
        try {
            return TelemetryKey.load(key);
        } catch (IOException e) {
            throw new BadInputException("--key " + key + ": " + e.getMessage());
        }
    }

    Keyring registry() {
        try {
            return Keyring.load(stations);
        } catch (IOException e) {
            throw new BadInputException("--stations: " + e.getMessage());
        }
    }
}
