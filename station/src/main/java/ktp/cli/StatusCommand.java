package ktp.cli;

import java.util.concurrent.Callable;
import ktp.central.CentralClient;
import ktp.central.CentralException;
import ktp.lifecycle.StatusFlow;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Where is a resident's KTP-el? 'ktp status NIK --central URL' asks the data center and prints the",
                "national status, its phase and what it means, in Indonesian and English.",
                "'ktp status graph' prints the national status flow itself."},
        subcommands = StatusCommand.Graph.class)
final class StatusCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "NIK", description = "the resident's 16-digit NIK")
    String nik;

    @Mixin
    CentralOptions central;

    @Override
    public Integer call() {
        if (nik == null) {
            spec.commandLine().usage(System.out);
            return ExitCodes.OK;
        }
        if (!nik.matches("\\d{16}")) throw CliText.bad("err.status.nik", nik);
        if (central.url == null) throw CliText.bad("err.status.central", nik);
        CentralClient client = central.client();
        try {
            CentralClient.ResidentStatus r = client.resident(nik);
            System.out.println("NIK          " + r.nik());
            System.out.println("Status       " + r.status().name());
            System.out.println("Fase/Phase   " + r.phase() + " " + r.phaseId() + " / " + r.phaseEn());
            System.out.println("Sejak/Since  " + r.since() + " (data center time)");
            System.out.println("Keterangan   " + r.explanationId());
            System.out.println("Explanation  " + r.explanationEn());
            r.held().ifPresent(h -> System.out.println("Ditahan/Held " + h));
            StatusFlow.from(r.status()).forEach(t -> System.out.println("Next may be  " + t.to() + " (" + t.kind().name().toLowerCase() + ")"));
            return ExitCodes.OK;
        } catch (CentralException e) {
            if (e.httpStatus() == 404) {
                System.out.println("NIK " + nik + " is not known at " + client.base() + " (" + e.code() + ")");
                return ExitCodes.FAILURE;
            }
            System.err.println("ktp: " + e.getMessage());
            return ExitCodes.FAILURE;
        }
    }

    @Command(name = "graph", mixinStandardHelpOptions = true,
            description = {"Print every national status with its phase and responsibility, and the legal transitions with their reasons.",
                    "With --dot, Graphviz DOT (render with: ktp status graph --dot | dot -Tsvg > flow.svg)."})
    static final class Graph implements Callable<Integer> {
        @Option(names = "--dot", description = "Graphviz DOT instead of text")
        boolean dot;

        @Override
        public Integer call() {
            System.out.print(dot ? StatusFlow.toDot() : StatusFlow.toText());
            return ExitCodes.OK;
        }
    }
}
