package ktp.station;

import ktp.card.ChipPayload;
import ktp.printer.PrintJob;

/**
 * Everything a lane needs to make one card, built once by {@link CardPreparation} and handed down: the printer's
 * downloads and the chip's contents. {@code chip} is null for a station configured to print chipless cards.
 */
public record PreparedCard(String recordId, PrintJob job, ChipPayload chip) {
    public boolean chipless() { return chip == null; }
}
