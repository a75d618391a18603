package ktp.cli;

import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import ktp.store.AuditChain;
import ktp.store.StationStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "audit", mixinStandardHelpOptions = true, description = "The station's hash-chained audit log.",
        subcommands = AuditCommand.Verify.class)
final class AuditCommand extends CommandGroup {
    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Check that no audit entry was altered, removed or reordered since it was written.",
                    "Exit 0 when the chain is intact, 1 when it is broken (the first broken entry is named)."})
    static final class Verify implements Callable<Integer> {
        @Option(names = "--store", paramLabel = "DIR", required = true, description = "the station store directory (for a demo: DIR/station)")
        Path store;

        @Override
        public Integer call() {
            if (!StationStore.existsIn(store)) {
                throw new BadInputException("--store " + store + ": no station store there (no checkpoint.db or journal.log)");
            }
            StationStore opened;
            try {
                opened = StationStore.openReadOnly(store, Clock.systemUTC());
            } catch (ktp.store.StoreDamagedException e) {
                // A store that does not reach its last commit has lost audit entries with it: not INTACT.
                System.out.println("BROKEN  " + e.getMessage());
                return ExitCodes.FAILURE;
            }
            try (StationStore s = opened) {
                long total = s.auditSize();
                // Everything is read by definition: say how far it is on a long log (to stderr, the verdict stays alone on stdout).
                AuditChain.Verdict v = s.verifyAudit(n -> System.err.printf("audit verify: %d / %d entries%n", n, total));
                if (v.intact()) {
                    System.out.println("INTACT  " + v.entries() + " audit entries, hash chain verified"
                            + (v.gaps().isEmpty() ? "" : "; " + String.join("; ", v.gaps())));
                    return ExitCodes.OK;
                }
                System.out.println("BROKEN  " + v.problem().orElse("unknown problem"));
                return ExitCodes.FAILURE;
            }
        }
    }
}
