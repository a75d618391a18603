package ktp.cli;

import java.util.concurrent.Callable;
import ktp.station.OfficeCommands;
import ktp.store.Actor;
import ktp.store.Role;
import ktp.telemetry.CommandHandler;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "reprint", mixinStandardHelpOptions = true, description = "Reprint decisions (docs/telemetry.md, \"Commands\").",
        subcommands = ReprintCommand.Confirm.class)
final class ReprintCommand extends CommandGroup {

    @Command(name = "confirm", mixinStandardHelpOptions = true,
            description = {"The station supervisor confirms a reprint the central office authorised (AUTHORISE_REPRINT): the",
                    "printed card is spoiled as superseded and the record goes back to the queue for a second blank. Without the",
                    "supervisor's confirmation no second blank is used. Runs on the store while the daemon is stopped."})
    static final class Confirm implements Callable<Integer> {
        @ArgGroup(exclusive = true, multiplicity = "1") StoreChoice store;
        @Option(names = "--record", required = true, paramLabel = "ID") String record;
        @Option(names = "--supervisor", required = true, paramLabel = "NAME", description = "the supervisor who decides (in the audit log)") String supervisor;

        @Override
        public Integer call() {
            CliText.config(store.config);
            try (StoreChoice.Access a = store.access(null)) {
                if (a.store() == null) throw CliText.bad("err.reprint.running");
                CommandHandler.Answer answer = OfficeCommands.confirmReprint(a.store(), record, new Actor(supervisor, Role.SUPERVISOR));
                // The verdict in the operator's words; the detail (the store's reason) as it was written.
                System.out.println(CliText.t(answer.accepted() ? "reprint.confirmed" : "reprint.notConfirmed", answer.detail()));
                return answer.accepted() ? ExitCodes.OK : ExitCodes.FAILURE;
            }
        }
    }
}
