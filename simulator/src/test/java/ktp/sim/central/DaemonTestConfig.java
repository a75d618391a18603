package ktp.sim.central;

import java.nio.file.Files;
import java.nio.file.Path;

/** The station configuration the daemon tests run with: a plain-HTTP data center, one TCP printer, MQTT. */
final class DaemonTestConfig {
    private DaemonTestConfig() {}

    /** Writes DIR/station/station.yaml (token and master-key files beside it) and returns its path. */
    static Path write(Path dir, String station, String token, byte[] master, int centralPort, int printerPort, String reader, int insertWaitSeconds,
                      String broker) throws Exception {
        Path base = dir.resolve("station");
        Files.createDirectories(base.resolve("keys"));
        Files.writeString(base.resolve("keys/token.txt"), token);
        Files.writeString(base.resolve("keys/issuer-master.hex"), java.util.HexFormat.of().formatHex(master));
        // Signing keys for the station's telemetry: its own, and the office's public key it obeys (docs/telemetry.md).
        ktp.sim.TelemetryTestKeys.at(dir.resolve("telemetry-office")).stationFiles(base, station);
        Path f = base.resolve("station.yaml");
        Files.writeString(f, """
                station: { id: %s, store: store }
                central: { url: "http://127.0.0.1:%d", plain_http: true, token_file: keys/token.txt }
                trusted_keys: trusted-keys
                printers:
                  - { name: P1, uri: "tcp://127.0.0.1:%d", profile: evolis-primacy-dual-ymcko }
                encoder: { reader: "%s", card_profile: ktpel-virtual, master_key: keys/issuer-master.hex, insert_wait_s: %d }
                scanner: { uri: "tcp://127.0.0.1:1", profile: r307 }
                telemetry: { broker: "%s"%s, health_every_s: 5, signing_key: keys/telemetry-signing.key, office_keys: office-keys }
                """.formatted(station, centralPort, printerPort, reader, insertWaitSeconds, broker, ktp.telemetry.SharedBrokerLogins.yaml(station)));
        return f;
    }
}
