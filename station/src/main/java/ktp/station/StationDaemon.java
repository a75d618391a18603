package ktp.station;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.smartcardio.TerminalFactory;
import ktp.card.CardKeys;
import ktp.card.ChipEncoder;
import ktp.card.ChipPayload;
import ktp.central.CentralClient;
import ktp.central.CentralLink;
import ktp.central.Tls;
import ktp.job.JobState;
import ktp.printer.PrintJob;
import ktp.printer.PrinterDriver;
import ktp.printer.PrinterProfile;
import ktp.printer.PrinterStatus;
import ktp.printer.link.PrinterLink;
import ktp.record.CardSeal;
import ktp.record.RecordRejectedException;
import ktp.record.RecordValidator;
import ktp.record.TrustedKeys;
import ktp.record.ValidatedRecord;
import ktp.render.CardRenderer;
import ktp.render.CardTemplate;
import ktp.render.RenderException;
import ktp.store.Actor;
import ktp.store.Job;
import ktp.store.StationStore;
import ktp.telemetry.DeviceHealth;
import ktp.telemetry.OutboxPublisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The print station as one process (docs/station-daemon.md): the data center link keeps validated records
 * leased and queued; each printer has a lane that takes the oldest queued record, has its chip encoded at the
 * printer's contact station and its card printed, while the next record is already rendered and packed; the
 * outbox publisher reports every job change to the central office and carries out its commands. On start the
 * store is recovered (every job resumes by its state); on stop the card in progress finishes, unstarted
 * records are handed back and the outbox is flushed as far as the broker allows.
 */
public final class StationDaemon implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StationDaemon.class);

    private final StationConfig config;
    private final CardRenderer renderer;
    private final TerminalFactory readers;
    private final Clock clock;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final Set<String> claimed = ConcurrentHashMap.newKeySet();
    private final Map<String, ChipPayload> payloads = new ConcurrentHashMap<>();
    private StationStore store;
    private RecordValidator validator;
    private TrustedKeys trust;
    private CardKeys keys;
    private CentralLink link;
    private OutboxPublisher publisher;
    private OfficeCommands office;
    private volatile PrinterStatus lastPrinterStatus;
    private volatile String lastPrinterState = "UNKNOWN";
    /** One counter reader and one scanner: two console requests at once take turns rather than share the card. */
    private final Object counterInUse = new Object();
    private volatile ktp.printer.PrinterError lastAlert;
    private volatile String lastAlertMessage = "";
    private Thread[] lanes;

    public StationDaemon(StationConfig config, CardRenderer renderer, TerminalFactory readers, Clock clock) {
        this.config = config;
        this.renderer = renderer;
        this.readers = readers;
        this.clock = clock;
    }

    public StationStore store() { return store; }

    public OutboxPublisher publisher() { return publisher; }

    public CentralLink link() { return link; }

    /** Opens the store (recovering every job), then starts the link, the publisher and one lane per printer. */
    public StationDaemon start() throws IOException {
        store = StationStore.open(config.store(), config.stationId(), clock);
        var resumed = store.recover(Actor.STATION);
        LOG.info("station {}: store {} recovered; {} job(s) resumed", config.stationId(), config.store(), resumed.size());
        trust = TrustedKeys.loadDirectory(config.trustedKeys());
        validator = new RecordValidator(trust, clock, renderer.fitCheck());
        RecordIntake intake = new RecordIntake(validator, store, Actor.STATION);
        // Jobs stored but not validated when the station stopped (resume action REVALIDATE).
        for (Job j : store.jobsIn(JobState.LEASED, Integer.MAX_VALUE)) {
            if (j.state() == JobState.LEASED) LOG.info("record {} validated again after the restart: {}", j.recordId(), intake.revalidate(j.recordId()).kind());
        }
        link = new CentralLink(new CentralClient(centralConfig()), store, intake, CentralLink.Settings.defaults().withReportEvents(false), clock, new Random());
        office = new OfficeCommands(store);
        publisher = new OutboxPublisher(store, config.telemetry().broker(), new Devices(), office,
                Duration.ofSeconds(config.telemetry().healthEverySeconds()), clock).start();
        link.start();
        keys = config.encoder().masterKey() == null ? CardKeys.globalPlatformTestKeys() : CardKeys.masterFile(config.encoder().profile(), config.encoder().masterKey());
        if (config.encoder().masterKey() == null) LOG.warn("encoder: no master_key configured; using the GlobalPlatform TEST keys (test cards only)");
        lanes = new Thread[config.printers().size()];
        for (int i = 0; i < lanes.length; i++) {
            StationConfig.Printer p = config.printers().get(i);
            // Each printer's chip station is its own PC/SC reader; one pattern serves a station with one printer.
            String reader = p.reader() != null ? p.reader() : config.encoder().readerPattern();
            ChipEncoder encoder = new ChipEncoder(readers, reader, config.encoder().profile(), keys,
                    Duration.ofSeconds(config.encoder().insertWaitSeconds()), id -> Optional.ofNullable(payloads.get(id)));
            Lane lane = new Lane(p, encoder);
            lanes[i] = new Thread(lane::run, "lane-" + p.name());
            lanes[i].start();
        }
        LOG.info("station {} running: {} printer(s), data center {}, broker {}", config.stationId(), lanes.length, config.central().url(), config.telemetry().broker().url());
        return this;
    }

    private CentralClient.Config centralConfig() throws IOException {
        StationConfig.Central c = config.central();
        Optional<String> token = c.tokenFile() == null ? Optional.empty() : Optional.of(java.nio.file.Files.readString(c.tokenFile()).strip());
        javax.net.ssl.SSLContext tls = c.ca() == null ? null : Tls.context(c.ca(), c.certificate(), c.key());
        return CentralClient.Config.of(c.url(), config.stationId(), tls, token, c.plainHttp());
    }

    /** A record ready for its lane: the chip's contents and the printer's downloads. */
    private record Prepared(String recordId, PrintJob job, ChipPayload chip) {}

    private final class Lane {
        private final StationConfig.Printer printer;
        private final ChipEncoder encoder;
        private final ExecutorService prep;

        Lane(StationConfig.Printer printer, ChipEncoder encoder) {
            this.printer = printer;
            this.encoder = encoder;
            this.prep = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "prepare-" + printer.name());
                t.setDaemon(true);
                return t;
            });
        }

        void run() {
            PrinterProfile profile = printer.profile();
            try (PrinterDriver driver = new PrinterDriver(profile, () -> PrinterLink.open(printer.uri(), profile.link()))) {
                PrintRunner runner = new PrintRunner(store, driver, encoder, Actor.STATION, Duration.ofSeconds(1), (error, message) -> {
                    lastPrinterState = error.name();
                    lastAlert = error;
                    lastAlertMessage = printer.name() + ": " + message;
                    LOG.warn("printer {}: {} ({})", printer.name(), message, error);
                });
                clearCardPath(driver);
                Future<Prepared> next = null;
                while (!stopping.get()) {
                    Prepared current = null;
                    if (next != null) {
                        current = take(next);
                        next = null;
                    }
                    if (current == null) current = prepare(nextRecord(null));
                    if (current == null) {
                        pause(200);
                        continue;
                    }
                    // The next card is rendered and packed while this one is encoded and printed.
                    String after = nextRecord(current.recordId());
                    if (after != null) next = prep.submit(() -> prepare(after));
                    if (office.paused() || !link.mayStart(current.recordId())) {
                        release(current);
                        if (next != null) release(take(next));
                        next = null;
                        pause(500);
                        continue;
                    }
                    payloads.put(current.recordId(), current.chip());
                    boolean giveUp = false;
                    try {
                        PrintRunner.Result r = runner.print(current.job(), stopping::get);
                        lastPrinterState = r.state() == JobState.AWAITING_HOLDER ? "READY" : lastPrinterState;
                        if (r.state() == JobState.AWAITING_HOLDER) lastAlert = null; // the printer worked again: the alert was dealt with
                        LOG.info("printer {}: record {} -> {}{}", printer.name(), current.recordId(), r.state(), r.blankId().isEmpty() ? "" : " on blank " + r.blankId());
                        // Too many blanks spoiled for one record: it stays claimed (out of the queue) until a technician
                        // has looked and the station is restarted, rather than spoil blank after blank.
                        giveUp = r.spoiled() >= PrintRunner.MAX_SPOILED_PER_JOB && r.state() == JobState.VALIDATED;
                        if (giveUp) store.audit(Actor.STATION, "HELD_FOR_TECHNICIAN", "record " + current.recordId() + ": " + r.operatorMessage());
                    } finally {
                        payloads.remove(current.recordId());
                        if (!giveUp) claimed.remove(current.recordId());
                    }
                    publisher.wake();
                    link.poke();
                    try {
                        lastPrinterStatus = driver.status();
                    } catch (ktp.printer.PrinterException e) {
                        lastPrinterState = e.error().name();
                    }
                }
                if (next != null) release(take(next));
            } finally {
                prep.shutdownNow();
            }
        }

        /**
         * A card left in the printer by a run that stopped: ledgered if the ledger does not know it yet (the run
         * stopped between the printer taking it and its UID being recorded), then sent to the reject box.
         */
        private void clearCardPath(PrinterDriver driver) {
            encoder.cardPresent().ifPresent(uid -> {
                boolean known = store.ledgerEntry(uid).isPresent();
                if (!known) {
                    store.ledgerFoundBlank(uid, "found at the chip encoder of printer " + printer.name() + " after a restart, before any record was written to it", Actor.STATION);
                    LOG.warn("printer {}: blank {} was in the encoder after a restart; ledgered as spoiled", printer.name(), uid);
                }
            });
            driver.clearCardPath();
        }

        private Prepared take(Future<Prepared> f) {
            try {
                return f.get();
            } catch (Exception e) {
                LOG.warn("printer {}: preparing the next card failed: {}", printer.name(), e.toString());
                return null;
            }
        }

        private void release(Prepared p) {
            if (p != null) claimed.remove(p.recordId());
        }

        /** Claims and renders a record for this lane; null when it cannot be printed now (the reason is logged). */
        private Prepared prepare(String recordId) {
            if (recordId == null) return null;
            Optional<byte[]> envelope = store.envelope(recordId);
            Job job = store.job(recordId).orElse(null);
            if (envelope.isEmpty() || job == null || job.state() != JobState.VALIDATED) {
                claimed.remove(recordId);
                return null;
            }
            try {
                ValidatedRecord v = validator.validate(envelope.get());
                String qr = CardSeal.qrText(CardSeal.Contents.of(v.record(), v.envelope().keyId()), v.envelope().cardSeal());
                CardRenderer.RenderedCard card = renderer.render(v.record(), qr);
                PrinterProfile p = printer.profile();
                Map<String, BufferedImage> front = renderer.panels(card.side(CardTemplate.Side.FRONT), p);
                Map<String, BufferedImage> back = p.dualSided() ? renderer.panels(card.side(CardTemplate.Side.BACK), p) : Map.of();
                return new Prepared(recordId, PrintJob.prepare(recordId, p, front, back, true), ChipPayload.of(v));
            } catch (RecordRejectedException | RenderException e) {
                // Validated when it came in, refused now (a key withdrawn, the record expired): it waits for a person.
                LOG.error("record {} can no longer be printed: {}", recordId, e.getMessage());
                store.audit(Actor.STATION, "NOT_PRINTABLE", "record " + recordId + ": " + e.getMessage());
                return null;
            } catch (RuntimeException e) {
                // Not the record's fault: let it go back to the queue for another try.
                LOG.error("record {}: preparing the card failed: {}", recordId, e.toString(), e);
                claimed.remove(recordId);
                return null;
            }
        }
    }

    /** The oldest VALIDATED record not claimed by a lane (and not {@code except}), claimed for the caller. */
    private synchronized String nextRecord(String except) {
        return store.jobsIn(JobState.VALIDATED, Integer.MAX_VALUE).stream()
                .filter(j -> j.state() == JobState.VALIDATED && !j.recordId().equals(except) && !claimed.contains(j.recordId()))
                .filter(j -> link.mayStart(j.recordId()))
                .min(Comparator.comparing(Job::createdAt))
                .map(j -> {
                    claimed.add(j.recordId());
                    return j.recordId();
                }).orElse(null);
    }

    /**
     * The holder's visit: the card in the counter's reader (the encoder's reader pattern), the finger from
     * {@code scanner}; see {@link HolderActivation}. Called by the operator console (or the demo).
     */
    public HolderActivation.Result issueToHolder(String recordId, ktp.biometric.HolderVerification.Source scanner, double dpi, Actor operator,
                                                 java.util.function.Consumer<String> prompt) throws HolderActivation.ActivationException, IOException {
        synchronized (counterInUse) {
            try (ktp.card.SmartcardioTransport card = counterCard(prompt)) {
                HolderActivation.Result r = activation().activate(recordId, card, scanner, dpi, operator, prompt);
                publisher.wake();
                return r;
            }
        }
    }

    /** The same with the configured scanner (the console's path). */
    public HolderActivation.Result issueToHolder(String recordId, Actor operator, java.util.function.Consumer<String> prompt)
            throws HolderActivation.ActivationException, IOException {
        StationConfig.Scanner sc = config.scanner();
        try (ktp.biometric.r30x.R30xScanner scanner = ktp.biometric.r30x.R30xScanner.open(sc.uri(), sc.profile())) {
            ktp.biometric.ScannerSource glass = new ktp.biometric.ScannerSource(scanner, Duration.ofSeconds(sc.profile().captureWaitSeconds()));
            return issueToHolder(recordId, glass, sc.profile().dpi(), operator, prompt);
        } catch (ktp.biometric.r30x.R30xScanner.ScannerException e) {
            throw new HolderActivation.ActivationException("the fingerprint scanner: " + e.getMessage());
        }
    }

    /** Reads the holder's card at the counter and checks it, changing nothing (the console shows the photo). */
    public HolderActivation.Inspection inspectAtCounter(String recordId) throws HolderActivation.ActivationException {
        synchronized (counterInUse) {
            try (ktp.card.SmartcardioTransport card = counterCard(p -> { })) {
                return activation().inspect(recordId, card);
            }
        }
    }

    /** A supervisor's override of a failed activation, with the reason (the chip must still be genuine). */
    public HolderActivation.Result overrideAtCounter(String recordId, Actor supervisor, String reason) throws HolderActivation.ActivationException {
        synchronized (counterInUse) {
            try (ktp.card.SmartcardioTransport card = counterCard(p -> { })) {
                HolderActivation.Result r = activation().override(recordId, card, supervisor, reason);
                publisher.wake();
                return r;
            }
        }
    }

    private HolderActivation activation() {
        return new HolderActivation(store, config.encoder().profile(), keys, trust,
                new ktp.biometric.HolderMatcher(ktp.biometric.HolderMatcher.DEFAULT_THRESHOLD), ktp.biometric.RetryPolicy.STATION);
    }

    /** The card in the counter's reader, waiting for it (up to insert_wait_s) if the operator was quicker than the reader. */
    private ktp.card.SmartcardioTransport counterCard(java.util.function.Consumer<String> prompt) throws HolderActivation.ActivationException {
        javax.smartcardio.CardTerminal counter;
        try {
            counter = ktp.card.SmartcardioTransport.reader(readers, config.encoder().readerPattern());
            // The operator may click before the card has settled in the reader (pcscd takes a moment to see it).
            if (!counter.isCardPresent()) prompt.accept("insert the holder's card into " + counter.getName());
            if (!counter.waitForCardPresent(config.encoder().insertWaitSeconds() * 1000L)) {
                throw new HolderActivation.ActivationException("no card in '" + counter.getName() + "' after " + config.encoder().insertWaitSeconds() + " s: insert the holder's card and try again");
            }
            return ktp.card.SmartcardioTransport.open(counter);
        } catch (ktp.card.ApduTransport.CardException | javax.smartcardio.CardException e) {
            throw new HolderActivation.ActivationException("the counter's card reader: " + e.getMessage());
        }
    }

    /** What the console shows of the printers: the last state seen, supplies, and the alert that needs a person. */
    public record PrinterView(String state, Integer ribbonRemaining, Boolean feederHasCards, Boolean rejectBoxFull, Long cardsPrinted,
                              ktp.printer.PrinterError alert, String alertMessage) {}

    public PrinterView printerView() {
        PrinterStatus st = lastPrinterStatus;
        ktp.printer.PrinterError a = lastAlert;
        return new PrinterView(lastPrinterState, st == null ? null : st.ribbonRemaining(), st == null ? null : st.feederHasCards(),
                st == null ? null : st.rejectBoxFull(), st == null ? null : st.cardsPrinted(), a, a == null ? "" : lastAlertMessage);
    }

    public boolean paused() { return office.paused(); }

    public StationConfig config() { return config; }

    private final class Devices implements DeviceHealth {
        @Override
        public String printerStatus() { return lastPrinterState; }

        @Override
        public Integer ribbonRemaining() { return lastPrinterStatus == null ? null : lastPrinterStatus.ribbonRemaining(); }

        @Override
        public Integer blanksInFeeder() { return null; }

        @Override
        public boolean readerPresent() {
            try {
                return !readers.terminals().list().isEmpty();
            } catch (javax.smartcardio.CardException | RuntimeException e) {
                return false;
            }
        }

        @Override
        public boolean paused() { return office.paused(); }
    }

    private void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopping.set(true);
        }
    }

    /** Orderly stop: the card in progress finishes, unstarted records go back to the data center, the outbox is flushed. */
    @Override
    public void close() {
        if (!stopping.compareAndSet(false, true)) return;
        LOG.info("station {}: stopping", config.stationId());
        if (lanes != null) {
            for (Thread t : lanes) {
                try {
                    t.join(120_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        if (link != null) link.close();
        if (publisher != null) {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (store.outboxDepth() > 0 && publisher.status().connected() && System.nanoTime() < deadline) pause(50);
            publisher.close();
        }
        if (store != null) store.close();
        LOG.info("station {}: stopped", config.stationId());
    }
}
