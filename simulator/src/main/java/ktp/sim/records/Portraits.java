package ktp.sim.records;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.CubicCurve2D;
import java.awt.geom.Ellipse2D;
import java.awt.geom.RoundRectangle2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Draws synthetic holder photos (JPEG, 3:4 like a pas foto) and signatures (grayscale PNG). The photo
 * background follows the KTP-el habit of red for odd and blue for even birth years. Deterministic for a seed.
 */
final class Portraits {
    static final int PHOTO_WIDTH = 240;
    static final int PHOTO_HEIGHT = 320;
    private static final Color[] SKIN = {new Color(0xE0B088), new Color(0xC68E5E), new Color(0xA8703F), new Color(0x8D5A2B), new Color(0xD9A066)};
    private static final Color[] CLOTHES = {new Color(0x1F2A44), new Color(0xF2F2F2), new Color(0x3B5E3B), new Color(0x6B1F2A), new Color(0x2E2E2E)};

    private Portraits() {}

    static byte[] photo(Random random, int birthYear, boolean female) {
        BufferedImage img = new BufferedImage(PHOTO_WIDTH, PHOTO_HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(birthYear % 2 == 1 ? new Color(0xC8102E) : new Color(0x1F5FBF));
        g.fillRect(0, 0, PHOTO_WIDTH, PHOTO_HEIGHT);
        Color skin = SKIN[random.nextInt(SKIN.length)];
        int cx = PHOTO_WIDTH / 2 + random.nextInt(11) - 5;
        // shoulders and clothes
        g.setColor(CLOTHES[random.nextInt(CLOTHES.length)]);
        g.fill(new RoundRectangle2D.Double(cx - 110, 235, 220, 140, 90, 90));
        // neck
        g.setColor(skin.darker());
        g.fillRect(cx - 22, 185, 44, 60);
        // head
        int headW = 112 + random.nextInt(16);
        int headH = 140 + random.nextInt(16);
        g.setColor(skin);
        g.fill(new Ellipse2D.Double(cx - headW / 2.0, 70, headW, headH));
        // hair or headscarf
        g.setColor(female && random.nextBoolean() ? CLOTHES[random.nextInt(CLOTHES.length)] : new Color(0x1A1410));
        g.fill(new Ellipse2D.Double(cx - headW / 2.0 - 4, 56, headW + 8, headH * 0.45));
        // eyes, nose, mouth
        g.setColor(new Color(0x20160F));
        int eyeY = 70 + headH * 45 / 100;
        g.fill(new Ellipse2D.Double(cx - 28, eyeY, 14, 8));
        g.fill(new Ellipse2D.Double(cx + 14, eyeY, 14, 8));
        g.setStroke(new BasicStroke(3f));
        g.setColor(skin.darker().darker());
        g.drawLine(cx, eyeY + 14, cx - 4, eyeY + 34);
        g.drawArc(cx - 18, eyeY + 38, 36, 14, 200, 140);
        g.dispose();
        return jpeg(img, 0.85f);
    }

    static byte[] signature(Random random) {
        BufferedImage img = new BufferedImage(360, 120, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 360, 120);
        g.setColor(new Color(0x101010));
        g.setStroke(new BasicStroke(3.2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        double x = 20 + random.nextInt(20);
        double y = 60 + random.nextInt(20) - 10;
        int strokes = 3 + random.nextInt(3);
        for (int i = 0; i < strokes; i++) {
            double nx = Math.min(340, x + 40 + random.nextInt(60));
            double ny = 30 + random.nextInt(60);
            g.draw(new CubicCurve2D.Double(x, y, x + random.nextInt(60) - 10, random.nextInt(120),
                    nx - random.nextInt(60) + 10, random.nextInt(120), nx, ny));
            x = nx;
            y = ny;
        }
        g.draw(new CubicCurve2D.Double(30, 95, 120, 80 + random.nextInt(20), 220, 110 - random.nextInt(20), x, 90));
        g.dispose();
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(img, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("writing a PNG to memory failed", e);
        }
    }

    static byte[] jpeg(BufferedImage img, float quality) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality);
            writer.write(null, new IIOImage(img, null, null), param);
        } catch (IOException e) {
            throw new IllegalStateException("writing a JPEG to memory failed", e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }
}
