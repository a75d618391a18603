package ktp.counter;

import ktp.dinas.ReportSettings;
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
                         Supplier<TrustedKeys> trust, String scannerUri, ScannerProfile scannerProfile, Runnable changed, java.nio.file.Path receipts, String stationId,
                         Supplier<ktp.dinas.ReportSettings> report) {}

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
                return remember(activation().inspect(record.get(), card));
            }
        }
    }

    /** Reads this record's card and checks it, changing nothing (the console shows the photo). */
    public HolderActivation.Inspection inspect(String recordId) throws HolderActivation.ActivationException {
        synchronized (inUse) {
            try (SmartcardioTransport card = card(p -> { })) {
                return remember(activation().inspect(recordId, card));
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

    private volatile Visit visit;

    /** Relations a proxy (kuasa) may have to the holder, as the hand-over form offers them. */
    public static final java.util.List<String> RELATIONS = java.util.List.of("suami/istri", "orang tua", "anak", "saudara kandung", "kuasa tertulis");

    /**
     * The card is handed over: to its holder, or to a proxy whose NIK, name and relation are recorded. The
     * receipt (tanda terima) is written into the store's receipts folder and the hand-over is audited; the
     * job must be ISSUED and not handed over yet.
     */
    public byte[] handOver(String recordId, Actor officer, Receipt.Collector who, java.time.Instant at) throws HolderActivation.ActivationException, java.io.IOException {
        ktp.store.Job job = w.store().job(recordId).orElseThrow(() -> new HolderActivation.ActivationException("no job for record " + recordId));
        if (job.state() != ktp.job.JobState.ISSUED) throw new HolderActivation.ActivationException("record " + recordId + " is " + job.state() + ", not issued: nothing to hand over");
        if (who.proxy()) {
            if (!who.nik().matches("\\d{16}")) throw new HolderActivation.ActivationException("the proxy's NIK must be 16 digits, got '" + who.nik() + "'");
            if (who.nik().equals(job.nik())) throw new HolderActivation.ActivationException("the proxy's NIK is the holder's own");
            if (who.name().isBlank() || who.name().length() > 100) throw new HolderActivation.ActivationException("the proxy's name is required (at most 100 characters)");
            if (!RELATIONS.contains(who.relation())) throw new HolderActivation.ActivationException("the proxy's relation must be one of " + RELATIONS + ", got '" + who.relation() + "'");
        }
        java.nio.file.Path file = receiptFile(recordId);
        if (java.nio.file.Files.exists(file)) throw new HolderActivation.ActivationException("record " + recordId + " was handed over already (receipt " + file.getFileName() + ")");
        // The place, letterhead, number and the officer's name and NIP from the configuration's report section, as the
        // reports take them; without a place the station's id stands in.
        ktp.dinas.ReportSettings rs = w.report().get();
        ktp.dinas.ReportSettings.Officer o = rs.officer(officer.toString());
        String place = rs.place().isBlank() ? w.stationId() : rs.place();
        String number = rs.documentNumber("TT", w.stationId(), at.atZone(java.time.ZoneId.of("Asia/Jakarta")).toLocalDate()) + "/" + recordId;
        Receipt.Contents c = new Receipt.Contents(rs.letterhead(), number, recordId, job.nik(), holderName(recordId), job.blankId(), w.stationId(), place, at,
                o.name(), o.nipWritten(), who);
        byte[] pdf = Receipt.pdf(c, ktp.datafile.Home.templates().resolve("fonts"));
        java.nio.file.Files.createDirectories(file.getParent());
        ktp.datafile.AtomicFile.write(file, pdf, true);
        w.store().audit(officer, "CONSOLE_HANDOVER", "record " + recordId + " card " + job.blankId() + " handed to "
                + (who.proxy() ? "a proxy: NIK " + who.nik() + ", " + who.name() + ", " + who.relation() : "the holder") + "; receipt " + file.getFileName());
        return pdf;
    }

    /** Whether the record's card was handed over (its receipt is kept). */
    public boolean hasReceipt(String recordId) {
        return recordId.matches("[A-Za-z0-9_-]{1,64}") && java.nio.file.Files.exists(w.receipts().resolve("tanda-terima-" + recordId + ".pdf"));
    }

    /** The receipt kept for a record's hand-over, if it was handed over. */
    public Optional<byte[]> receipt(String recordId) throws java.io.IOException {
        if (!recordId.matches("[A-Za-z0-9_-]{1,64}")) return Optional.empty();
        java.nio.file.Path f = w.receipts().resolve("tanda-terima-" + recordId + ".pdf");
        return java.nio.file.Files.exists(f) ? Optional.of(java.nio.file.Files.readAllBytes(f)) : Optional.empty();
    }

    private java.nio.file.Path receiptFile(String recordId) throws HolderActivation.ActivationException {
        if (!recordId.matches("[A-Za-z0-9_-]{1,64}")) throw new HolderActivation.ActivationException("not a record id: '" + recordId + "'");
        return w.receipts().resolve("tanda-terima-" + recordId + ".pdf");
    }

    /**
     * The names read from the chips at this counter since the daemon started (the record's envelope leaves the
     * store once the card is issued, with its biometrics; the hand-over comes after). Bounded.
     */
    private final java.util.Map<String, String> namesFromChip = java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(java.util.Map.Entry<String, String> eldest) { return size() > 1000; }
    });

    private HolderActivation.Inspection remember(HolderActivation.Inspection in) {
        if (in.holder() != null && in.genuine()) namesFromChip.put(in.recordId(), in.holder().nama());
        return in;
    }

    /** The holder's name: from the record while the station holds it, else from the chip read at this counter ("" if neither). */
    public String holderName(String recordId) {
        try {
            Optional<byte[]> env = w.store().envelope(recordId);
            if (env.isEmpty()) return namesFromChip.getOrDefault(recordId, "");
            byte[] payload = ktp.record.Envelope.parse(env.get()).payload();
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(payload).path("front").path("nama").asText("");
        } catch (ktp.record.RecordRejectedException | java.io.IOException | RuntimeException e) {
            return "";
        }
    }

    /**
     * Starts the holder's visit with the configured scanner on a thread of its own and returns at once: the
     * console shows {@link Visit#progress()} as it changes. One visit at a time (one scanner); a second while
     * one runs is refused.
     */
    public synchronized Visit startIssue(String recordId, Actor operator) throws HolderActivation.ActivationException {
        Visit running = visit;
        if (running != null && !running.progress().over()) {
            throw new HolderActivation.ActivationException("the counter is busy with record " + running.recordId() + " (" + running.operator() + ")");
        }
        Visit v = new Visit(recordId, operator, RetryPolicy.STATION.attemptsPerFinger(), (action, detail) -> w.store().audit(operator, action, detail));
        w.store().audit(operator, "CONSOLE_ISSUE_STARTED", "record " + recordId + ": the holder's fingers are asked for");
        visit = v;
        Thread t = new Thread(() -> {
            try (R30xScanner scanner = R30xScanner.open(w.scannerUri(), w.scannerProfile())) {
                ScannerSource glass = new ScannerSource(scanner, Duration.ofSeconds(w.scannerProfile().captureWaitSeconds()));
                v.decided(issue(recordId, v.watch(glass), w.scannerProfile().dpi(), operator, v::prompt));
            } catch (HolderActivation.ActivationException e) {
                w.store().audit(operator, "CONSOLE_ISSUE_NOT_DECIDED", "record " + recordId + ": " + e.getMessage());
                v.failed(e.getMessage());
            } catch (R30xScanner.ScannerException | java.io.IOException | RuntimeException e) {
                w.store().audit(operator, "CONSOLE_ISSUE_NOT_DECIDED", "record " + recordId + ": the fingerprint scanner: " + e.getMessage());
                v.failed("the fingerprint scanner: " + e.getMessage());
            }
        }, "counter-visit-" + recordId);
        t.setDaemon(true);
        t.start();
        return v;
    }

    /** The visit in progress or the last one (empty before the first). */
    public Optional<Visit> visit() { return Optional.ofNullable(visit); }

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
