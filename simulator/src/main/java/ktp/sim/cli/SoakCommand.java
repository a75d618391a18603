package ktp.sim.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import ktp.cli.BadInputException;
import ktp.cli.ExitCodes;
import ktp.sim.soak.SoakCampaign;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "soak", mixinStandardHelpOptions = true,
        description = {"The randomized fault campaign (docs/station-daemon.md): the station daemon in its own process against every",
                "simulator, faults of every kind drawn from the seed and cleared as a technician would (printer jam, ribbon,",
                "feeder, cover, reject box, garbage and silence, heat, unplugged; chip write failure, mute chip, card pulled out,",
                "tampered; the encoder's reader unplugged; data center down, slow, 5xx; broker down), SIGKILLs of the daemon; then an independent checker reads the store, the ledger,",
                "the printer simulator's counts, the data center and the office's archive and asserts every invariant.",
                "On a failure it prints the seed, the fault schedule and the first invariant broken; the same seed reproduces it.",
                "The daemon's chip encoder reads the blanks through its own lab reader (encoder.lab_reader, vpcd's protocol; no pcscd)."})
final class SoakCommand implements Callable<Integer> {
    @Option(names = "--seed", defaultValue = "1", description = "the campaign's seed (default ${DEFAULT-VALUE})") long seed;
    @Option(names = "--seeds", paramLabel = "N", defaultValue = "1", description = "run N campaigns, seeds SEED..SEED+N-1 (default ${DEFAULT-VALUE})") int seeds;
    @Option(names = "--cards", paramLabel = "N", defaultValue = "30", description = "records the data center has (default ${DEFAULT-VALUE})") int cards;
    @Option(names = "--faults", paramLabel = "F", defaultValue = "15", description = "faults to inject (default ${DEFAULT-VALUE})") int faults;
    @Option(names = "--kills", paramLabel = "K", defaultValue = "3", description = "SIGKILLs of the daemon (default ${DEFAULT-VALUE})") int kills;
    @Option(names = "--out", paramLabel = "DIR", defaultValue = "soak-out", description = "where each seed's run is kept (default ${DEFAULT-VALUE})") Path out;
    @Option(names = "--speed", paramLabel = "X", defaultValue = "60", description = "printer simulator speed-up (default ${DEFAULT-VALUE})") double speed;
    @Option(names = "--minutes", paramLabel = "M", defaultValue = "20", description = "time limit per seed (default ${DEFAULT-VALUE})") int minutes;
    @Option(names = "--pace", paramLabel = "X", defaultValue = "1", description = "multiply the schedule's waits and holds by X (0.1..10, default ${DEFAULT-VALUE})") double pace;

    @Override
    public Integer call() throws Exception {
        if (cards < 1 || cards > 5_000) throw new BadInputException("--cards must be 1..5000, got " + cards);
        if (faults < 0 || kills < 0 || faults + kills > 10_000) throw new BadInputException("--faults and --kills must be 0 or more, together at most 10000");
        if (pace < 0.1 || pace > 10) throw new BadInputException("--pace must be 0.1..10, got " + pace);
        if (seeds < 1 || seeds > 1000) throw new BadInputException("--seeds must be 1..1000, got " + seeds);
        List<Long> failed = new ArrayList<>();
        long t0 = System.nanoTime();
        for (long s = seed; s < seed + seeds; s++) {
            Path dir = out.resolve("seed-" + s);
            if (Files.exists(dir)) throw new BadInputException(dir + " exists already: choose another --out or move it away");
            SoakCampaign.Result r = new SoakCampaign(new SoakCampaign.Options(s, cards, faults, kills, dir, speed, Duration.ofMinutes(minutes), pace), System.out).run();
            if (!r.passed()) failed.add(s);
        }
        System.out.printf("soak: %d seed(s) from %d, %d cards, %d faults and %d SIGKILLs each, in %.0f s: %s%n", seeds, seed, cards, faults, kills,
                (System.nanoTime() - t0) / 1e9, failed.isEmpty() ? "every invariant held" : "FAILED seeds " + failed);
        return failed.isEmpty() ? ExitCodes.OK : ExitCodes.FAILURE;
    }
}
