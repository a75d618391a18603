package ktp.record;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Structural checks of the binary parts of a record, cheap enough to run on every record: image headers are
 * read (not whole images decoded), and the fingerprint template's ISO/IEC 19794-2:2005 header is parsed.
 */
final class MediaChecks {
    private static final byte[] ISO_MAGIC = {'F', 'M', 'R', 0, ' ', '2', '0', 0};

    private MediaChecks() {}

    /** Width and height from the image's header, through the ImageIO reader for the format. */
    static int[] imageSize(byte[] data, String formatName) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(data))) {
            Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(formatName);
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                return new int[] {reader.getWidth(0), reader.getHeight(0)};
            } finally {
                reader.dispose();
            }
        }
    }

    static void checkPhoto(byte[] jpeg) throws RecordRejectedException {
        if (jpeg.length == 0) throw new RecordRejectedException(Reason.PHOTO_MISSING, "photo.data", "the photo is empty");
        if (jpeg.length < 4 || (jpeg[0] & 0xff) != 0xFF || (jpeg[1] & 0xff) != 0xD8 || (jpeg[2] & 0xff) != 0xFF) {
            throw new RecordRejectedException(Reason.PHOTO_INVALID, "photo.data", "the photo does not start with a JPEG marker (FF D8 FF)");
        }
        try {
            int[] size = imageSize(jpeg, "jpeg");
            if (size[0] < 100 || size[1] < 120) {
                throw new RecordRejectedException(Reason.PHOTO_INVALID, "photo.data",
                        "the photo is " + size[0] + "x" + size[1] + " pixels; at least 100x120 is needed for the card");
            }
        } catch (IOException | RuntimeException e) {
            throw new RecordRejectedException(Reason.PHOTO_INVALID, "photo.data", "the photo's JPEG header cannot be read: " + e.getMessage());
        }
    }

    static void checkSignature(byte[] png) throws RecordRejectedException {
        if (png.length == 0) throw new RecordRejectedException(Reason.SIGNATURE_IMAGE_MISSING, "signature.data", "the signature image is empty");
        if (png.length < 8 || (png[0] & 0xff) != 0x89 || png[1] != 'P' || png[2] != 'N' || png[3] != 'G') {
            throw new RecordRejectedException(Reason.SIGNATURE_IMAGE_INVALID, "signature.data", "the signature image does not start with the PNG signature");
        }
        try {
            imageSize(png, "png");
        } catch (IOException | RuntimeException e) {
            throw new RecordRejectedException(Reason.SIGNATURE_IMAGE_INVALID, "signature.data", "the signature PNG header cannot be read: " + e.getMessage());
        }
    }

    /** Header of an ISO/IEC 19794-2:2005 record: magic, total length, one or more views, the finger position. */
    static void checkIsoTemplate(byte[] t, int declaredPosition, String path) throws RecordRejectedException {
        if (t.length < 24 + 4 + 2) {
            throw new RecordRejectedException(Reason.FINGERPRINT_INVALID, path, path + " is " + t.length + " bytes, too short for an ISO/IEC 19794-2 record");
        }
        for (int i = 0; i < ISO_MAGIC.length; i++) {
            if (t[i] != ISO_MAGIC[i]) {
                throw new RecordRejectedException(Reason.FINGERPRINT_INVALID, path, path + " does not start with 'FMR\\0 20\\0' (ISO/IEC 19794-2:2005)");
            }
        }
        long length = ((t[8] & 0xffL) << 24) | ((t[9] & 0xffL) << 16) | ((t[10] & 0xffL) << 8) | (t[11] & 0xffL);
        if (length != t.length) {
            throw new RecordRejectedException(Reason.FINGERPRINT_INVALID, path,
                    path + " says it is " + length + " bytes long but holds " + t.length + " (truncated or padded)");
        }
        int views = t[22] & 0xff;
        if (views < 1) throw new RecordRejectedException(Reason.FINGERPRINT_INVALID, path, path + " holds no finger view");
        int position = t[24] & 0xff;
        if (position != declaredPosition) {
            throw new RecordRejectedException(Reason.FINGERPRINT_INVALID, path,
                    path + " is a template of finger position " + position + " but the record declares position " + declaredPosition);
        }
        int minutiae = t[27] & 0xff;
        if (24 + 4 + 6 * minutiae + 2 > t.length) {
            throw new RecordRejectedException(Reason.FINGERPRINT_INVALID, path,
                    path + " declares " + minutiae + " minutiae, more than its " + t.length + " bytes can hold");
        }
    }
}
