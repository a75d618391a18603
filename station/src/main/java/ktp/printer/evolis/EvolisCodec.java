package ktp.printer.evolis;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The Evolis command protocol as bytes, free of I/O (docs/printer-protocol.md): command framing
 * ({@code ESC command;p1;...;pn CR}), panel packing for {@code Db} (the card turned to the printer's
 * 648 x 1016 portrait, bits back to back, most significant first, 1 = ink), and the two compressions of
 * {@code Dbc} (line coding for K and O, run-length with MSB-flagged counters for Y, M and C).
 */
public final class EvolisCodec {
    public static final byte ESC = 0x1B;
    public static final byte CR = 0x0D;

    private EvolisCodec() {}

    /** {@code ESC text CR}. The text may not hold ESC or CR: they would end the command early. */
    public static byte[] command(String text) {
        if (text.isEmpty() || text.indexOf((char) ESC) >= 0 || text.indexOf((char) CR) >= 0 || text.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("an Evolis command may not be empty or contain ESC, CR or NUL: " + text);
        }
        byte[] t = text.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[t.length + 2];
        out[0] = ESC;
        System.arraycopy(t, 0, out, 1, t.length);
        out[out.length - 1] = CR;
        return out;
    }

    /** The depth parameter of Db/Dbc for a bit depth: 1 bit is "2" (two levels), 5 bits "32", 6 bits "64", 7 bits "128". */
    public static int depthCode(int bits) {
        return switch (bits) {
            case 1 -> 2;
            case 5 -> 32;
            case 6 -> 64;
            case 7 -> 128;
            default -> throw new IllegalArgumentException("Evolis panels are 1, 5, 6 or 7 bits deep, not " + bits);
        };
    }

    public static int bitsOf(int depthCode) {
        return switch (depthCode) {
            case 2 -> 1;
            case 32 -> 5;
            case 64 -> 6;
            case 128 -> 7;
            default -> throw new IllegalArgumentException("unknown panel depth code " + depthCode + " (expected 2, 32, 64 or 128)");
        };
    }

    /** Bytes of a packed panel: width x height pixels at {@code bits} each, rounded up to a whole byte. */
    public static int packedLength(int width, int height, int bits) { return (width * height * bits + 7) / 8; }

    /** {@code ESC Db;panel;depth;DATA CR}: the printer knows DATA's length from the depth and its buffer size. */
    public static byte[] download(char panel, int bits, byte[] packed) {
        return frame(("Db;" + panel + ";" + depthCode(bits) + ";").getBytes(StandardCharsets.US_ASCII), packed);
    }

    /** The size of {@link #download}'s frame, without building it. */
    public static int downloadSize(char panel, int bits, int packedLength) {
        return 2 + ("Db;" + panel + ";" + depthCode(bits) + ";").length() + packedLength;
    }

    /** {@code ESC Dbc;panel;depth;LENGTH;DATA CR}. */
    public static byte[] downloadCompressed(char panel, int bits, byte[] compressed) {
        return frame(("Dbc;" + panel + ";" + depthCode(bits) + ";" + compressed.length + ";").getBytes(StandardCharsets.US_ASCII), compressed);
    }

    private static byte[] frame(byte[] head, byte[] data) {
        byte[] out = new byte[1 + head.length + data.length + 1];
        out[0] = ESC;
        System.arraycopy(head, 0, out, 1, head.length);
        System.arraycopy(data, 0, out, 1 + head.length, data.length);
        out[out.length - 1] = CR;
        return out;
    }

    // ---------------------------------------------------------------- panels

    /**
     * Packs a landscape panel image (the card as seen, W x H; black = ink, grey = an ink level for colour
     * panels) in the printer's portrait order (the image turned 270 degrees, as the public drivers do):
     * printer line {@code l} (0..W-1) is landscape column {@code W-1-l}, its pixels the card's rows from top to
     * bottom. So a 1016 x 648 card is 1016 lines of 648 pixels (81 bytes a line at 1 bit).
     */
    public static byte[] pack(BufferedImage landscape, int bits) {
        int w = landscape.getWidth();
        int h = landscape.getHeight();
        int levels = (1 << bits) - 1;
        BitWriter out = new BitWriter(packedLength(h, w, bits));
        var raster = landscape.getRaster();
        boolean binary = landscape.getType() == BufferedImage.TYPE_BYTE_BINARY;
        for (int line = 0; line < w; line++) {
            int x = w - 1 - line;
            for (int px = 0; px < h; px++) {
                int y = px;
                int grey = binary ? (raster.getSample(x, y, 0) == 0 ? 0 : 255) : raster.getSample(x, y, 0);
                int ink = Math.round((255 - grey) * levels / 255f);
                out.write(ink, bits);
            }
        }
        return out.bytes();
    }

    /** The inverse of {@link #pack}: a landscape W x H greyscale image (black = full ink). */
    public static BufferedImage unpack(byte[] packed, int bits, int landscapeWidth, int landscapeHeight) {
        int w = landscapeWidth;
        int h = landscapeHeight;
        if (packed.length != packedLength(h, w, bits)) {
            throw new IllegalArgumentException("a " + bits + "-bit panel of " + w + " x " + h + " is " + packedLength(h, w, bits) + " bytes, got " + packed.length);
        }
        int levels = (1 << bits) - 1;
        BufferedImage img = new BufferedImage(w, h, bits == 1 ? BufferedImage.TYPE_BYTE_BINARY : BufferedImage.TYPE_BYTE_GRAY);
        var raster = img.getRaster();
        BitReader in = new BitReader(packed);
        for (int line = 0; line < w; line++) {
            int x = w - 1 - line;
            for (int y = 0; y < h; y++) {
                int ink = in.read(bits);
                if (bits == 1) raster.setSample(x, y, 0, ink == 1 ? 0 : 1);
                else raster.setSample(x, y, 0, 255 - ink * 255 / levels);
            }
        }
        return img;
    }

    /**
     * K and O compression, line by line over {@code bytesPerLine}-byte lines: 0x00 a white line, 0xFF a
     * black line, 1..bytesPerLine that many bytes follow (the rest of the line is white).
     */
    public static byte[] compressLines(byte[] packed, int bytesPerLine) {
        if (bytesPerLine < 1 || bytesPerLine > 0xFE || packed.length % bytesPerLine != 0) {
            throw new IllegalArgumentException("line compression needs whole lines of 1..254 bytes; got " + packed.length + " bytes in lines of " + bytesPerLine);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(packed.length / 8);
        for (int off = 0; off < packed.length; off += bytesPerLine) {
            int last = -1;
            boolean allBlack = true;
            for (int i = 0; i < bytesPerLine; i++) {
                if (packed[off + i] != 0) last = i;
                if (packed[off + i] != (byte) 0xFF) allBlack = false;
            }
            if (last < 0) out.write(0x00);
            else if (allBlack) out.write(0xFF);
            else {
                out.write(last + 1);
                out.write(packed, off, last + 1);
            }
        }
        return out.toByteArray();
    }

    public static byte[] decompressLines(byte[] compressed, int bytesPerLine, int lines) {
        byte[] out = new byte[bytesPerLine * lines];
        int in = 0;
        for (int line = 0; line < lines; line++) {
            if (in >= compressed.length) throw new IllegalArgumentException("compressed K/O data ends at line " + line + " of " + lines);
            int code = compressed[in++] & 0xFF;
            if (code == 0xFF) java.util.Arrays.fill(out, line * bytesPerLine, (line + 1) * bytesPerLine, (byte) 0xFF);
            else if (code > 0) {
                if (code > bytesPerLine) throw new IllegalArgumentException("line " + line + " claims " + code + " bytes; a line has " + bytesPerLine);
                if (in + code > compressed.length) throw new IllegalArgumentException("compressed K/O data ends inside line " + line);
                System.arraycopy(compressed, in, out, line * bytesPerLine, code);
                in += code;
            }
        }
        if (in != compressed.length) throw new IllegalArgumentException((compressed.length - in) + " bytes left after " + lines + " lines");
        return out;
    }

    /**
     * Y, M, C compression: a counter byte with the most significant bit set repeats the next byte
     * (counter &amp; 0x7F) + 1 times; without it, (counter + 1) literal bytes follow. Runs of 3 or more are repeated.
     */
    public static byte[] compressRuns(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 4);
        int i = 0;
        while (i < data.length) {
            int run = 1;
            while (i + run < data.length && run < 128 && data[i + run] == data[i]) run++;
            if (run >= 3) {
                out.write(0x80 | (run - 1));
                out.write(data[i]);
                i += run;
                continue;
            }
            int start = i;
            int n = 0;
            while (i < data.length && n < 128) {
                if (i + 2 < data.length && data[i] == data[i + 1] && data[i] == data[i + 2]) break;
                i++;
                n++;
            }
            out.write(n - 1);
            out.write(data, start, n);
        }
        return out.toByteArray();
    }

    public static byte[] decompressRuns(byte[] compressed, int expectedLength) {
        byte[] out = new byte[expectedLength];
        int o = 0;
        int i = 0;
        while (i < compressed.length) {
            int c = compressed[i++] & 0xFF;
            if ((c & 0x80) != 0) {
                int n = (c & 0x7F) + 1;
                if (i >= compressed.length || o + n > out.length) throw new IllegalArgumentException("run-length data overflows the panel at byte " + i);
                java.util.Arrays.fill(out, o, o + n, compressed[i++]);
                o += n;
            } else {
                int n = c + 1;
                if (i + n > compressed.length || o + n > out.length) throw new IllegalArgumentException("run-length literal overflows at byte " + i);
                System.arraycopy(compressed, i, out, o, n);
                i += n;
                o += n;
            }
        }
        if (o != out.length) throw new IllegalArgumentException("run-length data gives " + o + " bytes; the panel is " + out.length);
        return out;
    }

    /** A reply as text, without its terminator (CR, or NUL as over USB). */
    public static String replyText(byte[] reply) {
        int n = reply.length;
        while (n > 0 && (reply[n - 1] == CR || reply[n - 1] == 0 || reply[n - 1] == '\n')) n--;
        return new String(reply, 0, n, StandardCharsets.ISO_8859_1);
    }

    public static String hex(byte[] b, int max) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(b.length, max); i++) sb.append(String.format("%02X ", b[i] & 0xFF));
        if (b.length > max) sb.append("... (").append(b.length).append(" bytes)");
        return sb.toString().trim();
    }

    private static final class BitWriter {
        private final byte[] buf;
        private int bit;

        BitWriter(int bytes) { buf = new byte[bytes]; }

        void write(int value, int bits) {
            for (int b = bits - 1; b >= 0; b--) {
                if (((value >> b) & 1) != 0) buf[bit >> 3] |= (byte) (0x80 >> (bit & 7));
                bit++;
            }
        }

        byte[] bytes() { return buf; }
    }

    private static final class BitReader {
        private final byte[] buf;
        private int bit;

        BitReader(byte[] buf) { this.buf = buf; }

        int read(int bits) {
            int v = 0;
            for (int b = 0; b < bits; b++) {
                v = (v << 1) | ((buf[bit >> 3] >> (7 - (bit & 7))) & 1);
                bit++;
            }
            return v;
        }
    }
}
