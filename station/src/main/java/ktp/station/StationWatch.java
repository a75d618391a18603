package ktp.station;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import ktp.datafile.AtomicFile;
import ktp.store.StationStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Device health for the station as a whole, from the lanes' states: it derives the alerts, stops the data center
 * link from taking records and hands the unstarted ones back when no lane has been able to print for a bounded
 * time (another station can print them), and writes the status file that {@code ktp station status} reads. Its
 * thread, like every thread of the daemon, survives any error it meets.
 */
final class StationWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StationWatch.class);
    /** An outbox that has not shrunk for this long while it holds events: nobody is collecting. */
    static final Duration OUTBOX_STUCK = Duration.ofSeconds(60);
    /** A full status older than this, while the lane is not busy with a card, is stale. */
    static final Duration STATUS_STALE = Duration.ofSeconds(30);

    private final StationDaemon daemon;
    private final RecordQueue queue;
    private final Duration handBackAfter;
    private final Clock clock;
    private volatile boolean running = true;
    private Thread thread;
    private Instant noLaneSince;
    private volatile long lastDelivered = -1;
    private volatile Instant deliveredChangedAt;

    StationWatch(StationDaemon daemon, RecordQueue queue, Duration handBackAfter, Clock clock) {
        this.daemon = daemon;
        this.queue = queue;
        this.handBackAfter = handBackAfter;
        this.clock = clock;
        this.deliveredChangedAt = clock.instant();
    }

    StationWatch start() {
        thread = new Thread(this::loop, "station-watch");
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    private void loop() {
        long lastWrite = 0;
        while (running) {
            try {
                watchOutbox();
                superviseLeases();
                if (System.nanoTime() - lastWrite > 2_000_000_000L) {
                    writeStatus(health());
                    lastWrite = System.nanoTime();
                }
            } catch (Throwable t) { // NOPMD: the watch must outlive any error; the next round tries again
                LOG.error(ktp.i18n.StationLog.line("watch.failed", t), t);
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void watchOutbox() {
        long delivered = daemon.publisher().status().delivered();
        long depth = daemon.store().outboxDepth();
        if (delivered != lastDelivered || depth == 0) {
            lastDelivered = delivered;
            deliveredChangedAt = clock.instant();
        }
    }

    /** No lane able to print for handBackAfter: take no more records and give back those not started. */
    private void superviseLeases() {
        boolean anyCanPrint = daemon.lanes().stream().anyMatch(l -> l.state().canPrint());
        Instant now = clock.instant();
        if (anyCanPrint) {
            noLaneSince = null;
            daemon.link().setAccepting(true);
            return;
        }
        if (noLaneSince == null) noLaneSince = now;
        if (noLaneSince.plus(handBackAfter).isAfter(now)) return;
        daemon.link().setAccepting(false);
        List<String> ids = queue.claimAllUnstarted();
        try {
            for (String id : ids) {
                String why = "no printer lane could print for " + handBackAfter.toSeconds() + " s (" + describeLanes() + "); handed back so another station can print it";
                try {
                    daemon.link().handBack(id, why);
                } catch (RuntimeException e) {
                    LOG.warn(ktp.i18n.StationLog.line("watch.handBack", id, e));
                }
            }
        } finally {
            ids.forEach(queue::release);
        }
    }

    private String describeLanes() {
        StringBuilder b = new StringBuilder();
        for (PrintLane l : daemon.lanes()) {
            if (b.length() > 0) b.append(", ");
            b.append(l.name()).append(' ').append(l.state().kind()).append('/').append(l.state().code());
        }
        return b.toString();
    }

    StationHealth health() {
        StationStore store = daemon.store();
        Instant now = clock.instant();
        List<LaneState> states = new ArrayList<>();
        List<StationHealth.Alert> alerts = new ArrayList<>();
        for (PrintLane lane : daemon.lanes()) {
            LaneState s = lane.state();
            states.add(s);
            String p = lane.name();
            switch (s.kind()) {
                case FAULTED -> alerts.add(new StationHealth.Alert(StationHealth.LANE_FAULTED, p, s.messageEn(), s.messageId(), s.code() + ": " + s.detail()));
                case PAUSED -> {
                    if (s.code().equals("COVER_OPEN")) alerts.add(new StationHealth.Alert(StationHealth.COVER_OPEN, p, s.messageEn(), s.messageId(), s.detail()));
                    if (s.code().equals("ENCODER_NOT_READY") && s.detail().contains("reader") && !s.detail().contains("still in")) {
                        alerts.add(new StationHealth.Alert(StationHealth.READER_MISSING, p, "The chip encoder's reader is missing: connect it (no blank is taken meanwhile)",
                                "Pembaca encoder chip tidak ada: sambungkan (tidak ada blanko yang diambil)", s.detail()));
                    }
                    alerts.add(new StationHealth.Alert(StationHealth.LANE_PAUSED, p, s.messageEn(), s.messageId(), s.code() + ": " + s.detail()));
                }
                default -> { }
            }
            Instant answer = lane.lastAnswer();
            var link = lane.printer().profile().link();
            Duration silentAfter = lane.settings().pollEvery().multipliedBy(3).plusMillis(link.replyTimeoutMs())
                    .plusMillis(s.kind() == LaneState.Kind.PRINTING ? link.jobTimeoutMs() : 0);
            Instant since = answer != null ? answer : lane.startedAt();
            if (s.kind() != LaneState.Kind.STOPPED && since.plus(silentAfter).isBefore(now)) {
                alerts.add(new StationHealth.Alert(StationHealth.PRINTER_SILENT, p, "The printer has not answered since " + (answer == null ? "the start" : answer)
                        + ": check its cable and power", "Printer tidak menjawab sejak " + (answer == null ? "mulai" : answer) + ": periksa kabel dan daya", ""));
            }
            Instant st = lane.lastStatusAt();
            if (s.kind() != LaneState.Kind.PRINTING && s.kind() != LaneState.Kind.STOPPED && (st == null ? lane.startedAt() : st).plus(STATUS_STALE).isBefore(now)) {
                alerts.add(new StationHealth.Alert(StationHealth.STATUS_STALE, p, "The printer's status shown is older than " + STATUS_STALE.toSeconds() + " s",
                        "Status printer yang ditampilkan lebih lama dari " + STATUS_STALE.toSeconds() + " detik", st == null ? "never read" : "read at " + st));
            }
        }
        long loaded = store.blanksLoadedTotal();
        Long feeder = loaded == 0 ? null : loaded - store.ledgerSize();
        if (feeder == null) {
            alerts.add(new StationHealth.Alert(StationHealth.FEEDER_UNKNOWN, "", "No blanks are recorded as loaded: record them with 'ktp ledger load' so the feeder count can be trusted",
                    "Belum ada blanko yang dicatat dimuat: catat dengan 'ktp ledger load' agar jumlah di pengumpan dapat dipercaya", "blanks loaded 0, taken " + store.ledgerSize()));
        } else if (feeder < 0) {
            alerts.add(new StationHealth.Alert(StationHealth.FEEDER_NEGATIVE, "", "More blanks were taken than recorded as loaded: record the blanks loaded, and check the stock",
                    "Blanko yang diambil lebih banyak dari yang dicatat dimuat: catat blanko yang dimuat dan periksa stok", "loaded " + loaded + ", taken " + store.ledgerSize()));
        }
        long depth = store.outboxDepth();
        var pub = daemon.publisher().status();
        if (depth > 0 && deliveredChangedAt.plus(OUTBOX_STUCK).isBefore(now)) {
            alerts.add(new StationHealth.Alert(StationHealth.OUTBOX_GROWING, "", depth + " event(s) wait and none was collected for " + OUTBOX_STUCK.toSeconds()
                    + " s: check the broker and the office's collector", depth + " peristiwa menunggu dan tidak ada yang diambil selama " + OUTBOX_STUCK.toSeconds()
                    + " detik: periksa broker dan kolektor kantor", (pub.connected() ? "broker connected" : "broker not connected") + (pub.lastError().isEmpty() ? "" : "; " + pub.lastError())));
        }
        var link = daemon.link().health();
        if (link.failuresInARow() >= 3) {
            alerts.add(new StationHealth.Alert(StationHealth.DATA_CENTER_UNREACHABLE, "", "The data center does not answer: new records wait",
                    "Pusat data tidak menjawab: rekaman baru menunggu", link.lastError()));
        }
        return new StationHealth(daemon.config().stationId(), now, "daemon", List.copyOf(states), List.copyOf(alerts), store.queueDepth(), depth, feeder,
                link.reachable(), daemon.link().accepting(), pub.connected());
    }

    private void writeStatus(StationHealth h) {
        try {
            AtomicFile.write(StationHealth.statusFile(daemon.config().store()), h.toJson(), true);
        } catch (java.io.IOException e) {
            LOG.warn(ktp.i18n.StationLog.line("watch.statusFile", e.getMessage()));
        }
    }

    /** Stops the watch; the status file is written once more, saying the daemon stopped. */
    @Override
    public void close() {
        running = false;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
