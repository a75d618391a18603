package ktp.station;

import java.awt.image.BufferedImage;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import ktp.card.ChipPayload;
import ktp.job.JobState;
import ktp.printer.PrintJob;
import ktp.printer.PrinterProfile;
import ktp.record.CardSeal;
import ktp.record.PrintRecord;
import ktp.record.RecordRejectedException;
import ktp.record.RecordValidator;
import ktp.record.ValidatedRecord;
import ktp.render.CardRenderer;
import ktp.render.CardTemplate;
import ktp.render.RenderException;
import ktp.store.Job;
import ktp.store.StationStore;

/**
 * The one place a record becomes a card to print: the seal's QR, the rendered sides, the printer's panels and the
 * chip's contents. The daemon's lanes, {@code ktp printer print} and the printer benchmark all come here.
 */
public final class CardPreparation {
    private final StationStore store;
    private final Supplier<RecordValidator> validator;
    private final CardRenderer renderer;
    private final ValidatedRecords handoff;
    private volatile long validatedOnce;

    /** Cards prepared from the record as the intake validated it (no second validation). */
    public long preparedWithoutRevalidation() { return validatedOnce; }

    public CardPreparation(StationStore store, Supplier<RecordValidator> validator, CardRenderer renderer) {
        this(store, validator, renderer, null);
    }

    /** {@code handoff}: the records the intake validated, taken from there instead of being validated again (null: none). */
    CardPreparation(StationStore store, Supplier<RecordValidator> validator, CardRenderer renderer, ValidatedRecords handoff) {
        this.handoff = handoff;
        this.store = store;
        this.validator = validator;
        this.renderer = renderer;
    }

    /** Why a stored record cannot be made into a card now. */
    public static final class NotPrintable extends Exception {
        NotPrintable(String message, Throwable cause) { super(message, cause); }
    }

    /**
     * The card for a VALIDATED job, from its stored envelope checked against the keys trusted now (a key withdrawn
     * since intake stops the card before a blank is spent); empty when the job is no longer VALIDATED.
     */
    public Optional<PreparedCard> prepare(String recordId, PrinterProfile profile, boolean chipless) throws NotPrintable {
        Optional<byte[]> envelope = store.envelope(recordId);
        Job job = store.job(recordId).orElse(null);
        if (envelope.isEmpty() || job == null || job.state() != JobState.VALIDATED) return Optional.empty();
        try {
            RecordValidator current = validator.get();
            // Validated at intake by the same validator, for this envelope: handed down, not checked twice. Otherwise (after a
            // restart, or a key reload that may have withdrawn its key) it is checked again here.
            Optional<ValidatedRecord> handed = handoff == null ? Optional.empty() : handoff.take(recordId, current, job.envelopeSha256());
            if (handed.isPresent()) validatedOnce++;
            ValidatedRecord v = handed.isPresent() ? handed.get() : current.validate(envelope.get());
            PrintJob printJob = printJob(renderer, v.record(), v.envelope().keyId(), v.envelope().cardSeal(), profile, true);
            return Optional.of(new PreparedCard(recordId, printJob, chipless ? null : ChipPayload.of(v)));
        } catch (RecordRejectedException | RenderException e) {
            throw new NotPrintable(e.getMessage(), e);
        }
    }

    /** The seal, the render and the panels of one record for one printer profile: written once, used by every caller. */
    public static PrintJob printJob(CardRenderer renderer, PrintRecord record, String keyId, byte[] cardSeal, PrinterProfile profile, boolean compress)
            throws RenderException {
        String qr = CardSeal.qrText(CardSeal.Contents.of(record, keyId), cardSeal);
        CardRenderer.RenderedCard card = renderer.render(record, qr);
        Map<String, BufferedImage> front = renderer.panels(card.side(CardTemplate.Side.FRONT), profile.panelLayout());
        Map<String, BufferedImage> back = profile.dualSided() ? renderer.panels(card.side(CardTemplate.Side.BACK), profile.panelLayout()) : Map.of();
        return PrintJob.prepare(record.recordId(), profile, front, back, compress);
    }
}
