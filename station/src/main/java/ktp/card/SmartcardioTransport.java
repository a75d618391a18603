package ktp.card;

import java.util.List;
import java.util.regex.Pattern;
import javax.smartcardio.Card;
import javax.smartcardio.CardTerminal;
import javax.smartcardio.CommandAPDU;
import javax.smartcardio.ResponseAPDU;
import javax.smartcardio.TerminalFactory;

/**
 * A chip in a PC/SC reader through javax.smartcardio: the reader chosen by a name pattern (the first with a
 * card present when the pattern is empty), the card connected with any protocol, APDUs sent on the basic channel.
 */
public final class SmartcardioTransport implements ApduTransport, AutoCloseable {
    private final CardTerminal terminal;
    private final Card card;

    private SmartcardioTransport(CardTerminal terminal, Card card) {
        this.terminal = terminal;
        this.card = card;
    }

    /** What an empty reader list means, for the technician who sees "readers: []". */
    public static final String NO_READER = "pcscd runs but no reader is attached (plug the reader in; for the virtual reader, vpcd's "
            + "simulator must be connected: 'ktp sim card --vpcd HOST:PORT'), or this is the in-process provider with no reader configured";

    /**
     * A PC/SC failure in plain words: SCARD_E_NO_SERVICE is pcscd not running, SCARD_E_NO_READERS_AVAILABLE no
     * reader attached; anything else keeps its code.
     */
    public static String explain(javax.smartcardio.CardException e) {
        String m = String.valueOf(e.getMessage()) + (e.getCause() == null ? "" : " " + e.getCause().getMessage());
        if (m.contains("SCARD_E_NO_SERVICE") || m.contains("SCARD_E_SERVICE_STOPPED")) {
            return "pcscd is not running (start it: 'sudo systemctl start pcscd'), or the station cannot reach its socket (" + m.strip() + ")";
        }
        if (m.contains("SCARD_E_NO_READERS_AVAILABLE")) return "no reader is attached: " + NO_READER;
        return e.getMessage();
    }

    /** The first reader whose name matches {@code readerPattern} (a regular expression), with or without a card. */
    public static CardTerminal reader(TerminalFactory factory, String readerPattern) throws CardException {
        try {
            List<CardTerminal> terminals = factory.terminals().list();
            if (terminals.isEmpty()) throw new CardException("no PC/SC reader found (" + factory.getType() + "): " + NO_READER);
            Pattern p = Pattern.compile(readerPattern);
            for (CardTerminal t : terminals) if (p.matcher(t.getName()).find()) return t;
            throw new CardException("no reader matches '" + readerPattern + "'; readers: " + terminals.stream().map(CardTerminal::getName).toList());
        } catch (javax.smartcardio.CardException e) {
            throw new CardException("PC/SC: " + explain(e), e);
        }
    }

    /** Connects to the card now in {@code terminal}. */
    public static SmartcardioTransport open(CardTerminal terminal) throws CardException {
        try {
            return new SmartcardioTransport(terminal, terminal.connect("*"));
        } catch (javax.smartcardio.CardException e) {
            throw new CardException("'" + terminal.getName() + "': " + e.getMessage(), e);
        }
    }

    /** Connects to the card in the first reader whose name matches {@code readerPattern} (a regular expression; "" = any with a card). */
    public static SmartcardioTransport connect(TerminalFactory factory, String readerPattern) throws CardException {
        try {
            List<CardTerminal> terminals = factory.terminals().list();
            if (terminals.isEmpty()) throw new CardException("no PC/SC reader found (" + factory.getType() + "): " + NO_READER);
            Pattern p = Pattern.compile(readerPattern == null || readerPattern.isEmpty() ? ".*" : readerPattern);
            for (CardTerminal t : terminals) {
                if (!p.matcher(t.getName()).find()) continue;
                if (!t.isCardPresent()) {
                    if (readerPattern == null || readerPattern.isEmpty()) continue;
                    throw new CardException("reader '" + t.getName() + "' has no card");
                }
                return new SmartcardioTransport(t, t.connect("*"));
            }
            throw new CardException("no reader matches '" + readerPattern + "' with a card present; readers: " + terminals.stream().map(CardTerminal::getName).toList());
        } catch (javax.smartcardio.CardException e) {
            throw new CardException("PC/SC: " + explain(e), e);
        }
    }

    public String readerName() { return terminal.getName(); }

    public byte[] atr() { return card.getATR().getBytes(); }

    @Override
    public byte[] transmit(byte[] command) throws CardException {
        try {
            ResponseAPDU r = card.getBasicChannel().transmit(new CommandAPDU(command));
            return r.getBytes();
        } catch (javax.smartcardio.CardException | IllegalStateException e) {
            throw new CardException("the chip in '" + terminal.getName() + "' did not answer: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            // pcscd hands the JDK an empty answer when the card left mid-command; the JDK then refuses to build a response.
            throw new CardException("the chip in '" + terminal.getName() + "' gave no answer (card removed?): " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            card.disconnect(false);
        } catch (javax.smartcardio.CardException e) {
            // already gone
        }
    }
}
