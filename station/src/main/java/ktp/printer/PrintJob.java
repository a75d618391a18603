package ktp.printer;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import ktp.printer.evolis.EvolisCodec;

/**
 * A card's panels turned into Evolis downloads ahead of time, so the station can prepare the next card while
 * the current one prints. {@code front} and {@code back} hold one download frame per panel, in ribbon order.
 */
public record PrintJob(String recordId, List<byte[]> front, List<byte[]> back, long uncompressedBytes) {

    public long wireBytes() {
        long n = 0;
        for (byte[] b : front) n += b.length;
        for (byte[] b : back) n += b.length;
        return n;
    }

    /** Packs (and, when the profile allows, compresses) the panels of each side; {@code back} may be empty. */
    public static PrintJob prepare(String recordId, PrinterProfile profile, Map<String, BufferedImage> front, Map<String, BufferedImage> back, boolean compress) {
        long[] raw = {0};
        List<byte[]> f = side(profile, front, compress && profile.compressedDownloads(), raw);
        List<byte[]> b = profile.dualSided() ? side(profile, back, compress && profile.compressedDownloads(), raw) : List.of();
        return new PrintJob(recordId, f, b, raw[0]);
    }

    private static List<byte[]> side(PrinterProfile profile, Map<String, BufferedImage> panels, boolean compress, long[] raw) {
        List<byte[]> out = new ArrayList<>();
        for (PrinterProfile.Panel p : profile.panels()) {
            BufferedImage img = panels.get(p.name());
            if (img == null) continue;
            byte[] packed = EvolisCodec.pack(img, p.bits());
            char name = Character.toLowerCase(p.name().charAt(0));
            raw[0] += EvolisCodec.downloadSize(name, p.bits(), packed.length);
            if (!compress) {
                out.add(EvolisCodec.download(name, p.bits(), packed));
            } else if (p.bits() == 1) {
                out.add(EvolisCodec.downloadCompressed(name, 1, EvolisCodec.compressLines(packed, img.getHeight() / 8)));
            } else {
                out.add(EvolisCodec.downloadCompressed(name, p.bits(), EvolisCodec.compressRuns(packed)));
            }
        }
        return out;
    }
}
