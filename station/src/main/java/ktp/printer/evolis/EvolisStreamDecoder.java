package ktp.printer.evolis;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a byte stream from a host back into Evolis frames (the printer's side of the codec; the simulator
 * uses it, and so do the tests that read a job written to a file). Bytes arrive in any chunks; a frame is
 * emitted when complete. Panel downloads carry binary data whose length comes from the depth and the
 * printer's buffer (Db) or from the frame (Dbc).
 */
public final class EvolisStreamDecoder {
    /** A complete frame. */
    public sealed interface Frame permits Command, Download {}

    public record Command(String text) implements Frame {}

    /** A panel download; {@code data} is as sent (compressed for Dbc). */
    public record Download(char panel, int bits, boolean compressed, byte[] data) implements Frame {}

    private final int panelWidth;
    private final int panelHeight;
    private final ByteArrayOutputStream text = new ByteArrayOutputStream();
    private boolean inFrame;
    private byte[] binary;
    private int binaryFill;
    private char panel;
    private int bits;
    private boolean compressed;
    private boolean awaitingCr;
    private long garbage;

    /** For a printer whose buffer is {@code width x height} (landscape, for example 1016 x 648). */
    public EvolisStreamDecoder(int width, int height) {
        this.panelWidth = width;
        this.panelHeight = height;
    }

    /** Bytes outside any frame, skipped so far (a host out of step, or noise on the line). */
    public long skippedBytes() { return garbage; }

    public List<Frame> feed(byte[] chunk, int off, int len) {
        List<Frame> out = new ArrayList<>();
        for (int i = off; i < off + len; i++) {
            byte b = chunk[i];
            if (binary != null) {
                int n = Math.min(binary.length - binaryFill, off + len - i);
                System.arraycopy(chunk, i, binary, binaryFill, n);
                binaryFill += n;
                i += n - 1;
                if (binaryFill == binary.length) {
                    out.add(new Download(panel, bits, compressed, binary));
                    binary = null;
                    awaitingCr = true;
                }
                continue;
            }
            if (awaitingCr) {
                awaitingCr = false;
                inFrame = false;
                if (b == EvolisCodec.CR) continue;
                // No CR after the data: treat the byte as the start of what follows.
            }
            if (!inFrame) {
                if (b == EvolisCodec.ESC) {
                    inFrame = true;
                    text.reset();
                } else if (b == EvolisCodec.CR || b == '\n') {
                    // stray terminator: "The Start Character is not compulsory after the CR character"
                } else {
                    // Without ESC, a command may still start right after a CR: accept it as text.
                    inFrame = true;
                    text.reset();
                    text.write(b);
                }
                continue;
            }
            if (b == EvolisCodec.CR) {
                out.add(new Command(text.toString(StandardCharsets.ISO_8859_1)));
                inFrame = false;
                continue;
            }
            if (b == EvolisCodec.ESC) { // a new frame before the old one ended: the old one is garbage
                garbage += text.size();
                text.reset();
                continue;
            }
            text.write(b);
            if (b == ';') startBinaryIfDownload();
        }
        return out;
    }

    public List<Frame> feed(byte[] chunk) { return feed(chunk, 0, chunk.length); }

    private void startBinaryIfDownload() {
        String head = text.toString(StandardCharsets.ISO_8859_1);
        String[] parts = head.split(";", -1);
        try {
            if (parts[0].equals("Db") && parts.length == 4 && parts[3].isEmpty()) {
                panel = parts[1].charAt(0);
                bits = EvolisCodec.bitsOf(Integer.parseInt(parts[2]));
                compressed = false;
                binary = new byte[EvolisCodec.packedLength(panelHeight, panelWidth, bits)];
                binaryFill = 0;
            } else if (parts[0].equals("Dbc") && parts.length == 5 && parts[4].isEmpty()) {
                panel = parts[1].charAt(0);
                bits = EvolisCodec.bitsOf(Integer.parseInt(parts[2]));
                int n = Integer.parseInt(parts[3]);
                if (n < 0 || n > 16 * 1024 * 1024) throw new IllegalArgumentException("length " + n);
                compressed = true;
                binary = new byte[n];
                binaryFill = 0;
            }
        } catch (RuntimeException e) {
            // A malformed download head stays a text command; the printer answers it with an error.
        }
    }
}
