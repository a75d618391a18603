package ktp.counter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.font.PDFont;
import org.apache.pdfbox.pdmodel.font.PDType0Font;

/**
 * The holder's receipt (tanda terima) for a card handed over at the counter: who received it (the holder, or
 * a proxy with NIK, name and relation), the card and its chip, the date and place, the station and the
 * officer, and the two signature lines under the place and date, the officer's NIP below; under the station's
 * letterhead with its document number when the configuration's {@code report} section gives them. Indonesian, as the holder and the Dinas file it. No I/O but the fonts.
 */
public final class Receipt {
    /** Who took the card: the holder themself, or a proxy (kuasa) with their identity. */
    public record Collector(boolean proxy, String nik, String name, String relation) {
        public static Collector holder() { return new Collector(false, "", "", ""); }
    }

    /**
     * {@code letterhead}: the kop surat's lines (none: no letterhead); {@code number} the document's number;
     * {@code place} the place written before the date; {@code officer} the officer's full name and {@code officerNip}
     * their NIP as written (empty: a dotted line to fill in by hand).
     */
    public record Contents(java.util.List<String> letterhead, String number, String recordId, String holderNik, String holderName, String chipUid,
                           String stationId, String place, Instant at, String officer, String officerNip, Collector collector) {}

    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("d MMMM yyyy", java.util.Locale.forLanguageTag("id")).withZone(ZoneId.of("Asia/Jakarta"));
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("dd-MM-yyyy HH:mm").withZone(ZoneId.of("Asia/Jakarta"));

    private Receipt() {}

    public static byte[] pdf(Contents c, Path fonts) throws IOException {
        try (PDDocument doc = new PDDocument()) {
            PDFont regular = PDType0Font.load(doc, fonts.resolve("DejaVuSans.ttf").toFile());
            PDFont bold = PDType0Font.load(doc, fonts.resolve("DejaVuSans-Bold.ttf").toFile());
            doc.getDocumentInformation().setTitle("Tanda Terima KTP-el " + c.recordId());
            doc.getDocumentInformation().setCreator("ktp-station " + c.stationId());
            PDPage page = new PDPage(PDRectangle.A5);
            doc.addPage(page);
            float x = 40;
            float y = page.getMediaBox().getHeight() - 50;
            try (PDPageContentStream s = new PDPageContentStream(doc, page)) {
                float width = page.getMediaBox().getWidth();
                for (int i = 0; i < c.letterhead().size(); i++) {
                    // The kop surat as the reports set it: the first lines large and bold, the address line small.
                    boolean last = i == c.letterhead().size() - 1 && c.letterhead().size() > 1;
                    PDFont f = last ? regular : bold;
                    float size = last ? 7.5f : i == 0 ? 10.5f : 10;
                    y = line(s, f, size, (width - f.getStringWidth(c.letterhead().get(i)) / 1000 * size) / 2, y, c.letterhead().get(i));
                }
                if (!c.letterhead().isEmpty()) {
                    s.moveTo(x, y + 4);
                    s.lineTo(width - x, y + 4);
                    s.stroke();
                    y -= 10;
                }
                y = line(s, bold, 14, x, y, "TANDA TERIMA KTP-el");
                y = line(s, regular, 9, x, y - 2, "Nomor: " + c.number());
                y = line(s, regular, 9, x, y, "Stasiun cetak " + c.stationId());
                y -= 12;
                java.util.List<String[]> rows = new java.util.ArrayList<>(java.util.List.of(new String[][] {
                        {"Nama pemilik", c.holderName()}, {"NIK", c.holderNik()}, {"Nomor rekaman", c.recordId()}, {"UID chip kartu", c.chipUid()},
                        {"Tanggal dan tempat", WHEN.format(c.at()) + " WIB, " + c.place()}, {"Petugas", c.officer()},
                        {"Diterima oleh", c.collector().proxy() ? "kuasa" : "pemilik sendiri"}}));
                if (c.collector().proxy()) {
                    rows.add(new String[] {"Nama kuasa", c.collector().name()});
                    rows.add(new String[] {"NIK kuasa", c.collector().nik()});
                    rows.add(new String[] {"Hubungan", c.collector().relation()});
                }
                for (String[] r : rows) {
                    line(s, bold, 9.5f, x, y, r[0]);
                    y = line(s, regular, 9.5f, x + 120, y, r[1]);
                }
                y -= 26;
                // The place and date above the signatures, as a letter is signed ("Soreang, 1 Desember 2026", as the reports write it).
                y = line(s, regular, 9.5f, x + 200, y, c.place() + ", " + DAY.format(c.at()));
                line(s, regular, 9.5f, x, y, c.collector().proxy() ? "Yang menerima (kuasa)," : "Yang menerima (pemilik),");
                line(s, regular, 9.5f, x + 200, y, "Petugas,");
                y -= 60;
                line(s, regular, 9.5f, x, y, "(" + (c.collector().proxy() ? c.collector().name() : c.holderName()) + ")");
                y = line(s, regular, 9.5f, x + 200, y, "(" + c.officer() + ")");
                line(s, regular, 9.5f, x + 200, y, "NIP " + (c.officerNip().isEmpty() ? "...................." : c.officerNip()));
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            doc.save(out);
            return out.toByteArray();
        }
    }

    private static float line(PDPageContentStream s, PDFont f, float size, float x, float y, String text) throws IOException {
        s.beginText();
        s.setFont(f, size);
        s.newLineAtOffset(x, y);
        s.showText(text);
        s.endText();
        return y - size * 1.5f;
    }
}
