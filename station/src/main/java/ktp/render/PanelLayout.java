package ktp.render;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the panel separation needs to know of a printer, in the render room's own words: the printer's buffer
 * (pixels, dpi), its panels and their depth, and the places on the card the overlay must leave open (chip
 * contacts, magnetic stripe). The printer profile describes itself this way ({@code PrinterProfile.panelLayout()}),
 * so that rendering knows nothing of printers.
 */
public record PanelLayout(String profileId, int width, int height, int dpi, Map<String, Integer> panelBits, List<Hole> holes) {
    /** A place on one side the overlay leaves open; {@code keepClear}: no template element may lie over it either. */
    public record Hole(String name, String side, double xMm, double yMm, double wMm, double hMm, boolean keepClear) {}

    public PanelLayout {
        panelBits = Map.copyOf(panelBits);
        holes = List.copyOf(holes);
    }

    public double pxPerMm() { return dpi / 25.4; }

    public Optional<Integer> bits(String panel) { return Optional.ofNullable(panelBits.get(panel)); }

    public boolean hasColour() { return panelBits.containsKey("Y"); }
}
