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

    private final String pageWord;

    PdfWriter(Path fonts, String title, String footer, String pageWord) throws IOException {
        this.footer = footer;
        this.pageWord = pageWord;
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

    /** A line centred between the margins (the letterhead, a title). */
    void centred(String text, float size, boolean strong) throws IOException {
        room(size + 6);
        PDFont f = strong ? bold : regular;
        float width = width(f, size, text);
        write(f, size, (PDRectangle.A4.getWidth() - width) / 2, text);
        y -= size + 5;
    }

    /** The letterhead's double rule under the kop surat. */
    void rule() throws IOException {
        room(LINE);
        float right = PDRectangle.A4.getWidth() - MARGIN;
        page.setLineWidth(1.6f);
        page.moveTo(MARGIN, y + 6);
        page.lineTo(right, y + 6);
        page.stroke();
        page.setLineWidth(0.5f);
        page.moveTo(MARGIN, y + 3);
        page.lineTo(right, y + 3);
        page.stroke();
        y -= LINE;
    }

    /** A framed box with a caption and {@code lines} empty ruled lines for handwriting (an explanation). */
    void box(String caption, int lines) throws IOException {
        float height = LINE * (lines + 1.6f);
        room(height + LINE);
        float right = PDRectangle.A4.getWidth() - MARGIN;
        float top = y + LINE - 3;
        page.setLineWidth(0.8f);
        page.addRect(MARGIN, top - height, right - MARGIN, height);
        page.stroke();
        write(bold, 9.5f, MARGIN + 6, caption, top - LINE);
        page.setLineWidth(0.3f);
        for (int i = 1; i <= lines; i++) {
            float at = top - LINE - i * LINE - 2;
            page.moveTo(MARGIN + 6, at);
            page.lineTo(right - 6, at);
            page.stroke();
        }
        y = top - height - LINE;
    }

    /** Text set against the right margin (the place and date line above the signatures). */
    void right(String text) throws IOException {
        room(LINE);
        write(regular, 9.5f, PDRectangle.A4.getWidth() - MARGIN - Math.max(width(regular, 9.5f, text), 160), text);
        y -= LINE;
    }

    /** A new page, whatever room is left (the berita acara starts on its own page). */
    void newPage() throws IOException {
        if (page != null) page.close();
        page = null;
        room(LINE);
    }

    /** Space left on this page, in lines. */
    float linesLeft() { return page == null ? 0 : (y - MARGIN - LINE) / LINE; }

    private float width(PDFont f, float size, String text) throws IOException {
        try {
            return f.getStringWidth(text.replaceAll("\\p{Cntrl}", " ")) / 1000 * size;
        } catch (IllegalArgumentException noGlyph) {
            return text.length() * size * 0.55f;
        }
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
        write(regular, 8, MARGIN, footer + "  -  " + pageWord + " " + pages, MARGIN / 2);
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
