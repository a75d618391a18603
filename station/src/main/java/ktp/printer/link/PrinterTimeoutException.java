package ktp.printer.link;

import java.io.IOException;
import ktp.printer.evolis.EvolisCodec;

/** No complete reply in time; carries what did arrive, so the log can show it in hex. */
public final class PrinterTimeoutException extends IOException {
    private final byte[] received;

    public PrinterTimeoutException(String link, long millis, byte[] received) {
        super(link + ": no complete reply within " + millis + " ms" + (received.length == 0 ? " (nothing received)" : "; received " + EvolisCodec.hex(received, 64)));
        this.received = received.clone();
    }

    public byte[] received() { return received.clone(); }
}
