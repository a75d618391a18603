package ktp.sim.demo;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import ktp.record.CardFields;
import ktp.record.PrintRecord;

/**
 * The demo's stand-in for the card renderer until the template room lands: the front of an ID-1 card at
 * 300 dpi (1016 x 648), labels and values in the KTP-el order, the photo and the signature, drawn with Java2D.
 */
final class CardPreview {
    private CardPreview() {}

    static void writeFront(PrintRecord r, Path png) throws IOException {
        BufferedImage img = new BufferedImage(1016, 648, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.setColor(new Color(0xDCEBF7));
        g.fillRect(0, 0, 1016, 648);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 30));
        center(g, "PROVINSI " + r.front().provinsi(), 508, 50);
        center(g, r.front().kabupatenKota(), 508, 88);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 28));
        g.drawString("NIK", 40, 140);
        g.drawString(": " + r.nik(), 230, 140);
        PrintRecord.Front f = r.front();
        String[][] rows = {
                {"Nama", f.nama()},
                {"Tempat/Tgl Lahir", f.tempatLahir() + ", " + CardFields.printedDate(f.tanggalLahir())},
                {"Jenis Kelamin", f.jenisKelamin().printed() + "    Gol. Darah : " + f.golDarah()},
                {"Alamat", f.alamat()},
                {"    RT/RW", f.rtRw()},
                {"    Kel/Desa", f.kelDesa()},
                {"    Kecamatan", f.kecamatan()},
                {"Agama", f.agama()},
                {"Status Perkawinan", f.statusPerkawinan()},
                {"Pekerjaan", f.pekerjaan()},
                {"Kewarganegaraan", f.kewarganegaraan()},
                {"Berlaku Hingga", f.berlakuHingga()}};
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 20));
        int y = 180;
        for (String[] row : rows) {
            List<String> lines = CardFields.wrap(row[1], 34);
            g.drawString(row[0], 40, y);
            for (int i = 0; i < lines.size(); i++) {
                g.drawString((i == 0 ? ": " : "  ") + lines.get(i), 230, y);
                y += 30;
            }
        }
        BufferedImage photo = ImageIO.read(new ByteArrayInputStream(r.photoJpeg()));
        g.drawImage(photo, 770, 150, 210, 280, null);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 18));
        center(g, r.issue().place(), 875, 462);
        center(g, CardFields.printedDate(r.issue().date()), 875, 486);
        BufferedImage sig = ImageIO.read(new ByteArrayInputStream(r.signaturePng()));
        g.drawImage(sig, 780, 500, 190, 63, null);
        g.dispose();
        ImageIO.write(img, "png", png.toFile());
    }

    private static void center(Graphics2D g, String text, int cx, int y) {
        g.drawString(text, cx - g.getFontMetrics().stringWidth(text) / 2, y);
    }
}
