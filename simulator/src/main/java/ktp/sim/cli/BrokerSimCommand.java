package ktp.sim.cli;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import ktp.broker.BrokerSetup;
import ktp.cli.BadInputException;
import ktp.cli.ExitCodes;
import ktp.sim.broker.EmbeddedBroker;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The embedded MQTT broker (Moquette) as a command, for a technician without Mosquitto: it admits only the
 * telemetry's own clients, each with its own password, and each only on its own topics (the production ACL of
 * {@link BrokerSetup}, docs/telemetry.md), exactly as `ktp broker setup` configures Mosquitto.
 */
@Command(name = "broker", mixinStandardHelpOptions = true,
        description = {"The embedded MQTT broker for a lab station: authenticated, with the telemetry ACL (each client only its own topics).",
                "Writes one password file per client into --credentials (readable by you only), reusing the ones already there,",
                "and prints where they are: point the station's telemetry.password_file at DIR/clients/STATION.password."})
final class BrokerSimCommand implements Callable<Integer> {
    @Option(names = "--listen", paramLabel = "tcp://HOST:PORT", defaultValue = "tcp://127.0.0.1:1883",
            description = "where to listen (default ${DEFAULT-VALUE}; port 0: a free one)")
    String listen;

    @Option(names = "--stations", paramLabel = "ID", split = ",", required = true, description = "the station ids that may connect (comma-separated)")
    List<String> stations;

    @Option(names = "--collector", paramLabel = "NAME", split = ",", defaultValue = "office-1", description = "collector names (default ${DEFAULT-VALUE})")
    List<String> collectors;

    @Option(names = "--credentials", paramLabel = "DIR", required = true, description = "where the client passwords go (DIR/clients/NAME.password)")
    Path credentials;

    @Option(names = "--data", paramLabel = "DIR", description = "keep sessions and queued messages here across restarts")
    Path data;

    @Override
    public Integer call() throws Exception {
        InetSocketAddress address = CentralCommand.tcpListen(listen);
        for (String s : stations) if (!s.matches("[A-Za-z0-9_-]{1,64}")) throw new BadInputException("--stations: '" + s + "' is not a station id");
        for (String c : collectors) if (!c.matches("[A-Za-z0-9_-]{1,64}")) throw new BadInputException("--collector: '" + c + "' is not a name");
        List<String> users = new ArrayList<>(stations);
        for (String c : collectors) users.add(BrokerSetup.collectorUser(c));
        users.add(BrokerSetup.OFFICE);
        users.add(BrokerSetup.DATACENTER);
        users.add(BrokerSetup.WATCHER);
        Path clients = credentials.resolve("clients");
        Files.createDirectories(clients);
        Map<String, String> passwords = new LinkedHashMap<>();
        SecureRandom random = new SecureRandom();
        for (String u : users) {
            Path f = clients.resolve(u + ".password");
            if (Files.isRegularFile(f)) {
                passwords.put(u, Files.readString(f).strip());
                continue;
            }
            byte[] b = new byte[18];
            random.nextBytes(b);
            String pw = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b);
            // Created private, never widened afterwards: a password is never readable by another user.
            Files.createFile(f, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(f, pw + "\n");
            passwords.put(u, pw);
        }
        BrokerSetup.Plan plan = new BrokerSetup.Plan(List.copyOf(stations), List.copyOf(collectors), address.getHostString() + ":" + address.getPort(),
                null, null, null, data);
        EmbeddedBroker broker = EmbeddedBroker.start(address.getHostString(), address.getPort(), data, new EmbeddedBroker.Access(passwords, plan));
        System.out.println("broker " + broker.url() + " (embedded, authenticated, telemetry ACL); anonymous clients are refused");
        System.out.println("credentials: " + clients.toAbsolutePath() + "/NAME.password for " + String.join(", ", users));
        for (String s : stations) {
            System.out.println("station " + s + ": telemetry.broker " + broker.url() + ", telemetry.username " + s + ", telemetry.password_file "
                    + clients.resolve(s + ".password").toAbsolutePath());
        }
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.close();
            stop.countDown();
        }, "broker-stop"));
        stop.await();
        return ExitCodes.OK;
    }
}
