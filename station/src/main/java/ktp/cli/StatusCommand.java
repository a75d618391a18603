package ktp.cli;

import java.util.concurrent.Callable;
import ktp.lifecycle.StatusFlow;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = "The national KTP-el status flow.",
        subcommands = StatusCommand.Graph.class)
final class StatusCommand extends CommandGroup {
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
