package ktp.sim.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import ktp.cli.BadInputException;
import ktp.cli.ExitCodes;
import ktp.sim.demo.DemoRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run a simulated data center and a station together on embedded defaults and drive N records",
                "through the pipeline: validate, personalize the chip (a virtual card through javax.smartcardio and SCP03),",
                "render the card, check the chip and the holder's finger, activate, issue.",
                "Leaves in DIR: records/ (signed envelopes), cards/ (card fronts and backs as PNG),",
                "telemetry.jsonl (the events as the central office's collector stored them, through an embedded MQTT broker",
                "or --broker), summary.json and station/ (the store: ktp audit verify --store DIR/station)."})
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--cards", paramLabel = "N", defaultValue = "10", description = "records to print and issue (default ${DEFAULT-VALUE})")
    int cards;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "demo-out", description = "output folder (default ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--seed", defaultValue = "1", description = "seed for the synthetic residents (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--faults", description = "inject faults: a faulty record in every 10, a failing chip on every 7th blank, an impostor at every 8th holder, a chip altered after printing at every 16th holder from the 4th")
    boolean faults;

    @Option(names = "--broker", paramLabel = "URL", description = "publish telemetry to this MQTT broker (tcp://HOST:PORT, e.g. a Mosquitto) instead of the embedded one")
    String broker;

    @Override
    public Integer call() throws Exception {
        if (cards < 1 || cards > 10_000) throw new BadInputException("--cards must be 1..10000, got " + cards);
        DemoRun.Summary s;
        try {
            s = new DemoRun(new DemoRun.Options(cards, out, seed, faults, broker), System.out).run();
        } catch (IllegalArgumentException e) {
            throw new BadInputException(e.getMessage());
        }
        System.out.println(s.line(out));
        return ExitCodes.OK;
    }
}
