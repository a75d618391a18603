package ktp.printer;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import ktp.printer.evolis.EvolisCodec;
import ktp.printer.link.PrinterLink;
import ktp.printer.link.PrinterTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives one Evolis-dialect printer over a link: status, and a card from insertion to eject with the chip
 * encoded first. Runs the printer in host-managed error mode ({@code Pem;2}): every command is answered, and an
 * error reply stops the card where it is, for the station to decide. Not thread-safe: one card at a time.
 */
public final class PrinterDriver implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PrinterDriver.class);

    /** Where a card got to. */
    public sealed interface Outcome permits Printed, Spoiled, NotStarted {}

    public record Printed(String blankId) implements Outcome {}

    /** The card entered the printer and was sent to the reject box (or must be taken out by hand, for a jam). */
    public record Spoiled(String blankId, PrinterError error, String reason) implements Outcome {}

    /** No card entered the printer (feeder empty, printer away...): nothing is spoiled, the job waits. */
    public record NotStarted(PrinterError error, String reason) implements Outcome {}

    /** The station's side of a card's journey, told as it happens (the store's transitions). */
    public interface CardEvents {
        void inPrinter(String blankId);

        void encoded();

        void printing();
    }

    /**
     * Ids for blanks whose chip names none (a chipless card, a chip that never answered). The station hands in one
     * backed by its store, so that an id is never given twice; the stand-alone tools use the printer's counter.
     */
    @FunctionalInterface
    public interface BlankIds {
        String next(String printerSerial);
    }

    private final PrinterProfile profile;
    private final LinkFactory links;
    private final BlankIds blankIds;
    private PrinterLink link;
    private String serial = "";
    private long counter = -1;
    private volatile java.time.Instant lastReply;

    /** How to (re)open the link: a printer unplugged and plugged back is reopened. */
    @FunctionalInterface
    public interface LinkFactory {
        PrinterLink open() throws IOException;
    }

    /** A driver whose chipless blanks are numbered by the printer's own counter: for the stand-alone tools only. */
    public PrinterDriver(PrinterProfile profile, LinkFactory links) {
        this(profile, links, null);
    }

    public PrinterDriver(PrinterProfile profile, LinkFactory links, BlankIds blankIds) {
        this.profile = profile;
        this.links = links;
        this.blankIds = blankIds;
    }

    public PrinterProfile profile() { return profile; }

    /** When the printer last answered anything at all (null: not yet): health tells a silent printer by it. */
    public java.time.Instant lastReply() { return lastReply; }

    private PrinterLink link() throws PrinterException {
        if (link == null) {
            try {
                link = links.open();
            } catch (IOException | RuntimeException e) {
                throw new PrinterException(PrinterError.NO_ANSWER, e.getMessage(), e);
            }
        }
        return link;
    }

    private void dropLink() {
        if (link == null) return;
        try {
            link.close();
        } catch (IOException e) {
            LOG.debug("closing {}: {}", link.describe(), e.getMessage());
        }
        link = null;
    }

    /** Sends one frame and returns the reply text; an error reply or silence is a PrinterException. */
    public String send(byte[] frame, String what) throws PrinterException { return send(frame, what, profile.link().replyTimeoutMs()); }

    /** As {@link #send(byte[], String)}, waiting up to {@code timeoutMs} (plus the frame's time on the line) for the reply. */
    private String send(byte[] frame, String what, int timeoutMs) throws PrinterException {
        PrinterLink l = link();
        try {
            l.send(frame);
            if (!l.answers()) return "OK";
            // A whole panel must cross the line before the printer can answer: allow for it at the line's speed.
            long wire = l.baud() > 0 ? frame.length * 10L * 1000 / l.baud() : 0;
            byte[] reply = l.receive(Duration.ofMillis(timeoutMs + wire));
            lastReply = java.time.Instant.now();
            String text = EvolisCodec.replyText(reply);
            if (!isPrintable(text)) {
                dropLink();
                throw new PrinterException(PrinterError.NO_ANSWER, what + ": garbage reply " + EvolisCodec.hex(reply, 64), null);
            }
            var error = profile.errorFor(text);
            if (error.isPresent()) throw new PrinterException(error.get(), what + " answered '" + text + "'", null);
            return text;
        } catch (PrinterTimeoutException e) {
            LOG.warn(ktp.i18n.StationLog.line("printer.noReply", l.describe(), what, e.getMessage()));
            dropLink();
            throw new PrinterException(PrinterError.NO_ANSWER, what + ": " + e.getMessage(), e);
        } catch (IOException e) {
            dropLink();
            throw new PrinterException(PrinterError.NO_ANSWER, what + ": " + e.getMessage(), e);
        }
    }

    public String ask(String command) throws PrinterException { return send(EvolisCodec.command(command), command); }

    private static boolean isPrintable(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7E) return false;
        }
        return true;
    }

    public PrinterStatus status() throws PrinterException {
        String model = ask("Rtp");
        String fw = ask("Rfv");
        serial = ask("Rsn");
        int ribbon = parseInt(ask("Rco;I"), "Rco;I");
        boolean feeder = !ask("Rse;f").startsWith("0,00");
        boolean hopperFull = ask("Rlr;h").equals("CARD");
        long printed = parseInt(ask("Rco;p"), "Rco;p");
        // The printer's counter does not count rejected cards: never let it take this driver's numbering backwards.
        counter = Math.max(counter, printed);
        return new PrinterStatus(model, fw, serial, ribbon, feeder, hopperFull, printed);
    }

    private static int parseInt(String s, String what) throws PrinterException {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            throw new PrinterException(PrinterError.REFUSED, what + " answered '" + s + "', not a number", e);
        }
    }

    /**
     * One card: into the printer (to the chip station when the profile has an encoder, and the chip encoded
     * there), then every panel of each side, then out. An error after the card went in sends it to the
     * reject box and reports it spoiled; an error before leaves nothing to account for.
     */
    public Outcome print(PrintJob job, ChipStation chip, CardEvents events) {
        String blank = null;
        try {
            if (counter < 0) {
                if (link().answers()) status();
                else {
                    // A recording link has no printer to ask: number its blanks by the time the recording began.
                    serial = "FILE";
                    counter = System.currentTimeMillis() % 10_000_000;
                }
            }
            ask("Pem;2");
            ask("Pr;" + profile.ribbon());
            boolean encoder = !profile.encoderStation().equals("none") && chip != null;
            if (encoder) {
                // The encoder must be there, empty, before a blank leaves the feeder: a missing reader spends no card.
                var notReady = chip.notReady();
                if (notReady.isPresent()) return new NotStarted(PrinterError.ENCODER_NOT_READY, notReady.get());
            }
            // The printer's own count of printed cards as it takes this blank: after a restart, the station compares it
            // with the count then to know whether the card came out printed while nobody was listening.
            printedAtFeed = link().answers() ? printedCount() : -1;
            try {
                ask(encoder ? "Sis" : "Ss");
            } catch (PrinterException e) {
                return new NotStarted(e.error(), e.getMessage());
            }
            counter++;
            if (encoder) {
                // Into the ledger as soon as the chip has told its UID, before the chip is written (seconds through
                // PC/SC): a station killed while writing still accounts for this blank.
                String[] identified = new String[1];
                try {
                    blank = chip.encode(job.recordId(), uid -> {
                        identified[0] = uid;
                        events.inPrinter(uid);
                    });
                } catch (ChipStation.ChipFailure f) {
                    blank = identified[0] != null ? identified[0] : f.uid() == null || f.uid().isEmpty() ? blankFromCounter() : f.uid();
                    if (identified[0] == null) events.inPrinter(blank);
                    reject();
                    return new Spoiled(blank, null, "chip: " + f.getMessage());
                }
                if (identified[0] == null) events.inPrinter(blank);
                events.encoded();
                ask("Ss");
            } else {
                blank = blankFromCounter();
                events.inPrinter(blank);
                events.encoded();
            }
            events.printing();
            ask("Sr");
            sendAll(job.front(), "front");
            if (!job.back().isEmpty()) {
                ask("Sv");
                sendAll(job.back(), "back");
            }
            // The eject is answered when the card is out: after every panel has printed.
            send(EvolisCodec.command("Se"), "Se", profile.link().jobTimeoutMs());
            return new Printed(blank);
        } catch (PrinterException e) {
            if (blank == null) return new NotStarted(e.error(), e.getMessage());
            if (e.error() != PrinterError.NO_ANSWER && e.error() != PrinterError.JAM) reject();
            return new Spoiled(blank, e.error(), e.getMessage());
        }
    }

    /** The printer's count of cards it printed and ejected, ever ({@code Rco;p}). */
    public long printedCount() throws PrinterException {
        long printed = parseInt(ask("Rco;p"), "Rco;p");
        counter = Math.max(counter, printed);
        return printed;
    }

    /** The printed-cards count read just before the current (or last) card was taken; -1 when the link cannot tell. */
    public long printedAtFeed() { return printedAtFeed; }

    /** The printer's serial number as it last answered (empty: not asked yet). */
    public String serial() { return serial; }

    private long printedAtFeed = -1;

    private String blankFromCounter() {
        String printer = serial.isEmpty() ? "UNKNOWN" : serial;
        if (blankIds != null) return blankIds.next(printer);
        return "PRN-" + printer + "-" + String.format("%07d", counter);
    }

    private void sendAll(List<byte[]> frames, String side) throws PrinterException {
        int i = 0;
        for (byte[] f : frames) {
            String what = "panel " + (++i) + " of the " + side;
            // A hot head is not the card's fault: wait for it to cool and send the panel again (up to a minute).
            for (int attempt = 1; ; attempt++) {
                try {
                    // A download is answered once the printer can take it, which may wait for the panel before to print.
                    send(f, what, profile.link().jobTimeoutMs());
                    break;
                } catch (PrinterException e) {
                    if (e.error() != PrinterError.HEAD_TEMPERATURE || attempt >= HEAD_COOLING_TRIES) throw e;
                    LOG.info(ktp.i18n.StationLog.line("printer.cooling", attempt, e.getMessage()));
                    pause(HEAD_COOLING_WAIT);
                }
            }
        }
    }

    private static final int HEAD_COOLING_TRIES = 120;
    private static final Duration HEAD_COOLING_WAIT = Duration.ofMillis(500);

    private static void pause(Duration d) throws PrinterException {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PrinterException(PrinterError.NO_ANSWER, "interrupted", e);
        }
    }

    /** Ejects the card inside to the reject box; a failure here is logged (the operator removes the card). */
    /**
     * After the station restarts, a card may still be inside the printer from the run that stopped (parked at
     * the chip station or half printed): it is sent to the reject box so the next job starts with a fresh blank.
     * Returns false when the printer did not answer the eject (silent, unplugged, jammed): the path is not known
     * clear, and no blank may be taken until it is.
     */
    public boolean clearCardPath() {
        try {
            if (counter < 0 && link().answers()) status();
        } catch (PrinterException e) {
            LOG.warn(ktp.i18n.StationLog.line("printer.statusBeforeClear", e.getMessage()));
        }
        return reject();
    }

    /** Returns whether the printer answered the eject: a card it kept would otherwise be taken for the next one. */
    private boolean reject() {
        try {
            ask("Ser");
            return true;
        } catch (PrinterException e) {
            LOG.warn(ktp.i18n.StationLog.line("printer.rejectFailed", e.getMessage()));
            return false;
        }
    }

    /**
     * Waits until the condition behind {@code error} is gone (the operator loaded cards, replaced the ribbon,
     * closed the cover, cleared the jam; the head cooled; the printer came back), polling every {@code every}.
     * Returns false if {@code stop} says to give up first.
     */
    public boolean awaitCleared(PrinterError error, Duration every, BooleanSupplier stop) {
        while (!stop.getAsBoolean()) {
            try {
                boolean clear = switch (error) {
                    case FEEDER_EMPTY -> !ask("Rse;f").startsWith("0,00");
                    case RIBBON_OUT -> parseInt(ask("Rco;I"), "Rco;I") > 0;
                    case REJECT_BOX_FULL -> !ask("Rlr;h").equals("CARD");
                    default -> {
                        ask("Rfv");
                        yield true;
                    }
                };
                if (clear) return true;
            } catch (PrinterException e) {
                LOG.debug("printer not ready yet: {}", e.getMessage());
            }
            try {
                Thread.sleep(every.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    @Override
    public void close() { dropLink(); }
}
