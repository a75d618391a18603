package ktp.cli;

import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import ktp.store.StationStore;
import ktp.store.StoreRepair;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "store", mixinStandardHelpOptions = true, description = "The station store's own health: check it, repair it after damage.",
        subcommands = {StoreCommand.Check.class, StoreCommand.Repair.class})
final class StoreCommand extends CommandGroup {
    @Command(name = "check", mixinStandardHelpOptions = true,
            description = {"Report what is damaged in a store, writing nothing: every journal record that fails its checksum, with its offset",
                    "and the transactions around it; a journal or checkpoint rolled back behind the high-water mark; files others can read.",
                    "Exit 0 when the store reaches its last commit, 1 when it is damaged (then only `ktp store repair` opens it)."})
    static final class Check implements Callable<Integer> {
        @Option(names = "--store", paramLabel = "DIR", required = true, description = "the station store folder (for a demo: DIR/station)")
        Path store;

        @Option(names = "--retention-days", paramLabel = "DAYS", defaultValue = "30",
                description = "how long an uncollected card's biometrics may be kept (default ${DEFAULT-VALUE}, give the station.yaml value of station.biometric_retention_days)")
        int retentionDays;

        @Override
        public Integer call() {
            if (!StationStore.existsIn(store)) throw new BadInputException("--store " + store + ": no station store there (no checkpoint.db, journal.log or store.hwm)");
            if (retentionDays < 1) throw new BadInputException("--retention-days must be at least 1, got " + retentionDays);
            StationStore.StoreCheck c = StationStore.check(store, java.time.Duration.ofDays(retentionDays), Clock.systemUTC());
            System.out.println((c.damaged() ? "DAMAGED " : c.failed() ? "POLICY  " : "OK      ") + c.summary());
            for (String d : c.damage()) System.out.println("  damage: " + d);
            for (String b : c.biometrics()) System.out.println("  biometrics beyond the policy: " + b);
            for (String n : c.notes()) System.out.println("  note:   " + n);
            if (c.damaged()) {
                System.out.println("  nothing was changed; `ktp store repair --store " + store + " --out REPORT` keeps a copy of the damaged files,"
                        + " recovers every transaction that can be proven and writes what was lost");
            }
            return c.failed() ? ExitCodes.FAILURE : ExitCodes.OK;
        }
    }

    @Command(name = "repair", mixinStandardHelpOptions = true,
            description = {"The only way past damage: keeps a copy of the store's files in DIR/damaged-TIME/, recovers what can be proven",
                    "(the checkpoint if it reads, every journal record before and after the damage whose own checksum holds), records the",
                    "lost transactions and audit entries in the audit log (STORE_REPAIRED) and in REPORT for a supervisor."})
    static final class Repair implements Callable<Integer> {
        @Option(names = "--store", paramLabel = "DIR", required = true, description = "the station store folder (the daemon must be stopped)")
        Path store;

        @Option(names = "--out", paramLabel = "REPORT", required = true, description = "where to write the repair report (text, 0600)")
        Path out;

        @Override
        public Integer call() {
            if (!StationStore.existsIn(store)) throw new BadInputException("--store " + store + ": no station store there (no checkpoint.db, journal.log or store.hwm)");
            StoreRepair.Outcome o = StationStore.repair(store, out, Clock.systemUTC());
            System.out.println("REPAIRED " + store + ": " + o.recovered() + " journal transactions recovered, "
                    + (o.lost().isEmpty() ? "no transaction lost" : "transactions lost: " + String.join(", ", o.lost()))
                    + "; the store is now at transaction " + o.lastTx());
            System.out.println("  damaged files kept in " + o.kept());
            System.out.println("  report for the supervisor: " + o.report());
            return ExitCodes.OK;
        }
    }
}
