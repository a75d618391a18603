package ktp.sim.cli;

import java.nio.file.Path;
import ktp.sim.bench.TelemetryBench;
import ktp.telemetry.BrokerSettings;

/** How the telemetry benchmark's clients log in: anonymously (a broker with only a listener configured). */
final class BenchLogins {
    private BenchLogins() {}

    static TelemetryBench.Login of(String url, Path pki, Path clientsDir) {
        if (pki != null) throw new ktp.cli.BadInputException("--broker-pki is not supported yet");
        return who -> BrokerSettings.plain(url);
    }
}
