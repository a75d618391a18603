package ktp.telemetry;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The signing keys of a telemetry test, made fresh in its folder: an office key (its public half in
 * office-keys/, which the stations obey) and a registry (registry/STATION.pem) with a key per station added.
 */
public final class TestKeys {
    public final TelemetryKey office = TelemetryKey.generate();
    public final Path officeKeys;
    public final Path registryDir;
    private final java.util.Map<String, TelemetryKey> stations = new java.util.concurrent.ConcurrentHashMap<>();

    public TestKeys(Path dir) throws IOException {
        this.officeKeys = dir.resolve("office-keys");
        this.registryDir = dir.resolve("registry");
        Keyring.add(officeKeys, "test-office", office.publicKey());
    }

    /** The station's key, made and registered on first use. */
    public TelemetryKey station(String id) {
        return stations.computeIfAbsent(id, k -> {
            TelemetryKey key = TelemetryKey.generate();
            try {
                Keyring.add(registryDir, id, key.publicKey());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return key;
        });
    }

    public Keyring officeRing() throws IOException { return Keyring.load(officeKeys); }

    /** The registry as a collector reads it (reloaded when a station is added later). */
    public Keyring registry() throws IOException { return Keyring.watch(registryDir); }
}
