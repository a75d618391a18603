package ktp.sim;

import static org.junit.jupiter.api.Assertions.*;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import ktp.cli.Ktp;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** With the simulator on the class path, ktp has its sim, demo and bench commands, each with working help. */
class CommandHelpTest {
    @Test
    void everyCommandIncludingTheSimulatorsHasHelp() {
        List<List<String>> paths = new ArrayList<>();
        collect(Ktp.commandLine(), new ArrayList<>(), paths);
        List<String> names = paths.stream().map(p -> String.join(" ", p)).toList();
        assertTrue(names.containsAll(List.of("sim", "sim records", "sim central", "sim printer", "print", "printer status", "render", "qr verify", "finger enroll", "finger match", "finger eval", "sim scanner", "bench finger", "bench printer", "bench card", "sim card", "card info", "card personalize", "card read", "demo", "bench", "bench central", "status graph", "nik check", "record check", "audit verify")), names.toString());
        for (List<String> path : paths) {
            CommandLine cl = Ktp.commandLine();
            StringWriter out = new StringWriter();
            cl.setOut(new PrintWriter(out));
            List<String> args = new ArrayList<>(path);
            args.add("--help");
            assertEquals(0, cl.execute(args.toArray(String[]::new)), String.join(" ", path));
            assertTrue(out.toString().contains("Usage: ktp"), String.join(" ", path));
        }
    }

    private static void collect(CommandLine cl, List<String> prefix, List<List<String>> out) {
        out.add(prefix);
        cl.getSubcommands().forEach((name, sub) -> {
            if (name.equals("help")) return;
            List<String> p = new ArrayList<>(prefix);
            p.add(name);
            collect(sub, p, out);
        });
    }
}
