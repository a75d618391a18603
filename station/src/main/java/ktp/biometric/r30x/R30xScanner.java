package ktp.biometric.r30x;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Captures a fingerprint image from an R30x-family module: GenImg until a finger is on the glass (or the wait
 * runs out), then UpImage and its data packets, reassembled into an 8-bit greyscale PNG at the module's
 * geometry. Over TCP (the simulator, or a serial-to-network adapter) here; every reply has a deadline.
 */
public final class R30xScanner implements AutoCloseable {
    /** What the module delivers: width x height pixels at 4 bits, at {@code dpi}. */
    public record Geometry(int width, int height, double dpi) {}

    /** Why no image came. */
    public static final class ScannerException extends Exception {
        public enum Kind { NO_FINGER, TOO_WET, TOO_DRY, POOR_IMAGE, TIMEOUT, BAD_PACKET, REFUSED, UNREACHABLE }

        private final Kind kind;

        public ScannerException(Kind kind, String message) {
            super(message);
            this.kind = kind;
        }

        public Kind kind() { return kind; }
    }

    /** Bytes to and from the module: TCP, or a serial port through jssc. */
    interface Transport extends AutoCloseable {
        void write(byte[] b) throws IOException;

        /** Reads what is there, waiting up to {@code timeoutMs}; returns 0 when nothing came in time. */
        int read(byte[] buf, int timeoutMs) throws IOException;

        @Override
        void close() throws IOException;
    }

    private final Transport link;
    private final Geometry geometry;
    private final Duration replyTimeout;
    private final R30xCodec.Reader reader = new R30xCodec.Reader();
    private final List<R30xCodec.Packet> pending = new ArrayList<>();

    private R30xScanner(Transport link, Geometry geometry, Duration replyTimeout) {
        this.link = link;
        this.geometry = geometry;
        this.replyTimeout = replyTimeout;
    }

    /**
     * A module by its configured URI, {@code tcp://HOST:PORT} or {@code serial:/dev/ttyUSB0[?baud=57600]}, with
     * the profile's geometry, baud and reply time-out.
     */
    public static R30xScanner open(String uri, ktp.biometric.ScannerProfile profile) throws ScannerException {
        Geometry g = new Geometry(profile.width(), profile.height(), profile.dpi());
        Duration timeout = Duration.ofMillis(profile.replyTimeoutMs());
        if (uri.startsWith("tcp://")) {
            String hostPort = uri.substring("tcp://".length());
            int colon = hostPort.lastIndexOf(':');
            try {
                return tcp(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)), g, timeout);
            } catch (RuntimeException e) {
                throw new ScannerException(ScannerException.Kind.UNREACHABLE, "scanner URI " + uri + ": expected tcp://HOST:PORT");
            }
        }
        if (uri.startsWith("serial:")) {
            String rest = uri.substring("serial:".length());
            int q = rest.indexOf("?baud=");
            try {
                return serial(q < 0 ? rest : rest.substring(0, q), q < 0 ? profile.baud() : Integer.parseInt(rest.substring(q + 6)), g, timeout);
            } catch (NumberFormatException e) {
                throw new ScannerException(ScannerException.Kind.UNREACHABLE, "scanner URI " + uri + ": the baud rate is not a number");
            }
        }
        throw new ScannerException(ScannerException.Kind.UNREACHABLE, "scanner URI " + uri + ": expected tcp://HOST:PORT or serial:DEVICE[?baud=N]");
    }

    public static R30xScanner tcp(String host, int port, Geometry geometry, Duration replyTimeout) throws ScannerException {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(host, port), 3000);
            s.setTcpNoDelay(true);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            return new R30xScanner(new Transport() {
                @Override
                public void write(byte[] b) throws IOException {
                    out.write(b);
                    out.flush();
                }

                @Override
                public int read(byte[] buf, int timeoutMs) throws IOException {
                    s.setSoTimeout(Math.max(1, timeoutMs));
                    try {
                        int n = in.read(buf);
                        if (n < 0) throw new IOException("the scanner closed the connection");
                        return n;
                    } catch (SocketTimeoutException e) {
                        return 0;
                    }
                }

                @Override
                public void close() throws IOException { s.close(); }
            }, geometry, replyTimeout);
        } catch (IOException e) {
            try {
                s.close();
            } catch (IOException ignored) {
                // failing anyway
            }
            throw new ScannerException(ScannerException.Kind.UNREACHABLE, "tcp://" + host + ":" + port + ": " + e.getMessage());
        }
    }

    /** A module on a serial port (or a pty from socat), 8N1 at {@code baud}. */
    public static R30xScanner serial(String device, int baud, Geometry geometry, Duration replyTimeout) throws ScannerException {
        jssc.SerialPort port = new jssc.SerialPort(device);
        try {
            port.openPort();
            port.setParams(baud, 8, 1, 0);
        } catch (jssc.SerialPortException e) {
            throw new ScannerException(ScannerException.Kind.UNREACHABLE, "serial:" + device + ": cannot open (" + e.getExceptionType() + ")");
        }
        return new R30xScanner(new Transport() {
            @Override
            public void write(byte[] b) throws IOException {
                try {
                    port.writeBytes(b);
                } catch (jssc.SerialPortException e) {
                    throw new IOException(e.getExceptionType(), e);
                }
            }

            @Override
            public int read(byte[] buf, int timeoutMs) throws IOException {
                long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
                try {
                    while (System.nanoTime() < deadline) {
                        int n = Math.min(buf.length, port.getInputBufferBytesCount());
                        if (n > 0) {
                            byte[] got = port.readBytes(n);
                            System.arraycopy(got, 0, buf, 0, got.length);
                            return got.length;
                        }
                        Thread.sleep(2);
                    }
                    return 0;
                } catch (jssc.SerialPortException e) {
                    throw new IOException(e.getExceptionType(), e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return 0;
                }
            }

            @Override
            public void close() throws IOException {
                try {
                    port.closePort();
                } catch (jssc.SerialPortException e) {
                    throw new IOException(e.getExceptionType(), e);
                }
            }
        }, geometry, replyTimeout);
    }

    public Geometry geometry() { return geometry; }

    /** An 8-bit greyscale PNG of the finger on the glass, waiting up to {@code waitForFinger} for one. */
    public byte[] capture(Duration waitForFinger) throws ScannerException {
        long deadline = System.nanoTime() + waitForFinger.toNanos();
        while (true) {
            int code = command(R30xCodec.GEN_IMG).confirmation();
            if (code == 0x00) break;
            switch (code) {
                case 0x02 -> {
                    if (System.nanoTime() > deadline) throw new ScannerException(ScannerException.Kind.NO_FINGER, "no finger on the scanner within " + waitForFinger.toSeconds() + " s");
                    sleep(100);
                }
                case 0x05 -> throw new ScannerException(ScannerException.Kind.TOO_WET, "the finger is too wet: dry it and place it again");
                case 0x04 -> throw new ScannerException(ScannerException.Kind.TOO_DRY, "the finger is too dry: breathe on it and place it again");
                case 0x03, 0x06, 0x07, 0x15 -> throw new ScannerException(ScannerException.Kind.POOR_IMAGE, String.format("the module could not take an image (code %02X): place the finger again", code));
                default -> throw new ScannerException(ScannerException.Kind.REFUSED, String.format("the module refused GenImg with code %02X", code));
            }
        }
        int code = command(R30xCodec.UP_IMAGE).confirmation();
        if (code != 0x00) throw new ScannerException(ScannerException.Kind.REFUSED, String.format("the module refused UpImage with code %02X", code));
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        while (true) {
            R30xCodec.Packet p = next();
            if (p.pid() != R30xCodec.PID_DATA && p.pid() != R30xCodec.PID_END) {
                throw new ScannerException(ScannerException.Kind.BAD_PACKET, String.format("expected image data, got a packet with PID %02X", p.pid()));
            }
            data.writeBytes(p.payload());
            if (p.pid() == R30xCodec.PID_END) break;
        }
        int[] grey;
        try {
            grey = R30xCodec.unpackNibbles(data.toByteArray(), geometry.width(), geometry.height());
        } catch (R30xCodec.PacketException e) {
            throw new ScannerException(ScannerException.Kind.BAD_PACKET, e.getMessage());
        }
        BufferedImage img = new BufferedImage(geometry.width(), geometry.height(), BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setPixels(0, 0, geometry.width(), geometry.height(), grey);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", png);
        } catch (IOException e) {
            throw new ScannerException(ScannerException.Kind.BAD_PACKET, "cannot encode the image: " + e.getMessage());
        }
        return png.toByteArray();
    }

    /** VfyPwd, the R30x family's handshake (instruction 0x13 with the module's password, 0 by default). */
    public static final int VFY_PWD = 0x13;

    /**
     * The module's handshake: VfyPwd with the default password. An acknowledgement packet (whatever its code) proves
     * an R30x module answers on this link; the confirmation code is returned (0: the password is right).
     */
    public int handshake() throws ScannerException {
        try {
            link.write(R30xCodec.packet(R30xCodec.DEFAULT_ADDRESS, R30xCodec.PID_COMMAND, new byte[] {(byte) VFY_PWD, 0, 0, 0, 0}));
        } catch (IOException e) {
            throw new ScannerException(ScannerException.Kind.UNREACHABLE, "the scanner's link failed: " + e.getMessage());
        }
        R30xCodec.Packet p = next();
        if (p.pid() != R30xCodec.PID_ACK) throw new ScannerException(ScannerException.Kind.BAD_PACKET, String.format("expected an acknowledgement, got PID %02X", p.pid()));
        return p.confirmation();
    }

    private R30xCodec.Packet command(int instruction) throws ScannerException {
        try {
            link.write(R30xCodec.command(instruction));
        } catch (IOException e) {
            throw new ScannerException(ScannerException.Kind.UNREACHABLE, "the scanner's link failed: " + e.getMessage());
        }
        R30xCodec.Packet p = next();
        if (p.pid() != R30xCodec.PID_ACK) throw new ScannerException(ScannerException.Kind.BAD_PACKET, String.format("expected an acknowledgement, got PID %02X", p.pid()));
        return p;
    }

    private R30xCodec.Packet next() throws ScannerException {
        long deadline = System.nanoTime() + replyTimeout.toNanos();
        byte[] buf = new byte[4096];
        while (pending.isEmpty()) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) throw new ScannerException(ScannerException.Kind.TIMEOUT, "the scanner did not answer within " + replyTimeout.toMillis() + " ms");
            try {
                int n = link.read(buf, (int) Math.max(1, left));
                if (n == 0) continue;
                pending.addAll(reader.feed(buf, 0, n));
            } catch (IOException e) {
                throw new ScannerException(ScannerException.Kind.UNREACHABLE, "the scanner's link failed: " + e.getMessage());
            } catch (R30xCodec.PacketException e) {
                throw new ScannerException(ScannerException.Kind.BAD_PACKET, e.getMessage());
            }
        }
        return pending.remove(0);
    }

    private static void sleep(long ms) throws ScannerException {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ScannerException(ScannerException.Kind.TIMEOUT, "interrupted");
        }
    }

    @Override
    public void close() throws IOException { link.close(); }
}
