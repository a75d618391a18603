package ktp.sim.card;

import java.util.Optional;

/**
 * The contact station of a simulated reader: holds one virtual card or none. Inserting and removing cards here
 * is what a station's reader sees as card insertion and removal (the printer parks each blank here in turn).
 */
public final class CardSlot {
    private VirtualCard card;

    public static CardSlot holding(VirtualCard card) {
        CardSlot s = new CardSlot();
        s.insert(card);
        return s;
    }

    public synchronized void insert(VirtualCard c) {
        if (card != null && card != c) card.remove();
        card = c;
        c.insert();
        notifyAll();
    }

    /** The card leaves the reader; a connection to it fails from now on, as with a real card pulled out. */
    public synchronized void remove() {
        if (card != null) card.remove();
        card = null;
        notifyAll();
    }

    public synchronized Optional<VirtualCard> card() { return Optional.ofNullable(card).filter(VirtualCard::isPresent); }

    public synchronized boolean awaitPresent(long timeoutMs) throws InterruptedException {
        long end = System.currentTimeMillis() + timeoutMs;
        while (card().isEmpty()) {
            long left = end - System.currentTimeMillis();
            if (timeoutMs != 0 && left <= 0) return false;
            wait(timeoutMs == 0 ? 0 : left);
        }
        return true;
    }

    public synchronized boolean awaitAbsent(long timeoutMs) throws InterruptedException {
        long end = System.currentTimeMillis() + timeoutMs;
        while (card().isPresent()) {
            long left = end - System.currentTimeMillis();
            if (timeoutMs != 0 && left <= 0) return false;
            wait(timeoutMs == 0 ? 0 : left);
        }
        return true;
    }
}
