package ktp.sim.demo;

import java.io.IOException;
import java.util.List;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import javax.smartcardio.TerminalFactory;
import ktp.sim.card.BlankStock;
import ktp.sim.card.CardSlot;
import ktp.sim.card.InProcessReaders;
import ktp.sim.card.VirtualCard;
import ktp.sim.card.VpcdBlankStock;
import ktp.sim.card.VpcdClient;
import ktp.sim.printer.SimulatedPrinter;

/**
 * The blanks with their chips and the readers the station sees them in: the printer's contact station
 * and, at the holder's visit, the counter's reader.
 */
public interface Cards extends AutoCloseable {
    SimulatedPrinter.ContactStation station();

    TerminalFactory readers();

    String readerPattern();

    List<VirtualCard> issued();

    String describe();

    /** Puts a printed card in the counter's reader until the returned handle is closed. */
    AutoCloseable atCounter(VirtualCard card) throws IOException;

    /**
     * Until the reader has seen the last card go: pcscd polls its readers, so a card swapped at once would
     * be taken for the one still there (SCARD_E_NOT_TRANSACTED at the first command).
     */
    default void awaitEmptyReader() throws IOException {
        try {
            for (javax.smartcardio.CardTerminal t : readers().terminals().list()) {
                if (t.getName().contains(readerPattern()) && !t.waitForCardAbsent(5000)) throw new IOException("a card stays in " + t.getName());
            }
        } catch (javax.smartcardio.CardException e) {
            throw new IOException("the counter's reader: " + e.getMessage(), e);
        }
    }

    @Override
    void close() throws IOException;

    static Cards inProcess(LongFunction<VirtualCard> blanks) throws IOException {
        CardSlot slot = new CardSlot();
        BlankStock stock = new BlankStock(slot, blanks);
        TerminalFactory readers;
        try {
            readers = InProcessReaders.factory(slot);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IOException("the in-process card reader: " + e.getMessage(), e);
        }
        return simple(stock, readers, InProcessReaders.READER, stock::issued, "virtual cards in an in-process reader", card -> {
            slot.insert(card);
            return slot::remove;
        }, () -> { });
    }

    static Cards vpcd(String hostPort, LongFunction<VirtualCard> blanks) {
        int colon = hostPort.lastIndexOf(':');
        if (colon < 1) throw new IllegalArgumentException("--pcsc: HOST:PORT of pcscd's vpcd driver, got \"" + hostPort + "\"");
        String host = hostPort.substring(0, colon);
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--pcsc: not a port in \"" + hostPort + "\"");
        }
        VpcdBlankStock stock = new VpcdBlankStock(host, port, blanks);
        return simple(stock, TerminalFactory.getDefault(), "Virtual PCD", stock::issued, "virtual cards through pcscd (vpcd " + hostPort + ")", card -> {
            VpcdClient c = VpcdClient.connect(host, port, card);
            return c::close;
        }, stock::close);
    }

    interface Counter {
        AutoCloseable insert(VirtualCard card) throws IOException;
    }

    interface Closer {
        void close() throws IOException;
    }

    private static Cards simple(SimulatedPrinter.ContactStation station, TerminalFactory readers, String pattern, Supplier<List<VirtualCard>> issued,
                                String description, Counter counter, Closer closer) {
        return new Cards() {
            @Override public SimulatedPrinter.ContactStation station() { return station; }
            @Override public TerminalFactory readers() { return readers; }
            @Override public String readerPattern() { return pattern; }
            @Override public List<VirtualCard> issued() { return issued.get(); }
            @Override public String describe() { return description; }
            @Override public AutoCloseable atCounter(VirtualCard card) throws IOException { return counter.insert(card); }
            @Override public void close() throws IOException { closer.close(); }
        };
    }
}
