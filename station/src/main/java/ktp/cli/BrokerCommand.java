package ktp.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import ktp.broker.BrokerSetup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "broker", mixinStandardHelpOptions = true, description = "The MQTT broker's set-up for the telemetry contract (docs/telemetry.md, \"Brokers\").",
        subcommands = BrokerCommand.Setup.class)
final class BrokerCommand extends CommandGroup {

    @Command(name = "setup", mixinStandardHelpOptions = true,
            description = {"Write a Mosquitto configuration that admits only the telemetry's own clients, for a list of stations:",
                    "mosquitto.conf (every limit stated with why), acl (each client only its own topics), passwd (hashed by",
                    "mosquitto_passwd) and clients/NAME.password for each client (readable by its owner only)."})
    static final class Setup implements Callable<Integer> {
        @Option(names = "--stations", required = true, paramLabel = "FILE", description = "the station ids, one a line (# comments)") Path stations;
        @Option(names = "--collector", paramLabel = "NAME", split = ",", defaultValue = "office-1", description = "collector names (default ${DEFAULT-VALUE})") List<String> collectors;
        @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "0.0.0.0:8883", description = "the listener (default ${DEFAULT-VALUE})") String listen;
        @Option(names = "--tls-ca", paramLabel = "PEM") Path ca;
        @Option(names = "--tls-cert", paramLabel = "PEM") Path cert;
        @Option(names = "--tls-key", paramLabel = "PEM") Path key;
        @Option(names = "--persistence", paramLabel = "DIR", description = "where Mosquitto keeps sessions across restarts") Path persistence;
        @Option(names = "--out", required = true, paramLabel = "DIR") Path out;

        @Override
        public Integer call() throws Exception {
            if (!listen.matches("[A-Za-z0-9.:\\[\\]-]+:\\d{1,5}")) throw new BadInputException("--listen must be HOST:PORT, got '" + listen + "'");
            if ((cert == null) != (key == null) || (cert != null && ca == null)) throw new BadInputException("TLS needs --tls-ca, --tls-cert and --tls-key together");
            List<String> ids;
            try {
                ids = BrokerSetup.readStations(stations);
            } catch (IOException e) {
                throw new BadInputException("--stations: " + e.getMessage());
            }
            List<String> users;
            try {
                users = BrokerSetup.write(new BrokerSetup.Plan(ids, collectors, listen, ca, cert, key, persistence), out);
            } catch (IllegalArgumentException e) {
                throw new BadInputException(e.getMessage());
            }
            System.out.println("wrote " + out.resolve("mosquitto.conf") + ", acl, passwd and " + users.size() + " client passwords in " + out.resolve("clients"));
            if (cert == null) System.out.println("no TLS on " + listen + ": for loopback labs only; production needs --tls-ca/--tls-cert/--tls-key");
            System.out.println("start it: mosquitto -c " + out.resolve("mosquitto.conf") + "   (SIGHUP reloads the ACL and passwords)");
            return ExitCodes.OK;
        }
    }
}
