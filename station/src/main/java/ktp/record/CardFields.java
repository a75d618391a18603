package ktp.record;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Where each printed field must fit: the number of lines the card gives it and the characters per line at
 * the smallest font size the layout allows. A field that cannot fit is refused at validation, never clipped.
 * The budgets come from the KTP-el front layout (label column, then the value column of about 48 mm at 6 pt
 * minimum); the template room measures real glyph widths against the same boxes when it renders.
 */
public final class CardFields {

    /** One printed field: its JSON path, its lines and characters per line, and how to read it. */
    public record Field(String path, int lines, int charsPerLine, Function<PrintRecord, String> value) {}

    private static final Map<String, Field> FIELDS = new LinkedHashMap<>();

    static {
        add("front.provinsi", 1, 34, r -> "PROVINSI " + r.front().provinsi());
        add("front.kabupatenKota", 1, 34, r -> r.front().kabupatenKota());
        add("front.nama", 2, 30, r -> r.front().nama());
        add("front.tempatLahir", 1, 30, r -> r.front().tempatLahir() + ", " + printedDate(r.front().tanggalLahir()));
        add("front.alamat", 2, 30, r -> r.front().alamat());
        add("front.kelDesa", 1, 30, r -> r.front().kelDesa());
        add("front.kecamatan", 1, 30, r -> r.front().kecamatan());
        add("front.pekerjaan", 1, 30, r -> r.front().pekerjaan());
        add("issue.place", 1, 18, r -> r.issue().place());
    }

    private CardFields() {}

    private static void add(String path, int lines, int chars, Function<PrintRecord, String> value) {
        FIELDS.put(path, new Field(path, lines, chars, value));
    }

    public static List<Field> all() { return List.copyOf(FIELDS.values()); }

    /** A date as the card prints it: DD-MM-YYYY. */
    public static String printedDate(java.time.LocalDate d) {
        return String.format("%02d-%02d-%04d", d.getDayOfMonth(), d.getMonthValue(), d.getYear());
    }

    /** Throws for the first field that does not fit, naming it, its length and its budget. */
    public static void checkFit(PrintRecord record) throws RecordRejectedException {
        for (Field f : FIELDS.values()) {
            String text = f.value().apply(record);
            List<String> lines = wrap(text, f.charsPerLine());
            if (lines.size() > f.lines()) {
                throw new RecordRejectedException(Reason.FIELD_TOO_LONG, f.path(),
                        f.path() + " needs " + lines.size() + " lines of at most " + f.charsPerLine()
                                + " characters but the card gives it " + f.lines() + " (" + text.length() + " characters: '" + text + "')");
            }
        }
    }

    /** Greedy word wrap; a word longer than a line is broken, as the renderer must do too. */
    public static List<String> wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.trim().split(" +")) {
            while (word.length() > width) {
                if (line.length() > 0) { lines.add(line.toString()); line.setLength(0); }
                lines.add(word.substring(0, width));
                word = word.substring(width);
            }
            if (line.length() > 0 && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            if (line.length() > 0) line.append(' ');
            line.append(word);
        }
        if (line.length() > 0) lines.add(line.toString());
        return lines;
    }
}
