package ktp.dinas;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import ktp.datafile.DataFile;
import ktp.datafile.DataFileException;
import ktp.i18n.Language;

/**
 * (In a room of its own, below the counter, the reports and the console, because both the reports and the
 * holder's tanda terima at the counter carry these particulars.)
 *
 * What makes a report fileable at a Dinas (docs/station-config.md, section {@code report}): the letterhead (kop
 * surat), the document number's pattern, the place written above the signatures, and the officers who sign, by
 * their console account, with their full names and NIP. Read from the station's configuration file; a station
 * without a {@code report} section gets reports without a letterhead, numbered by the default pattern, with the
 * accounts' names under the signatures and an empty NIP line to fill in by hand.
 */
public record ReportSettings(Language language, List<String> letterhead, String place, String numberPattern,
                             Map<String, Officer> officers, String supervisor, String witness) {

    /** A person who signs: {@code user} is the console account ("sari"), {@code nip} the 18-digit civil-servant number. */
    public record Officer(String user, String name, String nip) {
        /** The NIP as it is written under a signature: 8 6 1 3 digits ("19870312 201001 2 003"); empty when unknown. */
        public String nipWritten() {
            if (nip.length() != 18) return nip;
            return nip.substring(0, 8) + " " + nip.substring(8, 14) + " " + nip.substring(14, 15) + " " + nip.substring(15);
        }
    }

    public static final String DEFAULT_NUMBER = "{kind}/{station}/{yyyy}/{mm}/{dd}";
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-z_]+)}");
    private static final List<String> PLACEHOLDERS = List.of("kind", "station", "yyyy", "mm", "dd", "mm_roman");
    private static final String[] ROMAN = {"I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"};

    /** No report section: Indonesian, no letterhead, the default number, nobody's NIP. */
    public static final ReportSettings DEFAULT = new ReportSettings(Language.ID, List.of(), "", DEFAULT_NUMBER, Map.of(), null, null);

    public ReportSettings {
        letterhead = List.copyOf(letterhead);
        officers = Map.copyOf(officers);
    }

    public ReportSettings withLanguage(Language l) {
        return new ReportSettings(l, letterhead, place, numberPattern, officers, supervisor, witness);
    }

    /** The {@code report} section of a station's configuration file, or {@link #DEFAULT} when it has none. */
    public static ReportSettings load(Path stationYaml) throws DataFileException {
        DataFile.Node root = DataFile.load(stationYaml);
        return root.has("report") ? from(root.object("report")) : DEFAULT;
    }

    /** The section itself, checked: every error names the key (report.officers[1].nip) and what to write instead. */
    public static ReportSettings from(DataFile.Node r) throws DataFileException {
        Language language = Language.of(r.oneOf("language", List.of("id", "en"), "id"));
        List<String> head = new ArrayList<>();
        if (r.has("letterhead")) {
            String text = r.text("letterhead");
            for (String l : text.split("\\R")) if (!l.isBlank()) head.add(l.strip());
            if (head.size() > 6) throw r.error("letterhead", "has " + head.size() + " lines; a kop surat has at most 6");
        } else {
            r.text("letterhead", "");
        }
        String place = r.text("place", "");
        String number = r.text("document_number", DEFAULT_NUMBER);
        Matcher m = PLACEHOLDER.matcher(number);
        while (m.find()) {
            if (!PLACEHOLDERS.contains(m.group(1))) {
                throw r.error("document_number", "has {" + m.group(1) + "}, which is not a placeholder; the known ones are {"
                        + String.join("}, {", PLACEHOLDERS) + "}");
            }
        }
        Map<String, Officer> officers = new LinkedHashMap<>();
        for (DataFile.Node o : r.list("officers", false)) {
            String user = o.text("user");
            String name = o.text("name");
            String nip = o.text("nip", "").replace(" ", "");
            if (!nip.isEmpty() && !nip.matches("\\d{18}")) {
                throw o.error("nip", "'" + nip + "' is not a NIP: a civil servant's NIP is 18 digits (spaces allowed)");
            }
            if (officers.put(user, new Officer(user, name, nip)) != null) throw o.error("user", "'" + user + "' is listed twice");
            o.noOtherFields();
        }
        String supervisor = r.text("supervisor", null);
        if (supervisor != null && !officers.containsKey(supervisor)) throw r.error("supervisor", "'" + supervisor + "' is not one of report.officers (" + String.join(", ", officers.keySet()) + ")");
        String witness = r.text("witness", null);
        if (witness != null && !officers.containsKey(witness)) throw r.error("witness", "'" + witness + "' is not one of report.officers (" + String.join(", ", officers.keySet()) + ")");
        r.noOtherFields();
        return new ReportSettings(language, head, place, number, officers, supervisor, witness);
    }

    /**
     * The document's number: the pattern with {kind} (LH daily report, RB reconciliation, BA berita acara),
     * {station} and the day's {yyyy} {mm} {dd} {mm_roman}. The same report for the same day has the same number, so
     * a reprint of it is recognisably the same document.
     */
    public String documentNumber(String kind, String station, LocalDate day) {
        return numberPattern.replace("{kind}", kind).replace("{station}", station)
                .replace("{yyyy}", String.format("%04d", day.getYear()))
                .replace("{mm_roman}", ROMAN[day.getMonthValue() - 1])
                .replace("{mm}", String.format("%02d", day.getMonthValue()))
                .replace("{dd}", String.format("%02d", day.getDayOfMonth()));
    }

    /** The officer behind an audit actor ("operator:sari"); one with the account's name and no NIP when unlisted. */
    public Officer officer(String actor) {
        String user = actor.contains(":") ? actor.substring(actor.indexOf(':') + 1) : actor;
        Officer o = officers.get(user);
        return o != null ? o : new Officer(user, actor, "");
    }

    public Officer supervisorOfficer() { return supervisor == null ? null : officers.get(supervisor); }

    public Officer witnessOfficer() { return witness == null ? null : officers.get(witness); }
}
