package ktp.sim.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import ktp.cli.BadInputException;
import ktp.cli.ExitCodes;
import ktp.sim.central.CentralServer;
import ktp.sim.central.TestPki;
import ktp.sim.records.RecordGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "central", mixinStandardHelpOptions = true,
        description = {"Run the simulated national data center: synthetic residents move through the six phases of the",
                "national flow (failures and retries included) in compressed time, and PRINT_READY records are leased",
                "to stations over the HTTP API of docs/central-api.md. The state (every status change, lease and report)",
                "is kept in --state DIR, so a restart continues where it stopped.",
                "HTTPS (--tls DIR): a test CA, a server certificate and one client certificate per station are made in DIR",
                "(kept and reused); stations authenticate with their certificate. --plain-http: tokens, loopback demos only.",
                "Stops on Ctrl-C."})
final class CentralCommand implements Callable<Integer> {
    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8480", description = "address to listen on (default ${DEFAULT-VALUE}; port 0 picks a free one)")
    String listen;

    @Option(names = "--population", paramLabel = "N", defaultValue = "200", description = "residents (1.." + RecordGenerator.MAX_RESIDENTS + ", default ${DEFAULT-VALUE})")
    int population;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "seed of the residents and of the data center's signing key (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--speed", paramLabel = "X", defaultValue = "86400",
            description = "simulated seconds per real second (default ${DEFAULT-VALUE}: a day per second; at most 10000000)")
    double speed;

    @Option(names = "--failure-rate", paramLabel = "P", defaultValue = "0.1",
            description = "chance that a check at the center fails, split among its failure branches (default ${DEFAULT-VALUE})")
    double failureRate;

    @Option(names = "--lease-seconds", paramLabel = "S", defaultValue = "300", description = "how long a lease lasts unless renewed (default ${DEFAULT-VALUE})")
    long leaseSeconds;

    @Option(names = "--defect-every", paramLabel = "K", defaultValue = "0",
            description = "serve every K-th resident's record with a defect a station must refuse, each kind in turn (default ${DEFAULT-VALUE}: none)")
    int defectEvery;

    @Option(names = "--state", paramLabel = "DIR", defaultValue = "ktp-central-state", description = "state folder (default ./${DEFAULT-VALUE})")
    Path state;

    @Option(names = "--station", paramLabel = "ID[:TOKEN]",
            description = "a station the data center serves, repeatable (default ST-DEMO-01:demo-token); the token is for --plain-http")
    List<String> stations;

    @Option(names = "--tls", paramLabel = "DIR", description = "serve HTTPS with client certificates from the test CA in DIR")
    Path tls;

    @Option(names = "--plain-http", description = "serve plain HTTP with bearer tokens (local demos only)")
    boolean plainHttp;

    @Option(names = "--broker", paramLabel = "URL", description = "also take the stations' events from this MQTT broker (tcp://HOST:PORT), as the central office does")
    String broker;

    @Option(names = "--broker-group", paramLabel = "NAME", defaultValue = "ktp-datacenter",
            description = "the data center's shared-subscription group (default ${DEFAULT-VALUE}; 'none' subscribes directly)")
    String brokerGroup;

    @Option(names = "--station-keys", paramLabel = "DIR",
            description = "with --broker: the station registry (STATION.pem certificates or public keys, revoked.txt) whose signed events are taken")
    Path stationKeys;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if ((tls == null) == !plainHttp) throw new BadInputException("choose one of --tls DIR (HTTPS with client certificates) or --plain-http (local demo)");
        if (defectEvery < 0) throw new BadInputException("--defect-every must be 0 (none) or a positive K, got " + defectEvery);
        InetSocketAddress address = parseListen(listen);
        Map<String, String> registry = new LinkedHashMap<>();
        for (String s : stations == null ? List.of("ST-DEMO-01:demo-token") : stations) {
            int colon = s.indexOf(':');
            String id = colon < 0 ? s : s.substring(0, colon);
            String token = colon < 0 ? "" : s.substring(colon + 1);
            if (!id.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")) throw new BadInputException("--station: bad station id \"" + id + "\"");
            if (plainHttp && token.length() < 8) throw new BadInputException("--station " + id + ": with --plain-http each station needs a token of 8 or more characters (ID:TOKEN)");
            registry.put(id, token);
        }
        TestPki pki = null;
        if (tls != null) {
            pki = TestPki.openOrCreate(tls);
            for (String id : registry.keySet()) if (!Files.exists(pki.certificate(id))) pki.issueStation(id);
        }
        CentralServer.Options options;
        try {
            options = new CentralServer.Options(address, state, seed, population, failureRate, speed, Duration.ofSeconds(leaseSeconds), pki, registry, defectEvery);
            CentralServer server = CentralServer.start(options);
            Path keys = server.key().writePublicKey(state.resolve("trusted-keys"));
            System.out.println("data center listening on " + server.uri() + " (population " + population + ", seed " + seed + ", speed " + speed + "x)");
            System.out.println("  state:            " + state.toAbsolutePath());
            System.out.println("  signing key:      " + keys.toAbsolutePath() + "  (a station's trusted-keys folder needs it)");
            System.out.println("  stations:         " + String.join(", ", registry.keySet()));
            if (pki != null) {
                System.out.println("  trust (pin):      " + pki.caFile().toAbsolutePath());
                System.out.println("  client certs:     " + tls.toAbsolutePath() + "/STATION.pem and STATION.key");
            }
            if (broker != null) {
                ktp.telemetry.BrokerSettings b;
                try {
                    b = ktp.telemetry.BrokerSettings.plain(broker);
                } catch (IllegalArgumentException e) {
                    throw new BadInputException("--broker: " + e.getMessage());
                }
                if (stationKeys == null) throw new BadInputException("--broker needs --station-keys DIR: the registry of station keys the events must be signed with");
                ktp.telemetry.Keyring stationRegistry;
                try {
                    stationRegistry = ktp.telemetry.Keyring.load(stationKeys);
                } catch (IOException e) {
                    throw new BadInputException("--station-keys: " + e.getMessage());
                }
                ktp.sim.central.TelemetryIntake.start(server, b, stationRegistry, "none".equals(brokerGroup) ? null : brokerGroup);
                System.out.println("  telemetry:        events from " + broker + ("none".equals(brokerGroup) ? "" : " (group " + brokerGroup + ")"));
            }
            String nik = firstNik();
            System.out.println("  try:              ./ktp status " + nik + " --central " + server.uri()
                    + (pki != null ? " --ca " + pki.caFile() + " --cert " + pki.certificate(registry.keySet().iterator().next())
                    + " --key " + pki.key(registry.keySet().iterator().next()) : " --plain-http --token-file FILE"));
            CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    server.close();
                } catch (IOException e) {
                    System.err.println("ktp: closing the data center: " + e.getMessage());
                }
                stop.countDown();
            }));
            stop.await();
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new BadInputException(e.getMessage());
        }
        return ExitCodes.OK;
    }

    private String firstNik() {
        return new RecordGenerator(seed, ktp.sim.records.FingerprintLibrary.embedded(), RecordGenerator.defaultIssueDate(seed)).identity(0).nik();
    }

    static InetSocketAddress parseListen(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0) throw new BadInputException("--listen must be HOST:PORT, got \"" + text + "\"");
        try {
            int port = Integer.parseInt(text.substring(colon + 1));
            if (port < 0 || port > 65535) throw new NumberFormatException();
            return new InetSocketAddress(text.substring(0, colon), port);
        } catch (NumberFormatException e) {
            throw new BadInputException("--listen: bad port in \"" + text + "\"");
        }
    }

    /**
     * A device simulator's TCP listener in the one form the station's configuration uses, tcp://HOST:PORT (port 0: a
     * free one). The older tcp:HOST:PORT is still taken, with a warning on standard error, so that scripts written
     * for it keep working while they are changed.
     */
    static InetSocketAddress tcpListen(String text) {
        if (text.startsWith("tcp://")) return parseListen(text.substring("tcp://".length()));
        if (text.startsWith("tcp:")) {
            System.err.println("warning: --listen " + text + " is the old form; write tcp://" + text.substring(4) + " (the form station.yaml uses)");
            return parseListen(text.substring(4));
        }
        throw new BadInputException("--listen must be tcp://HOST:PORT (for example tcp://127.0.0.1:9100), got \"" + text + "\"");
    }
}
