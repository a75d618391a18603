package ktp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every command's help in one layout: summaries in the command lists are whole sentences, placeholders are in one
 * style (upper case, never picocli's {@code <name>}), and description lines written in the source are joined into
 * paragraphs that picocli wraps once (examples and lists kept as written).
 * Run alone: mvn -q -pl station test -Dtest=HelpLayoutTest
 */
class HelpLayoutTest {
    private static final Pattern ANGLE = Pattern.compile("[= ]<[a-zA-Z]+>");

    @Test
    void everyHelpHasWholeSummariesOnePlaceholderStyleAndIsWrappedOnce() {
        List<List<String>> paths = KtpCommandLineTest.allCommandPaths(Ktp.commandLine(), List.of());
        int lists = 0;
        for (List<String> path : paths) {
            List<String> args = new ArrayList<>(path);
            args.add("--help");
            KtpCommandLineTest.Result r = KtpCommandLineTest.run(args.toArray(String[]::new));
            assertEquals(0, r.exit(), path + ": " + r.err());
            String help = r.out();
            assertFalse(ANGLE.matcher(help).find(), path + " has a <placeholder>: " + help);
            int commands = help.indexOf("Commands:\n");
            if (commands >= 0) {
                lists++;
                // Each entry: "  name  summary" and its indented continuation lines, up to a blank line.
                String section = help.substring(commands + "Commands:\n".length()).split("\n\n")[0];
                StringBuilder entry = new StringBuilder();
                for (String line : (section + "\n  end").split("\n")) {
                    if (line.matches("  \\S.*") && entry.length() > 0) {
                        String e = entry.toString().strip();
                        assertTrue(e.endsWith(".") || e.endsWith(".)"), path + ": a summary cut mid-sentence: '" + e + "'");
                        entry.setLength(0);
                    }
                    entry.append(' ').append(line.strip());
                }
            }
        }
        assertTrue(lists >= 5, "command lists seen: " + lists);
        // A summary that would have been cut at the first source line before is whole now.
        CommandLine station = Ktp.commandLine();
        assertEquals("Issue a printed card to its holder at a headless station.", HelpLayout.summary(station.getSubcommands().get("issue").getCommandSpec()));
    }

    @Test
    void sourceLinesBecomeParagraphsButExamplesAndListsStayAsWritten() {
        String[] p = HelpLayout.paragraphs(new String[] {"The first line of a sentence", "that goes on here.", "A pair for example:",
                "  socat -d -d pty,raw", "  ./ktp sim printer", "Then more", "text."});
        assertEquals(List.of("The first line of a sentence that goes on here. A pair for example:", "  socat -d -d pty,raw", "  ./ktp sim printer",
                "Then more text."), List.of(p));
    }
}
