package ktp.station;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import ktp.job.JobState;
import ktp.printer.ChipStation;
import ktp.printer.PrintJob;
import ktp.printer.PrinterDriver;
import ktp.printer.PrinterError;
import ktp.store.Actor;
import ktp.store.StationStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prints one validated job through a printer and keeps the store true to what happened: the blank enters the
 * ledger when the card enters the printer; a spoiled card is recorded with its reason and the job goes back for
 * a fresh blank; while the printer needs a person (feeder, ribbon, cover, jam, reject box, heat, cable) the
 * job waits and the operator is told what to do, and it goes on by itself once the cause is gone.
 */
public final class PrintRunner {
    private static final Logger LOG = LoggerFactory.getLogger(PrintRunner.class);
    /** Spoiled blanks for one job (by its chip or a refused command) before the station stops trying and asks a technician. */
    public static final int MAX_SPOILED_PER_JOB = 3;

    /** What became of the job, and the last message shown to the operator (or ""). */
    public record Result(JobState state, String blankId, int spoiled, String operatorMessage) {}

    /** Where operator messages go (the console; the log meanwhile). */
    @FunctionalInterface
    public interface Operator {
        void tell(PrinterError error, String message);

        /** The cause told last is gone and the card goes on. */
        default void cleared(PrinterError error) { }
    }

    /**
     * A blank id the ledger already holds: two blanks by one id would make the ledger lie, so the card does not go
     * on and the lane stops for a technician with both entries named.
     */
    public static final class BlankIdConflict extends RuntimeException {
        private final String blankId;
        private final String recordId;

        BlankIdConflict(String blankId, String recordId, String existing) {
            super("blank id " + blankId + " for record " + recordId + " is already in the ledger as " + existing
                    + "; the new card was stopped before anything was recorded for it");
            this.blankId = blankId;
            this.recordId = recordId;
        }

        public String blankId() { return blankId; }

        public String recordId() { return recordId; }
    }

    private final StationStore store;
    private final PrinterDriver driver;
    private final ChipStation chip;
    private final Actor actor;
    private final Duration pollEvery;
    private final Operator operator;
    private final String printerName;

    public PrintRunner(StationStore store, PrinterDriver driver, ChipStation chip, Actor actor, Duration pollEvery, Operator operator) {
        this(store, driver, chip, actor, pollEvery, operator, "");
    }

    /** {@code printerName}: the lane's printer, kept with each blank's feed mark so that its lane settles the card after a restart. */
    public PrintRunner(StationStore store, PrinterDriver driver, ChipStation chip, Actor actor, Duration pollEvery, Operator operator, String printerName) {
        this.printerName = printerName;
        this.store = store;
        this.driver = driver;
        this.chip = chip;
        this.actor = actor;
        this.pollEvery = pollEvery;
        this.operator = operator;
    }

    public Result print(PrintJob job, BooleanSupplier stop) { return print(job, chip, stop); }

    /** Until the printer has answered an eject to the reject box (the card path is clear), or {@code stop}. */
    private boolean awaitPathClear(BooleanSupplier stop) {
        boolean told = false;
        while (!stop.getAsBoolean()) {
            if (driver.clearCardPath()) return true;
            if (!told) {
                operator.tell(PrinterError.NO_ANSWER, "the printer did not answer the eject of a spoiled card; no blank is taken until it does");
                told = true;
            }
            try {
                Thread.sleep(pollEvery.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    /**
     * A card PRINTING when the printer stopped answering: waits for the printer to answer again, then compares its
     * printed-cards count with the count when it took the blank. 1 (audited CARD_SETTLED_PRINTED) when the card came
     * out printed; 0 when it did not or no count was kept; -1 on {@code stop} before the printer told.
     */
    private int printedAfterAll(String recordId, BooleanSupplier stop) {
        var job = store.job(recordId).orElse(null);
        var mark = store.feedMark(recordId).orElse(null);
        if (job == null || job.state() != JobState.PRINTING || mark == null) return 0;
        operator.tell(PrinterError.NO_ANSWER, "the printer stopped answering while the card was printing; waiting for it to tell whether the card came out");
        while (!stop.getAsBoolean()) {
            if (driver.awaitCleared(PrinterError.NO_ANSWER, pollEvery, stop)) {
                try {
                    long now = driver.printedCount();
                    if (!driver.serial().equals(mark.serial()) || now <= mark.printedBefore()) return 0;
                    store.audit(actor, "CARD_SETTLED_PRINTED", "record " + recordId + " blank " + job.blankId() + ": the printer stopped answering while the card was PRINTING;"
                            + " printer " + mark.printer() + " (" + mark.serial() + ") counted " + mark.printedBefore() + " printed cards when it took the blank and " + now
                            + " now, so the card came out printed: it is kept as this record's card (no reprint)");
                    LOG.warn(ktp.i18n.StationLog.line("runner.silentPrinted", recordId, mark.printedBefore(), now));
                    return 1;
                } catch (ktp.printer.PrinterException e) {
                    LOG.debug("printer count not read yet: {}", e.getMessage());
                }
            }
        }
        return -1;
    }

    /** Prints {@code job} with the chip step handed down with this card ({@code chip} null: a chipless card). */
    public Result print(PrintJob job, ChipStation chip, BooleanSupplier stop) {
        String recordId = job.recordId();
        int spoiled = 0;
        String lastMessage = "";
        while (!stop.getAsBoolean()) {
            PrinterDriver.Outcome o = driver.print(job, chip, new PrinterDriver.CardEvents() {
                @Override
                public void inPrinter(String blankId) {
                    store.ledgerEntry(blankId).ifPresent(e -> {
                        throw new BlankIdConflict(blankId, recordId, "blank " + e.blankId() + " of record " + (e.recordId().isEmpty() ? "(none)" : e.recordId())
                                + " (" + e.fate() + (e.reason().isEmpty() ? "" : ": " + e.reason()) + ", entered " + e.enteredAt() + ")");
                    });
                    long before = driver.printedAtFeed();
                    store.transition(recordId, JobState.ENCODING, actor, "", blankId,
                            // Only a lane settles a card by its mark after a restart: the stand-alone tools keep none.
                            before < 0 || printerName.isEmpty() ? null : new StationStore.FeedMark(printerName, driver.serial(), before));
                }

                @Override
                public void encoded() { store.transition(recordId, JobState.ENCODED, actor, "", null); }

                @Override
                public void printing() { store.transition(recordId, JobState.PRINTING, actor, "", null); }
            });
            if (o instanceof PrinterDriver.Printed p) {
                store.transition(recordId, JobState.PRINTED, actor, "", null);
                store.transition(recordId, JobState.AWAITING_HOLDER, actor, "", null);
                LOG.info(ktp.i18n.StationLog.line("runner.printed", recordId, p.blankId()));
                return new Result(JobState.AWAITING_HOLDER, p.blankId(), spoiled, lastMessage);
            }
            PrinterError error;
            String why;
            int cameOut = o instanceof PrinterDriver.Spoiled s0 && s0.error() == PrinterError.NO_ANSWER ? printedAfterAll(recordId, stop) : 0;
            if (cameOut < 0) {
                // Stopped before the printer told: the job stays PRINTING with its mark; the lane settles it when it starts again.
                return new Result(JobState.PRINTING, "", spoiled, lastMessage);
            }
            if (cameOut > 0 && o instanceof PrinterDriver.Spoiled s) {
                // The printer went silent (unplugged, a reply lost) after it had taken the last panel: its own count says
                // the card came out printed, so it is this record's card, not a spoiled blank followed by a second print.
                store.transition(recordId, JobState.PRINTED, actor, "", null);
                store.transition(recordId, JobState.AWAITING_HOLDER, actor, "", null);
                operator.cleared(PrinterError.NO_ANSWER);
                return new Result(JobState.AWAITING_HOLDER, s.blankId(), spoiled, lastMessage);
            }
            if (o instanceof PrinterDriver.Spoiled s) {
                why = s.reason();
                // Only a spoil that may be this card's own (a chip that fails, a command refused) counts towards asking a
                // technician: a cover opened or a ribbon run out mid-card spoils it too, but says nothing of the next blank.
                if (s.error() == null || s.error() == PrinterError.REFUSED) spoiled++;
                // A printer error's reason already starts with its name (PrinterException's message); a chip failure has none.
                String reason = s.error() == null ? s.reason() : s.reason()
                        + switch (s.error()) {
                            case JAM -> "; take the card out by hand (it is spoiled)";
                            case NO_ANSWER -> "; the printer stopped answering with the card inside: destroy the card if it is found";
                            default -> "; the card is in the reject box";
                        };
                store.transition(recordId, JobState.SPOILED, actor, reason, null);
                store.transition(recordId, JobState.VALIDATED, actor, "requeued for a fresh blank after: " + (s.error() == null ? "a chip failure" : s.error()), null);
                // The spoiled card must be out (in the reject box, or taken out by hand after a jam) before the next blank:
                // a card the printer kept would be printed on for the next record.
                if (s.error() == null && !awaitPathClear(stop)) break;
                LOG.warn(ktp.i18n.StationLog.line("runner.spoiled", recordId, s.blankId(), reason));
                if (spoiled >= MAX_SPOILED_PER_JOB) {
                    lastMessage = "record " + recordId + " spoiled " + spoiled + " blanks; a technician should check the printer and encoder";
                    operator.tell(s.error() == null ? PrinterError.REFUSED : s.error(), lastMessage);
                    return new Result(JobState.VALIDATED, "", spoiled, lastMessage);
                }
                error = s.error();
                if (error == null) continue; // a bad chip: next blank at once
            } else {
                error = ((PrinterDriver.NotStarted) o).error();
                why = ((PrinterDriver.NotStarted) o).reason();
                if (error == PrinterError.ENCODER_NOT_READY) {
                    // Not the printer's to clear: the lane pauses with the reason and checks the encoder itself.
                    lastMessage = error.operatorMessage() + " (" + why + ")";
                    operator.tell(error, lastMessage);
                    return new Result(JobState.VALIDATED, "", spoiled, lastMessage);
                }
            }
            lastMessage = error.operatorMessage();
            operator.tell(error, lastMessage);
            String reply = why == null || why.isEmpty() ? error.name() : why.startsWith(error.name()) ? why : error + ": " + why; // the code once, then the reply
            LOG.warn(ktp.i18n.StationLog.line("runner.paused", ktp.i18n.StationLog.pick(error.operatorMessage(), error.operatorMessageId()), recordId, reply));
            store.audit(actor, "PRINTER_PAUSED", error + ": " + lastMessage + " (record " + recordId + " waits) - " + why);
            if (!driver.awaitCleared(error, pollEvery, stop)) break;
            if (o instanceof PrinterDriver.Spoiled && !awaitPathClear(stop)) break;
            store.audit(actor, "PRINTER_RESUMED", error + " cleared; record " + recordId + " goes on");
            operator.cleared(error);
            LOG.info(ktp.i18n.StationLog.line("runner.resumed", error, recordId));
        }
        return new Result(store.job(recordId).map(j -> j.state()).orElse(JobState.VALIDATED), "", spoiled, lastMessage);
    }
}
