package ktp.sim.printer;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import ktp.printer.PrinterError;
import ktp.printer.PrinterProfile;
import ktp.printer.evolis.EvolisCodec;
import ktp.printer.evolis.EvolisStreamDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An Evolis-dialect card printer as a technician's tool: it reads the host's byte stream, answers every
 * command as a printer in host-managed error mode does, decodes each downloaded panel back into an image and
 * composes the printed card as a PNG, counts ribbon and feeder cards, takes the profile's timings (scaled by
 * {@code speed}), and injects faults: from its options, or on command through the simulator-only
 * {@code ESC Zsim;...} commands (docs/printer-protocol.md). Transport-free: feed it bytes, send what it returns.
 */
public final class SimulatedPrinter {
    private static final Logger LOG = LoggerFactory.getLogger(SimulatedPrinter.class);

    private final PrinterProfile profile;
    private final double speed;
    private final Path out;
    private final EvolisStreamDecoder decoder;
    private final String serial;
    private final Random random = new Random(1);

    private int ribbon;
    private int feeder;
    private long printed;
    private long rejected;
    private boolean coverOpen;
    private boolean hopperFull;
    private int jamAtCard = -1;
    private int ribbonOutAfter = -1;
    private boolean jammed;
    private int garbageReplies;
    private int silentReplies;
    private int headHotReplies;

    /** The chip encoder under the printer's contact station: told when a card is parked there and when it leaves. */
    public interface ContactStation {
        void cardArrived();

        void cardLeft();
    }

    private volatile ContactStation contacts;
    private boolean atContacts;

    // The card inside, if any.
    private boolean cardInside;
    private boolean front = true;
    private final Map<String, BufferedImage> frontPanels = new LinkedHashMap<>();
    private final Map<String, BufferedImage> backPanels = new LinkedHashMap<>();
    private long panelsDoneAt;
    private long lastEjectAt = -1;
    private final List<Long> idleGapsMillis = new ArrayList<>();
    private final List<Long> ejectedAtNanos = new ArrayList<>();
    private final List<Map<String, BufferedImage>> printedFronts = new ArrayList<>();
    private final List<Map<String, BufferedImage>> printedBacks = new ArrayList<>();

    public SimulatedPrinter(PrinterProfile profile, double speed, Path out) {
        this.profile = profile;
        this.speed = speed;
        this.out = out;
        this.decoder = new EvolisStreamDecoder(profile.raster().width(), profile.raster().height());
        // Every simulated printer is another machine: its own serial number, so blank ids never collide.
        this.serial = "SIM" + String.format("%06d", new java.security.SecureRandom().nextInt(1_000_000));
        this.ribbon = profile.simulator().ribbonCards();
        this.feeder = profile.simulator().feederCards();
    }

    public synchronized void setRibbon(int cards) { ribbon = cards; }

    public synchronized void setFeeder(int cards) { feeder = cards; }

    /** Blank cards left in the feeder (what an operator would count at the end of the day). */
    public synchronized int feeder() { return feeder; }

    /** The card numbered {@code n} (1-based, counting every card taken) jams. */
    public synchronized void jamAtCard(int n) { jamAtCard = n; }

    public synchronized void ribbonOutAfter(int cards) { ribbonOutAfter = cards; }

    public synchronized void setCoverOpen(boolean open) { coverOpen = open; }

    public synchronized boolean coverOpen() { return coverOpen; }

    public synchronized boolean hopperFull() { return hopperFull; }

    public synchronized void clearJam() { jammed = false; }

    public synchronized void setHopperFull(boolean full) { hopperFull = full; }

    public synchronized void garbageNext(int replies) { garbageReplies = replies; }

    public synchronized void silenceNext(int replies) { silentReplies = replies; }

    public synchronized void headHotNext(int replies) { headHotReplies = replies; }

    /** A technician's line from the simulator's console (the same words as the Zsim commands): "ribbon 50", "jam", "cover open"... */
    public String console(String line) { return control(String.join(";", line.trim().split("\\s+"))); }

    public synchronized long printed() { return printed; }

    /** The serial number it answers {@code Rsn} with. */
    public String serial() { return serial; }

    public synchronized long rejected() { return rejected; }

    public synchronized int ribbon() { return ribbon; }

    public synchronized List<Long> idleGapsMillis() { return List.copyOf(idleGapsMillis); }

    /** When each printed card came out ({@link System#nanoTime()}): the benchmark's clock of the whole pipeline. */
    public synchronized List<Long> ejectedAtNanos() { return List.copyOf(ejectedAtNanos); }

    /** The panels of each printed card, decoded from the wire. */
    public synchronized List<Map<String, BufferedImage>> printedFronts() { return List.copyOf(printedFronts); }

    public synchronized List<Map<String, BufferedImage>> printedBacks() { return List.copyOf(printedBacks); }

    /** Bytes in; replies out (one per complete command, unless a fault silences it). */
    public List<byte[]> receive(byte[] chunk, int len) {
        List<EvolisStreamDecoder.Frame> frames;
        synchronized (this) {
            frames = decoder.feed(chunk, 0, len);
        }
        List<byte[]> replies = new ArrayList<>();
        for (EvolisStreamDecoder.Frame f : frames) {
            String reply = handle(f);
            synchronized (this) {
                if (silentReplies > 0) {
                    silentReplies--;
                    LOG.info("simulated fault: no reply to {}", describe(f));
                    continue;
                }
                if (garbageReplies > 0) {
                    garbageReplies--;
                    byte[] junk = new byte[7];
                    random.nextBytes(junk);
                    junk[6] = EvolisCodec.CR;
                    for (int i = 0; i < 6; i++) if (junk[i] == EvolisCodec.CR || junk[i] == 0) junk[i] = (byte) 0x81;
                    replies.add(junk);
                    continue;
                }
            }
            replies.add((reply + "\r").getBytes(StandardCharsets.ISO_8859_1));
        }
        return replies;
    }

    private static String describe(EvolisStreamDecoder.Frame f) {
        return f instanceof EvolisStreamDecoder.Command c ? c.text() : "panel download";
    }

    private String handle(EvolisStreamDecoder.Frame f) {
        if (f instanceof EvolisStreamDecoder.Download d) return download(d);
        String cmd = ((EvolisStreamDecoder.Command) f).text();
        if (cmd.startsWith("Zsim;")) return control(cmd.substring(5));
        synchronized (this) {
            if (coverOpen) return reply(PrinterError.COVER_OPEN);
            if (jammed && !cmd.equals("Srs")) return reply(PrinterError.JAM);
        }
        String[] p = cmd.split(";", -1);
        switch (p[0]) {
            case "Rtp": return profile.model();
            case "Rfv": return profile.firmwareMin();
            case "Rsn": return serial;
            case "Rco":
                synchronized (this) {
                    if (p.length > 1 && p[1].equals("I")) return Integer.toString(ribbon);
                    if (p.length > 1 && p[1].equals("p")) return Long.toString(printed);
                    return "ERR PARAMETRES";
                }
            case "Rse": synchronized (this) { return feeder > 0 ? "5,00 Volts" : "0,00 Volts"; }
            case "Rlr": synchronized (this) { return hopperFull ? "CARD" : "NO CARD"; }
            case "Pem", "Pr", "Psm", "Pps": return "OK";
            case "Sis", "Ss": return takeCard(p[0]);
            case "Sr": synchronized (this) { front = true; return cardInside ? "OK" : "ERR NO CARD"; }
            case "Sv": synchronized (this) { front = false; return cardInside ? "OK" : "ERR NO CARD"; }
            case "Se": return eject();
            case "Ser", "Seb": return rejectCard();
            case "Srs": synchronized (this) { jammed = false; cardInside = false; return "OK"; }
            default: return "ERR CMD";
        }
    }

    private synchronized String reply(PrinterError e) {
        for (var r : profile.replies().entrySet()) if (r.getValue() == e) return r.getKey();
        return "ERR";
    }

    /** Whether a card is inside the printer now (at the chip station or being printed). */
    public synchronized boolean cardInside() { return cardInside; }

    /** Jammed until a technician clears it (the console's "clear", or a printer reset). */
    public synchronized boolean jammed() { return jammed; }

    /** Couples a chip encoder (a reader's card slot) to the contact station. */
    public void attachContactStation(ContactStation c) { contacts = c; }

    private void leaveContacts() {
        boolean was;
        synchronized (this) {
            was = atContacts;
            atContacts = false;
        }
        ContactStation c = contacts;
        if (was && c != null) c.cardLeft();
    }

    private String takeCard(String how) {
        String r = takeCardLocked(how);
        ContactStation c = contacts;
        if (r.equals("OK") && how.equals("Sis") && c != null) {
            // A card already parked at the contacts (the host sent Sis again, having lost the first reply) is the same
            // blank with the same chip: only a card newly taken from the feeder arrives at the encoder.
            boolean already;
            synchronized (this) {
                already = atContacts;
                atContacts = true;
            }
            if (!already) c.cardArrived();
        } else if (r.equals("OK") && how.equals("Ss")) {
            leaveContacts();
        }
        return r;
    }

    private String takeCardLocked(String how) {
        synchronized (this) {
            if (cardInside) {
                // Ss after Sis: the parked card goes on to printing.
                return "OK";
            }
            if (hopperFull) return reply(PrinterError.REJECT_BOX_FULL);
            if (feeder <= 0) return reply(PrinterError.FEEDER_EMPTY);
            feeder--;
            cardInside = true;
            front = true;
            frontPanels.clear();
            backPanels.clear();
            long now = System.currentTimeMillis();
            if (lastEjectAt >= 0) idleGapsMillis.add(now - lastEjectAt);
            panelsDoneAt = now + (long) (profile.simulator().secondsPerCard() * 1000 / 2 / speed);
        }
        return "OK";
    }

    private String download(EvolisStreamDecoder.Download d) {
        BufferedImage img;
        int w = profile.raster().width();
        int h = profile.raster().height();
        try {
            byte[] packed = d.data();
            if (d.compressed()) {
                packed = d.bits() == 1 ? EvolisCodec.decompressLines(packed, h / 8, w) : EvolisCodec.decompressRuns(packed, EvolisCodec.packedLength(h, w, d.bits()));
            }
            img = EvolisCodec.unpack(packed, d.bits(), w, h);
        } catch (IllegalArgumentException e) {
            return "ERR PARAMETRES " + e.getMessage();
        }
        long sleepUntil;
        synchronized (this) {
            if (!cardInside) return "ERR NO CARD";
            if (headHotReplies > 0) {
                headHotReplies--;
                return reply(PrinterError.HEAD_TEMPERATURE);
            }
            if (ribbon <= 0 || (ribbonOutAfter >= 0 && printed >= ribbonOutAfter)) {
                ribbon = 0;
                return reply(PrinterError.RIBBON_OUT);
            }
            (front ? frontPanels : backPanels).put(String.valueOf(Character.toUpperCase(d.panel())), img);
            // The printer prints a panel while the next one downloads: a download waits only for the panel before.
            long now = System.currentTimeMillis();
            sleepUntil = panelsDoneAt;
            panelsDoneAt = Math.max(now, panelsDoneAt) + (long) (profile.simulator().secondsPerPanel() * 1000 / speed);
        }
        sleep(sleepUntil);
        return "OK";
    }

    private String eject() {
        leaveContacts();
        long until;
        int cardNumber;
        synchronized (this) {
            if (!cardInside) return "ERR NO CARD";
            until = panelsDoneAt + (long) (profile.simulator().secondsPerCard() * 1000 / 2 / speed);
            cardNumber = (int) (printed + rejected + 1);
        }
        sleep(until);
        synchronized (this) {
            if (cardNumber == jamAtCard) {
                jammed = true;
                cardInside = false;
                rejected++;
                lastEjectAt = System.currentTimeMillis();
                return reply(PrinterError.JAM);
            }
            cardInside = false;
            printed++;
            ejectedAtNanos.add(System.nanoTime());
            ribbon = Math.max(0, ribbon - 1);
            lastEjectAt = System.currentTimeMillis();
            printedFronts.add(Map.copyOf(frontPanels));
            printedBacks.add(Map.copyOf(backPanels));
            if (out != null) writeCard(printed);
        }
        // The card is out and counted; the host has not had the reply yet (the eject window a test kills in).
        java.util.function.LongConsumer hook = afterEject;
        if (hook != null) hook.accept(printed());
        return "OK";
    }

    private volatile java.util.function.LongConsumer afterEject;

    /**
     * Runs {@code hook} (given the printed count) each time a printed card has come out, before the eject's reply is
     * sent: a test kills the station there, after the printer counted the card and before the station heard of it.
     */
    public void afterEject(java.util.function.LongConsumer hook) { afterEject = hook; }

    private String rejectCard() {
        leaveContacts();
        return rejectCardLocked();
    }

    private synchronized String rejectCardLocked() {
        if (!cardInside) return "OK";
        cardInside = false;
        rejected++;
        lastEjectAt = System.currentTimeMillis();
        return "OK";
    }

    private String control(String cmd) {
        String[] p = cmd.split(";", -1);
        synchronized (this) {
            try {
                switch (p[0]) {
                    case "ribbon" -> { ribbon = Integer.parseInt(p[1]); ribbonOutAfter = -1; }
                    case "feeder" -> feeder = Integer.parseInt(p[1]);
                    case "jam" -> jamAtCard = (int) (printed + rejected + 1);
                    case "clear" -> jammed = false;
                    case "cover" -> coverOpen = p[1].equals("open");
                    case "hopper" -> hopperFull = p[1].equals("full");
                    case "garbage" -> garbageReplies = p.length > 1 ? Integer.parseInt(p[1]) : 1;
                    case "silence" -> silentReplies = p.length > 1 ? Integer.parseInt(p[1]) : 1;
                    case "heat" -> headHotReplies = p.length > 1 ? Integer.parseInt(p[1]) : 1;
                    default -> { return "ERR CMD"; }
                }
            } catch (RuntimeException e) {
                return "ERR PARAMETRES";
            }
        }
        LOG.info("simulator: {}", cmd);
        return "OK";
    }

    private void sleep(long untilMillis) {
        long ms = untilMillis - System.currentTimeMillis();
        if (ms <= 0) return;
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static byte[] png(java.awt.image.BufferedImage img) throws IOException {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        ImageIO.write(img, "png", b);
        return b.toByteArray();
    }

    /** The printed card as it comes out: colour panels, then black resin over them. */
    private void writeCard(long n) {
        try {
            // the holder's photo and data: owner only (0600 in 0700)
            ktp.datafile.PrivateFiles.write(out.resolve(String.format("card-%04d-front.png", n)), png(compose(frontPanels)));
            if (!backPanels.isEmpty()) ktp.datafile.PrivateFiles.write(out.resolve(String.format("card-%04d-back.png", n)), png(compose(backPanels)));
        } catch (IOException e) {
            LOG.warn("cannot write the printed card: {}", e.getMessage());
        }
    }

    public static BufferedImage compose(Map<String, BufferedImage> panels) {
        BufferedImage any = panels.values().iterator().next();
        int w = any.getWidth();
        int h = any.getHeight();
        BufferedImage card = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int c = ink(panels.get("C"), x, y);
                int m = ink(panels.get("M"), x, y);
                int yy = ink(panels.get("Y"), x, y);
                int r = 255 - c;
                int g = 255 - m;
                int b = 255 - yy;
                if (ink(panels.get("K"), x, y) > 127) r = g = b = 0;
                card.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return card;
    }

    private static int ink(BufferedImage panel, int x, int y) {
        if (panel == null) return 0;
        return 255 - (panel.getRGB(x, y) & 0xff);
    }
}
