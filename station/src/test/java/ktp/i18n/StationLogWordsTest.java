package ktp.i18n;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The station log's operator lines (INFO, WARN, ERROR) take their words from the catalogue: a source scan of the
 * station module finds every such logger call and fails on one whose text is a literal rather than a
 * {@code StationLog.line("key", ...)} of a key both languages have. DEBUG lines are not operator lines and are not
 * scanned. Run alone: mvn -q -B -o -pl station test -Dtest=StationLogWordsTest
 */
class StationLogWordsTest {
    /**
     * The files whose INFO/WARN/ERROR lines are not the station log's operator lines (yet), each with its reason. Short
     * on purpose: a file that no longer logs at those levels must leave the list (the test says so).
     */
    private static final Map<String, String> NOT_OPERATOR_LINES = Map.of(
            "ktp/collector/Collector.java", "the central office's collector: it runs in the office's process (ktp office), not in the station daemon");

    private static final Path SOURCES = Path.of("src/main/java");
    private static final Pattern CALL = Pattern.compile("\\b(?:LOG|JOB_LOG|LoggerFactory\\.getLogger\\([^)]*\\))\\s*\\.\\s*(info|warn|error)\\s*\\(");
    private static final Pattern LITERAL = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern KEY = Pattern.compile("StationLog\\.line\\(\\s*\"([^\"]+)\"");

    @AfterEach
    void indonesianAgain() { StationLog.use(Language.ID); }

    @Test
    void everyOperatorLineIsTheCataloguesInBothLanguages() throws IOException {
        List<String> bypass = new ArrayList<>();
        Set<String> stillLogging = new TreeSet<>();
        Set<String> used = new TreeSet<>();
        for (Path file : javaFiles()) {
            String name = SOURCES.relativize(file).toString().replace('\\', '/');
            String source = withoutComments(Files.readString(file));
            Matcher m = CALL.matcher(source);
            while (m.find()) {
                String call = argumentsOf(source, m.end());
                if (NOT_OPERATOR_LINES.containsKey(name)) {
                    stillLogging.add(name);
                    continue;
                }
                int line = 1 + (int) source.substring(0, m.start()).chars().filter(c -> c == '\n').count();
                String where = name + ":" + line + " LOG." + m.group(1) + "(" + call.replaceAll("\\s+", " ") + ")";
                if (!call.contains("StationLog.line(")) bypass.add(where + ": not from the catalogue (StationLog.line)");
                Matcher literal = LITERAL.matcher(call);
                while (literal.find()) {
                    String key = "station.log." + literal.group(1);
                    used.add(key); // a key chosen by a condition (line(held ? "a" : "b", ...)) is used too
                    if (!Catalogue.keys(Language.ID).contains(key) || !Catalogue.keys(Language.EN).contains(key)) {
                        bypass.add(where + ": \"" + literal.group(1) + "\" is a literal text, or a key missing in a language");
                    }
                }
            }
            Matcher k = KEY.matcher(source);
            while (k.find()) used.add("station.log." + k.group(1));
        }
        assertEquals(List.of(), bypass, "operator lines that bypass the catalogue");
        assertEquals(new TreeSet<>(NOT_OPERATOR_LINES.keySet()), stillLogging, "a file on the list no longer logs operator-level lines: take it off");
        Set<String> unused = new TreeSet<>();
        for (String key : Catalogue.keys(Language.ID)) if (key.startsWith("station.log.") && !used.contains(key)) unused.add(key);
        assertEquals(Set.of(), unused, "station log texts no line uses");
        assertTrue(used.size() > 50, "the scan found the daemon's lines: " + used.size());
    }

    @Test
    void aLineIsInTheStationsLanguageWithTheDetailAsItWas() {
        Object[] args = {"P1", 12345, "java.io.IOException: ERR 0x6581"};
        StationLog.use(Language.EN);
        String en = StationLog.line("lane.faultedRetry", args[0], 3, args[1], args[2]);
        StationLog.use(Language.ID);
        String id = StationLog.line("lane.faultedRetry", args[0], 3, args[1], args[2]);
        assertEquals("printer P1: lane FAULTED (3 in a row), retrying by itself in 12345 ms; no card is lost: java.io.IOException: ERR 0x6581", en);
        assertEquals("printer P1: jalur GANGGUAN (FAULTED, 3 kali berturut-turut), mencoba lagi sendiri dalam 12345 ms; tidak ada kartu yang hilang:"
                + " java.io.IOException: ERR 0x6581", id);
        // Ids and numbers go in as they are: no digit grouping, no apostrophes eaten, nothing translated.
        assertEquals("rekaman PRR-0001'x dicetak pada blanko 04A1B2C3D4E5F6", StationLog.line("runner.printed", "PRR-0001'x", "04A1B2C3D4E5F6"));
        assertEquals("Menunggu pemilik (AWAITING_HOLDER)", StationLog.state("AWAITING_HOLDER"));
        StationLog.use(Language.EN);
        assertEquals("Waiting for the holder (AWAITING_HOLDER)", StationLog.state("AWAITING_HOLDER"));
        assertEquals("NO_SUCH_STATE", StationLog.state("NO_SUCH_STATE"));
    }

    private static List<Path> javaFiles() throws IOException {
        try (Stream<Path> files = Files.walk(SOURCES.resolve("ktp"))) {
            return files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
        }
    }

    /** Comments out (a commented-out call is no line); line breaks kept so that line numbers stay right. */
    private static String withoutComments(String source) {
        StringBuilder out = new StringBuilder(source.length());
        int i = 0;
        while (i < source.length()) {
            char c = source.charAt(i);
            if (c == '"') {
                int end = endOfString(source, i);
                out.append(source, i, end);
                i = end;
            } else if (source.startsWith("//", i)) {
                while (i < source.length() && source.charAt(i) != '\n') i++;
            } else if (source.startsWith("/*", i)) {
                int end = source.indexOf("*/", i + 2);
                end = end < 0 ? source.length() : end + 2;
                source.substring(i, end).chars().filter(ch -> ch == '\n').forEach(ch -> out.append('\n'));
                i = end;
            } else if (c == '\'') {
                int end = source.charAt(i + 1) == '\\' ? source.indexOf('\'', i + 3) + 1 : i + 3;
                out.append(source, i, end);
                i = end;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /** The text between the call's opening parenthesis (just before {@code from}) and its matching close. */
    private static String argumentsOf(String source, int from) {
        int depth = 1;
        int i = from;
        while (i < source.length() && depth > 0) {
            char c = source.charAt(i);
            if (c == '"') {
                i = endOfString(source, i);
                continue;
            }
            if (c == '(') depth++;
            if (c == ')') depth--;
            i++;
        }
        return source.substring(from, i - 1);
    }

    private static int endOfString(String source, int start) {
        if (source.startsWith("\"\"\"", start)) return source.indexOf("\"\"\"", start + 3) + 3;
        int i = start + 1;
        while (i < source.length() && source.charAt(i) != '"') i += source.charAt(i) == '\\' ? 2 : 1;
        return i + 1;
    }
}
