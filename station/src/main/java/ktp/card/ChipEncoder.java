package ktp.card;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.Function;
import javax.smartcardio.CardTerminal;
import javax.smartcardio.TerminalFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The printer's chip station over PC/SC: waits for the blank the printer parks under the contacts, checks its
 * ATR against the card profile, reads its UID (the blank's id in the ledger), and personalizes it through SCP03
 * at level 33 with read-back. Any failure is a {@link Failure} carrying the UID when the chip answered at
 * all, so the printer sends the card to the reject box and the ledger records it spoiled with the reason.
 * The chip's contents are handed in with each card and not kept here. It knows nothing of the printer: the
 * station hands the printer a chip step that calls it.
 */
public final class ChipEncoder {
    private static final Logger LOG = LoggerFactory.getLogger(ChipEncoder.class);

    private final TerminalFactory factory;
    private final String readerPattern;
    private final CardProfile profile;
    private final CardKeys keys;
    private final Duration insertWait;
    private final Function<String, Optional<ChipPayload>> payloads;
    private final SecureRandom random = new SecureRandom();
    private volatile Personalizer.Result last;

    /** An encoder whose chip contents are handed to it with each card ({@link #with(ChipPayload)}). */
    public ChipEncoder(TerminalFactory factory, String readerPattern, CardProfile profile, CardKeys keys, Duration insertWait) {
        this(factory, readerPattern, profile, keys, insertWait, id -> Optional.empty());
    }

    public ChipEncoder(TerminalFactory factory, String readerPattern, CardProfile profile, CardKeys keys, Duration insertWait,
                       Function<String, Optional<ChipPayload>> payloads) {
        this.factory = factory;
        this.readerPattern = readerPattern == null ? "" : readerPattern;
        this.profile = profile;
        this.keys = keys;
        this.insertWait = insertWait;
        this.payloads = payloads;
    }

    /** The last successful personalization's counts (APDUs, bytes), for the benchmark and the log. */
    /** The chip could not be personalised: {@code uid} is known when the chip answered at all. */
    public static final class Failure extends Exception {
        private final String uid;

        public Failure(String uid, String message) {
            super(message);
            this.uid = uid;
        }

        public String uid() { return uid; }
    }

    public Optional<Personalizer.Result> lastResult() { return Optional.ofNullable(last); }

    /** The UID of a card sitting in the encoder now, without waiting and without writing anything. */
    public Optional<String> cardPresent() {
        try {
            CardTerminal reader = SmartcardioTransport.reader(factory, readerPattern);
            if (!reader.isCardPresent()) return Optional.empty();
            try (SmartcardioTransport t = SmartcardioTransport.open(reader)) {
                return Optional.of(new Personalizer(t, profile, keys, random).readUid());
            }
        } catch (ApduTransport.CardException | Personalizer.PersonalizationException | javax.smartcardio.CardException e) {
            LOG.warn(ktp.i18n.StationLog.line("encoder.unreadable", e.getMessage()));
            return Optional.empty();
        }
    }

    /**
     * The reader must be there and empty before the printer takes a blank: a missing reader, or a card left in it,
     * would spoil the blank at the contacts.
     */
    public Optional<String> notReady() {
        try {
            CardTerminal reader = SmartcardioTransport.reader(factory, readerPattern);
            if (reader.isCardPresent()) return Optional.of("a card is still in the encoder reader '" + reader.getName() + "'");
            return Optional.empty();
        } catch (ApduTransport.CardException | javax.smartcardio.CardException | RuntimeException e) {
            return Optional.of("encoder reader: " + e.getMessage());
        }
    }

    public String encode(String recordId) throws Failure {
        return encode(recordId, uid -> { });
    }

    /** As {@link #encode(String, ChipPayload, java.util.function.Consumer)}, the payload looked up by record. */
    public String encode(String recordId, java.util.function.Consumer<String> identified) throws Failure {
        ChipPayload payload = payloads.apply(recordId).orElseThrow(() -> new Failure(null, "no chip data for record " + recordId + " (not validated on this station)"));
        return encode(recordId, payload, identified);
    }

    /** Personalises the card now at the contacts with {@code payload}; returns its UID. */
    public String encode(String recordId, ChipPayload payload) throws Failure {
        return encode(recordId, payload, uid -> { });
    }

    /** The same, telling {@code identified} the chip's UID once read, before the chip is written (the ledger takes the blank then). */
    public String encode(String recordId, ChipPayload payload, java.util.function.Consumer<String> identified) throws Failure {
        CardTerminal reader;
        try {
            reader = SmartcardioTransport.reader(factory, readerPattern);
            if (!reader.waitForCardPresent(insertWait.toMillis())) {
                throw new Failure(null, "no card reached the encoder '" + reader.getName() + "' within " + insertWait.toSeconds() + " s");
            }
        } catch (ApduTransport.CardException | javax.smartcardio.CardException e) {
            throw new Failure(null, "encoder reader: " + e.getMessage());
        }
        String uid = null;
        try (SmartcardioTransport t = SmartcardioTransport.open(reader)) {
            if (!profile.matchesAtr(t.atr())) {
                throw new Failure(null, "the card's ATR " + HexFormat.of().withUpperCase().formatHex(t.atr()) + " is not a " + profile.id() + " card: wrong blank stock?");
            }
            Personalizer p = new Personalizer(t, profile, keys, random);
            uid = p.readUid();
            identified.accept(uid);
            Personalizer.Result r = p.personalize(payload.dataGroups(), payload.securityObject());
            last = r;
            LOG.info(ktp.i18n.StationLog.line("encoder.personalized", recordId, r.uid(), r.apdus(), r.bytesSent(), r.bytesReceived()));
            return r.uid();
        } catch (ApduTransport.CardException e) {
            throw new Failure(uid, "the card left the reader or the chip stopped answering: " + e.getMessage());
        } catch (Personalizer.PersonalizationException e) {
            throw new Failure(uid, e.getMessage());
        }
    }
}
