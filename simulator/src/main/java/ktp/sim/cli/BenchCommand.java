package ktp.sim.cli;

import java.util.concurrent.Callable;
import ktp.cli.BadInputException;
import ktp.cli.ExitCodes;
import ktp.sim.bench.StoreBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure this station's software on this machine (medians and p99; the machine may be shared and noisy).",
        subcommands = BenchCommand.Store.class)
final class BenchCommand extends ktp.cli.CommandGroup {
    @Command(name = "store", mixinStandardHelpOptions = true,
            description = {"Record validation throughput including the ECDSA signature check, and store commit latency",
                    "(each commit forced to the journal), as median and p99."})
    static final class Store implements Callable<Integer> {
        @Option(names = "--records", defaultValue = "50", description = "distinct signed records to validate in turn (default ${DEFAULT-VALUE})")
        int records;

        @Option(names = "--seconds", defaultValue = "5", description = "how long to time validation (default ${DEFAULT-VALUE})")
        double seconds;

        @Option(names = "--commits", defaultValue = "3000", description = "store commits to time (default ${DEFAULT-VALUE})")
        int commits;

        @Option(names = "--json", description = "one JSON object instead of a table")
        boolean json;

        @Override
        public Integer call() throws Exception {
            if (records < 1 || records > 5000) throw new BadInputException("--records must be 1..5000");
            if (seconds <= 0 || seconds > 600) throw new BadInputException("--seconds must be in (0, 600]");
            if (commits < 10 || commits > 1_000_000) throw new BadInputException("--commits must be 10..1000000");
            StoreBench.Result r = StoreBench.run(records, seconds, commits, System.err);
            if (json) {
                System.out.printf("{\"validationMedianMicros\":%.1f,\"validationP99Micros\":%.1f,\"validationsPerSecond\":%.0f,"
                                + "\"signatureVerifyMedianMicros\":%.1f,\"commitMedianMicros\":%.1f,\"commitP99Micros\":%.1f,"
                                + "\"jobCycleMedianMicros\":%.1f,\"commitsPerCycle\":%d,\"validationSamples\":%d,\"commitSamples\":%d}%n",
                        r.validation().medianMicros(), r.validation().p99Micros(), r.validation().perSecond(),
                        r.signatureOnly().medianMicros(), r.commit().medianMicros(), r.commit().p99Micros(),
                        r.jobCycle().medianMicros(), r.commitsPerCycle(), r.validation().samples(), r.commit().samples());
            } else {
                System.out.printf("%-44s %10s %10s %12s%n", "measure", "median", "p99", "samples");
                System.out.printf("%-44s %8.0f us %8.0f us %12d%n", "validate one record (envelope..fit)", r.validation().medianMicros(), r.validation().p99Micros(), r.validation().samples());
                System.out.printf("%-44s %8.0f us %8.0f us %12d%n", "  of which ECDSA P-256 signature verify", r.signatureOnly().medianMicros(), r.signatureOnly().p99Micros(), r.signatureOnly().samples());
                System.out.printf("%-44s %8.0f us %8.0f us %12d%n", "store commit (one job change, journal forced)", r.commit().medianMicros(), r.commit().p99Micros(), r.commit().samples());
                System.out.printf("%-44s %8.0f us %8.0f us %12d%n", "job lease-to-issue (" + r.commitsPerCycle() + " commits)", r.jobCycle().medianMicros(), r.jobCycle().p99Micros(), r.jobCycle().samples());
                System.out.printf("validation: %.0f records/s on one thread (median); store: %.0f commits/s (median)%n",
                        r.validation().perSecond(), r.commit().perSecond());
            }
            return ExitCodes.OK;
        }
    }
}
