package ktp.lab;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.util.List;
import javax.smartcardio.ATR;
import javax.smartcardio.Card;
import javax.smartcardio.CardChannel;
import javax.smartcardio.CardException;
import javax.smartcardio.CardTerminal;
import javax.smartcardio.CardTerminals;
import javax.smartcardio.CommandAPDU;
import javax.smartcardio.ResponseAPDU;
import javax.smartcardio.TerminalFactory;
import javax.smartcardio.TerminalFactorySpi;

/**
 * A lab's card reader inside the station process, so that a whole station runs by hand without pcscd: a
 * javax.smartcardio provider with one reader, "KTP Lab Reader", that plays the part of pcscd's vpcd driver. It
 * listens on a loopback port; a virtual card is "in the reader" while a card simulator is connected to it (the
 * printer simulator's contact station with {@code --vpcd}, or {@code ktp sim card --vpcd}), speaking vpcd's
 * protocol: each message a 2-byte big-endian length and a payload, one byte 00 power off, 01 power on, 02 reset,
 * 04 get ATR, anything longer an APDU answered with its response. One card at a time, as vpcd's one slot.
 *
 * <p>Only for labs: the configuration accepts it only with {@code central.plain_http: true} and on loopback.
 */
public final class LabReader implements AutoCloseable {
    public static final String NAME = "KTP Lab Reader";

    private final ServerSocket server;
    private final Thread acceptor;
    private volatile Socket card;
    private volatile boolean open = true;
    private volatile java.nio.file.Path unpluggedWhile;

    private LabReader(ServerSocket server) {
        this.server = server;
        this.acceptor = new Thread(this::accept, "lab-reader");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Listens on {@code host}:{@code port} (loopback only; 0 picks a free port). */
    public static LabReader listen(String host, int port) throws IOException {
        InetAddress a = InetAddress.getByName(host);
        if (!a.isLoopbackAddress()) throw new IOException("the lab reader listens on loopback only, not " + host);
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(a, port), 1);
        return new LabReader(s);
    }

    public int port() { return server.getLocalPort(); }

    /**
     * The lab's stand-in for pulling the reader's USB cable: while {@code flag} exists the reader is not listed
     * (as pcscd drops an unplugged reader), and a card in it is not seen; it comes back when the file is removed.
     * The fault campaign ({@code ktp soak}) unplugs the encoder's reader this way from outside the daemon.
     */
    public void unpluggedWhileExists(java.nio.file.Path flag) { this.unpluggedWhile = flag; }

    private boolean plugged() {
        java.nio.file.Path f = unpluggedWhile;
        return f == null || !java.nio.file.Files.exists(f);
    }

    private void accept() {
        while (open) {
            try {
                Socket s = server.accept();
                s.setTcpNoDelay(true);
                synchronized (this) {
                    // A card simulator that hung up has left, even if no one asked the reader since (connected() notices).
                    if (connected()) {
                        s.close(); // one slot: a second card waits for the first to leave
                        continue;
                    }
                    card = s;
                    notifyAll();
                }
            } catch (IOException e) {
                if (!open) return;
            }
        }
    }

    private synchronized boolean present() {
        return plugged() && connected();
    }

    private synchronized boolean connected() {
        Socket s = card;
        if (s == null || s.isClosed()) return false;
        // A card simulator that hung up has left the reader: a read with no data waiting is not a departure.
        try {
            s.setSoTimeout(1);
            int b = s.getInputStream().read();
            if (b < 0) {
                s.close();
                return false;
            }
            return true; // stray byte: vpcd's client never sends unasked; still present
        } catch (java.net.SocketTimeoutException quiet) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private synchronized byte[] exchange(byte[] message) throws CardException {
        Socket s = card;
        if (s == null || s.isClosed()) throw new CardException("no card in '" + NAME + "'");
        try {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            byte[] frame = ByteBuffer.allocate(2 + message.length).putShort((short) message.length).put(message).array();
            out.write(frame);
            out.flush();
            if (message.length == 1 && message[0] != 0x04) return new byte[0];
            DataInputStream in = new DataInputStream(s.getInputStream());
            int len = in.readUnsignedShort();
            byte[] reply = new byte[len];
            in.readFully(reply);
            return reply;
        } catch (IOException e) {
            try {
                s.close();
            } catch (IOException ignored) {
                // gone anyway
            }
            throw new CardException("the card left '" + NAME + "': " + e.getMessage(), e);
        }
    }

    /** The TerminalFactory the station daemon is given instead of the system's PC/SC one. */
    public TerminalFactory factory() throws NoSuchAlgorithmException {
        Provider p = new Provider("KtpLab", "1.0", "the lab reader: virtual cards over vpcd's protocol, without pcscd") {
            {
                put("TerminalFactory.KtpLab", Spi.class.getName());
            }
        };
        return TerminalFactory.getInstance("KtpLab", this, p);
    }

    @Override
    public void close() throws IOException {
        open = false;
        server.close();
        Socket s = card;
        if (s != null) s.close();
    }

    /** Instantiated by the JCA with the LabReader as parameter. */
    public static final class Spi extends TerminalFactorySpi {
        private final CardTerminal terminal;

        public Spi(Object parameter) {
            if (!(parameter instanceof LabReader r)) throw new IllegalArgumentException("the parameter must be a LabReader");
            terminal = new Terminal(r);
        }

        @Override
        protected CardTerminals engineTerminals() {
            return new CardTerminals() {
                @Override
                public List<CardTerminal> list(State state) {
                    if (!((Terminal) terminal).reader.plugged()) return List.of();
                    boolean present = ((Terminal) terminal).reader.present();
                    if (state == State.CARD_PRESENT && !present) return List.of();
                    if (state == State.CARD_ABSENT && present) return List.of();
                    return List.of(terminal);
                }

                @Override
                public boolean waitForChange(long timeout) throws CardException {
                    boolean before = ((Terminal) terminal).reader.present();
                    long end = System.currentTimeMillis() + (timeout == 0 ? Long.MAX_VALUE / 2 : timeout);
                    while (System.currentTimeMillis() < end) {
                        if (((Terminal) terminal).reader.present() != before) return true;
                        sleep(20);
                    }
                    return false;
                }
            };
        }
    }

    private static void sleep(long ms) throws CardException {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CardException("interrupted");
        }
    }

    private static final class Terminal extends CardTerminal {
        private final LabReader reader;

        Terminal(LabReader reader) { this.reader = reader; }

        @Override
        public String getName() { return NAME; }

        @Override
        public boolean isCardPresent() { return reader.present(); }

        @Override
        public Card connect(String protocol) throws CardException {
            if (!reader.present()) throw new CardException("no card in '" + NAME + "'");
            reader.exchange(new byte[] {0x01});
            byte[] atr = reader.exchange(new byte[] {0x04});
            return new LabCard(reader, new ATR(atr));
        }

        @Override
        public boolean waitForCardPresent(long timeout) throws CardException { return waitFor(true, timeout); }

        @Override
        public boolean waitForCardAbsent(long timeout) throws CardException { return waitFor(false, timeout); }

        private boolean waitFor(boolean present, long timeout) throws CardException {
            long end = System.currentTimeMillis() + (timeout == 0 ? Long.MAX_VALUE / 2 : timeout);
            do {
                if (reader.present() == present) return true;
                sleep(20);
            } while (System.currentTimeMillis() < end);
            return reader.present() == present;
        }
    }

    private static final class LabCard extends Card {
        private final LabReader reader;
        private final ATR atr;
        private final CardChannel basic;

        LabCard(LabReader reader, ATR atr) {
            this.reader = reader;
            this.atr = atr;
            this.basic = new CardChannel() {
                @Override public Card getCard() { return LabCard.this; }
                @Override public int getChannelNumber() { return 0; }
                @Override public ResponseAPDU transmit(CommandAPDU command) throws CardException { return new ResponseAPDU(reader.exchange(command.getBytes())); }

                @Override
                public int transmit(ByteBuffer command, ByteBuffer response) throws CardException {
                    byte[] c = new byte[command.remaining()];
                    command.get(c);
                    byte[] r = reader.exchange(c);
                    response.put(r);
                    return r.length;
                }

                @Override public void close() throws CardException { throw new IllegalStateException("the basic channel cannot be closed"); }
            };
        }

        @Override public ATR getATR() { return atr; }
        @Override public String getProtocol() { return "T=1"; }
        @Override public CardChannel getBasicChannel() { return basic; }
        @Override public CardChannel openLogicalChannel() throws CardException { throw new CardException("logical channels are not supported"); }
        @Override public void beginExclusive() { }
        @Override public void endExclusive() { }
        @Override public byte[] transmitControlCommand(int controlCode, byte[] command) throws CardException { throw new CardException("no control commands"); }

        @Override
        public void disconnect(boolean reset) throws CardException {
            if (reset && reader.present()) reader.exchange(new byte[] {0x02});
        }
    }
}
