package ktp.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * One help layout for every command: descriptions written as lines in the source are joined into paragraphs and
 * wrapped once, by picocli, to the terminal (lines that start with spaces, and lines after one ending in ':', are
 * kept as written: examples and lists); the command lists show each command's first whole sentence, never a first
 * source line cut mid-sentence; and every placeholder is in one style, upper case (FILE, N, SEED), never picocli's
 * default {@code <seed>}.
 */
final class HelpLayout {
    private HelpLayout() {}

    static void apply(CommandLine cl) {
        CommandSpec spec = cl.getCommandSpec();
        spec.usageMessage().description(paragraphs(spec.usageMessage().description()));
        spec.usageMessage().footer(paragraphs(spec.usageMessage().footer()));
        placeholders(spec);
        cl.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_COMMAND_LIST, HelpLayout::commandList);
        for (CommandLine sub : cl.getSubcommands().values()) apply(sub);
    }

    /** Source lines joined into paragraphs; an indented line, or one after a line ending in ':', starts a new one. */
    static String[] paragraphs(String[] lines) {
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            boolean own = out.isEmpty() || line.isEmpty() || line.startsWith(" ") || line.startsWith("%n")
                    || out.get(out.size() - 1).isEmpty() || out.get(out.size() - 1).endsWith(":") || out.get(out.size() - 1).startsWith(" ");
            if (own) out.add(line);
            else out.set(out.size() - 1, out.get(out.size() - 1) + " " + line.strip());
        }
        return out.toArray(String[]::new);
    }

    /** A command's summary: the first sentence of its first paragraph (whole, however long). */
    static String summary(CommandSpec spec) {
        String[] d = spec.usageMessage().description();
        String first = d.length == 0 ? "" : d[0].replace("%n", " ").strip();
        // The first sentence ends at ". " before a capital; a long head clause ending in ": " before a lower-case
        // word ("Issue a printed card to its holder at a headless station: finds ...") is the summary on its own.
        int end = first.length();
        int depth = 0;
        for (int i = 1; i + 2 < first.length(); i++) {
            char c = first.charAt(i);
            if (c == '(') depth++;
            if (c == ')') depth = Math.max(0, depth - 1);
            if (depth > 0 || first.charAt(i + 1) != ' ') continue;
            if (c == '.' && Character.isUpperCase(first.charAt(i + 2))) { end = i; break; }
            if (c == ':' && Character.isLowerCase(first.charAt(i + 2)) && first.substring(0, i).split(" ").length >= 3) { end = i; break; }
        }
        String s = first.substring(0, end).strip();
        if (s.endsWith(":") || s.endsWith(".")) s = s.substring(0, s.length() - 1);
        return s.isEmpty() ? s : s + ".";
    }

    private static String commandList(CommandLine.Help help) {
        Map<String, CommandLine.Help> subs = help.subcommands();
        if (subs.isEmpty()) return "";
        int nameWidth = 0;
        for (String name : subs.keySet()) nameWidth = Math.max(nameWidth, name.length());
        int width = help.commandSpec().usageMessage().width();
        int indent = 2 + nameWidth + 2;
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, CommandLine.Help> e : subs.entrySet()) {
            String text = summary(e.getValue().commandSpec());
            List<String> lines = ReportWrap.wrap(text, Math.max(20, width - indent));
            out.append("  ").append(e.getKey()).append(" ".repeat(nameWidth - e.getKey().length() + 2)).append(lines.get(0)).append('\n');
            for (String more : lines.subList(1, lines.size())) out.append(" ".repeat(indent)).append(more).append('\n');
        }
        return out.toString();
    }

    /** picocli's {@code <name>} placeholders turned into the project's style, NAME (option and parameter alike). */
    private static void placeholders(CommandSpec spec) {
        for (OptionSpec o : List.copyOf(spec.options())) {
            if (o.usageHelp() || o.versionHelp() || o.arity().max() == 0 || !o.paramLabel().startsWith("<") || o.group() != null) continue;
            String label = o.paramLabel().replaceAll("[<>]", "").replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(java.util.Locale.ROOT);
            spec.remove(o);
            spec.addOption(o.toBuilder().paramLabel(label).build());
        }
        for (PositionalParamSpec p : List.copyOf(spec.positionalParameters())) {
            if (!p.paramLabel().startsWith("<") || p.group() != null) continue;
            String label = p.paramLabel().replaceAll("[<>]", "").replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(java.util.Locale.ROOT);
            spec.remove(p);
            spec.addPositional(p.toBuilder().paramLabel(label).build());
        }
    }

    /** Words onto lines of at most {@code width} characters. */
    private static final class ReportWrap {
        static List<String> wrap(String text, int width) {
            List<String> lines = new ArrayList<>();
            StringBuilder line = new StringBuilder();
            for (String word : text.strip().split("\\s+")) {
                if (line.length() > 0 && line.length() + 1 + word.length() > width) {
                    lines.add(line.toString());
                    line.setLength(0);
                }
                if (line.length() > 0) line.append(' ');
                line.append(word);
            }
            if (line.length() > 0 || lines.isEmpty()) lines.add(line.toString());
            return lines;
        }
    }
}
