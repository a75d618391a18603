package ktp.sim.card;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts a virtual card into pcscd's vpcd reader (vsmartcard): connects to vpcd's port and answers its messages,
 * each a 2-byte big-endian length and a payload: one byte 00 power off, 01 power on, 02 reset (no reply), 04 get
 * ATR; anything longer is an APDU, answered with the response. Nagle is off and TCP_QUICKACK is set before every
 * read: without them each APDU waits 40 to 100 ms for delayed acknowledgements.
 */
public final class VpcdClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VpcdClient.class);

    private final Socket socket;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean readerGone;

    private VpcdClient(Socket socket, VirtualCard card) {
        this.socket = socket;
        this.thread = new Thread(() -> serve(card), "vpcd-client");
        thread.setDaemon(true);
        thread.start();
    }

    public static VpcdClient connect(String host, int port, VirtualCard card) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(host, port), 3000);
        s.setTcpNoDelay(true);
        return new VpcdClient(s, card);
    }

    private void quickAck() {
        try {
            socket.setOption(jdk.net.ExtendedSocketOptions.TCP_QUICKACK, true);
        } catch (IOException | UnsupportedOperationException e) {
            // not on this platform: slower, still correct
        }
    }

    private void serve(VirtualCard card) {
        try {
            DataInputStream in = new DataInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            while (running) {
                quickAck();
                int len = in.readUnsignedShort();
                byte[] msg = new byte[len];
                in.readFully(msg);
                byte[] reply = null;
                if (len == 1) {
                    switch (msg[0]) {
                        case 0x00, 0x01, 0x02 -> card.powerCycle();
                        case 0x04 -> reply = card.atr();
                        default -> LOG.warn("vpcd sent unknown control byte {}", msg[0]);
                    }
                } else {
                    try {
                        reply = card.transmit(msg);
                    } catch (ktp.card.ApduTransport.CardException e) {
                        // Pulled out or mute: the reader loses the card, as pcscd sees a real one leave.
                        LOG.info("virtual card gone from vpcd: {}", e.getMessage());
                        socket.close();
                        return;
                    }
                }
                if (reply != null) {
                    byte[] frame = new byte[2 + reply.length];
                    frame[0] = (byte) (reply.length >> 8);
                    frame[1] = (byte) reply.length;
                    System.arraycopy(reply, 0, frame, 2, reply.length);
                    out.write(frame);
                    out.flush();
                }
            }
        } catch (IOException e) {
            if (running) {
                // The reader's end went away (a lab reader inside a daemon that died), not the card: it is still at the contacts.
                readerGone = true;
                LOG.info("vpcd connection ended: {}", e.getMessage());
            }
        }
    }

    /** The reader's end closed the connection while the card was in it (not the card leaving: pulled out or mute). */
    public boolean readerGone() { return readerGone; }

    @Override
    public void close() throws IOException {
        running = false;
        socket.close();
    }
}
