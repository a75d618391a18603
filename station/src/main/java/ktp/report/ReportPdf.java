package ktp.report;

import java.io.IOException;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/** The station's reports as PDF (PDFBox), in Indonesian with English beside it, for printing and filing. */
public final class ReportPdf {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");

    private ReportPdf() {}

    /** The daily report as a PDF document (write it with AtomicFile, or serve it). */
    public static byte[] daily(DailyReport r) throws IOException {
        String title = "Laporan Harian Penerbitan KTP-el / Daily issuance report";
        try (PdfWriter pdf = new PdfWriter(ktp.datafile.Home.templates().resolve("fonts"), title + " " + r.stationId() + " " + r.day(), "ktp-station " + r.stationId() + " " + r.day())) {
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
            return pdf.bytes();
        }
    }

    /** The reconciliation as a PDF document (write it with AtomicFile, or serve it). */
    public static byte[] reconciliation(Reconciliation r) throws IOException {
        String title = "Rekonsiliasi Blangko KTP-el / Blank-card reconciliation";
        String period = r.from() + (r.to().equals(r.from()) ? "" : " - " + r.to());
        try (PdfWriter pdf = new PdfWriter(ktp.datafile.Home.templates().resolve("fonts"), title + " " + r.stationId() + " " + period,
                "ktp-station " + r.stationId() + " " + period)) {
            pdf.title(title);
            float[] kv = {0, 330};
            pdf.row(kv, false, "Stasiun / Station", r.stationId());
            pdf.row(kv, false, "Periode / Period", period + " (" + r.zone() + ")");
            pdf.row(kv, false, "Dibuat / Generated", TIME.format(r.generatedAt().atZone(r.zone())));
            pdf.heading("Dalam periode / In the period");
            pdf.row(kv, false, "Blangko dimasukkan ke printer / Blanks loaded", Long.toString(r.loadedInPeriod()));
            pdf.row(kv, false, "Blangko diambil printer / Blanks taken by printers", Long.toString(r.takenInPeriod()));
            pdf.row(kv, false, "Blangko rusak / Blanks spoiled", Long.toString(r.forDestruction().size()));
            pdf.heading("Neraca sampai akhir periode / Balance at the end of the period");
            pdf.row(kv, false, "Blangko masuk / Blanks in (loaded)", Long.toString(r.loaded()));
            pdf.row(kv, false, "  diserahkan / issued", Long.toString(r.issued()));
            pdf.row(kv, false, "  dicetak, menunggu pemilik / printed, awaiting holder", Long.toString(r.awaitingHolder()));
            pdf.row(kv, false, "  rusak / spoiled", Long.toString(r.spoiled()));
            pdf.row(kv, false, "  di dalam printer / inside a printer", Long.toString(r.inPrinter()));
            pdf.row(kv, false, "  seharusnya tersisa di feeder / expected left in the feeder", Long.toString(r.expectedInFeeder()));
            if (r.expectedInFeeder() < 0) {
                pdf.text("Printer mengambil lebih banyak blangko daripada yang dicatat masuk / the printers took more blanks than were recorded");
                pdf.text("as loaded: every load must be recorded (ktp ledger load, or the console).");
            }
            if (r.countedInFeeder().isPresent()) {
                int diff = r.difference().getAsInt();
                pdf.row(kv, false, "  dihitung di feeder / counted in the feeder", Integer.toString(r.countedInFeeder().getAsInt()));
                pdf.row(kv, true, "Selisih / Difference", diff == 0 ? "0 (cocok / reconciled)" : String.format("%+d (harus dijelaskan / to be explained)", diff));
            } else {
                pdf.row(kv, false, "  dihitung di feeder / counted in the feeder", "(belum dihitung / not counted)");
            }

            pdf.heading("Berita acara pemusnahan blangko rusak");
            pdf.text("Record of spoiled cards for destruction. Blangko berikut rusak dan dimusnahkan / the following blanks were");
            pdf.text("spoiled and are destroyed:");
            float[] sp = {0, 95, 200, 265};
            pdf.row(sp, true, "UID chip / Blank", "Rekaman / Record", "Tanggal", "Alasan / Reason");
            if (r.forDestruction().isEmpty()) pdf.text("(tidak ada / none)");
            for (DailyReport.Spoiled s : r.forDestruction()) {
                List<String> reason = wrap(s.reason(), 42);
                pdf.row(sp, false, s.blankId(), s.recordId().isEmpty() ? "-" : s.recordId(),
                        DateTimeFormatter.ofPattern("yyyy-MM-dd").format(s.at().atZone(r.zone())), reason.get(0));
                for (String more : reason.subList(1, reason.size())) pdf.row(sp, false, "", "", "", more);
            }
            pdf.space(2);
            pdf.text("Dimusnahkan pada tanggal / Destroyed on: ..................   di / at: ........................");
            pdf.space(2);
            float[] sign = {0, 170, 340};
            pdf.row(sign, false, "Petugas / Operator", "Supervisor", "Saksi / Witness");
            pdf.space(3);
            pdf.row(sign, false, "(.....................)", "(.....................)", "(.....................)");
            return pdf.bytes();
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
