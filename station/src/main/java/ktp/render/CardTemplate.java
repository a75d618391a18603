package ktp.render;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import ktp.datafile.DataFile;
import ktp.datafile.DataFileException;

/**
 * A card layout (templates/NAME.yaml): where each variable field, the photo, the signature and the QR code go
 * on each side of an ID-1 card, in millimetres from the card's top-left corner, with font, size bounds,
 * lines and the ribbon panel each element goes to. The blank's design is a preview background only.
 */
public record CardTemplate(String name, Path file, Path regularFont, Path boldFont, Map<Side, SideLayout> sides) {
    public static final double CARD_WIDTH_MM = 85.60;
    public static final double CARD_HEIGHT_MM = 53.98;

    public enum Side { FRONT, BACK }

    /** Where an element's ink goes: K (black resin: text, lines, barcodes, the signature) or COLOUR (Y, M, C: the photo). */
    public enum Panel { K, COLOUR }

    public record Box(double x, double y, double w, double h) {
        public boolean intersects(double ox, double oy, double ow, double oh) { return x < ox + ow && ox < x + w && y < oy + oh && oy < y + h; }
    }

    public sealed interface Element permits Text, Photo, Signature, Qr {
        String id();
        Box box();
        Panel panel();
    }

    /** Text from a pattern such as "PROVINSI {provinsi}", shrunk from {@code sizePt} down to {@code minSizePt} and wrapped to {@code lines}. */
    public record Text(String id, Box box, Panel panel, String pattern, boolean bold, double sizePt, double minSizePt, int lines, String align) implements Element {}

    public record Photo(String id, Box box, Panel panel) implements Element {}

    public record Signature(String id, Box box, Panel panel) implements Element {}

    public record Qr(String id, Box box, Panel panel) implements Element {}

    public record SideLayout(Side side, Optional<Path> previewBackground, List<Element> elements) {}

    /** Every field a pattern may name (docs/card-rendering.md). */
    public static final Set<String> FIELDS = Set.of("provinsi", "kabupatenKota", "nik", "nama", "tempatLahir", "tanggalLahir",
            "jenisKelamin", "golDarah", "alamat", "rtRw", "kelDesa", "kecamatan", "agama", "statusPerkawinan", "pekerjaan",
            "kewarganegaraan", "berlakuHingga", "issuePlace", "issueDate", "recordId");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^}]*)}");

    public SideLayout side(Side s) { return sides.get(s); }

    public static CardTemplate load(Path file) throws DataFileException {
        DataFile.Node root = DataFile.load(file);
        Path dir = file.toAbsolutePath().getParent();
        String name = root.text("name");
        DataFile.Node card = root.object("card");
        double w = card.number("width_mm", 85.0, 86.0);
        double h = card.number("height_mm", 53.5, 54.5);
        if (Math.abs(w - CARD_WIDTH_MM) > 0.01 || Math.abs(h - CARD_HEIGHT_MM) > 0.01) {
            throw card.error(null, "the KTP-el is an ID-1 card, 85.60 x 53.98 mm; got " + w + " x " + h);
        }
        card.noOtherFields();
        DataFile.Node fonts = root.object("fonts");
        Path regular = existing(fonts, "regular", dir);
        Path bold = existing(fonts, "bold", dir);
        fonts.noOtherFields();
        DataFile.Node sidesNode = root.object("sides");
        Map<Side, SideLayout> sides = new EnumMap<>(Side.class);
        for (Side s : Side.values()) {
            DataFile.Node sn = sidesNode.object(s.name().toLowerCase());
            Optional<Path> background = sn.has("preview_background") ? Optional.of(existing(sn, "preview_background", dir)) : Optional.empty();
            List<Element> elements = new ArrayList<>();
            for (DataFile.Node e : sn.list("elements", true)) elements.add(element(e, elements));
            sn.noOtherFields();
            sides.put(s, new SideLayout(s, background, List.copyOf(elements)));
        }
        sidesNode.noOtherFields();
        root.noOtherFields();
        return new CardTemplate(name, file, regular, bold, sides);
    }

    private static Path existing(DataFile.Node n, String field, Path dir) throws DataFileException {
        Path p = dir.resolve(n.text(field)).normalize();
        if (!Files.isRegularFile(p)) throw n.error(field, "no file " + p);
        return p;
    }

    private static Element element(DataFile.Node e, List<Element> before) throws DataFileException {
        String id = e.text("id");
        for (Element b : before) if (b.id().equals(id)) throw e.error("id", "'" + id + "' is used twice on this side");
        String type = e.oneOf("type", List.of("text", "photo", "signature", "qr"), null);
        Box box = new Box(e.number("x_mm", 0, CARD_WIDTH_MM), e.number("y_mm", 0, CARD_HEIGHT_MM), e.number("w_mm", 0.5, CARD_WIDTH_MM),
                e.number("h_mm", 0.5, CARD_HEIGHT_MM));
        if (box.x() + box.w() > CARD_WIDTH_MM + 1e-9 || box.y() + box.h() > CARD_HEIGHT_MM + 1e-9) {
            throw e.error(null, "the box (" + box.x() + ", " + box.y() + ", " + box.w() + " x " + box.h() + " mm) reaches past the card's edge");
        }
        String defaultPanel = type.equals("photo") ? "COLOUR" : "K";
        Panel panel = Panel.valueOf(e.oneOf("panel", List.of("K", "COLOUR"), defaultPanel));
        Element out = switch (type) {
            case "photo" -> new Photo(id, box, panel);
            case "signature" -> new Signature(id, box, panel);
            case "qr" -> {
                if (panel != Panel.K) throw e.error("panel", "the QR code goes to the K panel (1 bit, crisp) so that it scans");
                yield new Qr(id, box, panel);
            }
            default -> text(e, id, box, panel);
        };
        e.noOtherFields();
        return out;
    }

    private static Text text(DataFile.Node e, String id, Box box, Panel panel) throws DataFileException {
        String pattern = e.text("value");
        Matcher m = PLACEHOLDER.matcher(pattern);
        while (m.find()) {
            if (!FIELDS.contains(m.group(1))) throw e.error("value", "unknown field {" + m.group(1) + "}; known: " + new java.util.TreeSet<>(FIELDS));
        }
        if (pattern.replaceAll("\\{[^}]*}", "").contains("{") || pattern.replaceAll("\\{[^}]*}", "").contains("}")) {
            throw e.error("value", "has an unmatched brace");
        }
        boolean bold = e.oneOf("font", List.of("regular", "bold"), "regular").equals("bold");
        double size = e.number("size_pt", 3, 24);
        double min = e.number("min_size_pt", 3, 24, size);
        if (min > size) throw e.error("min_size_pt", "is " + min + ", larger than size_pt " + size);
        int lines = e.integer("lines", 1, 6, 1);
        String align = e.oneOf("align", List.of("left", "center", "right"), "left");
        if (panel != Panel.K) throw e.error("panel", "text goes to the K panel (black resin, 1 bit)");
        return new Text(id, box, panel, pattern, bold, size, min, lines, align);
    }

    /** The pattern with its fields filled in. */
    public static String fill(String pattern, Map<String, String> values) {
        Matcher m = PLACEHOLDER.matcher(pattern);
        StringBuilder sb = new StringBuilder();
        while (m.find()) m.appendReplacement(sb, Matcher.quoteReplacement(values.getOrDefault(m.group(1), "")));
        m.appendTail(sb);
        return sb.toString();
    }
}
