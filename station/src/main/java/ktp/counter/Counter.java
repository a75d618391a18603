package ktp.counter;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.smartcardio.CardTerminal;
import javax.smartcardio.TerminalFactory;
import ktp.biometric.HolderMatcher;
import ktp.biometric.HolderVerification;
import ktp.biometric.RetryPolicy;
import ktp.biometric.ScannerProfile;
import ktp.biometric.ScannerSource;
import ktp.biometric.r30x.R30xScanner;
import ktp.card.ApduTransport;
import ktp.card.CardKeys;
import ktp.card.CardProfile;
import ktp.card.SmartcardioTransport;
import ktp.record.TrustedKeys;
import ktp.store.Actor;
import ktp.store.LedgerEntry;
import ktp.store.StationStore;

/**
 * The counter where a printed card meets its holder (docs/activation.md): one card reader and one fingerprint
 * scanner, used by one request at a time. This is the small API the operator console (and the demo) call;
 * what is checked and decided is {@link HolderActivation}'s. The station daemon only wires it: the store, the
 * readers, the card keys, the trusted keys as they are now (a reload takes effect on the next card) and a
 * callback that says a job changed (the outbox publisher's wake-up).
 */
public final class Counter {
    /** What the counter needs from the station; {@code trust} is asked on every card, {@code changed} after every decision. */
    public record Wiring(StationStore store, TerminalFactory readers, String readerPattern, int insertWaitSeconds, CardProfile profile, CardKeys keys,
                         Supplier<TrustedKeys> trust, String scannerUri, ScannerProfile scannerProfile, Runnable changed) {}

    private final Wiring w;
    /** One reader and one scanner: two console requests at once take turns rather than share the card. */
    private final Object inUse = new Object();

    public Counter(Wiring wiring) {
        this.w = wiring;
    }

    /**
     * The card in the counter's reader, read and checked by passive authentication without changing anything;
     * the job is found from the chip's UID (the blank it was printed on), so the operator picks nothing.
     */
    public HolderActivation.Inspection readInserted(Consumer<String> prompt) throws HolderActivation.ActivationException {
        synchronized (inUse) {
            try (SmartcardioTransport card = card(prompt)) {
                String uid;
                try {
                    uid = new ktp.card.Personalizer(card, w.profile(), w.keys(), new java.security.SecureRandom()).readUid();
                } catch (ApduTransport.CardException | ktp.card.Personalizer.PersonalizationException e) {
                    throw new HolderActivation.ActivationException("the chip cannot be read: " + e.getMessage());
                }
                Optional<String> record = w.store().ledgerEntry(uid).map(LedgerEntry::recordId).filter(r -> r != null && !r.isEmpty());
                if (record.isEmpty()) throw new HolderActivation.ActivationException("the card in the reader (chip " + uid + ") was not printed at this station");
                return activation().inspect(record.get(), card);
            }
        }
    }

    /** Reads this record's card and checks it, changing nothing (the console shows the photo). */
    public HolderActivation.Inspection inspect(String recordId) throws HolderActivation.ActivationException {
        synchronized (inUse) {
            try (SmartcardioTransport card = card(p -> { })) {
                return activation().inspect(recordId, card);
            }
        }
    }

    /** The holder's visit with fingers from {@code scanner} (the demo and the tests bring their own glass). */
    public HolderActivation.Result issue(String recordId, HolderVerification.Source scanner, double dpi, Actor operator, Consumer<String> prompt)
            throws HolderActivation.ActivationException {
        synchronized (inUse) {
            try (SmartcardioTransport card = card(prompt)) {
                HolderActivation.Result r = activation().activate(recordId, card, scanner, dpi, operator, prompt);
                w.changed().run();
                return r;
            }
        }
    }

    /** The same with the configured scanner (the console's path). */
    public HolderActivation.Result issue(String recordId, Actor operator, Consumer<String> prompt) throws HolderActivation.ActivationException {
        try (R30xScanner scanner = R30xScanner.open(w.scannerUri(), w.scannerProfile())) {
            ScannerSource glass = new ScannerSource(scanner, Duration.ofSeconds(w.scannerProfile().captureWaitSeconds()));
            return issue(recordId, glass, w.scannerProfile().dpi(), operator, prompt);
        } catch (R30xScanner.ScannerException | java.io.IOException e) {
            throw new HolderActivation.ActivationException("the fingerprint scanner: " + e.getMessage());
        }
    }

    /** A supervisor's override of a failed activation, with the reason (the chip must still be genuine). */
    public HolderActivation.Result override(String recordId, Actor supervisor, String reason) throws HolderActivation.ActivationException {
        synchronized (inUse) {
            try (SmartcardioTransport card = card(p -> { })) {
                HolderActivation.Result r = activation().override(recordId, card, supervisor, reason);
                w.changed().run();
                return r;
            }
        }
    }

    private HolderActivation activation() {
        return new HolderActivation(w.store(), w.profile(), w.keys(), w.trust().get(), new HolderMatcher(HolderMatcher.DEFAULT_THRESHOLD), RetryPolicy.STATION);
    }

    /** The card in the counter's reader, waiting for it (up to insert_wait_s) if the operator was quicker than the reader. */
    private SmartcardioTransport card(Consumer<String> prompt) throws HolderActivation.ActivationException {
        try {
            CardTerminal counter = SmartcardioTransport.reader(w.readers(), w.readerPattern());
            // The operator may click before the card has settled in the reader (pcscd takes a moment to see it).
            if (!counter.isCardPresent()) prompt.accept("insert the holder's card into " + counter.getName());
            if (!counter.waitForCardPresent(w.insertWaitSeconds() * 1000L)) {
                throw new HolderActivation.ActivationException("no card in '" + counter.getName() + "' after " + w.insertWaitSeconds() + " s: insert the holder's card and try again");
            }
            return SmartcardioTransport.open(counter);
        } catch (ApduTransport.CardException | javax.smartcardio.CardException e) {
            throw new HolderActivation.ActivationException("the counter's card reader: " + e.getMessage());
        }
    }
}
