package ktp.sim.scanner;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import javax.imageio.ImageIO;
import ktp.biometric.r30x.R30xCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An R30x-family fingerprint module on a TCP port, for technicians and tests: it answers GenImg and UpImage
 * with the image of whatever finger is "placed" (an image file's bytes, cropped to the module's geometry from
 * the centre and sent at 4 bits a pixel), or "no finger"; and it injects faults: too wet, too dry, silence,
 * a bad checksum, and a finger that touches the glass with only a small patch (a poor capture: the image is sent,
 * with too little of the ridges in it to count).
 */
public final class SimulatedScanner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SimulatedScanner.class);

    /**
     * {@code WET}, {@code DRY}: GenImg answers 05 or 04 (the module refuses the capture). {@code PARTIAL}: GenImg
     * succeeds and UpImage sends the image with only a disc of {@link #PARTIAL_RADIUS} pixels at the centre kept, the
     * rest white, as when a finger is laid on the glass by its tip or edge: a capture the station must judge poor itself.
     */
    public enum Fault { NONE, WET, DRY, SILENT, BAD_CHECKSUM, PARTIAL }

    /** The patch a PARTIAL capture keeps: about 2 mm across at 500 dpi, a handful of minutiae at most. */
    public static final int PARTIAL_RADIUS = 20;

    private final int width;
    private final int height;
    private final ServerSocket server;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile int[] placed;
    private volatile Fault fault = Fault.NONE;
    /** Commands still answered well before {@link #faultAfter}'s fault starts; -1: none armed. */
    private final java.util.concurrent.atomic.AtomicInteger armedAfter = new java.util.concurrent.atomic.AtomicInteger(-1);
    private volatile Fault armed = Fault.NONE;
    /** A poor capture for the next placement only ({@link #poorOnce}); NONE when none is pending. */
    private volatile Fault once = Fault.NONE;
    private final java.util.concurrent.atomic.AtomicLong imagesSent = new java.util.concurrent.atomic.AtomicLong();

    private final jssc.SerialPort serialPort;

    public SimulatedScanner(int width, int height, InetSocketAddress listen) throws IOException {
        this.width = width;
        this.height = height;
        this.server = new ServerSocket();
        this.serialPort = null;
        server.setReuseAddress(true);
        server.bind(listen);
        this.thread = new Thread(this::acceptLoop, "scanner-sim");
        thread.setDaemon(true);
        thread.start();
    }

    /** The module on a serial device (one end of a socat pty pair). */
    public SimulatedScanner(int width, int height, String device, int baud) throws IOException {
        this.width = width;
        this.height = height;
        this.server = null;
        this.serialPort = new jssc.SerialPort(device);
        try {
            serialPort.openPort();
            serialPort.setParams(baud, 8, 1, 0);
        } catch (jssc.SerialPortException e) {
            throw new IOException(device + ": cannot open (" + e.getExceptionType() + ")", e);
        }
        InputStream in = new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] b = new byte[1];
                return read(b, 0, 1) < 0 ? -1 : b[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                try {
                    while (running) {
                        int n = Math.min(len, serialPort.getInputBufferBytesCount());
                        if (n > 0) {
                            byte[] got = serialPort.readBytes(n);
                            System.arraycopy(got, 0, b, off, got.length);
                            return got.length;
                        }
                        Thread.sleep(2);
                    }
                    return -1;
                } catch (jssc.SerialPortException | InterruptedException e) {
                    return -1;
                }
            }
        };
        OutputStream out = new OutputStream() {
            @Override
            public void write(int b) throws IOException { write(new byte[] {(byte) b}, 0, 1); }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                try {
                    serialPort.writeBytes(java.util.Arrays.copyOfRange(b, off, off + len));
                } catch (jssc.SerialPortException e) {
                    throw new IOException(e.getExceptionType(), e);
                }
            }
        };
        this.thread = new Thread(() -> {
            try {
                serve(in, out);
            } catch (IOException e) {
                LOG.debug("scanner simulator serial: {}", e.getMessage());
            }
        }, "scanner-sim-serial");
        thread.setDaemon(true);
        thread.start();
    }

    public int port() { return server == null ? -1 : server.getLocalPort(); }

    /** Places a finger: the image (any format ImageIO reads, 8-bit grey) is cropped from its centre to the module's size. */
    public void place(byte[] image) throws IOException {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(image));
        if (img == null) throw new IOException("not an image");
        int[] grey = new int[width * height];
        int ox = (img.getWidth() - width) / 2;
        int oy = (img.getHeight() - height) / 2;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int sx = x + ox;
                int sy = y + oy;
                grey[y * width + x] = sx < 0 || sy < 0 || sx >= img.getWidth() || sy >= img.getHeight() ? 255 : img.getRGB(sx, sy) & 0xFF;
            }
        }
        placed = grey;
    }

    public void lift() { placed = null; }

    public void fault(Fault f) {
        armedAfter.set(-1);
        fault = f;
    }

    /**
     * The next capture of a placed finger is poor in this way (WET, DRY: GenImg's refusal; PARTIAL: the image
     * sent), and the holder then lifts the finger, as one does when asked again: the glass is empty until the next
     * {@link #place}. Later captures are good again.
     */
    public void poorOnce(Fault f) {
        if (f != Fault.WET && f != Fault.DRY && f != Fault.PARTIAL) throw new IllegalArgumentException("a poor capture is WET, DRY or PARTIAL, not " + f);
        once = f;
    }

    /** The fault starts after {@code commands} more commands are answered well: a scanner that fails in the middle of a capture. */
    public void faultAfter(Fault f, int commands) {
        armed = f;
        armedAfter.set(commands);
    }

    /** Finger images sent in answer to UpImage since the start: the simulator's own count, for checkers. */
    public long imagesSent() { return imagesSent.get(); }

    private void acceptLoop() {
        while (running) {
            try (Socket s = server.accept()) {
                s.setTcpNoDelay(true);
                serve(s.getInputStream(), s.getOutputStream());
            } catch (IOException e) {
                if (running) LOG.debug("scanner simulator connection ended: {}", e.getMessage());
            }
        }
    }

    private void serve(InputStream in, OutputStream out) throws IOException {
        R30xCodec.Reader reader = new R30xCodec.Reader();
        byte[] buf = new byte[1024];
        int n;
        while ((n = in.read(buf)) > 0) {
            List<R30xCodec.Packet> packets;
            try {
                packets = reader.feed(buf, 0, n);
            } catch (R30xCodec.PacketException e) {
                out.write(R30xCodec.ack(0x01)); // receive error
                continue;
            }
            for (R30xCodec.Packet p : packets) {
                if (p.pid() != R30xCodec.PID_COMMAND || p.payload().length == 0) {
                    out.write(R30xCodec.ack(0x01));
                    continue;
                }
                if (armedAfter.get() >= 0 && armedAfter.getAndDecrement() == 0) fault = armed;
                Fault f = fault;
                if (f == Fault.SILENT) continue;
                int instruction = p.payload()[0] & 0xFF;
                byte[] reply;
                if (instruction == R30xCodec.GEN_IMG) {
                    Fault poor = once;
                    if (placed == null) reply = R30xCodec.ack(0x02);
                    else if (poor == Fault.WET || poor == Fault.DRY) {
                        reply = R30xCodec.ack(poor == Fault.WET ? 0x05 : 0x04);
                        once = Fault.NONE;
                        placed = null;
                    } else if (f == Fault.WET) reply = R30xCodec.ack(0x05);
                    else if (f == Fault.DRY) reply = R30xCodec.ack(0x04);
                    else reply = R30xCodec.ack(0x00);
                } else if (instruction == R30xCodec.UP_IMAGE) {
                    int[] grey = placed;
                    if (grey == null) {
                        reply = R30xCodec.ack(0x0F);
                    } else {
                        if (f == Fault.BAD_CHECKSUM) {
                            // A garbled frame where the image should start.
                            byte[] bad = R30xCodec.ack(0x00);
                            bad[bad.length - 1] ^= 0x5A;
                            out.write(bad);
                            out.flush();
                            continue;
                        }
                        if (f == Fault.PARTIAL || once == Fault.PARTIAL) {
                            grey = partial(grey);
                            if (once == Fault.PARTIAL) {
                                once = Fault.NONE;
                                placed = null;
                            }
                        }
                        imagesSent.incrementAndGet();
                        out.write(R30xCodec.ack(0x00));
                        for (byte[] d : R30xCodec.dataPackets(R30xCodec.packNibbles(grey, width, height), 128)) out.write(d);
                        out.flush();
                        continue;
                    }
                } else if (instruction == 0x13 && p.payload().length == 5) {
                    // VfyPwd, the handshake: the module's password is the factory default, 0.
                    boolean zero = p.payload()[1] == 0 && p.payload()[2] == 0 && p.payload()[3] == 0 && p.payload()[4] == 0;
                    reply = R30xCodec.ack(zero ? 0x00 : 0x13);
                } else {
                    reply = R30xCodec.ack(0x01);
                }
                if (f == Fault.BAD_CHECKSUM) reply[reply.length - 1] ^= 0x5A;
                out.write(reply);
                out.flush();
            }
        }
    }

    /** Only the disc at the centre of the placed image touched the glass; everything else is white. */
    private int[] partial(int[] grey) {
        int[] p = new int[grey.length];
        int cx = width / 2;
        int cy = height / 2;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int dx = x - cx;
                int dy = y - cy;
                p[y * width + x] = dx * dx + dy * dy <= PARTIAL_RADIUS * PARTIAL_RADIUS ? grey[y * width + x] : 255;
            }
        }
        return p;
    }

    @Override
    public void close() throws IOException {
        running = false;
        if (server != null) server.close();
        if (serialPort != null) {
            try {
                serialPort.closePort();
            } catch (jssc.SerialPortException e) {
                throw new IOException(e.getExceptionType(), e);
            }
        }
        thread.interrupt();
    }
}
