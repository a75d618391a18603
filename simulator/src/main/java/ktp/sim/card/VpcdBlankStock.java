package ktp.sim.card;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;
import ktp.sim.printer.SimulatedPrinter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The simulated printer's blanks through the real PC/SC stack: when the printer parks a card at its contact
 * station, the next blank's virtual chip connects to pcscd's vpcd reader (a card inserted); when the card moves
 * on or is rejected, it disconnects (the card removed). Every blank handed out is kept for checks.
 */
public final class VpcdBlankStock implements SimulatedPrinter.ContactStation, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VpcdBlankStock.class);

    private final String host;
    private final int port;
    private final LongFunction<VirtualCard> maker;
    private final List<VirtualCard> issued = new ArrayList<>();
    private VpcdClient current;

    public VpcdBlankStock(String host, int port, LongFunction<VirtualCard> maker) {
        this.host = host;
        this.port = port;
        this.maker = maker;
    }

    @Override
    public synchronized void cardArrived() {
        cardLeft();
        VirtualCard c = maker.apply(issued.size() + 1);
        issued.add(c);
        try {
            current = VpcdClient.connect(host, port, c);
        } catch (IOException e) {
            LOG.error("cannot put blank {} into vpcd at {}:{}: {}", issued.size(), host, port, e.getMessage());
        }
    }

    @Override
    public synchronized void cardLeft() {
        if (current == null) return;
        try {
            current.close();
        } catch (IOException e) {
            LOG.debug("vpcd client close: {}", e.getMessage());
        }
        current = null;
    }

    public synchronized List<VirtualCard> issued() { return List.copyOf(issued); }

    @Override
    public void close() { cardLeft(); }
}
