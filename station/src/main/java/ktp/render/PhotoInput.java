package ktp.render;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * The holder's photo and signature as the card needs them. The rules (docs/card-rendering.md): at most
 * 4 MiB and 4000 x 4000 pixels (checked before decoding, so a huge or hostile file costs nothing); JPEG in
 * RGB or greyscale, baseline or progressive; CMYK and YCCK JPEGs are refused by name; a photo whose shape
 * differs from the box is cropped to it, centred across and kept from near the top down (head and shoulders).
 */
final class PhotoInput {
    static final int MAX_BYTES = 4 * 1024 * 1024;
    static final int MAX_SIDE = 4000;

    private PhotoInput() {}

    static BufferedImage decode(String element, byte[] bytes, String expectedFormat) throws RenderException {
        if (bytes == null || bytes.length == 0) throw new RenderException(element, "no image");
        if (bytes.length > MAX_BYTES) throw new RenderException(element, "the image is " + bytes.length + " bytes; at most " + MAX_BYTES + " are accepted");
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) throw new RenderException(element, "not a readable image (expected " + expectedFormat + ")");
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                String format = reader.getFormatName().toLowerCase();
                if (!format.equals(expectedFormat) && !(expectedFormat.equals("jpeg") && format.equals("jpg"))) {
                    throw new RenderException(element, "the image is " + format.toUpperCase() + "; expected " + expectedFormat.toUpperCase());
                }
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                if (w > MAX_SIDE || h > MAX_SIDE) throw new RenderException(element, "the image is " + w + " x " + h + " pixels; at most " + MAX_SIDE + " on a side");
                if (format.startsWith("jp")) {
                    javax.imageio.ImageTypeSpecifier raw;
                    try {
                        raw = reader.getRawImageType(0);
                    } catch (javax.imageio.IIOException e) {
                        raw = null;
                    }
                    // Four components means CMYK or YCCK: ImageIO would either fail or invent colours.
                    if (raw == null || raw.getNumComponents() == 4 || raw.getColorModel().getColorSpace().getType() == java.awt.color.ColorSpace.TYPE_CMYK) {
                        throw new RenderException(element, "the JPEG is in CMYK (or YCCK) colour; the station takes RGB or greyscale photos: convert it to sRGB");
                    }
                }
                BufferedImage img;
                try {
                    img = reader.read(0);
                } catch (javax.imageio.IIOException e) {
                    String msg = String.valueOf(e.getMessage());
                    if (msg.contains("Unsupported Image Type") || msg.contains("YCCK") || msg.contains("CMYK")) {
                        throw new RenderException(element, "the JPEG is in CMYK (or YCCK) colour; the station takes RGB or greyscale photos: convert it to sRGB");
                    }
                    throw new RenderException(element, "the image is damaged: " + msg, e);
                }
                return toRgb(img);
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            throw new RenderException(element, "the image cannot be read: " + e.getMessage(), e);
        }
    }

    static BufferedImage toRgb(BufferedImage img) {
        if (img.getType() == BufferedImage.TYPE_INT_RGB) return img;
        BufferedImage rgb = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = rgb.createGraphics();
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.drawImage(img, 0, 0, null);
        g.dispose();
        return rgb;
    }

    /** Crops to the box's aspect ratio: centred across; vertically from a fifth of the excess below the top. */
    static BufferedImage cropTo(BufferedImage img, double boxW, double boxH) {
        double want = boxW / boxH;
        double have = (double) img.getWidth() / img.getHeight();
        if (Math.abs(have - want) < 1e-3) return img;
        if (have > want) {
            int w = (int) Math.round(img.getHeight() * want);
            return img.getSubimage((img.getWidth() - w) / 2, 0, w, img.getHeight());
        }
        int h = (int) Math.round(img.getWidth() / want);
        return img.getSubimage(0, (img.getHeight() - h) / 5, img.getWidth(), h);
    }

    static BufferedImage scale(BufferedImage img, int w, int h) {
        BufferedImage out = new BufferedImage(Math.max(1, w), Math.max(1, h), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.drawImage(img, 0, 0, out.getWidth(), out.getHeight(), null);
        g.dispose();
        return out;
    }
}
