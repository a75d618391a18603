package ktp.report;

import java.io.IOException;
import java.nio.file.Path;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/** The station's reports as PDF (PDFBox), in Indonesian with English beside it, for printing and filing. */
public final class ReportPdf {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");

    private ReportPdf() {}

    public static void daily(DailyReport r, Path out) throws IOException {
        String title = "Laporan Harian Penerbitan KTP-el / Daily issuance report";
        try (PdfWriter pdf = new PdfWriter(ktp.cli.Paths.templates().resolve("fonts"), title + " " + r.stationId() + " " + r.day(), "ktp-station " + r.stationId() + " " + r.day())) {
            pdf.title(title);
            float[] kv = {0, 300};
            pdf.row(kv, false, "Stasiun / Station", r.stationId());
            pdf.row(kv, false, "Tanggal / Date", r.day() + " (" + r.zone() + ")");
            pdf.row(kv, false, "Dibuat / Generated", TIME.format(r.generatedAt().atZone(r.zone())));
            pdf.heading("Jumlah menurut hasil / Counts by outcome");
            pdf.row(kv, false, "Rekaman diterima / Records received", Long.toString(r.recordsIn()));
            pdf.row(kv, false, "Rekaman ditolak / Records refused", Long.toString(r.rejected()));
            pdf.row(kv, false, "Kartu dicetak / Cards printed", Long.toString(r.printed()));
            pdf.row(kv, false, "Kartu diserahkan / Cards issued", Long.toString(r.issued()));
            pdf.row(kv, false, "  termasuk keputusan supervisor / of which by override", Long.toString(r.overrides()));
            pdf.row(kv, false, "Aktivasi gagal / Activation failed", Long.toString(r.activationFailed()));
            pdf.row(kv, false, "Blangko rusak / Spoiled blanks", Long.toString(r.spoiled().size()));

            pdf.heading("Menurut petugas / By operator");
            float[] ops = {0, 200, 270, 340, 420};
            pdf.row(ops, true, "Petugas / Operator", "Dicetak", "Diserahkan", "Gagal", "Override");
            if (r.operators().isEmpty()) pdf.text("(tidak ada / none)");
            for (DailyReport.ByOperator o : r.operators()) {
                pdf.row(ops, false, o.actor(), Long.toString(o.printed()), Long.toString(o.issued()), Long.toString(o.activationFailed()), Long.toString(o.overrides()));
            }

            pdf.heading("Blangko rusak / Spoiled blanks");
            float[] sp = {0, 95, 210, 245};
            pdf.row(sp, true, "Blangko / Blank", "Rekaman / Record", "Jam", "Alasan / Reason");
            if (r.spoiled().isEmpty()) pdf.text("(tidak ada / none)");
            for (DailyReport.Spoiled s : r.spoiled()) {
                List<String> reason = wrap(s.reason(), 46);
                pdf.row(sp, false, s.blankId(), s.recordId().isEmpty() ? "-" : s.recordId(),
                        DateTimeFormatter.ofPattern("HH:mm").format(s.at().atZone(r.zone())), reason.get(0));
                for (String more : reason.subList(1, reason.size())) pdf.row(sp, false, "", "", "", more);
            }

            pdf.heading("Log audit / Audit log");
            pdf.text(r.auditEntries() + " entri / entries; kepala rantai / chain head:");
            pdf.text(r.auditHead());
            pdf.text("Periksa / verify: ktp audit verify --store STORE");
            pdf.space(2);
            float[] sign = {0, 250};
            pdf.row(sign, false, "Petugas / Operator", "Supervisor");
            pdf.space(3);
            pdf.row(sign, false, "(.................................)", "(.................................)");
            pdf.save(out);
        }
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
