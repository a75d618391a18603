package ktp.datafile;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.Locale;

/**
 * A YAML syntax error in the words a technician editing the file needs: the line and column, the line itself,
 * the key it belongs to, and what is probably wrong (indentation, a tab, a missing ':' or quote, a key given
 * twice), never the parser's own text ("mapping values are not allowed here", "while parsing a block mapping").
 */
final class YamlErrors {
    private YamlErrors() {}

    static Words explain(JsonProcessingException e, String text) {
        String raw = String.valueOf(e.getOriginalMessage());
        String lower = raw.toLowerCase(Locale.ROOT);
        int line = e.getLocation() == null ? -1 : e.getLocation().getLineNr();
        int column = e.getLocation() == null ? -1 : e.getLocation().getColumnNr();
        // SnakeYAML marks some errors where the next token starts; its own "problem mark" is the better line.
        java.util.regex.Matcher mark = java.util.regex.Pattern.compile("line (\\d+), column (\\d+)").matcher(raw);
        int lastLine = -1, lastColumn = -1;
        while (mark.find()) {
            lastLine = Integer.parseInt(mark.group(1));
            lastColumn = Integer.parseInt(mark.group(2));
        }
        if (lastLine > 0) {
            line = lastLine;
            column = lastColumn;
        }
        Words what;
        if (lower.contains("duplicate field")) {
            java.util.regex.Matcher f = java.util.regex.Pattern.compile("[Dd]uplicate field '([^']+)'").matcher(raw);
            what = Words.of("yaml.twice", f.find() ? f.group(1) : "?");
        } else if (lower.contains("found character '\\t'") || lower.contains("\\t(tab)")) {
            what = Words.of("yaml.tab");
        } else if (lower.contains("mapping values are not allowed")) {
            what = Words.of("yaml.mapping");
        } else if (lower.contains("expected <block end>") || lower.contains("did not find expected key")
                || lower.contains("expected <block mapping start>")) {
            what = Words.of("yaml.indent");
        } else if (lower.contains("could not find expected ':'")) {
            what = Words.of("yaml.colon");
        } else if (lower.contains("found unexpected end of stream") || lower.contains("unclosed") || lower.contains("quoted scalar")) {
            what = Words.of("yaml.quote");
        } else if (lower.contains("flow")) {
            what = Words.of("yaml.flow", "{", "[");
        } else {
            what = Words.of("yaml.other");
        }
        if (line < 1) return Words.of("yaml.bad", what);
        String[] lines = text.split("\\R", -1);
        String key = keyAbove(lines, line);
        Words where = column > 0
                ? key != null ? Words.of("yaml.where.lineColumnKey", line, column, key) : Words.of("yaml.where.lineColumn", line, column)
                : key != null ? Words.of("yaml.where.lineKey", line, key) : Words.of("yaml.where.line", line);
        return line <= lines.length ? Words.of("yaml.atReads", where, what, lines[line - 1].strip()) : Words.of("yaml.at", where, what);
    }

    /** The last "key:" at or above {@code line}, which the technician recognises. */
    private static String keyAbove(String[] lines, int line) {
        for (int i = Math.min(line, lines.length) - 1; i >= 0; i--) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("^\\s*-?\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*:").matcher(lines[i]);
            if (m.find()) return m.group(1);
        }
        return null;
    }
}
