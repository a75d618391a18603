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

    static String explain(JsonProcessingException e, String text) {
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
        String what;
        if (lower.contains("duplicate field")) {
            java.util.regex.Matcher f = java.util.regex.Pattern.compile("[Dd]uplicate field '([^']+)'").matcher(raw);
            what = "the key '" + (f.find() ? f.group(1) : "?") + "' is given twice in the same mapping (the second would silently replace the first)";
        } else if (lower.contains("found character '\\t'") || lower.contains("\\t(tab)")) {
            what = "a tab character: YAML indents with spaces only";
        } else if (lower.contains("mapping values are not allowed")) {
            what = "a 'key: value' where none can start: the line is indented differently from the keys beside it, "
                    + "or a value holds ': ' and needs quotes";
        } else if (lower.contains("expected <block end>") || lower.contains("did not find expected key")
                || lower.contains("expected <block mapping start>")) {
            what = "the indentation does not line up: this line starts further left or right than the keys of its mapping";
        } else if (lower.contains("could not find expected ':'")) {
            what = "a key without its ':' (or a quote that is never closed)";
        } else if (lower.contains("found unexpected end of stream") || lower.contains("unclosed") || lower.contains("quoted scalar")) {
            what = "a quote (\" or ') that is never closed";
        } else if (lower.contains("flow")) {
            what = "a '{' or '[' list that is not closed, or a ',' missing between its entries";
        } else {
            what = "this line cannot be read as YAML (key: value lines, indented with spaces)";
        }
        if (line < 1) return "not valid YAML: " + what;
        String[] lines = text.split("\\R", -1);
        StringBuilder out = new StringBuilder("not valid YAML: line ").append(line);
        if (column > 0) out.append(", column ").append(column);
        String key = keyAbove(lines, line);
        if (key != null) out.append(" (near the key '").append(key).append("')");
        out.append(": ").append(what);
        if (line <= lines.length) out.append("; the line reads: ").append(lines[line - 1].strip());
        return out.toString();
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
