package ktp.station;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;
import ktp.card.ChipEncoder;
import ktp.job.JobState;
import ktp.printer.ChipStation;
import ktp.printer.PrinterDriver;
import ktp.printer.PrinterError;
import ktp.printer.PrinterException;
import ktp.printer.PrinterProfile;
import ktp.printer.PrinterStatus;
import ktp.printer.link.PrinterLink;
import ktp.store.Actor;
import ktp.store.Job;
import ktp.store.StationStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One printer's lane, supervised: it takes a blank only when the printer has just answered its status and (for a
 * profile with an encoder) the encoder's reader is there and empty; otherwise it is PAUSED with the reason and
 * spends nothing. An error nobody planned for never kills its thread: the lane becomes FAULTED, the error goes to
 * the store's audit log and the station log with its stack trace, the job it held is put back in a state it
 * resumes from (a blank that was inside is spoiled with the reason and the record requeued), and it tries again
 * with back-off, or waits for a technician when the cause cannot pass by itself (a blank id conflict, or too many
 * faults in a row). Every change of its state is one {@link LaneState} that health, status and the console read.
 */
public final class PrintLane implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(PrintLane.class);

    /** How often the lane checks its devices while it waits; the back-off after a fault; faults before a technician. */
    public record Settings(Duration pollEvery, Duration handBackAfter, Duration backoffBase, Duration backoffMax, int faultsBeforeTechnician) {
        public static Settings defaults() {
            return new Settings(Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofSeconds(1), Duration.ofSeconds(60), 5);
        }

        public Settings withHandBackAfter(Duration d) { return new Settings(pollEvery, d, backoffBase, backoffMax, faultsBeforeTechnician); }

        public Settings withBackoff(Duration base, Duration max) { return new Settings(pollEvery, handBackAfter, base, max, faultsBeforeTechnician); }
    }

    /** What a lane is given to work with, by the daemon that wires the rooms. */
    record Wiring(StationStore store, CardPreparation preparation, RecordQueue queue, Predicate<String> mayStart, BooleanSupplier officePaused,
                  BooleanSupplier stopping, Runnable afterCard, Clock clock) {}

    private final StationConfig.Printer printer;
    private final ChipEncoder encoder;
    private final Wiring w;
    private final Settings settings;
    private final ExecutorService prep;
    private volatile LaneState state;
    private volatile PrinterStatus lastStatus;
    private volatile Instant lastAnswer;
    private volatile Instant lastStatusAt;
    private volatile PrinterDriver driver;
    private final Instant startedAt;
    private volatile Consumer<PreparedCard> beforePrint = c -> { };
    private volatile boolean technicianResumed;
    private volatile String heldRecord;
    private volatile String nextRecord;
    private int faultsInARow;

    PrintLane(StationConfig.Printer printer, ChipEncoder encoder, Wiring wiring, Settings settings) {
        this.printer = printer;
        this.encoder = printer.chipless() ? null : encoder;
        this.w = wiring;
        this.settings = settings;
        this.state = LaneState.starting(printer.name(), wiring.clock().instant());
        this.startedAt = wiring.clock().instant();
        this.prep = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "prepare-" + printer.name());
            t.setDaemon(true);
            return t;
        });
    }

    public String name() { return printer.name(); }

    public StationConfig.Printer printer() { return printer; }

    public LaneState state() { return state; }

    /** The printer's last status reply (null before the first). */
    public PrinterStatus lastStatus() { return lastStatus; }

    /** When the printer last answered at protocol level (null: never since the start). */
    public Instant lastAnswer() {
        PrinterDriver d = driver;
        Instant r = d == null ? null : d.lastReply();
        Instant a = lastAnswer;
        if (r == null) return a;
        return a == null || r.isAfter(a) ? r : a;
    }

    /** When the printer's full status was last read (null: never). */
    public Instant lastStatusAt() { return lastStatusAt; }

    public Instant startedAt() { return startedAt; }

    public Settings settings() { return settings; }

    /** Whether this lane's chip station is expected to hold a reader (a profile with an encoder, not configured chipless). */
    public boolean needsReader() { return encoder != null; }

    /**
     * Runs {@code step} before each card is printed, on the lane's own thread: the fault campaign and the tests
     * inject the errors nobody scripted through it. The daemon never sets it.
     */
    public void beforePrint(Consumer<PreparedCard> step) { beforePrint = step == null ? c -> { } : step; }

    /** A technician's word that the cause of a FAULTED lane is dealt with: it tries again now. */
    void resumeByTechnician() {
        faultsInARow = 0;
        technicianResumed = true;
    }

    @Override
    public void run() {
        try {
            while (!w.stopping().getAsBoolean()) {
                PrinterProfile profile = printer.profile();
                try (PrinterDriver driver = new PrinterDriver(profile, () -> PrinterLink.open(printer.uri(), profile.link()), this::blankId)) {
                    this.driver = driver;
                    if (!clearCardPath(driver)) continue;
                    work(driver);
                } catch (Throwable t) { // NOPMD: no error may end the lane's thread; the lane records it and goes FAULTED
                    faultsInARow++;
                    Optional<Duration> retry = fault(t);
                    waitToRetry(retry);
                }
            }
        } finally {
            prep.shutdownNow();
            set(LaneState.Kind.STOPPED, "STOPPED", "Stopped", "Berhenti", "", "");
        }
    }

    /** Chipless ids from the store's station-wide counter: never the same twice, whatever the printer counts. */
    private String blankId(String printerSerial) {
        return (encoder == null ? "NOCHIP-" : "NOUID-") + printerSerial + "-" + w.store().stationId() + "-" + String.format("%07d", w.store().reserveBlankNumber());
    }

    private void work(PrinterDriver driver) {
        PrintRunner runner = new PrintRunner(w.store(), driver, null, Actor.STATION, settings.pollEvery(), new PrintRunner.Operator() {
            @Override
            public void tell(PrinterError error, String message) {
                set(LaneState.Kind.PAUSED, error.name(), error.operatorMessage(), error.operatorMessageId(), message, heldRecord);
                // The error's own words are in the lane change's line already; a message of the runner's own (a record that
                // spoiled too many blanks, the encoder's reason) gets a line of its own.
                if (!message.equals(error.operatorMessage())) {
                    LOG.warn(ktp.i18n.StationLog.line("lane.told", printer.name(), ktp.i18n.StationLog.pick(error.operatorMessage(), error.operatorMessageId()), error, message));
                }
            }

            @Override
            public void cleared(PrinterError error) {
                set(LaneState.Kind.PRINTING, "PRINTING", "Printing", "Mencetak", "", heldRecord);
            }
        }, printer.name());
        Future<Optional<PreparedCard>> next = null;
        while (!w.stopping().getAsBoolean()) {
            Optional<Cause> notReady = readiness(driver);
            if (notReady.isPresent()) {
                Cause c = notReady.get();
                set(LaneState.Kind.PAUSED, c.code, c.en, c.id, c.detail, "");
                if (pausedTooLong() && next != null) {
                    // Hand the prepared record back to the queue: the watch gives unstarted leases back to the data center.
                    cancel(next);
                    next = null;
                }
                sleep(settings.pollEvery());
                continue;
            }
            if (w.officePaused().getAsBoolean()) {
                set(LaneState.Kind.PAUSED, "OFFICE_PAUSED", "Paused by the central office", "Dijeda oleh kantor pusat", "", "");
                sleep(settings.pollEvery());
                continue;
            }
            if (state.kind() != LaneState.Kind.READY) set(LaneState.Kind.READY, "READY", "Ready", "Siap", "", "");
            Optional<PreparedCard> current = Optional.empty();
            if (next != null) {
                current = take(next);
                next = null;
            }
            if (current.isEmpty()) current = prepare(w.queue().claimNext(null, w.mayStart()));
            if (current.isEmpty()) {
                sleep(settings.pollEvery());
                continue;
            }
            PreparedCard card = current.get();
            heldRecord = card.recordId();
            // The next card is rendered and packed while this one is encoded and printed.
            String after = w.queue().claimNext(card.recordId(), w.mayStart());
            if (after != null) {
                nextRecord = after;
                next = prep.submit(() -> prepare(after));
            }
            if (!w.mayStart().test(card.recordId())) {
                release(card.recordId());
                continue;
            }
            beforePrint.accept(card);
            set(LaneState.Kind.PRINTING, "PRINTING", "Printing", "Mencetak", "", card.recordId());
            ChipStation chip = card.chipless() || encoder == null ? null : EncoderStep.of(encoder, card.chip());
            PrintRunner.Result r = runner.print(card.job(), chip, () -> w.stopping().getAsBoolean() || pausedTooLong());
            LOG.info(r.blankId().isEmpty() ? ktp.i18n.StationLog.line("lane.result", printer.name(), card.recordId(), ktp.i18n.StationLog.state(r.state()))
                    : ktp.i18n.StationLog.line("lane.resultOnBlank", printer.name(), card.recordId(), ktp.i18n.StationLog.state(r.state()), r.blankId()));
            if (r.state() == JobState.PRINTING) {
                // The printer went silent at the card's end and the lane was told to stop before it answered: the card's
                // fate is read from the printer's counter when the lane starts again (settleCardsBeingPrinted).
                heldRecord = null;
                release(card.recordId());
                break;
            }
            if (card.chipless() && r.state() == JobState.AWAITING_HOLDER) {
                w.store().audit(Actor.STATION, "CHIPLESS_CARD", "record " + card.recordId() + " printed WITHOUT a chip on blank " + r.blankId()
                        + " (printer " + printer.name() + " is configured chipless)");
            }
            // Too many blanks spoiled for one record: it stays claimed (out of the queue) until a technician has
            // looked and the station is restarted, rather than spoil blank after blank.
            boolean giveUp = r.spoiled() >= PrintRunner.MAX_SPOILED_PER_JOB && r.state() == JobState.VALIDATED;
            if (giveUp) w.store().audit(Actor.STATION, "HELD_FOR_TECHNICIAN", "record " + card.recordId() + ": " + r.operatorMessage());
            else release(card.recordId());
            heldRecord = null;
            if (r.state() == JobState.AWAITING_HOLDER) {
                faultsInARow = 0;
                set(LaneState.Kind.READY, "READY", "Ready", "Siap", "", "");
            }
            w.afterCard().run();
        }
        if (next != null) cancel(next);
    }

    private record Cause(String code, String en, String id, String detail) {
        static Cause of(PrinterError e, String detail) { return new Cause(e.name(), e.operatorMessage(), e.operatorMessageId(), detail); }
    }

    /** The devices this lane needs, asked at protocol level now: the printer's status, then the encoder's reader. */
    private Optional<Cause> readiness(PrinterDriver driver) {
        PrinterStatus st;
        try {
            st = driver.status();
            lastStatus = st;
            lastAnswer = w.clock().instant();
            lastStatusAt = lastAnswer;
        } catch (PrinterException e) {
            // A printer answering with an error (cover, jam) answered; a silent one did not.
            if (e.error() != PrinterError.NO_ANSWER) lastAnswer = w.clock().instant();
            return Optional.of(Cause.of(e.error(), e.getMessage()));
        }
        if (!st.feederHasCards()) return Optional.of(Cause.of(PrinterError.FEEDER_EMPTY, "the feeder sensor reads no card"));
        if (st.ribbonRemaining() <= 0) return Optional.of(Cause.of(PrinterError.RIBBON_OUT, "ribbon count " + st.ribbonRemaining()));
        if (st.rejectBoxFull()) return Optional.of(Cause.of(PrinterError.REJECT_BOX_FULL, "the reject box sensor reads full"));
        if (encoder != null) {
            Optional<String> enc = encoder.notReady();
            if (enc.isPresent()) return Optional.of(Cause.of(PrinterError.ENCODER_NOT_READY, enc.get()));
        }
        return Optional.empty();
    }

    private boolean pausedTooLong() {
        LaneState s = state;
        return (s.kind() == LaneState.Kind.PAUSED || s.kind() == LaneState.Kind.FAULTED)
                && s.since().plus(settings.handBackAfter()).isBefore(w.clock().instant());
    }

    /** Claims nothing itself: {@code recordId} was claimed by the queue for this lane. */
    private Optional<PreparedCard> prepare(String recordId) {
        if (recordId == null) return Optional.empty();
        try {
            Optional<PreparedCard> c = w.preparation().prepare(recordId, printer.profile(), encoder == null);
            if (c.isEmpty()) release(recordId);
            return c;
        } catch (RuntimeException e) {
            release(recordId);
            throw e;
        } catch (CardPreparation.NotPrintable e) {
            // Validated when it came in, refused now (a key withdrawn, the record expired): it waits for a person.
            LOG.error(ktp.i18n.StationLog.line("lane.notPrintable", recordId, e.getMessage()));
            w.store().audit(Actor.STATION, "NOT_PRINTABLE", "record " + recordId + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    private Optional<PreparedCard> take(Future<Optional<PreparedCard>> f) {
        try {
            return f.get();
        } catch (java.util.concurrent.ExecutionException e) {
            LOG.warn(ktp.i18n.StationLog.line("lane.prepareFailed", printer.name(), e.getCause().toString()), e.getCause());
            release(nextRecord);
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            release(nextRecord);
            return Optional.empty();
        } finally {
            nextRecord = null;
        }
    }

    private void cancel(Future<Optional<PreparedCard>> f) {
        take(f).ifPresent(c -> release(c.recordId()));
    }

    private void release(String recordId) { w.queue().release(recordId); }

    /**
     * Records an unplanned error and puts the held job in a state it resumes from. Returns the back-off before the
     * next try, or empty when the lane must wait for a technician.
     */
    private Optional<Duration> fault(Throwable t) {
        String held = heldRecord;
        heldRecord = null;
        boolean conflict = t instanceof PrintRunner.BlankIdConflict;
        boolean technician = conflict || faultsInARow >= settings.faultsBeforeTechnician();
        Duration backoff = settings.backoffBase().multipliedBy(1L << Math.min(16, faultsInARow - 1));
        if (backoff.compareTo(settings.backoffMax()) > 0) backoff = settings.backoffMax();
        // the audit line and the job's reason keep the error's own (English) text, as every other audit detail;
        // the station log says it in the operator's language
        String detail = t.getClass().getName() + ": " + t.getMessage();
        String said = t.getClass().getName() + ": " + ktp.i18n.StationLog.why(t);
        LOG.error(technician ? ktp.i18n.StationLog.line("lane.faultedTechnician", printer.name(), faultsInARow, said)
                : ktp.i18n.StationLog.line("lane.faultedRetry", printer.name(), faultsInARow, backoff.toMillis(), said), t);
        String en = conflict
                ? "Blank id conflict: the ledger already has this blank's id. Call a technician; nothing was spoiled silently"
                : "Unexpected error in the printer lane: " + (technician ? "call a technician" : "retrying by itself") + ". No card is lost";
        String id = conflict
                ? "Konflik ID blanko: buku besar sudah memuat ID blanko ini. Panggil teknisi; tidak ada yang dirusak diam-diam"
                : "Kesalahan tak terduga di jalur printer: " + (technician ? "panggil teknisi" : "mencoba lagi sendiri") + ". Tidak ada kartu yang hilang";
        try {
            w.store().audit(Actor.STATION, "LANE_FAULTED", "printer " + printer.name() + (held == null ? "" : ", record " + held) + ": "
                    + detail + (technician ? "; waiting for a technician" : "; retry in " + backoff.toSeconds() + " s") + "\n" + stack(t));
            if (conflict) {
                PrintRunner.BlankIdConflict c = (PrintRunner.BlankIdConflict) t;
                // The physical card is inside the printer and will go to the reject box: it is ledgered under an id of its own.
                String own = c.blankId() + "-CONFLICT-" + w.store().reserveBlankNumber();
                w.store().ledgerFoundBlank(own, t.getMessage(), Actor.STATION);
            }
            if (held != null) requeue(held, detail);
        } catch (Throwable again) { // NOPMD: the store may be what failed; the log still has both
            LOG.error(ktp.i18n.StationLog.line("lane.faultNotRecorded", printer.name(), again.toString()), again);
        }
        // Shown only once recorded: whoever sees FAULTED (health, the console, a test) finds the audit line, the
        // conflict's own ledger entry and the requeued job already in the store.
        set(LaneState.Kind.FAULTED, conflict ? "BLANK_ID_CONFLICT" : "LANE_FAULTED", en, id, detail, held == null ? "" : held);
        release(held);
        release(nextRecord);
        return technician ? Optional.empty() : Optional.of(backoff);
    }

    /** A job whose blank was inside when the lane faulted: the blank is spoiled with the reason and the record requeued. */
    private void requeue(String recordId, String why) {
        Job j = w.store().job(recordId).orElse(null);
        if (j == null) return;
        // A card being printed may still come out printed: the lane's next start settles it by the printer's counter.
        if (j.state() == JobState.PRINTING && w.store().feedMark(recordId).isPresent()) return;
        if (j.state() == JobState.ENCODING || j.state() == JobState.ENCODED || j.state() == JobState.PRINTING) {
            w.store().transition(recordId, JobState.SPOILED, Actor.STATION, "the printer lane faulted while the card was " + j.state()
                    + " (" + why + "); the card goes to the reject box", null);
            w.store().transition(recordId, JobState.VALIDATED, Actor.STATION, "requeued for a fresh blank after a lane fault", null);
        }
    }

    private void waitToRetry(Optional<Duration> retry) {
        technicianResumed = false;
        long until = retry.map(d -> System.nanoTime() + d.toNanos()).orElse(Long.MAX_VALUE);
        while (!w.stopping().getAsBoolean() && !technicianResumed && System.nanoTime() < until) sleep(Duration.ofMillis(100));
        if (technicianResumed) w.store().audit(Actor.STATION, "LANE_RETRY", "printer " + printer.name() + ": trying again after a technician's resume");
    }

    /**
     * A card left in the printer by a run that stopped or faulted: ledgered if the ledger does not know it yet (the
     * run stopped between the printer taking it and its UID being recorded), then sent to the reject box.
     */
    private boolean clearCardPath(PrinterDriver driver) {
        if (encoder != null) {
            encoder.cardPresent().ifPresent(uid -> {
                if (w.store().ledgerEntry(uid).isEmpty()) {
                    w.store().ledgerFoundBlank(uid, "found at the chip encoder of printer " + printer.name() + " after a restart, before any record was written to it", Actor.STATION);
                    LOG.warn(ktp.i18n.StationLog.line("lane.foundInEncoder", printer.name(), uid));
                }
            });
        }
        // A card that was being printed when the station stopped: its fate is read from the printer's own counter first.
        while (!w.stopping().getAsBoolean() && !settleCardsBeingPrinted(driver)) {
            set(LaneState.Kind.PAUSED, PrinterError.NO_ANSWER.name(), PrinterError.NO_ANSWER.operatorMessage(), PrinterError.NO_ANSWER.operatorMessageId(),
                    "a card was being printed when the station stopped: waiting for the printer's counter to tell whether it came out", "");
            sleep(settings.pollEvery());
        }
        // Until the printer answers the eject, the path is not known clear: a card it kept would be printed on next.
        while (!w.stopping().getAsBoolean()) {
            if (driver.clearCardPath()) return true;
            set(LaneState.Kind.PAUSED, PrinterError.NO_ANSWER.name(), PrinterError.NO_ANSWER.operatorMessage(), PrinterError.NO_ANSWER.operatorMessageId(),
                    "clearing the card path: the printer did not answer the eject to the reject box", "");
            sleep(settings.pollEvery());
        }
        return false;
    }

    /**
     * Jobs of this printer left PRINTING by a run that stopped (SIGKILL, power, a lane fault): the printer's count of
     * printed cards is compared with its count when the blank was taken. Higher: the printer finished and ejected the
     * card, which is then the job's printed card (no reprint, no blank unaccounted for). The same: the card did not
     * come out printed; it is spoiled and goes to the reject box with the clearing eject. Another printer (a swapped
     * serial): nothing can be read, so it is spoiled as a card to destroy if found. Each decision is audited. Returns
     * false while the printer does not answer.
     */
    private boolean settleCardsBeingPrinted(PrinterDriver driver) {
        List<Job> printing = w.store().jobsIn(JobState.PRINTING, Integer.MAX_VALUE).stream()
                .filter(j -> w.store().feedMark(j.recordId()).map(m -> m.printer().equals(printer.name())).orElse(false)).toList();
        if (printing.isEmpty()) return true;
        long now;
        String serial;
        try {
            driver.status();
            now = driver.printedCount();
            serial = driver.serial();
        } catch (PrinterException e) {
            LOG.warn(ktp.i18n.StationLog.line("lane.counterUnread", printer.name(), e.getMessage()));
            return false;
        }
        for (Job j : printing) {
            StationStore.FeedMark m = w.store().feedMark(j.recordId()).orElseThrow();
            if (m.serial().equals(serial) && now > m.printedBefore()) {
                w.store().audit(Actor.STATION, "CARD_SETTLED_PRINTED", "record " + j.recordId() + " blank " + j.blankId() + ": the station stopped while the card was PRINTING;"
                        + " printer " + printer.name() + " (" + serial + ") counted " + m.printedBefore() + " printed cards when it took the blank and " + now
                        + " now, so the card came out printed: it is kept as this record's card (no reprint)");
                w.store().transition(j.recordId(), JobState.PRINTED, Actor.STATION, "", null);
                w.store().transition(j.recordId(), JobState.AWAITING_HOLDER, Actor.STATION, "", null);
                LOG.warn(ktp.i18n.StationLog.line("lane.settledPrinted", printer.name(), j.recordId(), m.printedBefore(), now));
            } else {
                String why = m.serial().equals(serial)
                        ? "the station stopped while the card was PRINTING; printer " + printer.name() + " still counts " + now
                          + " printed cards, as when it took the blank, so the card did not come out printed: it goes to the reject box"
                        : "the station stopped while the card was PRINTING on printer " + m.serial() + ", and " + printer.name() + " is now " + serial
                          + ": its counter cannot tell the card's fate; destroy the card if found";
                w.store().transition(j.recordId(), JobState.SPOILED, Actor.STATION, why, null);
                w.store().transition(j.recordId(), JobState.VALIDATED, Actor.STATION, "requeued after restart", null);
            }
        }
        return true;
    }

    private void set(LaneState.Kind kind, String code, String en, String id, String detail, String recordId) {
        LaneState before = state;
        LaneState now = before.with(kind, code, en, id, detail, recordId, w.clock().instant());
        state = now;
        if (before.kind() != kind || !before.code().equals(code)) {
            String message = ktp.i18n.StationLog.pick(en, id);
            String from = before.kind() + "/" + before.code();
            String to = kind + "/" + code;
            // A detail that only repeats the English message (a printer error told as it is) is not said twice.
            LOG.info(detail.isEmpty() || detail.equals(en) ? ktp.i18n.StationLog.line("lane.changed", printer.name(), from, to, message)
                    : ktp.i18n.StationLog.line("lane.changedDetail", printer.name(), from, to, message, detail));
        }
    }

    private static String stack(Throwable t) {
        StringWriter s = new StringWriter();
        t.printStackTrace(new PrintWriter(s));
        String text = s.toString();
        return text.length() > 4000 ? text.substring(0, 4000) + "\n\t..." : text;
    }

    private void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
