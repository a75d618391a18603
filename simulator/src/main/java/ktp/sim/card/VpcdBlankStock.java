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
    private VirtualCard currentCard;
    private Thread watcher;

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
        currentCard = c;
        try {
            current = VpcdClient.connect(host, port, c);
        } catch (IOException e) {
            LOG.error("cannot put blank {} into vpcd at {}:{}: {}", issued.size(), host, port, e.getMessage());
        }
        if (watcher == null) {
            watcher = new Thread(this::keepInReader, "vpcd-blank-stock");
            watcher.setDaemon(true);
            watcher.start();
        }
    }

    /**
     * A blank stays at the contacts while the reader is away: when the reader comes back (a lab reader served by a
     * daemon that was killed and restarted), the card is in it again, as a card stays in a USB reader.
     */
    private void keepInReader() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
            synchronized (this) {
                if (currentCard == null || (current != null && !current.readerGone())) continue;
                try {
                    current = VpcdClient.connect(host, port, currentCard);
                    LOG.info("blank {} back in the reader at {}:{}", issued.size(), host, port);
                } catch (IOException e) {
                    current = null; // the reader is not back yet
                }
            }
        }
    }

    @Override
    public synchronized void cardLeft() {
        currentCard = null;
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
    public void close() {
        cardLeft();
        Thread w;
        synchronized (this) {
            w = watcher;
        }
        if (w != null) w.interrupt();
    }
}
