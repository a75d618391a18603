package ktp.printer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import ktp.datafile.DataFile;
import ktp.datafile.DataFileException;

/**
 * What the station must know of a card printer model (firmware-profiles/printers/ID.yaml): its raster
 * geometry, its panels and their bit depths, whether it prints both sides, and where the overlay must leave
 * holes. Loaded and validated from the file; every problem names the file, the field and what is wrong.
 */
public record PrinterProfile(String id, String dialect, String model, String firmwareMin, String firmwareMax, boolean dualSided,
                             Raster raster, String ribbon, List<Panel> panels, List<Hole> overlayHoles, String encoderStation,
                             int encoderOffsetDots, boolean compressedDownloads, Link link, java.util.Map<String, PrinterError> replies,
                             Simulator simulator) {

    /**
     * Link defaults: the serial speed; how long a command's reply may take; and how long a panel download or the
     * eject may take, since those wait for the printer to print (a panel's time on the line is added to both).
     */
    public record Link(int baud, int replyTimeoutMs, int jobTimeoutMs) {}

    /** What the printer simulator needs: seconds per panel and per card (feed and eject), ribbon and feeder capacity. */
    public record Simulator(double secondsPerPanel, double secondsPerCard, int ribbonCards, int feederCards) {}

    /** The station's error for a reply, if the reply is one (matched on its start, as printers add detail). */
    public java.util.Optional<PrinterError> errorFor(String reply) {
        for (var e : replies.entrySet()) if (reply.startsWith(e.getKey())) return java.util.Optional.of(e.getValue());
        return reply.startsWith("ERR") ? java.util.Optional.of(PrinterError.REFUSED) : java.util.Optional.empty();
    }

    public record Raster(int width, int height, int dpi) {
        public double pxPerMm() { return dpi / 25.4; }
    }

    /** One ribbon panel: Y, M, C (colour, 1-8 bits), K (black resin, 1 bit) or O (overlay, 1 bit). */
    public record Panel(String name, int bits) {}

    /** A rectangle (mm from the card's top-left corner) the overlay leaves bare; {@code keepClear}: nothing may be printed there either. */
    public record Hole(String name, String side, double xMm, double yMm, double wMm, double hMm, boolean keepClear) {}

    public static final List<String> PANEL_NAMES = List.of("Y", "M", "C", "K", "O");

    public Optional<Panel> panel(String name) { return panels.stream().filter(p -> p.name().equals(name)).findFirst(); }

    public boolean hasColour() { return panel("Y").isPresent(); }

    /** This printer as the panel separation sees it (the render room knows no printer profile). */
    public ktp.render.PanelLayout panelLayout() {
        java.util.Map<String, Integer> bits = new java.util.LinkedHashMap<>();
        for (Panel p : panels) bits.put(p.name(), p.bits());
        List<ktp.render.PanelLayout.Hole> holes = overlayHoles.stream()
                .map(h -> new ktp.render.PanelLayout.Hole(h.name(), h.side(), h.xMm(), h.yMm(), h.wMm(), h.hMm(), h.keepClear())).toList();
        return new ktp.render.PanelLayout(id, raster.width(), raster.height(), raster.dpi(), bits, holes);
    }

    /** Loads firmware-profiles/printers/ID.yaml under {@code profilesDir}, or the file {@code idOrPath} if it names one. */
    public static PrinterProfile resolve(Path profilesDir, String idOrPath) throws DataFileException {
        Path asFile = Path.of(idOrPath);
        if (idOrPath.endsWith(".yaml") || idOrPath.endsWith(".yml") || Files.isRegularFile(asFile)) return load(asFile);
        Path file = profilesDir.resolve(idOrPath + ".yaml");
        if (!Files.isRegularFile(file)) {
            List<String> known = new ArrayList<>();
            try (var s = Files.list(profilesDir)) {
                s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml")).map(n -> n.substring(0, n.length() - 5)).sorted().forEach(known::add);
            } catch (java.io.IOException e) {
                // the list is only a hint
            }
            throw new DataFileException(file.toString(), "", "no printer profile '" + idOrPath + "'" + (known.isEmpty() ? "" : "; known: " + known));
        }
        return load(file);
    }

    public static PrinterProfile load(Path file) throws DataFileException {
        DataFile.Node root = DataFile.load(file);
        String id = root.text("id");
        String fileId = file.getFileName().toString().replaceAll("\\.ya?ml$", "");
        if (!id.equals(fileId)) throw root.error("id", "is '" + id + "' but the file is named " + file.getFileName() + "; they must agree");
        String dialect = root.oneOf("dialect", List.of("evolis"), null);
        String model = root.text("model");
        DataFile.Node fw = root.object("firmware");
        String fwMin = fw.text("min");
        String fwMax = fw.text("max");
        fw.noOtherFields();
        boolean dual = root.bool("dual_sided", false);
        DataFile.Node r = root.object("raster");
        Raster raster = new Raster(r.integer("width", 100, 4000), r.integer("height", 100, 4000), r.integer("dpi", 150, 1200));
        r.noOtherFields();
        String ribbon = root.text("ribbon");
        List<Panel> panels = new ArrayList<>();
        for (DataFile.Node p : root.list("panels", true)) {
            String name = p.oneOf("name", PANEL_NAMES, null);
            int bits = p.integer("bits", 1, 8);
            if ((name.equals("K") || name.equals("O")) && bits != 1) throw p.error("bits", "panel " + name + " is 1 bit (resin or varnish); got " + bits);
            for (Panel seen : panels) if (seen.name().equals(name)) throw p.error("name", "panel " + name + " is listed twice");
            p.noOtherFields();
            panels.add(new Panel(name, bits));
        }
        if (panels.stream().noneMatch(p -> p.name().equals("K"))) throw root.error("panels", "needs a K panel: text, lines and the QR code go there");
        long colours = panels.stream().filter(p -> "YMC".contains(p.name())).count();
        if (colours != 0 && colours != 3) throw root.error("panels", "colour needs all of Y, M and C, or none");
        List<Hole> holes = new ArrayList<>();
        for (DataFile.Node h : root.list("overlay_holes", false)) {
            String side = h.oneOf("side", List.of("front", "back"), null);
            Hole hole = new Hole(h.text("name"), side, h.number("x_mm", 0, 85.6), h.number("y_mm", 0, 53.98), h.number("w_mm", 0.5, 85.6),
                    h.number("h_mm", 0.5, 53.98), h.bool("keep_clear", false));
            if (hole.xMm() + hole.wMm() > 85.6 || hole.yMm() + hole.hMm() > 53.98) throw h.error(null, "the hole reaches past the card's edge (85.60 x 53.98 mm)");
            h.noOtherFields();
            holes.add(hole);
        }
        DataFile.Node enc = root.object("encoder");
        String encoder = enc.oneOf("station", List.of("contact", "contactless", "none"), null);
        int offset = enc.integer("offset_dots", 0, 4000, 0);
        enc.noOtherFields();
        boolean compressed = root.bool("compressed_downloads", false);
        DataFile.Node ln = root.object("link");
        Link link = new Link(ln.integer("baud", 1200, 921600), ln.integer("reply_timeout_ms", 100, 600000), ln.integer("job_timeout_ms", 1000, 1800000, 120000));
        ln.noOtherFields();
        java.util.Map<String, PrinterError> replies = new java.util.LinkedHashMap<>();
        DataFile.Node rep = root.object("replies");
        for (PrinterError e : PrinterError.values()) {
            if (e == PrinterError.NO_ANSWER || e == PrinterError.REFUSED) continue;
            String key = e.name().toLowerCase();
            if (!rep.has(key)) continue;
            replies.put(rep.text(key), e);
        }
        rep.noOtherFields();
        DataFile.Node sim = root.object("simulator");
        Simulator simulator = new Simulator(sim.number("seconds_per_panel", 0, 60), sim.number("seconds_per_card", 0, 120),
                sim.integer("ribbon_cards", 1, 100000), sim.integer("feeder_cards", 1, 1000));
        sim.noOtherFields();
        root.noOtherFields();
        return new PrinterProfile(id, dialect, model, fwMin, fwMax, dual, raster, ribbon, List.copyOf(panels), List.copyOf(holes), encoder,
                offset, compressed, link, java.util.Map.copyOf(replies), simulator);
    }
}
