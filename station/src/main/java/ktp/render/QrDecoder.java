package ktp.render;

import com.google.zxing.BinaryBitmap;
import com.google.zxing.DecodeHintType;
import com.google.zxing.LuminanceSource;
import com.google.zxing.NotFoundException;
import com.google.zxing.ReaderException;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import java.awt.image.BufferedImage;
import java.util.Map;
import java.util.Optional;

/** Finds and decodes the QR code in a photo or scan of a card (zxing). */
public final class QrDecoder {
    private QrDecoder() {}

    public static Optional<String> decode(BufferedImage image) {
        QRCodeReader reader = new QRCodeReader();
        Map<DecodeHintType, Object> hints = Map.of(DecodeHintType.TRY_HARDER, Boolean.TRUE, DecodeHintType.CHARACTER_SET, "UTF-8");
        try {
            return Optional.of(reader.decode(new BinaryBitmap(new HybridBinarizer(new Luminance(image))), hints).getText());
        } catch (NotFoundException e) {
            return Optional.empty();
        } catch (ReaderException e) {
            return Optional.empty();
        }
    }

    /** Luminance of any BufferedImage, computed once. */
    private static final class Luminance extends LuminanceSource {
        private final byte[] lum;

        Luminance(BufferedImage img) {
            super(img.getWidth(), img.getHeight());
            lum = new byte[img.getWidth() * img.getHeight()];
            int[] row = new int[img.getWidth()];
            for (int y = 0; y < img.getHeight(); y++) {
                img.getRGB(0, y, img.getWidth(), 1, row, 0, img.getWidth());
                for (int x = 0; x < row.length; x++) {
                    int p = row[x];
                    lum[y * row.length + x] = (byte) ((299 * ((p >> 16) & 0xff) + 587 * ((p >> 8) & 0xff) + 114 * (p & 0xff)) / 1000);
                }
            }
        }

        @Override
        public byte[] getRow(int y, byte[] row) {
            if (row == null || row.length < getWidth()) row = new byte[getWidth()];
            System.arraycopy(lum, y * getWidth(), row, 0, getWidth());
            return row;
        }

        @Override
        public byte[] getMatrix() { return lum; }
    }
}
