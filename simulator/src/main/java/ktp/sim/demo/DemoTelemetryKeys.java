package ktp.sim.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import ktp.telemetry.Keyring;
import ktp.telemetry.TelemetryKey;

/**
 * The signing keys of a demo run, made fresh in its folder: the station's (keys/telemetry-signing.key, named by
 * its configuration's telemetry.signing_key), the office's (its public half in office-keys/, which the station
 * obeys), and the office's station registry (station-registry/DEMO-01.pem), which the collector and the data
 * center's intake verify the station's events with. Nothing of it is reused outside the run's folder.
 */
public record DemoTelemetryKeys(TelemetryKey station, TelemetryKey office, Path stationKeyFile, Path officeKeys, Path registry) {
    public static DemoTelemetryKeys create(Path dir, String stationId) throws IOException {
        TelemetryKey station = TelemetryKey.generate();
        TelemetryKey office = TelemetryKey.generate();
        Path stationKeyFile = dir.resolve("keys/telemetry-signing.key");
        station.writePrivate(stationKeyFile);
        Path officeKeys = dir.resolve("office-keys");
        Path registry = dir.resolve("station-registry");
        for (Path d : new Path[] {officeKeys, registry}) {
            if (Files.isDirectory(d)) {
                try (var files = Files.list(d)) {
                    for (Path f : (Iterable<Path>) files::iterator) Files.delete(f);
                }
            }
        }
        Keyring.add(officeKeys, "demo-office", office.publicKey());
        Keyring.add(registry, stationId, station.publicKey());
        return new DemoTelemetryKeys(station, office, stationKeyFile, officeKeys, registry);
    }

    public Keyring stationRegistry() throws IOException { return Keyring.load(registry); }
}
