package ktp.sim.card;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;
import ktp.sim.printer.SimulatedPrinter;

/**
 * The simulated printer's blank cards, each with a virtual chip: when the printer parks a card at its contact
 * station the next blank enters the reader's slot, and it leaves when the card moves on or is rejected.
 * Every blank handed out is kept, so a test can look at a spoiled card's chip afterwards.
 */
public final class BlankStock implements SimulatedPrinter.ContactStation {
    private final CardSlot slot;
    private final LongFunction<VirtualCard> maker;
    private final List<VirtualCard> issued = new ArrayList<>();

    public BlankStock(CardSlot slot, LongFunction<VirtualCard> maker) {
        this.slot = slot;
        this.maker = maker;
    }

    @Override
    public void cardArrived() {
        VirtualCard c;
        synchronized (this) {
            c = maker.apply(issued.size() + 1);
            issued.add(c);
        }
        slot.insert(c);
    }

    @Override
    public void cardLeft() { slot.remove(); }

    public synchronized List<VirtualCard> issued() { return List.copyOf(issued); }
}
