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
 * A javax.smartcardio provider with readers holding virtual cards, for the zero-install path: the station's
 * PC/SC code runs unchanged, without pcscd. {@link #factory(CardSlot)} gives the TerminalFactory; cards come and
 * go in the slot as in a real reader (waitForCardPresent and waitForCardAbsent follow them).
 */
public final class InProcessReaders {
    public static final String READER = reader(0);
    private InProcessReaders() {}

    public static TerminalFactory factory(VirtualCard card) throws NoSuchAlgorithmException { return factory(CardSlot.holding(card)); }

    public static TerminalFactory factory(CardSlot slot) throws NoSuchAlgorithmException { return factory(List.of(slot)); }

    /**
     * Several readers, one per slot, named "KTP Virtual Reader 0", "... 1" and so on (a station with several printers);
     * no slot at all is a machine with its reader unplugged.
     */
    public static TerminalFactory factory(List<CardSlot> slots) throws NoSuchAlgorithmException {
        Provider p = new Provider("KtpVirtual", "1.0", "in-process readers with virtual KTP-el cards") {
            {
                put("TerminalFactory.KtpVirtual", Spi.class.getName());
            }
        };
        return TerminalFactory.getInstance("KtpVirtual", List.copyOf(slots), p);
    }

    /** The name of the reader for slot {@code i}. */
    public static String reader(int i) { return "KTP Virtual Reader " + i; }

    /** Instantiated by the JCA with the list of CardSlots as parameter. */
    public static final class Spi extends TerminalFactorySpi {
        private final List<CardTerminal> terminals = new java.util.ArrayList<>();

        public Spi(Object parameter) {
            if (!(parameter instanceof List<?> slots)) throw new IllegalArgumentException("the parameter must be a list of CardSlots");
            for (Object o : slots) {
                if (!(o instanceof CardSlot s)) throw new IllegalArgumentException("the parameter must be a list of CardSlots");
                terminals.add(new Terminal(s, reader(terminals.size())));
            }
        }

        @Override
        protected CardTerminals engineTerminals() {
            return new CardTerminals() {
                @Override
                public List<CardTerminal> list(State state) {
                    return List.copyOf(terminals);
                }

                @Override
                public boolean waitForChange(long timeout) { return false; }
            };
        }
    }

    private static final class Terminal extends CardTerminal {
        private final CardSlot slot;
        private final String name;

        Terminal(CardSlot slot, String name) {
            this.slot = slot;
            this.name = name;
        }

        @Override
        public String getName() { return name; }

        @Override
        public Card connect(String protocol) throws CardException {
            return new VirtualCardHandle(slot.card().orElseThrow(() -> new CardException("no card in " + name)));
        }

        @Override
        public boolean isCardPresent() { return slot.card().isPresent(); }

        @Override
        public boolean waitForCardPresent(long timeout) throws CardException {
            try {
                return slot.awaitPresent(timeout);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CardException("interrupted");
            }
        }

        @Override
        public boolean waitForCardAbsent(long timeout) throws CardException {
            try {
                return slot.awaitAbsent(timeout);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CardException("interrupted");
            }
        }
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
        public ATR getATR() { return new ATR(card.atr()); }

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
