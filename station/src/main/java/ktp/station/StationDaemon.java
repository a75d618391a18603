package ktp.station;

import ktp.dinas.ReportSettings;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.smartcardio.TerminalFactory;
import ktp.card.CardKeys;
import ktp.card.ChipEncoder;
import ktp.central.CentralClient;
import ktp.central.CentralLink;
import ktp.central.Tls;
import ktp.counter.Counter;
import ktp.job.JobState;
import ktp.printer.PrinterStatus;
import ktp.record.RecordValidator;
import ktp.record.TrustedKeys;
import ktp.render.CardRenderer;
import ktp.store.Actor;
import ktp.store.Job;
import ktp.store.StationStore;
import ktp.telemetry.DeviceHealth;
import ktp.telemetry.OutboxPublisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The print station as one process (docs/station-daemon.md), and the place its rooms are wired: the data center
 * link keeps validated records leased and queued (through the intake); each printer has a supervised
 * {@link PrintLane}; the {@link StationWatch} derives health from the lanes, hands unstarted leases back when no
 * lane can print, and writes the status file; the outbox publisher reports every job change to the central office
 * and carries out its commands; the counter's issuance is {@link Counter}'s (its own room). On start the store
 * is recovered (every job resumes by its state); on stop the card in progress finishes, unstarted records are
 * handed back and the outbox is flushed as far as the broker allows.
 */
public final class StationDaemon implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StationDaemon.class);

    private final StationConfig config;
    private final CardRenderer renderer;
    private final TerminalFactory readers;
    private final Clock clock;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private StationStore store;
    private volatile RecordValidator validator;
    private volatile TrustedKeys trust;
    private CardKeys keys;
    private CentralLink link;
    private OutboxPublisher publisher;
    private OfficeCommands office;
    private Counter counter;
    private CardPreparation preparation;

    /** Where the lanes' cards are made (tests read how many came from the intake's validation without a second one). */
    public CardPreparation preparation() { return preparation; }
    private final List<PrintLane> lanes = new java.util.concurrent.CopyOnWriteArrayList<>();
    private Thread[] laneThreads;
    private StationWatch watch;
    private PrintLane.Settings laneSettings = PrintLane.Settings.defaults();

    public StationDaemon(StationConfig config, CardRenderer renderer, TerminalFactory readers, Clock clock) {
        this.config = config;
        this.renderer = renderer;
        this.readers = readers;
        this.clock = clock;
    }

    /** Lane timings other than the defaults (tests and the fault campaign shorten the hand-back); before {@link #start()}. */
    public StationDaemon withLaneSettings(PrintLane.Settings s) {
        laneSettings = s;
        return this;
    }

    public StationStore store() { return store; }

    public OutboxPublisher publisher() { return publisher; }

    public CentralLink link() { return link; }

    /** Opens the store (recovering every job), then starts the link, the publisher and one lane per printer. */
    public StationDaemon start() throws IOException {
        // The station log's operator lines are in the station's language from the first one on (docs/station-config.md).
        ktp.i18n.StationLog.use(config.language());
        store = StationStore.open(config.store(), config.stationId(), clock, Duration.ofDays(config.biometricRetentionDays()));
        var resumed = store.recover(Actor.STATION);
        LOG.info(ktp.i18n.StationLog.line("daemon.recovered", config.stationId(), config.store(), resumed.size()));
        trust = TrustedKeys.loadDirectory(config.trustedKeys());
        validator = new RecordValidator(trust, clock, renderer.fitCheck());
        ValidatedRecords handoff = new ValidatedRecords(256);
        RecordIntake intake = new RecordIntake(() -> validator, store, Actor.STATION, handoff);
        // Jobs stored but not validated when the station stopped (resume action REVALIDATE).
        for (Job j : store.jobsIn(JobState.LEASED, Integer.MAX_VALUE)) {
            if (j.state() == JobState.LEASED) LOG.info(ktp.i18n.StationLog.line("daemon.revalidated", j.recordId(), intake.revalidate(j.recordId()).kind()));
        }
        link = new CentralLink(new CentralClient(centralConfig()), store, intake, CentralLink.Settings.defaults().withReportEvents(false), clock, new Random());
        office = new OfficeCommands(store);
        publisher = new OutboxPublisher(store, config.telemetry().broker(), ktp.telemetry.TelemetryKey.load(config.telemetry().signingKey()),
                ktp.telemetry.Keyring.load(config.telemetry().officeKeys()), new Devices(), office,
                Duration.ofSeconds(config.telemetry().healthEverySeconds()), clock).start();
        link.start();
        keys = config.encoder().masterKey() == null ? CardKeys.globalPlatformTestKeys() : CardKeys.masterFile(config.encoder().profile(), config.encoder().masterKey());
        if (config.encoder().masterKey() == null) LOG.warn(ktp.i18n.StationLog.line("daemon.testKeys"));
        RecordQueue queue = new RecordQueue(store);
        preparation = new CardPreparation(store, () -> validator, renderer, handoff);
        PrintLane.Wiring wiring = new PrintLane.Wiring(store, preparation, queue, id -> link.mayStart(id), () -> office.paused(), stopping::get, () -> {
            publisher.wake();
            link.poke();
        }, clock);
        for (StationConfig.Printer p : config.printers()) {
            // Each printer's chip station is its own PC/SC reader; one pattern serves a station with one printer.
            String reader = p.reader() != null ? p.reader() : config.encoder().readerPattern();
            ChipEncoder encoder = p.chipless() ? null : new ChipEncoder(readers, reader, config.encoder().profile(), keys,
                    Duration.ofSeconds(config.encoder().insertWaitSeconds()));
            if (p.chipless()) LOG.warn(ktp.i18n.StationLog.line("daemon.chipless", p.name()));
            lanes.add(new PrintLane(p, encoder, wiring, laneSettings));
        }
        laneThreads = new Thread[lanes.size()];
        for (int i = 0; i < laneThreads.length; i++) {
            PrintLane lane = lanes.get(i);
            laneThreads[i] = new Thread(lane, "lane-" + lane.name());
            // The lane catches everything itself; this only speaks if that ever fails, so nothing dies unseen.
            laneThreads[i].setUncaughtExceptionHandler((t, e) -> LOG.error(ktp.i18n.StationLog.line("daemon.uncaught", t.getName()), e));
            laneThreads[i].start();
        }
        StationConfig.Scanner sc = config.scanner();
        counter = new Counter(new Counter.Wiring(store, readers, config.encoder().readerPattern(), config.encoder().insertWaitSeconds(), config.encoder().profile(),
                keys, () -> trust, sc == null ? null : sc.uri(), sc == null ? null : sc.profile(), publisher::wake,
                config.store().resolveSibling(config.store().getFileName() + "-receipts"), config.stationId(), this::reportSettings));
        watch = new StationWatch(this, queue, laneSettings.handBackAfter(), clock).start();
        LOG.info(ktp.i18n.StationLog.line("daemon.running", config.stationId(), lanes.size(), config.central().url(), config.telemetry().broker().url()));
        return this;
    }

    private CentralClient.Config centralConfig() throws IOException {
        StationConfig.Central c = config.central();
        Optional<String> token = c.tokenFile() == null ? Optional.empty() : Optional.of(java.nio.file.Files.readString(c.tokenFile()).strip());
        javax.net.ssl.SSLContext tls = c.ca() == null ? null : Tls.context(c.ca(), c.certificate(), c.key());
        return CentralClient.Config.of(c.url(), config.stationId(), tls, token, c.plainHttp());
    }

    /** The counter where printed cards are issued to their holders (the console's and the demo's way in). */
    public Counter counter() { return counter; }

    /** The printers' lanes, in the configuration's order. */
    public List<PrintLane> lanes() { return List.copyOf(lanes); }

    /** The lane of printer {@code name}. */
    public PrintLane lane(String name) {
        return lanes.stream().filter(l -> l.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no printer '" + name + "' at this station"));
    }

    /** A technician says the cause of a FAULTED lane is dealt with (audited): the lane tries again now. */
    public void resumeLane(String name, Actor technician) {
        PrintLane lane = lane(name);
        store.audit(technician, "LANE_RESUME", "printer " + name + " was " + lane.state().kind() + "/" + lane.state().code() + ": " + lane.state().detail());
        lane.resumeByTechnician();
    }

    /**
     * Reads the trusted-key directory again (SIGHUP, or a technician's console action; audited): records signed
     * with a key added since are taken from now on. A directory that no longer loads keeps the keys in use.
     */
    public java.util.Set<String> reloadTrustedKeys(Actor who) throws IOException {
        TrustedKeys fresh;
        try {
            fresh = TrustedKeys.loadDirectory(config.trustedKeys());
        } catch (IOException e) {
            store.audit(who, "TRUSTED_KEYS_RELOAD_FAILED", config.trustedKeys() + ": " + e.getMessage() + "; the keys in use are kept");
            throw e;
        }
        java.util.Set<String> before = trust.keyIds();
        trust = fresh;
        validator = new RecordValidator(fresh, clock, renderer.fitCheck());
        store.audit(who, "TRUSTED_KEYS_RELOADED", "keys " + fresh.keyIds() + " (were " + before + ") from " + config.trustedKeys());
        LOG.info(ktp.i18n.StationLog.line("daemon.keysReloaded", who, fresh.keyIds(), before));
        link.poke();
        return fresh.keyIds();
    }

    /** Reloads the trusted keys on SIGHUP, as a daemon is expected to (the command line's {@code station run} installs it). */
    public void reloadOnSighup() {
        try {
            sun.misc.SignalHandler before = sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sig -> {
                try {
                    reloadTrustedKeys(new Actor("SIGHUP", ktp.store.Role.TECHNICIAN));
                } catch (IOException | RuntimeException e) {
                    LOG.error(ktp.i18n.StationLog.line("daemon.sighupFailed", ktp.i18n.StationLog.why(e)));
                }
            });
            // A process started with SIGHUP ignored (nohup) keeps it ignored: the JVM installs no handler then.
            if (before == sun.misc.SignalHandler.SIG_IGN) {
                LOG.warn(ktp.i18n.StationLog.line("daemon.sighupIgnored"));
            }
        } catch (IllegalArgumentException e) {
            LOG.warn(ktp.i18n.StationLog.line("daemon.sighupUnsupported", e.getMessage()));
        }
    }

    /** Health as the lanes, the link, the outbox and the feeder count say it is now (docs/station-daemon.md). */
    public StationHealth health() {
        StationWatch w = watch;
        if (w == null) {
            // Before the lanes are started (the publisher may ask first): nothing can print yet.
            return new StationHealth(config.stationId(), clock.instant(), "daemon", List.of(), List.of(), 0, 0, null, false, false, false);
        }
        return w.health();
    }

    /** What the console shows of the printers: derived from the first lane's state, as health is. */
    public record PrinterView(String state, Integer ribbonRemaining, Boolean feederHasCards, Boolean rejectBoxFull, Long cardsPrinted,
                              ktp.printer.PrinterError alert, String alertMessage) {}

    public PrinterView printerView() {
        if (lanes.isEmpty()) return new PrinterView("STARTING", null, null, null, null, null, "");
        PrintLane lane = lanes.get(0);
        LaneState ls = lane.state();
        PrinterStatus st = lane.lastStatus();
        ktp.printer.PrinterError a = null;
        if (!ls.canPrint()) {
            try {
                a = ktp.printer.PrinterError.valueOf(ls.code());
            } catch (IllegalArgumentException notAPrinterError) {
                a = null;
            }
        }
        String state = ls.kind() == LaneState.Kind.PAUSED || ls.kind() == LaneState.Kind.FAULTED ? ls.code() : ls.kind().name();
        return new PrinterView(state, st == null ? null : st.ribbonRemaining(), st == null ? null : st.feederHasCards(),
                st == null ? null : st.rejectBoxFull(), st == null ? null : st.cardsPrinted(), a, ls.canPrint() ? "" : lane.name() + ": " + ls.messageEn() + " (" + ls.detail() + ")");
    }

    public boolean paused() { return office.paused(); }

    public StationConfig config() { return config; }

    /**
     * The configuration's report section as the file says now (an edited place or letterhead needs no restart);
     * one that no longer reads is logged and the defaults stand in, so a hand-over still gets its receipt.
     */
    private ktp.dinas.ReportSettings reportSettings() {
        if (config.file() == null) return ktp.dinas.ReportSettings.DEFAULT;
        try {
            return ktp.dinas.ReportSettings.load(config.file());
        } catch (ktp.datafile.DataFileException e) {
            LOG.warn(ktp.i18n.StationLog.line("daemon.reportSection", config.file(), e.getMessage()));
            return ktp.dinas.ReportSettings.DEFAULT;
        }
    }

    boolean stopping() { return stopping.get(); }

    TerminalFactory readers() { return readers; }

    /**
     * The health message's device fields, from the same lane state. Called on the publisher's thread: it never
     * throws, so that a question about the devices cannot end the thread that delivers the events.
     */
    private final class Devices implements DeviceHealth {
        /** The worst lane's state: READY only when every lane can print now. */
        @Override
        public String printerStatus() {
            try {
                return lanes.isEmpty() ? "STARTING" : health().printerStatus();
            } catch (RuntimeException e) {
                LOG.warn(ktp.i18n.StationLog.line("daemon.health", e));
                return "UNKNOWN";
            }
        }

        @Override
        public Integer ribbonRemaining() {
            try {
                PrinterStatus st = lanes.isEmpty() ? null : lanes.get(0).lastStatus();
                return st == null ? null : st.ribbonRemaining();
            } catch (RuntimeException e) {
                return null;
            }
        }

        @Override
        public Integer blanksInFeeder() {
            try {
                long loaded = store.blanksLoadedTotal();
                return loaded == 0 ? null : (int) Math.max(Integer.MIN_VALUE, loaded - store.ledgerSize());
            } catch (RuntimeException e) {
                return null;
            }
        }

        @Override
        public boolean readerPresent() {
            try {
                return health().alerts().stream().noneMatch(a -> a.code().equals(StationHealth.READER_MISSING));
            } catch (RuntimeException e) {
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
        LOG.info(ktp.i18n.StationLog.line("daemon.stopping", config.stationId()));
        if (watch != null) watch.close();
        try {
            // The status file speaks for a running daemon only: stopped, the command line reads the store instead.
            java.nio.file.Files.deleteIfExists(StationHealth.statusFile(config.store()));
        } catch (IOException e) {
            LOG.warn(ktp.i18n.StationLog.line("daemon.statusFileRemove", e.getMessage()));
        }
        if (laneThreads != null) {
            for (Thread t : laneThreads) {
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
        LOG.info(ktp.i18n.StationLog.line("daemon.stopped", config.stationId()));
    }
}
