package ktp.console.pages;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import ktp.i18n.Catalogue;
import ktp.i18n.Language;
import org.junit.jupiter.api.Test;

/**
 * Every audit action the station writes has words on the console's audit page, in both languages: an action
 * without them would be shown as "Other action" and its meaning read only from the English detail. The
 * actions are found in the station's own source: every {@code audit(actor, "ACTION", ...)} with a literal
 * action (the console's {@code c.audit} adds {@code CONSOLE_}), and the two families built at run time,
 * {@code OFFICE_} + an office command and {@code DECLINE_} + a decline reason.
 */
class AuditWordsTest {
    private static final Pattern LITERAL = Pattern.compile("(\\w+(?:\\(\\))?)\\.audit\\(\\s*[^;]*?,\\s*\"([A-Z][A-Z0-9_]+)\"");
    private static final Pattern DECLINE_REASON = Pattern.compile("reason = \"([A-Z_]+)\"");

    @Test
    void everyAuditActionHasWordsInBothLanguages() throws IOException {
        Path sources = Path.of("src", "main", "java");
        assertTrue(Files.isDirectory(sources), "run from the station module: " + sources.toAbsolutePath());
        Set<String> actions = new TreeSet<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(sources)) {
            files = walk.filter(p -> p.toString().endsWith(".java")).toList();
        }
        for (Path f : files) {
            String src = Files.readString(f);
            boolean console = f.toString().replace('\\', '/').contains("ktp/console/");
            Matcher m = LITERAL.matcher(src);
            while (m.find()) {
                // "CONSOLE_" + action and the like are the families counted below, not actions.
                if (!m.group(2).endsWith("_")) actions.add((console && m.group(1).equals("c") ? "CONSOLE_" : "") + m.group(2));
            }
            if (src.contains("\"DECLINE_\" +")) {
                Matcher d = DECLINE_REASON.matcher(src);
                while (d.find()) actions.add("DECLINE_" + d.group(1));
            }
        }
        for (ktp.telemetry.TelemetryCodec.CommandKind k : ktp.telemetry.TelemetryCodec.CommandKind.values()) actions.add("OFFICE_" + k.name());
        assertTrue(actions.size() > 40 && actions.contains("CONSOLE_SIGN_IN") && actions.contains("DECLINE_NIK_ALREADY_PRINTED"), "the scan found the actions: " + actions);
        List<String> missing = new ArrayList<>();
        for (String a : actions) {
            for (Language l : Language.values()) {
                if (!Catalogue.keys(l).contains("console.audit." + a)) missing.add(a + " (" + l.code() + ")");
            }
        }
        assertTrue(missing.isEmpty(), "audit actions without words for the console's audit page: " + missing);
    }
}
