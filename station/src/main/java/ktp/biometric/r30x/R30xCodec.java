package ktp.biometric.r30x;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The R30x-family fingerprint module's UART packets (R305/R307, ZFM-20, AS608), free of I/O:
 * {@code EF 01 | address (4) | PID | LEN (2) | payload | SUM (2)}, where LEN counts the payload and the sum,
 * and SUM is the low 16 bits of PID + both LEN bytes + every payload byte. PIDs: 01 command, 02 data,
 * 07 acknowledgement, 08 last data packet.
 */
public final class R30xCodec {
    public static final int PID_COMMAND = 0x01;
    public static final int PID_DATA = 0x02;
    public static final int PID_ACK = 0x07;
    public static final int PID_END = 0x08;
    public static final int GEN_IMG = 0x01;
    public static final int UP_IMAGE = 0x0A;
    public static final long DEFAULT_ADDRESS = 0xFFFFFFFFL;

    /** A complete packet. */
    public record Packet(long address, int pid, byte[] payload) {
        /** An acknowledgement's confirmation code (its first payload byte). */
        public int confirmation() { return payload.length == 0 ? -1 : payload[0] & 0xFF; }
    }

    private R30xCodec() {}

    public static byte[] packet(long address, int pid, byte[] payload) {
        int len = payload.length + 2;
        if (len > 0xFFFF) throw new IllegalArgumentException("payload too long: " + payload.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + 11);
        out.write(0xEF);
        out.write(0x01);
        for (int s = 24; s >= 0; s -= 8) out.write((int) (address >> s) & 0xFF);
        out.write(pid);
        out.write(len >> 8);
        out.write(len & 0xFF);
        out.writeBytes(payload);
        int sum = pid + (len >> 8) + (len & 0xFF);
        for (byte b : payload) sum += b & 0xFF;
        out.write((sum >> 8) & 0xFF);
        out.write(sum & 0xFF);
        return out.toByteArray();
    }

    public static byte[] command(int instruction) { return packet(DEFAULT_ADDRESS, PID_COMMAND, new byte[] {(byte) instruction}); }

    public static byte[] ack(int confirmation) { return packet(DEFAULT_ADDRESS, PID_ACK, new byte[] {(byte) confirmation}); }

    /** Splits image bytes into data packets of {@code size} bytes, the last one marked PID 08. */
    public static List<byte[]> dataPackets(byte[] data, int size) {
        List<byte[]> out = new ArrayList<>();
        for (int off = 0; off < data.length; off += size) {
            int n = Math.min(size, data.length - off);
            byte[] chunk = java.util.Arrays.copyOfRange(data, off, off + n);
            out.add(packet(DEFAULT_ADDRESS, off + n >= data.length ? PID_END : PID_DATA, chunk));
        }
        return out;
    }

    /** A packet the module or host should not have sent: bad header, bad checksum, impossible length. */
    public static final class PacketException extends Exception {
        public PacketException(String message) { super(message); }
    }

    /** Collects bytes and returns each packet once complete, checked. */
    public static final class Reader {
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();

        public List<Packet> feed(byte[] bytes, int off, int count) throws PacketException {
            buf.write(bytes, off, count);
            List<Packet> out = new ArrayList<>();
            while (true) {
                byte[] b = buf.toByteArray();
                if (b.length < 9) return out;
                if ((b[0] & 0xFF) != 0xEF || (b[1] & 0xFF) != 0x01) {
                    buf.reset();
                    throw new PacketException("not an R30x packet: starts " + HexFormat.of().withUpperCase().formatHex(b, 0, Math.min(b.length, 9)) + " (expected EF 01)");
                }
                int len = ((b[7] & 0xFF) << 8) | (b[8] & 0xFF);
                if (len < 2) {
                    buf.reset();
                    throw new PacketException("packet length " + len + " is less than its own checksum");
                }
                if (b.length < 9 + len) return out;
                int pid = b[6] & 0xFF;
                int sum = pid + (b[7] & 0xFF) + (b[8] & 0xFF);
                for (int i = 9; i < 9 + len - 2; i++) sum += b[i] & 0xFF;
                int got = ((b[9 + len - 2] & 0xFF) << 8) | (b[9 + len - 1] & 0xFF);
                long address = ((b[2] & 0xFFL) << 24) | ((b[3] & 0xFFL) << 16) | ((b[4] & 0xFFL) << 8) | (b[5] & 0xFFL);
                byte[] payload = java.util.Arrays.copyOfRange(b, 9, 9 + len - 2);
                buf.reset();
                buf.write(b, 9 + len, b.length - 9 - len);
                if ((sum & 0xFFFF) != got) {
                    throw new PacketException(String.format("bad checksum: the packet says %04X, its bytes sum to %04X", got, sum & 0xFFFF));
                }
                out.add(new Packet(address, pid, payload));
            }
        }
    }

    /** Image bytes at 4 bits a pixel (two pixels a byte, the first in the high nibble), row by row. */
    public static byte[] packNibbles(int[] grey, int width, int height) {
        byte[] out = new byte[(width * height + 1) / 2];
        for (int i = 0; i < width * height; i++) {
            int v = Math.min(15, Math.max(0, grey[i] >> 4));
            if ((i & 1) == 0) out[i >> 1] = (byte) (v << 4);
            else out[i >> 1] |= (byte) v;
        }
        return out;
    }

    public static int[] unpackNibbles(byte[] data, int width, int height) throws PacketException {
        if (data.length != (width * height + 1) / 2) {
            throw new PacketException("image data is " + data.length + " bytes; a " + width + " x " + height + " image at 4 bits is " + (width * height + 1) / 2);
        }
        int[] out = new int[width * height];
        for (int i = 0; i < out.length; i++) {
            int v = (i & 1) == 0 ? (data[i >> 1] >> 4) & 0x0F : data[i >> 1] & 0x0F;
            out[i] = v * 17;
        }
        return out;
    }
}
