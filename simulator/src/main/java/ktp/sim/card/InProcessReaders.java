package ktp.sim.card;

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
 * A javax.smartcardio provider with one reader holding a virtual card, for the zero-install path: the station's
 * PC/SC code runs unchanged, without pcscd. {@link #factory(VirtualCard)} gives the TerminalFactory.
 */
public final class InProcessReaders {
    public static final String READER = "KTP Virtual Reader 0";
    /** A plausible contact-card ATR (T=1); the virtual card does not depend on it. */
    static final byte[] ATR_BYTES = {0x3B, (byte) 0x8A, (byte) 0x80, 0x01, 0x4B, 0x54, 0x50, 0x45, 0x4C, 0x2D, 0x53, 0x49, 0x4D, 0x00, 0x31};

    private InProcessReaders() {}

    public static TerminalFactory factory(VirtualCard card) throws NoSuchAlgorithmException {
        Provider p = new Provider("KtpVirtual", "1.0", "in-process reader with a virtual KTP-el card") {
            {
                put("TerminalFactory.KtpVirtual", Spi.class.getName());
            }
        };
        return TerminalFactory.getInstance("KtpVirtual", card, p);
    }

    /** Instantiated by the JCA with the VirtualCard as parameter. */
    public static final class Spi extends TerminalFactorySpi {
        private final VirtualCard card;

        public Spi(Object parameter) {
            if (!(parameter instanceof VirtualCard v)) throw new IllegalArgumentException("the parameter must be a VirtualCard");
            this.card = v;
        }

        @Override
        protected CardTerminals engineTerminals() {
            CardTerminal terminal = new Terminal(card);
            return new CardTerminals() {
                @Override
                public List<CardTerminal> list(State state) {
                    return List.of(terminal);
                }

                @Override
                public boolean waitForChange(long timeout) { return false; }
            };
        }
    }

    private static final class Terminal extends CardTerminal {
        private final VirtualCard card;

        Terminal(VirtualCard card) { this.card = card; }

        @Override
        public String getName() { return READER; }

        @Override
        public Card connect(String protocol) throws CardException {
            if (!isCardPresent()) throw new CardException("no card in " + READER);
            return new VirtualCardHandle(card);
        }

        @Override
        public boolean isCardPresent() { return card.isPresent(); }

        @Override
        public boolean waitForCardPresent(long timeout) { return isCardPresent(); }

        @Override
        public boolean waitForCardAbsent(long timeout) { return !isCardPresent(); }
    }

    private static final class VirtualCardHandle extends Card {
        private final VirtualCard card;
        private final CardChannel basic;

        VirtualCardHandle(VirtualCard card) {
            this.card = card;
            this.basic = new CardChannel() {
                @Override
                public Card getCard() { return VirtualCardHandle.this; }

                @Override
                public int getChannelNumber() { return 0; }

                @Override
                public ResponseAPDU transmit(CommandAPDU command) throws CardException {
                    try {
                        return new ResponseAPDU(card.transmit(command.getBytes()));
                    } catch (ktp.card.ApduTransport.CardException e) {
                        throw new CardException(e.getMessage(), e);
                    }
                }

                @Override
                public int transmit(ByteBuffer command, ByteBuffer response) throws CardException {
                    byte[] c = new byte[command.remaining()];
                    command.get(c);
                    byte[] r = transmit(new CommandAPDU(c)).getBytes();
                    response.put(r);
                    return r.length;
                }

                @Override
                public void close() { }
            };
        }

        @Override
        public ATR getATR() { return new ATR(ATR_BYTES); }

        @Override
        public String getProtocol() { return "T=1"; }

        @Override
        public CardChannel getBasicChannel() { return basic; }

        @Override
        public CardChannel openLogicalChannel() throws CardException { throw new CardException("no logical channels on the virtual card"); }

        @Override
        public void beginExclusive() { }

        @Override
        public void endExclusive() { }

        @Override
        public byte[] transmitControlCommand(int controlCode, byte[] command) throws CardException { throw new CardException("no control commands"); }

        @Override
        public void disconnect(boolean reset) { }
    }
}
