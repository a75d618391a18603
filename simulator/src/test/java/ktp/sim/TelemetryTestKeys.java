package ktp.sim;

import java.io.IOException;
import java.nio.file.Path;
import ktp.telemetry.Keyring;
import ktp.telemetry.TelemetryKey;

/**
 * Signing keys for a simulator test's telemetry, made fresh: an office key (its public half in
 * DIR/office-keys, which stations obey) and a station registry (DIR/registry/STATION.pem) for the office's
 * collectors and the data center's intake. {@link #stationFiles} writes a station's own key where its
 * configuration names it (keys/telemetry-signing.key) and the office keys beside it (office-keys/).
 */
public class TelemetryTestKeys {
    public final TelemetryKey office;
    public final Path officeKeys;
    public final Path registryDir;

    public TelemetryTestKeys(Path dir) throws IOException { this(dir, TelemetryKey.generate()); }

    private TelemetryTestKeys(Path dir, TelemetryKey office) throws IOException {
        this.office = office;
        this.officeKeys = dir.resolve("office-keys");
        this.registryDir = dir.resolve("registry");
        Keyring.add(officeKeys, "test-office", office.publicKey());
        java.nio.file.Files.createDirectories(registryDir);
    }

    /** The keys kept in DIR (made there on first use), so that a test's collector and its station's configuration share them. */
    public static synchronized TelemetryTestKeys at(Path dir) throws IOException {
        Path key = dir.resolve("office.key");
        if (java.nio.file.Files.exists(key)) return new TelemetryTestKeys(dir, TelemetryKey.load(key));
        TelemetryTestKeys k = new TelemetryTestKeys(dir);
        k.office.writePrivate(key);
        return k;
    }

    /** A new key for a station, in the registry. */
    public TelemetryKey station(String id) throws IOException {
        TelemetryKey k = TelemetryKey.generate();
        Keyring.add(registryDir, id, k.publicKey());
        return k;
    }

    /** A station's key (registered) written to BASE/keys/telemetry-signing.key, and the office keys to BASE/office-keys. */
    public TelemetryKey stationFiles(Path base, String id) throws IOException {
        TelemetryKey k = station(id);
        k.writePrivate(base.resolve("keys/telemetry-signing.key"));
        Keyring.add(base.resolve("office-keys"), "test-office", office.publicKey());
        return k;
    }

    public Keyring officeRing() throws IOException { return Keyring.load(officeKeys); }

    public Keyring registry() throws IOException { return Keyring.watch(registryDir); }

    /** The YAML lines of a station's telemetry section that name the files {@link #stationFiles} wrote. */
    public static String configFields() { return "signing_key: keys/telemetry-signing.key, office_keys: office-keys"; }
}
