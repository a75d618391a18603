package ktp.sim.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ktp.biometric.HolderMatcher;
import ktp.biometric.HolderVerification;
import ktp.biometric.RetryPolicy;
import ktp.card.ApduTransport;
import ktp.card.CardKeys;
import ktp.card.CardProfile;
import ktp.card.ChipEncoder;
import ktp.card.ChipPayload;
import ktp.card.Personalizer;
import ktp.card.SmartcardioTransport;
import ktp.job.JobState;
import ktp.sim.card.CardSlot;
import ktp.sim.card.InProcessReaders;
import ktp.sim.card.VirtualCard;
import ktp.sim.card.VirtualCards;
import ktp.station.HolderActivation;
import ktp.record.PrintRecord;
import ktp.record.RecordRejectedException;
import ktp.record.RecordValidator;
import ktp.render.CardRenderer;
import ktp.render.CardTemplate;
import ktp.render.RenderException;
import ktp.record.TrustedKeys;
import ktp.station.RecordIntake;
import ktp.sim.records.DataCenterKey;
import ktp.sim.records.Defect;
import ktp.sim.records.FingerprintLibrary;
import ktp.sim.records.RecordGenerator;
import ktp.store.Actor;
import ktp.store.BlankFate;
import ktp.store.LedgerEntry;
import ktp.store.StationStore;

/**
 * The demo spine: a simulated data center hands signed records to a station, which validates them, takes a
 * blank for each, personalizes its chip through the station's PC/SC encoder (a virtual card in an in-process
 * javax.smartcardio reader, SCP03 at level 33 with per-card keys), renders the card, and later checks the chip
 * by passive authentication, matches the holder's finger against it and activates it, every step a committed
 * job change in the real store. The printer is not driven here (its simulator is `ktp sim printer`); the
 * holder's captures come from the embedded FVC2002 images as from an image scanner. Nothing is counted that
 * did not happen.
 */
public final class DemoRun {
    public static final String STATION_ID = "DEMO-01";
    private static final int MAX_BLANKS_PER_JOB = 3;

    /** {@code broker}: an MQTT broker URL, or null for the embedded one. */
    public record Options(int cards, Path out, long seed, boolean faults, String broker) {
        public Options(int cards, Path out, long seed, boolean faults) { this(cards, out, seed, faults, null); }
    }

    public record Summary(int recordsIn, int issued, int spoiledBlanks, int rejected, int awaitingHolder,
                          int activationFailed, int eventsPublished) {
        public String line(Path out) {
            return "demo: " + recordsIn + " records in, " + issued + " issued, " + spoiledBlanks + " spoiled, " + rejected
                    + " rejected" + (awaitingHolder > 0 ? ", " + awaitingHolder + " awaiting holder" : "")
                    + (activationFailed > 0 ? ", " + activationFailed + " activation failed" : "")
                    + "; " + eventsPublished + " telemetry events; outputs in " + out;
        }
    }

    private final Options options;
    private final PrintStream progress;
    private final Actor station = Actor.STATION;
    private int blankSerial;

    public DemoRun(Options options, PrintStream progress) {
        this.options = options;
        this.progress = progress;
    }

    /** A leased record as the data center handed it: its id, the envelope, and (for the demo) whose fingers. */
    private record Lease(String recordId, byte[] envelope, RecordGenerator.Resident resident) {}

    public Summary run() throws IOException {
        Path out = options.out();
        Path storeDir = out.resolve("station");
        if (StationStore.existsIn(storeDir)) {
            throw new IllegalArgumentException(storeDir + " already holds a station store from an earlier demo; choose another --out or remove it");
        }
        Path recordsDir = Files.createDirectories(out.resolve("records"));
        Path cardsDir = Files.createDirectories(out.resolve("cards"));

        long t0 = System.nanoTime();
        progress.println("central: generating " + options.cards() + " synthetic residents (seed " + options.seed() + ")"
                + (options.faults() ? " plus faulty records" : ""));
        FingerprintLibrary fingers = FingerprintLibrary.embedded();
        DataCenterKey key = DataCenterKey.fromSeed(options.seed());
        key.writePublicKey(out.resolve("trusted-keys"));
        RecordGenerator generator = new RecordGenerator(options.seed(), fingers, LocalDate.now());
        List<Lease> leases = new ArrayList<>();
        int faultyEvery = options.faults() ? 10 : Integer.MAX_VALUE;
        DataCenterKey stranger = DataCenterKey.fromSeed(~options.seed());
        for (int i = 0; i < options.cards(); i++) {
            RecordGenerator.Resident r = generator.next();
            leases.add(new Lease(r.record().recordId(), key.signRecord(r.record()).toJson(), r));
            if ((i + 1) % faultyEvery == 0) {
                RecordGenerator.Resident bad = generator.next();
                Defect d = Defect.values()[(i / faultyEvery) % Defect.values().length];
                leases.add(new Lease(bad.record().recordId(), d.apply(bad.record(), key, stranger), bad));
            }
        }
        for (Lease l : leases) Files.write(recordsDir.resolve(l.recordId() + ".json"), l.envelope());

        CardRenderer renderer = renderer();
        RecordValidator validator = new RecordValidator(TrustedKeys.loadDirectory(out.resolve("trusted-keys")), Clock.systemDefaultZone(), renderer.fitCheck());
        Map<String, String> qrTexts = new LinkedHashMap<>();
        Map<String, PrintRecord> validated = new LinkedHashMap<>();
        Map<String, RecordGenerator.Resident> residents = new LinkedHashMap<>();
        try (StationStore store = StationStore.open(storeDir, STATION_ID, Clock.systemUTC())) {
            RecordIntake intake = new RecordIntake(validator, store, station);
            store.audit(station, "DEMO_START", options.cards() + " cards, seed " + options.seed() + (options.faults() ? ", faults injected" : ""));
            int n = 0;
            for (Lease lease : leases) {
                n++;
                String tag = String.format("[%2d/%d] %s", n, leases.size(), lease.recordId());
                RecordIntake.Outcome o = intake.offer(lease.recordId(), lease.envelope());
                switch (o.kind()) {
                    case VALIDATED -> {
                        PrintRecord r = o.record().orElseThrow();
                        validated.put(lease.recordId(), r);
                        qrTexts.put(lease.recordId(), qrText(r, lease.envelope()));
                        residents.put(lease.recordId(), lease.resident());
                        progress.println(tag + "  VALID  NIK " + r.nik() + "  " + r.front().nama());
                    }
                    case REJECTED -> {
                        RecordRejectedException e = o.rejection().orElseThrow();
                        progress.println(tag + "  REJECTED " + e.reason() + (e.field().isEmpty() ? "" : " [" + e.field() + "]"));
                    }
                    case NOT_ADMITTED -> progress.println(tag + "  NOT PRINTED: " + o.detail());
                }
            }

            Chips chips = new Chips(TrustedKeys.loadDirectory(out.resolve("trusted-keys")), store);
            for (Map.Entry<String, PrintRecord> e : validated.entrySet()) {
                encodeAndPrint(store, chips, e.getKey(), e.getValue(), leases, qrTexts.get(e.getKey()), renderer, cardsDir);
            }

            int holder = 0;
            for (Map.Entry<String, PrintRecord> e : validated.entrySet()) {
                String recordId = e.getKey();
                if (store.job(recordId).orElseThrow().state() != JobState.AWAITING_HOLDER) continue;
                holder++;
                boolean impostor = options.faults() && holder % 8 == 0;
                boolean tampered = options.faults() && holder % 16 == 4;
                activate(store, chips, recordId, residents.get(recordId), fingers, impostor, tampered);
            }

            int published = publishOutbox(store, out);
            store.audit(station, "DEMO_END", "done");
            Summary s = summarize(store, leases.size(), published);
            writeSummary(out.resolve("summary.json"), s, (System.nanoTime() - t0) / 1e9);
            return s;
        }
    }

    private static CardRenderer renderer() throws IOException {
        Path file = ktp.cli.Paths.templates().resolve("ktpel.yaml");
        try {
            return new CardRenderer(CardTemplate.load(file));
        } catch (ktp.datafile.DataFileException e) {
            throw new IOException("the card template: " + e.getMessage(), e);
        }
    }

    private static String qrText(PrintRecord r, byte[] envelope) {
        try {
            ktp.record.Envelope e = ktp.record.Envelope.parse(envelope);
            return ktp.record.CardSeal.qrText(ktp.record.CardSeal.Contents.of(r, e.keyId()), e.cardSeal());
        } catch (RecordRejectedException e) {
            throw new IllegalStateException("a validated envelope no longer parses: " + e.getMessage(), e);
        }
    }

    /** The card as the operator would see it come out: both sides rendered from the template, with the blank's preview. */
    private static void writeCard(CardRenderer renderer, PrintRecord r, String qr, Path cardsDir) throws IOException {
        try {
            CardRenderer.RenderedCard card = renderer.render(r, qr);
            javax.imageio.ImageIO.write(renderer.preview(card.side(CardTemplate.Side.FRONT), 300), "png", cardsDir.resolve(r.recordId() + "-front.png").toFile());
            javax.imageio.ImageIO.write(renderer.preview(card.side(CardTemplate.Side.BACK), 300), "png", cardsDir.resolve(r.recordId() + "-back.png").toFile());
        } catch (RenderException e) {
            throw new IOException("rendering " + r.recordId() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The station's chip side for the demo: the card profile, a demo issuer master key, one in-process reader
     * slot, the encoder and the activation, and the chips of printed cards by UID (they go back into the reader
     * when their holder comes).
     */
    private final class Chips {
        final CardProfile profile = VirtualCards.profile();
        final byte[] master = demoMasterKey(options.seed());
        final CardKeys keys = CardKeys.master(profile, master);
        final CardSlot slot = new CardSlot();
        final Map<String, VirtualCard> printed = new LinkedHashMap<>();
        final HolderActivation activation;
        final javax.smartcardio.TerminalFactory reader;
        ChipPayload payload;

        Chips(TrustedKeys trust, StationStore store) throws IOException {
            activation = new HolderActivation(store, profile, keys, trust, new HolderMatcher(HolderMatcher.DEFAULT_THRESHOLD), RetryPolicy.STATION);
            try {
                reader = InProcessReaders.factory(slot);
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IOException("the in-process card reader: " + e.getMessage(), e);
            }
        }

        ChipEncoder encoder() { return new ChipEncoder(reader, "", profile, keys, java.time.Duration.ofSeconds(2), id -> java.util.Optional.ofNullable(payload)); }
    }

    /** A demo-only issuer master key from the seed; a real station reads its master key from a protected file. */
    private static byte[] demoMasterKey(long seed) {
        try {
            byte[] h = java.security.MessageDigest.getInstance("SHA-256").digest(("ktp-station demo issuer master key " + seed).getBytes(StandardCharsets.US_ASCII));
            return java.util.Arrays.copyOf(h, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void encodeAndPrint(StationStore store, Chips chips, String recordId, PrintRecord r, List<Lease> leases, String qr, CardRenderer renderer, Path cardsDir) throws IOException {
        byte[] envelope = leases.stream().filter(l -> l.recordId().equals(recordId)).findFirst().orElseThrow().envelope();
        try {
            chips.payload = ChipPayload.of(r, ktp.record.Envelope.parse(envelope));
        } catch (RecordRejectedException e) {
            throw new IllegalStateException("a validated envelope no longer parses: " + e.getMessage(), e);
        }
        ChipEncoder encoder = chips.encoder();
        try {
            for (int attempt = 1; attempt <= MAX_BLANKS_PER_JOB; attempt++) {
                VirtualCard card = VirtualCards.blank(chips.profile, ++blankSerial, java.util.Optional.of(chips.master));
                // Demo fault: every 7th blank's chip has a failing memory (it answers writes with 6581).
                if (options.faults() && blankSerial % 7 == 0) card.failWritesWith(0x6581);
                chips.slot.insert(card);
                String uid;
                try {
                    uid = encoder.encode(recordId);
                } catch (ktp.printer.ChipStation.ChipFailure f) {
                    String blank = f.uid() == null ? String.format("BLANK-%06d", blankSerial) : f.uid();
                    store.transition(recordId, JobState.ENCODING, station, "", blank);
                    store.transition(recordId, JobState.SPOILED, station, "chip: " + f.getMessage(), null);
                    progress.println(String.format("        %s  blank %s SPOILED: %s; card to the reject box", recordId, blank, f.getMessage()));
                    store.transition(recordId, JobState.VALIDATED, station, "requeued for a fresh blank after a chip fault", null);
                    continue;
                } finally {
                    chips.slot.remove();
                }
                store.transition(recordId, JobState.ENCODING, station, "", uid);
                store.transition(recordId, JobState.ENCODED, station, "", null);
                store.transition(recordId, JobState.PRINTING, station, "", null);
                writeCard(renderer, r, qr, cardsDir);
                store.transition(recordId, JobState.PRINTED, station, "", null);
                store.transition(recordId, JobState.AWAITING_HOLDER, station, "", null);
                chips.printed.put(uid, card);
                Personalizer.Result p = encoder.lastResult().orElseThrow();
                progress.println(String.format("        %s  blank %s PRINTED  %s  (chip: %d APDUs through SCP03)", recordId, uid, r.front().nama(), p.apdus()));
                return;
            }
        } finally {
            chips.payload = null; // the chip's contents (photo, fingerprints) are not kept once written
        }
        progress.println("        " + recordId + "  left in the queue after " + MAX_BLANKS_PER_JOB + " spoiled blanks; a technician should check the encoder");
    }

    private void activate(StationStore store, Chips chips, String recordId, RecordGenerator.Resident resident, FingerprintLibrary fingers,
                          boolean impostor, boolean tampered) throws IOException {
        String blank = store.job(recordId).orElseThrow().blankId();
        VirtualCard card = chips.printed.get(blank);
        // Demo fault: a chip whose photo was altered after printing; passive authentication must refuse it.
        if (tampered) card.tamper(2, 100);
        chips.slot.insert(card);
        // The holder places the finger anew each visit: start at a different impression per holder, never
        // impression 1, from which the chip's template was made. An impostor places someone else's finger.
        Map<Integer, java.util.Iterator<byte[]>> byFinger = Map.of(
                RecordGenerator.RIGHT_INDEX, captures(fingers, resident.rightIndexFinger(), resident, recordId, impostor).iterator(),
                RecordGenerator.LEFT_INDEX, captures(fingers, resident.leftIndexFinger(), resident, recordId, impostor).iterator());
        HolderActivation.Result res;
        try (SmartcardioTransport t = SmartcardioTransport.connect(chips.reader, "")) {
            res = chips.activation.activate(recordId, t, position -> {
                java.util.Iterator<byte[]> next = byFinger.get(position);
                if (next == null || !next.hasNext()) throw new HolderVerification.Unavailable("the holder left the counter");
                return next.next();
            }, fingers.dpi(), station, prompt -> { });
        } catch (ApduTransport.CardException | HolderActivation.ActivationException e) {
            progress.println("        " + recordId + "  NOT ISSUED: " + e.getMessage());
            return;
        } finally {
            chips.slot.remove();
        }
        switch (res.state()) {
            case ISSUED -> progress.println(String.format("        %s  ISSUED  %s", recordId, res.detail()));
            case ACTIVATION_FAILED -> progress.println(String.format("        %s  ACTIVATION_FAILED  %s%s; a supervisor must decide", recordId, res.detail(),
                    impostor ? " (demo fault: another person's finger)" : tampered ? " (demo fault: DG2 altered after printing)" : ""));
            default -> progress.println(String.format("        %s  %s  %s", recordId, res.state(), res.detail()));
        }
    }

    /** The captures one finger gives at the counter, enough for the attempts and a few retakes (a stranger's finger for an impostor). */
    private static List<byte[]> captures(FingerprintLibrary fingers, String finger, RecordGenerator.Resident resident, String recordId, boolean impostor) {
        String placed = impostor ? someoneElsesFinger(fingers, resident) : finger;
        List<Integer> later = new ArrayList<>(fingers.impressions(placed).subList(impostor ? 0 : 1, fingers.impressions(placed).size()));
        java.util.Collections.rotate(later, Math.floorMod(recordId.hashCode(), later.size()));
        List<byte[]> images = new ArrayList<>();
        for (int i = 0; i < RetryPolicy.STATION.attemptsPerFinger() + 3; i++) images.add(fingers.image(placed, later.get(i % later.size())));
        return images;
    }

    private static String someoneElsesFinger(FingerprintLibrary fingers, RecordGenerator.Resident resident) {
        for (String f : fingers.fingers()) {
            if (!f.equals(resident.rightIndexFinger()) && !f.equals(resident.leftIndexFinger())) return f;
        }
        throw new IllegalStateException("the fingerprint library has no third finger");
    }

    /**
     * The outbox drained over MQTT as a station does it, to the central office's collector: an embedded broker
     * (Moquette, no shared subscriptions) unless --broker names one. The collector's archive becomes
     * telemetry.jsonl; what counts as published is what the collector stored.
     */
    private int publishOutbox(StationStore store, Path out) throws IOException {
        ktp.sim.broker.EmbeddedBroker embedded = options.broker() == null ? ktp.sim.broker.EmbeddedBroker.start("127.0.0.1", 0, null) : null;
        String url = embedded != null ? embedded.url() : options.broker();
        long depth = store.outboxDepth();
        progress.println("telemetry: " + depth + " events to " + url + (embedded != null ? " (embedded broker)" : ""));
        ktp.telemetry.BrokerSettings broker;
        try {
            broker = ktp.telemetry.BrokerSettings.plain(url);
        } catch (IllegalArgumentException e) {
            if (embedded != null) embedded.close();
            throw new IllegalArgumentException("--broker: " + e.getMessage());
        }
        Path collected = out.resolve("collector");
        try (ktp.collector.Collector collector = new ktp.collector.Collector(broker, collected, embedded != null ? null : "ktp-demo-collectors",
                "demo-" + options.seed(), java.time.ZoneId.of("Asia/Jakarta"), Clock.systemUTC()).start();
             ktp.telemetry.OutboxPublisher publisher = new ktp.telemetry.OutboxPublisher(store, broker, ktp.telemetry.DeviceHealth.UNKNOWN,
                     ktp.telemetry.CommandHandler.NONE, java.time.Duration.ofSeconds(5), Clock.systemUTC()).start()) {
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (store.outboxDepth() > 0 && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (store.outboxDepth() > 0) progress.println("telemetry: " + store.outboxDepth() + " events still in the outbox (" + publisher.status().lastError() + "); they stay there for the next run");
            Files.copy(collector.archiveFile(), out.resolve("telemetry.jsonl"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return (int) collector.summary().get("accepted").asLong();
        } finally {
            if (embedded != null) embedded.close();
        }
    }

    private static Summary summarize(StationStore store, int recordsIn, int published) {
        Map<JobState, Long> byState = store.countByState();
        int spoiled = 0;
        for (LedgerEntry e : store.ledger()) if (e.fate() == BlankFate.SPOILED) spoiled++;
        return new Summary(recordsIn, byState.getOrDefault(JobState.ISSUED, 0L).intValue(), spoiled,
                byState.getOrDefault(JobState.REJECTED, 0L).intValue(), byState.getOrDefault(JobState.AWAITING_HOLDER, 0L).intValue(),
                byState.getOrDefault(JobState.ACTIVATION_FAILED, 0L).intValue(), published);
    }

    private static void writeSummary(Path file, Summary s, double seconds) throws IOException {
        ObjectNode n = new ObjectMapper().createObjectNode();
        n.put("recordsIn", s.recordsIn());
        n.put("issued", s.issued());
        n.put("spoiledBlanks", s.spoiledBlanks());
        n.put("rejected", s.rejected());
        n.put("awaitingHolder", s.awaitingHolder());
        n.put("activationFailed", s.activationFailed());
        n.put("telemetryEvents", s.eventsPublished());
        n.put("seconds", Math.round(seconds * 10) / 10.0);
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(file.toFile(), n);
    }
}
