package ktp.render;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.EncodeHintType;
import com.google.zxing.WriterException;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.QRCodeWriter;
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ktp.record.CardFields;
import ktp.record.PrintRecord;
import org.apache.fontbox.ttf.TTFParser;
import org.apache.fontbox.ttf.TrueTypeFont;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.io.RandomAccessReadBufferedFile;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.font.PDFont;
import org.apache.pdfbox.pdmodel.font.PDType0Font;
import org.apache.pdfbox.pdmodel.graphics.image.LosslessFactory;
import org.apache.pdfbox.pdmodel.graphics.image.PDImageXObject;
import org.apache.pdfbox.rendering.ImageType;
import org.apache.pdfbox.rendering.PDFRenderer;

/**
 * Turns a print record into the card: a vector PDF of each side at true size (fonts embedded), and for a
 * printer profile the raster of each side separated into the ribbon's panels: K (1 bit: text, the signature,
 * the QR code), Y, M and C (the photo, at the panel's bit depth) and O (the overlay, with the profile's
 * holes). Text that does not fit its box at the smallest size the template allows is refused, naming the
 * element. Not thread-safe (the parsed fonts are shared); use one renderer per thread.
 */
public final class CardRenderer {
    private static final double PT_PER_MM = 72 / 25.4;

    private final CardTemplate template;
    private final TrueTypeFont regularTtf;
    private final TrueTypeFont boldTtf;

    /** A document that only lends the fonts their metrics, for measuring text outside a render. */
    private final PDDocument metrics = new PDDocument();
    private final PDType0Font regularMetrics;
    private final PDType0Font boldMetrics;

    public CardRenderer(CardTemplate template) throws IOException {
        this.template = template;
        this.regularTtf = new TTFParser().parse(new RandomAccessReadBufferedFile(template.regularFont().toFile()));
        this.boldTtf = new TTFParser().parse(new RandomAccessReadBufferedFile(template.boldFont().toFile()));
        this.regularMetrics = PDType0Font.load(metrics, regularTtf, false);
        this.boldMetrics = PDType0Font.load(metrics, boldTtf, false);
    }

    /**
     * Validation's fit check with this template's boxes and fonts: a record passes only if every text
     * element fits (shrunk and wrapped within the template's bounds), with the element's field named.
     */
    public ktp.record.FitCheck fitCheck() {
        return record -> {
            Map<String, String> values = values(record);
            for (CardTemplate.Side s : CardTemplate.Side.values()) {
                for (CardTemplate.Element e : template.side(s).elements()) {
                    if (!(e instanceof CardTemplate.Text t)) continue;
                    String text = CardTemplate.fill(t.pattern(), values);
                    PDType0Font font = t.bold() ? boldMetrics : regularMetrics;
                    String field = fieldOf(t);
                    try {
                        checkGlyphs(t.id(), font, text);
                        if (layout(t, font, text) == null) {
                            throw new ktp.record.RecordRejectedException(ktp.record.Reason.FIELD_TOO_LONG, field, "'" + text + "' does not fit the "
                                    + t.id() + " box of the " + template.name() + " template (" + t.lines() + " line(s) of " + t.box().w() + " mm, down to "
                                    + t.minSizePt() + " pt)");
                        }
                    } catch (RenderException | IOException ex) {
                        throw new ktp.record.RecordRejectedException(ktp.record.Reason.FIELD_TOO_LONG, field, ex.getMessage());
                    }
                }
            }
        };
    }

    /** The record field an element prints, as validation names it (front.nama, issue.place...). */
    private static String fieldOf(CardTemplate.Text t) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\{([^}]*)}").matcher(t.pattern());
        if (!m.find()) return "template." + t.id();
        String f = m.group(1);
        return switch (f) {
            case "nik", "recordId" -> f;
            case "issuePlace" -> "issue.place";
            case "issueDate" -> "issue.date";
            default -> "front." + f;
        };
    }

    /** The lines and size at which {@code text} fits the element, or null when it cannot. */
    private static Fitted layout(CardTemplate.Text t, PDType0Font font, String text) throws IOException {
        float ascent = font.getFontDescriptor().getAscent() / 1000f;
        float descent = -font.getFontDescriptor().getDescent() / 1000f;
        double boxW = mm(t.box().w());
        double boxH = mm(t.box().h());
        for (double size = t.sizePt(); size >= t.minSizePt() - 1e-9; size -= 0.25) {
            double lineH = (ascent + descent) * size;
            List<String> lines = wrap(font, text, size, boxW);
            if (lines.size() <= t.lines() && lines.size() * lineH <= boxH + 1e-6) return new Fitted(lines, size, lineH, ascent);
        }
        return null;
    }

    private record Fitted(List<String> lines, double size, double lineHeight, float ascent) {}

    public CardTemplate template() { return template; }

    /** One line of text as placed: its box on the card (mm) and the size it got. */
    public record PlacedLine(String element, String text, double xMm, double topMm, double widthMm, double heightMm, double sizePt) {}

    /** One rendered side: its PDF, where every text line went, and the inputs the raster needs. */
    public record RenderedSide(CardTemplate.Side side, byte[] pdf, byte[] pdfInkOnly, List<PlacedLine> lines,
                               Map<String, BufferedImage> photos, Map<String, BufferedImage> signatures, Map<String, BitMatrix> qrCodes) {}

    public record RenderedCard(PrintRecord record, Map<CardTemplate.Side, RenderedSide> sides) {
        public RenderedSide side(CardTemplate.Side s) { return sides.get(s); }
    }

    /** The values the template's patterns may name. */
    public static Map<String, String> values(PrintRecord r) {
        Map<String, String> v = new LinkedHashMap<>();
        PrintRecord.Front f = r.front();
        v.put("provinsi", f.provinsi());
        v.put("kabupatenKota", f.kabupatenKota());
        v.put("nik", r.nik());
        v.put("nama", f.nama());
        v.put("tempatLahir", f.tempatLahir());
        v.put("tanggalLahir", CardFields.printedDate(f.tanggalLahir()));
        v.put("jenisKelamin", f.jenisKelamin() == ktp.record.Sex.LAKI_LAKI ? "LAKI-LAKI" : "PEREMPUAN");
        v.put("golDarah", f.golDarah());
        v.put("alamat", f.alamat());
        v.put("rtRw", f.rtRw());
        v.put("kelDesa", f.kelDesa());
        v.put("kecamatan", f.kecamatan());
        v.put("agama", f.agama());
        v.put("statusPerkawinan", f.statusPerkawinan());
        v.put("pekerjaan", f.pekerjaan());
        v.put("kewarganegaraan", f.kewarganegaraan());
        v.put("berlakuHingga", f.berlakuHingga());
        v.put("issuePlace", r.issue().place());
        v.put("issueDate", CardFields.printedDate(r.issue().date()));
        v.put("recordId", r.recordId());
        return v;
    }

    /** Renders both sides. {@code qrText} is what the QR code says (CardSeal.qrText). */
    public RenderedCard render(PrintRecord record, String qrText) throws RenderException {
        Map<CardTemplate.Side, RenderedSide> sides = new EnumMap<>(CardTemplate.Side.class);
        Map<String, String> values = values(record);
        for (CardTemplate.Side s : CardTemplate.Side.values()) sides.put(s, renderSide(template.side(s), record, values, qrText));
        return new RenderedCard(record, sides);
    }

    private RenderedSide renderSide(CardTemplate.SideLayout layout, PrintRecord record, Map<String, String> values, String qrText) throws RenderException {
        Map<String, BufferedImage> photos = new LinkedHashMap<>();
        Map<String, BufferedImage> signatures = new LinkedHashMap<>();
        Map<String, BitMatrix> qrs = new LinkedHashMap<>();
        for (CardTemplate.Element e : layout.elements()) {
            if (e instanceof CardTemplate.Photo p) {
                photos.put(p.id(), PhotoInput.cropTo(PhotoInput.decode(p.id(), record.photoJpeg(), "jpeg"), p.box().w(), p.box().h()));
            } else if (e instanceof CardTemplate.Signature s) {
                signatures.put(s.id(), inkMask(PhotoInput.decode(s.id(), record.signaturePng(), "png")));
            } else if (e instanceof CardTemplate.Qr q) {
                qrs.put(q.id(), qr(q.id(), qrText));
            }
        }
        List<PlacedLine> lines = new ArrayList<>();
        byte[] pdf = pdf(layout, values, photos, signatures, qrs, true, lines);
        byte[] ink = pdf(layout, values, photos, signatures, qrs, false, new ArrayList<>());
        return new RenderedSide(layout.side(), pdf, ink, List.copyOf(lines), photos, signatures, qrs);
    }

    private static BitMatrix qr(String element, String text) throws RenderException {
        if (text == null || text.isEmpty()) throw new RenderException(element, "no QR text (the record's card seal)");
        try {
            return new QRCodeWriter().encode(text, BarcodeFormat.QR_CODE, 0, 0,
                    Map.of(EncodeHintType.ERROR_CORRECTION, ErrorCorrectionLevel.M, EncodeHintType.MARGIN, 0, EncodeHintType.CHARACTER_SET, "UTF-8"));
        } catch (WriterException e) {
            throw new RenderException(element, "cannot encode the QR code: " + e.getMessage(), e);
        }
    }

    /** A signature scan as ink only: dark pixels black, everything else transparent white. */
    private static BufferedImage inkMask(BufferedImage rgb) {
        BufferedImage out = new BufferedImage(rgb.getWidth(), rgb.getHeight(), BufferedImage.TYPE_BYTE_BINARY);
        for (int y = 0; y < rgb.getHeight(); y++) {
            for (int x = 0; x < rgb.getWidth(); x++) {
                int p = rgb.getRGB(x, y);
                int lum = (299 * ((p >> 16) & 0xff) + 587 * ((p >> 8) & 0xff) + 114 * (p & 0xff)) / 1000;
                out.setRGB(x, y, lum < 128 ? 0xff000000 : 0xffffffff);
            }
        }
        return out;
    }

    private byte[] pdf(CardTemplate.SideLayout layout, Map<String, String> values, Map<String, BufferedImage> photos,
                       Map<String, BufferedImage> signatures, Map<String, BitMatrix> qrs, boolean withColour, List<PlacedLine> placed) throws RenderException {
        try (PDDocument doc = new PDDocument()) {
            float pageW = (float) (CardTemplate.CARD_WIDTH_MM * PT_PER_MM);
            float pageH = (float) (CardTemplate.CARD_HEIGHT_MM * PT_PER_MM);
            PDPage page = new PDPage(new PDRectangle(pageW, pageH));
            doc.addPage(page);
            PDType0Font regular = PDType0Font.load(doc, regularTtf, true);
            PDType0Font bold = PDType0Font.load(doc, boldTtf, true);
            try (PDPageContentStream cs = new PDPageContentStream(doc, page)) {
                for (CardTemplate.Element e : layout.elements()) {
                    CardTemplate.Box b = e.box();
                    if (e instanceof CardTemplate.Text t) {
                        text(cs, t, t.bold() ? bold : regular, CardTemplate.fill(t.pattern(), values), pageH, placed);
                    } else if (e instanceof CardTemplate.Photo p) {
                        if (!withColour) continue;
                        BufferedImage img = photos.get(p.id());
                        PDImageXObject x = LosslessFactory.createFromImage(doc, PhotoInput.scale(img, (int) Math.round(b.w() * 12), (int) Math.round(b.h() * 12)));
                        cs.drawImage(x, mm(b.x()), pageH - mm(b.y() + b.h()), mm(b.w()), mm(b.h()));
                    } else if (e instanceof CardTemplate.Signature s) {
                        BufferedImage img = signatures.get(s.id());
                        double[] fit = fit(img.getWidth(), img.getHeight(), b);
                        PDImageXObject x = LosslessFactory.createFromImage(doc, img);
                        cs.drawImage(x, mm(fit[0]), pageH - mm(fit[1] + fit[3]), mm(fit[2]), mm(fit[3]));
                    } else if (e instanceof CardTemplate.Qr q) {
                        BitMatrix m = qrs.get(q.id());
                        int n = m.getWidth() + 8;
                        double module = Math.min(b.w(), b.h()) / n;
                        double x0 = b.x() + (b.w() - module * n) / 2 + 4 * module;
                        double y0 = b.y() + (b.h() - module * n) / 2 + 4 * module;
                        cs.setNonStrokingColor(Color.BLACK);
                        for (int y = 0; y < m.getHeight(); y++) {
                            for (int x = 0; x < m.getWidth(); x++) {
                                if (m.get(x, y)) cs.addRect(mm(x0 + x * module), pageH - mm(y0 + (y + 1) * module), mm(module), mm(module));
                            }
                        }
                        cs.fill();
                    }
                }
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            doc.save(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new RenderException(layout.side().name().toLowerCase(), "cannot write the PDF: " + e.getMessage(), e);
        }
    }

    private static float mm(double mm) { return (float) (mm * PT_PER_MM); }

    /** Letterboxes an image of w x h pixels into the box, centred: {x, y, w, h} in mm. */
    private static double[] fit(int w, int h, CardTemplate.Box b) {
        double scale = Math.min(b.w() / w, b.h() / h);
        double fw = w * scale;
        double fh = h * scale;
        return new double[] {b.x() + (b.w() - fw) / 2, b.y() + (b.h() - fh) / 2, fw, fh};
    }

    private void text(PDPageContentStream cs, CardTemplate.Text t, PDType0Font font, String text, float pageH, List<PlacedLine> placed) throws IOException, RenderException {
        checkGlyphs(t.id(), font, text);
        Fitted f = layout(t, font, text);
        if (f == null) {
            throw new RenderException(t.id(), "'" + text + "' does not fit in " + t.lines() + " line(s) of " + t.box().w() + " x " + t.box().h()
                    + " mm even at " + t.minSizePt() + " pt; the record must be refused (FIELD_TOO_LONG) rather than the text clipped");
        }
        double boxW = mm(t.box().w());
        cs.setNonStrokingColor(Color.BLACK);
        for (int i = 0; i < f.lines().size(); i++) {
            String line = f.lines().get(i);
            double w = font.getStringWidth(line) / 1000 * f.size();
            double x = switch (t.align()) {
                case "center" -> mm(t.box().x()) + (boxW - w) / 2;
                case "right" -> mm(t.box().x()) + boxW - w;
                default -> mm(t.box().x());
            };
            double top = mm(t.box().y()) + i * f.lineHeight();
            cs.beginText();
            cs.setFont(font, (float) f.size());
            cs.newLineAtOffset((float) x, (float) (pageH - top - f.ascent() * f.size()));
            cs.showText(line);
            cs.endText();
            placed.add(new PlacedLine(t.id(), line, x / PT_PER_MM, top / PT_PER_MM, w / PT_PER_MM, f.lineHeight() / PT_PER_MM, f.size()));
        }
    }

    private static void checkGlyphs(String element, PDType0Font font, String text) throws RenderException {
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            try {
                if (!font.hasGlyph(cp)) throw new IllegalArgumentException();
            } catch (IOException | IllegalArgumentException e) {
                throw new RenderException(element, String.format("the font %s has no glyph for U+%04X '%s'; the card cannot print it (no substitute is guessed)",
                        font.getName(), cp, new String(Character.toChars(cp))));
            }
        }
    }

    /** Greedy wrap by measured width; a word wider than the box is broken between characters. */
    static List<String> wrap(PDFont font, String text, double size, double widthPt) throws IOException {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.trim().split(" +")) {
            String candidate = line.length() == 0 ? word : line + " " + word;
            if (width(font, candidate, size) <= widthPt) {
                line.setLength(0);
                line.append(candidate);
                continue;
            }
            if (line.length() > 0) {
                lines.add(line.toString());
                line.setLength(0);
            }
            while (width(font, word, size) > widthPt && word.length() > 1) {
                int cut = word.length() - 1;
                while (cut > 1 && width(font, word.substring(0, cut), size) > widthPt) cut--;
                lines.add(word.substring(0, cut));
                word = word.substring(cut);
            }
            line.append(word);
        }
        if (line.length() > 0) lines.add(line.toString());
        return lines;
    }

    private static double width(PDFont font, String s, double size) throws IOException { return font.getStringWidth(s) / 1000 * size; }

    // ---------------------------------------------------------------- raster and panels

    /**
     * The side as the printer prints it: one image per panel of the profile, {@code width x height} pixels, the
     * card centred in the printer's buffer. In every panel image black means ink (or varnish) and white none.
     * K and O are 1-bit images; Y, M and C are greyscale at the panel's depth (levels spread over 0-255).
     */
    public Map<String, BufferedImage> panels(RenderedSide side, PanelLayout profile) throws RenderException {
        PanelLayout r = profile;
        double pxPerMm = r.pxPerMm();
        int cardW = (int) Math.round(CardTemplate.CARD_WIDTH_MM * pxPerMm);
        int cardH = (int) Math.round(CardTemplate.CARD_HEIGHT_MM * pxPerMm);
        int ox = (r.width() - cardW) / 2;
        int oy = (r.height() - cardH) / 2;
        CardTemplate.SideLayout layout = template.side(side.side());
        String sideName = side.side().name().toLowerCase();
        for (PanelLayout.Hole h : profile.holes()) {
            if (!h.keepClear() || !h.side().equals(sideName)) continue;
            for (CardTemplate.Element e : layout.elements()) {
                if (e.box().intersects(h.xMm(), h.yMm(), h.wMm(), h.hMm())) {
                    throw new RenderException(e.id(), "the element's box lies over the " + h.name() + " of profile " + profile.profileId()
                            + ", which must stay clear; move it in the template");
                }
            }
        }
        BufferedImage inkGray;
        try (PDDocument doc = Loader.loadPDF(side.pdfInkOnly())) {
            inkGray = new PDFRenderer(doc).renderImageWithDPI(0, r.dpi(), ImageType.GRAY);
        } catch (IOException e) {
            throw new RenderException(sideName, "cannot rasterise the side: " + e.getMessage(), e);
        }
        BufferedImage k = new BufferedImage(r.width(), r.height(), BufferedImage.TYPE_BYTE_BINARY);
        fillWhite(k);
        for (int y = 0; y < Math.min(inkGray.getHeight(), cardH); y++) {
            for (int x = 0; x < Math.min(inkGray.getWidth(), cardW); x++) {
                if ((inkGray.getRaster().getSample(x, y, 0)) < 128) k.setRGB(x + ox, y + oy, 0xff000000);
            }
        }
        Map<String, BufferedImage> out = new LinkedHashMap<>();
        BufferedImage colour = colourLayer(layout, side, pxPerMm, cardW, cardH);
        if (profile.hasColour()) {
            for (String p : List.of("Y", "M", "C")) out.put(p, plane(colour, p, profile.bits(p).orElseThrow(), r, ox, oy));
        } else if (colour != null) {
            dither(colour, k, ox, oy);
        }
        out.put("K", k);
        if (profile.bits("O").isPresent()) out.put("O", overlay(profile, sideName, r, pxPerMm, ox, oy));
        return out;
    }

    /** The card-sized RGB image of the COLOUR elements (the photo), or null when the side has none. */
    private static BufferedImage colourLayer(CardTemplate.SideLayout layout, RenderedSide side, double pxPerMm, int cardW, int cardH) {
        BufferedImage img = null;
        for (CardTemplate.Element e : layout.elements()) {
            if (!(e instanceof CardTemplate.Photo p)) continue;
            if (img == null) {
                img = new BufferedImage(cardW, cardH, BufferedImage.TYPE_INT_RGB);
                fillWhite(img);
            }
            int x = (int) Math.round(p.box().x() * pxPerMm);
            int y = (int) Math.round(p.box().y() * pxPerMm);
            int w = (int) Math.round(p.box().w() * pxPerMm);
            int h = (int) Math.round(p.box().h() * pxPerMm);
            Graphics2D g = img.createGraphics();
            g.drawImage(PhotoInput.scale(side.photos().get(p.id()), w, h), x, y, null);
            g.dispose();
        }
        return img;
    }

    private static BufferedImage plane(BufferedImage colour, String panel, int bits, PanelLayout r, int ox, int oy) {
        BufferedImage out = new BufferedImage(r.width(), r.height(), BufferedImage.TYPE_BYTE_GRAY);
        fillWhite(out);
        if (colour == null) return out;
        int levels = (1 << bits) - 1;
        var raster = out.getRaster();
        for (int y = 0; y < colour.getHeight(); y++) {
            for (int x = 0; x < colour.getWidth(); x++) {
                int p = colour.getRGB(x, y);
                int c = switch (panel) {
                    case "Y" -> p & 0xff;
                    case "M" -> (p >> 8) & 0xff;
                    default -> (p >> 16) & 0xff;
                };
                int ink = 255 - c; // subtractive: yellow absorbs blue, magenta green, cyan red
                int q = Math.round(ink * levels / 255f);
                raster.setSample(x + ox, y + oy, 0, 255 - q * 255 / levels);
            }
        }
        return out;
    }

    /** Floyd-Steinberg to 1 bit, for a printer without colour panels: the photo joins the K panel. */
    private static void dither(BufferedImage colour, BufferedImage k, int ox, int oy) {
        int w = colour.getWidth();
        int h = colour.getHeight();
        float[] lum = new float[w * h];
        boolean[] covered = new boolean[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = colour.getRGB(x, y);
                lum[y * w + x] = (0.299f * ((p >> 16) & 0xff) + 0.587f * ((p >> 8) & 0xff) + 0.114f * (p & 0xff));
                covered[y * w + x] = (p & 0xffffff) != 0xffffff;
            }
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                float old = lum[i];
                float v = old < 128 ? 0 : 255;
                float err = old - v;
                if (v == 0 && covered[i]) k.setRGB(x + ox, y + oy, 0xff000000);
                if (x + 1 < w) lum[i + 1] += err * 7 / 16;
                if (y + 1 < h) {
                    if (x > 0) lum[i + w - 1] += err * 3 / 16;
                    lum[i + w] += err * 5 / 16;
                    if (x + 1 < w) lum[i + w + 1] += err * 1 / 16;
                }
            }
        }
    }

    private static BufferedImage overlay(PanelLayout profile, String side, PanelLayout r, double pxPerMm, int ox, int oy) {
        BufferedImage o = new BufferedImage(r.width(), r.height(), BufferedImage.TYPE_BYTE_BINARY);
        Graphics2D g = o.createGraphics();
        g.setColor(Color.BLACK);
        g.fillRect(0, 0, r.width(), r.height());
        g.setColor(Color.WHITE);
        for (PanelLayout.Hole h : profile.holes()) {
            if (!h.side().equals(side)) continue;
            g.fillRect(ox + (int) Math.floor(h.xMm() * pxPerMm), oy + (int) Math.floor(h.yMm() * pxPerMm),
                    (int) Math.ceil(h.wMm() * pxPerMm), (int) Math.ceil(h.hMm() * pxPerMm));
        }
        g.dispose();
        return o;
    }

    /** What the operator sees: the blank's preview background, the photo and the black ink, at {@code dpi}. */
    public BufferedImage preview(RenderedSide side, int dpi) throws RenderException {
        double pxPerMm = dpi / 25.4;
        int cardW = (int) Math.round(CardTemplate.CARD_WIDTH_MM * pxPerMm);
        int cardH = (int) Math.round(CardTemplate.CARD_HEIGHT_MM * pxPerMm);
        BufferedImage out = new BufferedImage(cardW, cardH, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, cardW, cardH);
        CardTemplate.SideLayout layout = template.side(side.side());
        if (layout.previewBackground().isPresent()) {
            try {
                BufferedImage bg = javax.imageio.ImageIO.read(layout.previewBackground().get().toFile());
                if (bg != null) g.drawImage(bg, 0, 0, cardW, cardH, null);
            } catch (IOException e) {
                throw new RenderException("preview_background", "cannot read " + layout.previewBackground().get() + ": " + e.getMessage(), e);
            }
        }
        BufferedImage colour = colourLayer(layout, side, pxPerMm, cardW, cardH);
        if (colour != null) {
            for (CardTemplate.Element e : layout.elements()) {
                if (!(e instanceof CardTemplate.Photo p)) continue;
                int x = (int) Math.round(p.box().x() * pxPerMm);
                int y = (int) Math.round(p.box().y() * pxPerMm);
                int w = (int) Math.round(p.box().w() * pxPerMm);
                int h = (int) Math.round(p.box().h() * pxPerMm);
                g.drawImage(colour.getSubimage(x, y, Math.min(w, cardW - x), Math.min(h, cardH - y)), x, y, null);
            }
        }
        g.dispose();
        try (PDDocument doc = Loader.loadPDF(side.pdfInkOnly())) {
            BufferedImage ink = new PDFRenderer(doc).renderImageWithDPI(0, dpi, ImageType.GRAY);
            for (int y = 0; y < Math.min(cardH, ink.getHeight()); y++) {
                for (int x = 0; x < Math.min(cardW, ink.getWidth()); x++) {
                    int v = ink.getRaster().getSample(x, y, 0);
                    if (v < 250) {
                        int p = out.getRGB(x, y);
                        float a = (255 - v) / 255f;
                        int rr = (int) (((p >> 16) & 0xff) * (1 - a));
                        int gg = (int) (((p >> 8) & 0xff) * (1 - a));
                        int bb = (int) ((p & 0xff) * (1 - a));
                        out.setRGB(x, y, (rr << 16) | (gg << 8) | bb);
                    }
                }
            }
        } catch (IOException e) {
            throw new RenderException(side.side().name().toLowerCase(), "cannot rasterise the preview: " + e.getMessage(), e);
        }
        return out;
    }

    private static void fillWhite(BufferedImage img) {
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.dispose();
    }

    /** Loads templates/NAME.yaml under {@code templatesDir}. */
    public static CardRenderer forTemplate(Path templatesDir, String name) throws IOException, ktp.datafile.DataFileException {
        return new CardRenderer(CardTemplate.load(templatesDir.resolve(name + ".yaml")));
    }
}
