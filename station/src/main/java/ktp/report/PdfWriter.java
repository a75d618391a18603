package ktp.report;

import java.io.IOException;
import java.nio.file.Path;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.font.PDFont;
import org.apache.pdfbox.pdmodel.font.PDType0Font;

/**
 * Lines of text on A4 pages, a new page when one is full, every page footed with the report's title and its
 * page number. The text is set in DejaVu Sans from templates/fonts, embedded (subset), so every reader shows
 * the same letters without looking for fonts on the machine.
 */
final class PdfWriter implements AutoCloseable {
    private static final float MARGIN = 56;
    private static final float LINE = 14;

    private final PDDocument doc = new PDDocument();
    private final PDFont regular;
    private final PDFont bold;
    private final String footer;
    private PDPageContentStream page;
    private float y;
    private int pages;

    PdfWriter(Path fonts, String title, String footer) throws IOException {
        this.footer = footer;
        try {
            regular = PDType0Font.load(doc, fonts.resolve("DejaVuSans.ttf").toFile());
            bold = PDType0Font.load(doc, fonts.resolve("DejaVuSans-Bold.ttf").toFile());
        } catch (IOException e) {
            doc.close();
            throw new IOException("the report fonts in " + fonts + ": " + e.getMessage(), e);
        }
        doc.getDocumentInformation().setTitle(title);
        doc.getDocumentInformation().setCreator("ktp-station");
    }

    void heading(String text) throws IOException {
        room(3 * LINE);
        y -= LINE / 2;
        write(bold, 12, MARGIN, text);
        y -= LINE * 1.4f;
    }

    void title(String text) throws IOException {
        room(3 * LINE);
        write(bold, 15, MARGIN, text);
        y -= LINE * 1.8f;
    }

    /** One row: each cell at its x offset from the margin (points); the first cell bold if {@code strong}. */
    void row(float[] columns, boolean strong, String... cells) throws IOException {
        room(LINE);
        for (int i = 0; i < cells.length; i++) write(strong ? bold : regular, 9.5f, MARGIN + columns[i], cells[i]);
        y -= LINE;
    }

    void text(String line) throws IOException {
        room(LINE);
        write(regular, 9.5f, MARGIN, line);
        y -= LINE;
    }

    void space(float lines) { y -= lines * LINE; }

    private void room(float needed) throws IOException {
        if (page != null && y - needed >= MARGIN + LINE) return;
        if (page != null) page.close();
        PDPage p = new PDPage(PDRectangle.A4);
        doc.addPage(p);
        pages++;
        page = new PDPageContentStream(doc, p);
        write(regular, 8, MARGIN, footer + "  -  halaman / page " + pages, MARGIN / 2);
        y = PDRectangle.A4.getHeight() - MARGIN;
    }

    private void write(PDFont font, float size, float x, String text) throws IOException {
        write(font, size, x, text, y);
    }

    private void write(PDFont font, float size, float x, String text, float at) throws IOException {
        page.beginText();
        page.setFont(font, size);
        page.newLineAtOffset(x, at);
        String clean = text.replaceAll("\\p{Cntrl}", " ");
        try {
            page.showText(clean);
        } catch (IllegalArgumentException noGlyph) {
            // A letter the font does not have (a script outside DejaVu's): shown as '?' rather than no report.
            page.showText(clean.replaceAll("[^\\x20-\\x7E\\xA0-\\xFF]", "?"));
        }
        page.endText();
    }

    /** The finished document. */
    byte[] bytes() throws IOException {
        if (page != null) page.close();
        page = null;
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        doc.save(out);
        return out.toByteArray();
    }

    @Override
    public void close() throws IOException {
        if (page != null) page.close();
        doc.close();
    }
}
