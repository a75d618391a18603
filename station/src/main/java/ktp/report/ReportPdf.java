package ktp.report;

import ktp.dinas.ReportSettings;
import java.io.IOException;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import ktp.i18n.Catalogue;
import ktp.i18n.Language;

/**
 * The station's reports as PDF (PDFBox) for printing and filing at the Dinas: under the station's letterhead (kop
 * surat) with a document number, the place and date line, and the names and NIP of the officers under their
 * signatures ({@link ReportSettings}). Every word comes from the message catalogue (report_*.properties), in
 * Indonesian or, when the station or the command asks, in English.
 */
public final class ReportPdf {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");

    private ReportPdf() {}

    /**
     * The daily report without a station's report settings: in English with no letterhead. Kept for the callers
     * that have no configuration at hand (the demo, the console until it passes its settings).
     */
    public static byte[] daily(DailyReport r) throws IOException {
        return daily(r, ReportSettings.DEFAULT.withLanguage(Language.EN));
    }

    /** The reconciliation without a station's report settings: in English with no letterhead (see {@link #daily(DailyReport)}). */
    public static byte[] reconciliation(Reconciliation r) throws IOException {
        return reconciliation(r, ReportSettings.DEFAULT.withLanguage(Language.EN));
    }

    /** The daily report as a PDF document (write it with AtomicFile, or serve it). */
    public static byte[] daily(DailyReport r, ReportSettings s) throws IOException {
        Words w = new Words(s.language());
        String title = w.t("report.daily.title");
        try (PdfWriter pdf = new PdfWriter(ktp.datafile.Home.templates().resolve("fonts"), title + " " + r.stationId() + " " + r.day(),
                "ktp-station " + r.stationId() + " " + r.day(), w.t("report.page"))) {
            letterhead(pdf, s);
            pdf.centred(title, 14, true);
            pdf.centred(w.t("report.number", s.documentNumber("LH", r.stationId(), r.day())), 10, false);
            pdf.space(0.8f);
            float[] kv = {0, 300};
            pdf.row(kv, false, w.t("report.station"), r.stationId());
            pdf.row(kv, false, w.t("report.date"), w.date(r.day()) + " (" + r.zone() + ")");
            pdf.row(kv, false, w.t("report.generated"), TIME.format(r.generatedAt().atZone(r.zone())));
            pdf.heading(w.t("report.daily.counts"));
            pdf.row(kv, false, w.t("report.daily.received"), Long.toString(r.recordsIn()));
            pdf.row(kv, false, w.t("report.daily.refused"), Long.toString(r.rejected()));
            pdf.row(kv, false, w.t("report.daily.printed"), Long.toString(r.printed()));
            pdf.row(kv, false, w.t("report.daily.issued"), Long.toString(r.issued()));
            pdf.row(kv, false, "  " + w.t("report.daily.overrides"), Long.toString(r.overrides()));
            pdf.row(kv, false, w.t("report.daily.failed"), Long.toString(r.activationFailed()));
            pdf.row(kv, false, w.t("report.daily.spoiled"), Long.toString(r.spoiled().size()));

            pdf.heading(w.t("report.daily.byOperator"));
            float[] ops = {0, 200, 270, 340, 420};
            pdf.row(ops, true, w.t("report.operator"), w.t("report.col.printed"), w.t("report.col.issued"), w.t("report.col.failed"), w.t("report.col.overrides"));
            if (r.operators().isEmpty()) pdf.text(w.t("report.none"));
            for (DailyReport.ByOperator o : r.operators()) {
                pdf.row(ops, false, who(s, o.actor(), w), Long.toString(o.printed()), Long.toString(o.issued()), Long.toString(o.activationFailed()), Long.toString(o.overrides()));
            }

            pdf.heading(w.t("report.spoiled.heading"));
            spoiledTable(pdf, w, r.spoiled(), r.zone(), "HH:mm", w.t("report.col.time"));

            pdf.heading(w.t("report.audit.heading"));
            pdf.text(w.t("report.audit.entries", r.auditEntries()));
            pdf.text(r.auditHead());
            pdf.text(w.t("report.audit.verify"));

            // Whoever acted that day signs as the operator (the first of them; the station alone: nobody's name).
            List<ReportSettings.Officer> signers = new ArrayList<>();
            ReportSettings.Officer operator = r.operators().stream().filter(o -> !o.actor().startsWith("system:"))
                    .map(o -> s.officer(o.actor())).findFirst().orElse(null);
            signers.add(operator);
            signers.add(s.supervisorOfficer());
            signatures(pdf, w, s, r.day(), List.of(w.t("report.sign.operator"), w.t("report.sign.supervisor")), signers);
            return pdf.bytes();
        }
    }

    /** The reconciliation and, on its own page, the berita acara of the spoiled cards, as one PDF document. */
    public static byte[] reconciliation(Reconciliation r, ReportSettings s) throws IOException {
        Words w = new Words(s.language());
        String title = w.t("report.rec.title");
        String period = w.date(r.from()) + (r.to().equals(r.from()) ? "" : " - " + w.date(r.to()));
        try (PdfWriter pdf = new PdfWriter(ktp.datafile.Home.templates().resolve("fonts"), title + " " + r.stationId() + " " + r.from() + " " + r.to(),
                "ktp-station " + r.stationId() + " " + r.from() + (r.to().equals(r.from()) ? "" : " - " + r.to()), w.t("report.page"))) {
            letterhead(pdf, s);
            pdf.centred(title, 14, true);
            pdf.centred(w.t("report.number", s.documentNumber("RB", r.stationId(), r.to())), 10, false);
            pdf.space(0.8f);
            float[] kv = {0, 330};
            pdf.row(kv, false, w.t("report.station"), r.stationId());
            pdf.row(kv, false, w.t("report.period"), period + " (" + r.zone() + ")");
            pdf.row(kv, false, w.t("report.generated"), TIME.format(r.generatedAt().atZone(r.zone())));

            pdf.heading(w.t("report.rec.deliveries"));
            float[] dl = {0, 95, 150, 330};
            pdf.row(dl, true, w.t("report.col.date"), w.t("report.col.count"), w.t("report.col.reference"), w.t("report.col.by"));
            if (r.deliveries().isEmpty()) pdf.text(w.t("report.none"));
            for (Reconciliation.Delivery d : r.deliveries()) {
                List<String> ref = wrap(d.reference(), 36);
                pdf.row(dl, false, TIME.format(d.at().atZone(r.zone())), Long.toString(d.count()), ref.get(0), who(s, d.actor(), w));
                for (String more : ref.subList(1, ref.size())) pdf.row(dl, false, "", "", more, "");
            }

            pdf.heading(w.t("report.rec.inPeriod"));
            pdf.row(kv, false, w.t("report.rec.loadedInPeriod"), Long.toString(r.loadedInPeriod()));
            pdf.row(kv, false, w.t("report.rec.taken"), Long.toString(r.takenInPeriod()));
            pdf.row(kv, false, w.t("report.rec.spoiledInPeriod"), Long.toString(r.forDestruction().size()));
            pdf.heading(w.t("report.rec.balance"));
            pdf.row(kv, false, w.t("report.rec.loaded"), Long.toString(r.loaded()));
            pdf.row(kv, false, "  " + w.t("report.rec.issued"), Long.toString(r.issued()));
            pdf.row(kv, false, "  " + w.t("report.rec.awaiting"), Long.toString(r.awaitingHolder()));
            pdf.row(kv, false, "  " + w.t("report.rec.spoiled"), Long.toString(r.spoiled()));
            pdf.row(kv, false, "  " + w.t("report.rec.inPrinter"), Long.toString(r.inPrinter()));
            pdf.row(kv, false, "  " + w.t("report.rec.expected"), Long.toString(r.expectedInFeeder()));
            if (r.expectedInFeeder() < 0) {
                for (String line : wrap(w.t("report.rec.overdrawn"), 100)) pdf.text(line);
            }
            if (r.countedInFeeder().isPresent()) {
                int diff = r.difference().getAsInt();
                pdf.row(kv, false, "  " + w.t("report.rec.counted"), Integer.toString(r.countedInFeeder().getAsInt()));
                pdf.row(kv, true, w.t("report.rec.difference"), diff == 0 ? w.t("report.rec.reconciled") : w.t("report.rec.toExplain", String.format("%+d", diff)));
            } else {
                pdf.row(kv, false, "  " + w.t("report.rec.counted"), w.t("report.rec.notCounted"));
            }
            pdf.space(0.6f);
            // The box is always there: a difference found later is explained on the filed copy, by hand.
            pdf.box(w.t("report.rec.explain"), 4);

            List<ReportSettings.Officer> loaders = new ArrayList<>();
            for (Reconciliation.Delivery d : r.deliveries()) {
                ReportSettings.Officer o = s.officer(d.actor());
                if (!d.actor().startsWith("system:") && loaders.stream().noneMatch(x -> x.user().equals(o.user()))) loaders.add(o);
            }
            signatures(pdf, w, s, r.to(), List.of(w.t("report.sign.operator"), w.t("report.sign.supervisor")),
                    java.util.Arrays.asList(loaders.isEmpty() ? null : loaders.get(0), s.supervisorOfficer()));

            // The berita acara: its own document (own page, own number), filed with the destroyed cards.
            pdf.newPage();
            letterhead(pdf, s);
            pdf.centred(w.t("report.ba.title"), 14, true);
            pdf.centred(w.t("report.number", s.documentNumber("BA", r.stationId(), r.to())), 10, false);
            pdf.space(0.8f);
            for (String line : wrap(w.t("report.ba.opening", w.weekdayDate(r.to()), s.place().isEmpty() ? "........................" : s.place(),
                    r.stationId(), period, r.forDestruction().size()), 100)) {
                pdf.text(line);
            }
            pdf.space(0.5f);
            spoiledTable(pdf, w, r.forDestruction(), r.zone(), "yyyy-MM-dd", w.t("report.col.date"));
            pdf.space(1);
            pdf.text(w.t("report.ba.destroyed"));
            pdf.text(w.t("report.ba.closing"));
            signatures(pdf, w, s, r.to(), List.of(w.t("report.sign.operator"), w.t("report.sign.supervisor"), w.t("report.sign.witness")),
                    java.util.Arrays.asList(loaders.isEmpty() ? null : loaders.get(0), s.supervisorOfficer(), s.witnessOfficer()));
            return pdf.bytes();
        }
    }

    private static void letterhead(PdfWriter pdf, ReportSettings s) throws IOException {
        if (s.letterhead().isEmpty()) return;
        for (int i = 0; i < s.letterhead().size(); i++) {
            // The kop surat's first lines (government, office) large and bold, the address line small.
            boolean last = i == s.letterhead().size() - 1 && s.letterhead().size() > 1;
            pdf.centred(s.letterhead().get(i), last ? 9 : i == 0 ? 13 : 12, !last);
        }
        pdf.rule();
    }

    private static void spoiledTable(PdfWriter pdf, Words w, List<DailyReport.Spoiled> spoiled, ZoneId zone, String when, String whenTitle) throws IOException {
        float[] sp = {0, 95, 200, 268};
        pdf.row(sp, true, w.t("report.col.blank"), w.t("report.col.record"), whenTitle, w.t("report.col.reason"));
        if (spoiled.isEmpty()) pdf.text(w.t("report.none"));
        for (DailyReport.Spoiled x : spoiled) {
            List<String> reason = wrap(x.reason(), 42);
            pdf.row(sp, false, x.blankId(), x.recordId().isEmpty() ? "-" : x.recordId(),
                    DateTimeFormatter.ofPattern(when).format(x.at().atZone(zone)), reason.get(0));
            for (String more : reason.subList(1, reason.size())) pdf.row(sp, false, "", "", "", more);
        }
    }

    /**
     * The place and date line, then one column per signer: the role, room to sign, the name in brackets and the
     * NIP; an unknown signer gets dotted lines to fill in by hand.
     */
    private static void signatures(PdfWriter pdf, Words w, ReportSettings s, LocalDate day, List<String> roles,
                                   List<ReportSettings.Officer> signers) throws IOException {
        if (pdf.linesLeft() < 9) pdf.newPage();
        pdf.space(1.5f);
        pdf.right(w.t("report.placeDate", s.place().isEmpty() ? "........................" : s.place(), w.date(day)));
        pdf.space(0.5f);
        float step = 483f / roles.size();
        float[] cols = new float[roles.size()];
        for (int i = 0; i < cols.length; i++) cols[i] = i * step;
        pdf.row(cols, false, roles.toArray(String[]::new));
        pdf.space(3);
        String[] names = new String[roles.size()];
        String[] nips = new String[roles.size()];
        for (int i = 0; i < names.length; i++) {
            ReportSettings.Officer o = i < signers.size() ? signers.get(i) : null;
            names[i] = o == null ? "(.........................)" : "(" + o.name() + ")";
            nips[i] = w.t("report.nip", o == null || o.nip().isEmpty() ? "....................." : o.nipWritten());
        }
        pdf.row(cols, true, names);
        pdf.row(cols, false, nips);
    }

    /** An actor as the report names it: the officer's name when the settings know the account. */
    private static String who(ReportSettings s, String actor, Words w) {
        if (actor.startsWith("system:")) return w.t("report.system");
        ReportSettings.Officer o = s.officer(actor);
        return o.nip().isEmpty() && o.name().equals(actor) ? actor : o.name();
    }

    /** The catalogue's report words in one language, with its dates. */
    private record Words(Language language) {
        String t(String key, Object... args) { return Catalogue.text(language, key, args); }

        Locale locale() { return language == Language.EN ? Locale.ENGLISH : Locale.forLanguageTag("id"); }

        String date(LocalDate d) { return DateTimeFormatter.ofPattern("d MMMM yyyy", locale()).format(d); }

        String weekdayDate(LocalDate d) { return DateTimeFormatter.ofPattern("EEEE, d MMMM yyyy", locale()).format(d); }
    }

    /** Words onto lines of at most {@code width} characters (a longer word is cut); at least one line. */
    static List<String> wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.strip().split("\\s+")) {
            while (word.length() > width) {
                if (line.length() > 0) { lines.add(line.toString()); line.setLength(0); }
                lines.add(word.substring(0, width));
                word = word.substring(width);
            }
            if (line.length() > 0 && line.length() + 1 + word.length() > width) { lines.add(line.toString()); line.setLength(0); }
            if (line.length() > 0) line.append(' ');
            line.append(word);
        }
        if (line.length() > 0 || lines.isEmpty()) lines.add(line.toString());
        return lines;
    }
}
