package ktp.sim.issuance;

import static org.junit.jupiter.api.Assertions.*;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import ktp.biometric.HolderMatcher;
import ktp.biometric.RetryPolicy;
import ktp.biometric.ScannerSource;
import ktp.biometric.r30x.R30xScanner;
import ktp.card.CardKeys;
import ktp.card.CardProfile;
import ktp.card.ChipEncoder;
import ktp.card.ChipPayload;
import ktp.card.KtpelApplet;
import ktp.card.SmartcardioTransport;
import ktp.job.EventType;
import ktp.job.JobState;
import ktp.record.Envelope;
import ktp.record.RecordValidator;
import ktp.record.TrustedKeys;
import ktp.sim.card.CardSlot;
import ktp.sim.card.InProcessReaders;
import ktp.sim.card.VirtualCard;
import ktp.sim.card.VirtualCards;
import ktp.sim.records.DataCenterKey;
import ktp.sim.records.FingerprintLibrary;
import ktp.sim.records.RecordGenerator;
import ktp.sim.scanner.SimulatedScanner;
import ktp.counter.HolderActivation;
import ktp.station.RecordIntake;
import ktp.store.Actor;
import ktp.store.BlankFate;
import ktp.store.OutboxEvent;
import ktp.store.Role;
import ktp.store.StationStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A card personalized by the station's encoder, then issued at the counter: the chip read through
 * javax.smartcardio, checked by passive authentication, the holder's finger captured from the simulated R307
 * over TCP and matched against the chip's templates, the chip activated inside SCP03, ISSUED and CARD_ISSUED
 * in one transaction. Refused with an impostor, refused with an altered data group, and every bad input
 * (scanner silent or garbled, a card that is not the job's, a bad template) leaves the job where it was.
 */
class ActivationEndToEndTest {
    private static final R30xScanner.Geometry R307 = new R30xScanner.Geometry(256, 288, 500);
    private static final byte[] MASTER = HexFormat.of().parseHex("5A5B5C5D5E5F606162636465666768A0");
    private static final DataCenterKey KEY = DataCenterKey.fromSeed(97);
    private static final FingerprintLibrary FINGERS = FingerprintLibrary.embedded();
    private static final Actor OPERATOR = new Actor("sari", Role.OPERATOR);
    private static final Actor SUPERVISOR = new Actor("budi", Role.SUPERVISOR);

    @TempDir
    Path dir;

    private final CardProfile profile = VirtualCards.profile();
    private final CardKeys keys = CardKeys.master(profile, MASTER);
    private StationStore store;
    private TrustedKeys trust;
    private SimulatedScanner scannerSim;
    private R30xScanner scanner;
    private HolderActivation activation;
    private final RecordGenerator generator = new RecordGenerator(97, FINGERS, RecordGenerator.defaultIssueDate(97));
    private int next;

    @BeforeEach
    void start() throws Exception {
        store = StationStore.open(dir.resolve("store"), "ST-ISS", Clock.systemUTC());
        KEY.writePublicKey(dir.resolve("keys"));
        trust = TrustedKeys.loadDirectory(dir.resolve("keys"));
        scannerSim = new SimulatedScanner(R307.width(), R307.height(), new InetSocketAddress("127.0.0.1", 0));
        scanner = R30xScanner.tcp("127.0.0.1", scannerSim.port(), R307, Duration.ofMillis(800));
        activation = new HolderActivation(store, profile, keys, trust, new HolderMatcher(HolderMatcher.DEFAULT_THRESHOLD), RetryPolicy.STATION);
    }

    @AfterEach
    void stop() throws Exception {
        scanner.close();
        scannerSim.close();
        store.close();
    }

    /** A printed card awaiting its holder: validated, its chip personalized by the real encoder, the job moved on as the printer would. */
    private record Printed(RecordGenerator.Resident resident, VirtualCard card, CardSlot slot) {
        String recordId() { return resident.record().recordId(); }
    }

    private Printed printed() throws Exception {
        RecordGenerator.Resident resident = generator.resident(next++);
        Envelope e = KEY.signRecord(resident.record());
        RecordIntake intake = new RecordIntake(new RecordValidator(trust, Clock.systemUTC()), store, Actor.STATION);
        RecordIntake.Outcome o = intake.offer(resident.record().recordId(), e.toJson());
        assertEquals(RecordIntake.Outcome.Kind.VALIDATED, o.kind(), o.toString());
        VirtualCard card = VirtualCards.blank(profile, 100 + next, Optional.of(MASTER));
        CardSlot slot = CardSlot.holding(card);
        ChipPayload payload = ChipPayload.of(resident.record(), e);
        String uid = new ChipEncoder(InProcessReaders.factory(slot), "", profile, keys, Duration.ofSeconds(1), id -> Optional.of(payload)).encode(resident.record().recordId());
        String id = resident.record().recordId();
        store.transition(id, JobState.ENCODING, Actor.STATION, "", uid);
        store.transition(id, JobState.ENCODED, Actor.STATION, "", null);
        store.transition(id, JobState.PRINTING, Actor.STATION, "", null);
        store.transition(id, JobState.PRINTED, Actor.STATION, "", null);
        store.transition(id, JobState.AWAITING_HOLDER, Actor.STATION, "", null);
        return new Printed(resident, card, slot);
    }

    /** The scanner as the holder uses it: each capture places the next image on the simulated module's glass. */
    private ktp.biometric.HolderVerification.Source placing(List<byte[]> images) {
        ScannerSource real = new ScannerSource(scanner, Duration.ofSeconds(1));
        int[] i = {0};
        return position -> {
            if (i[0] < images.size()) {
                try {
                    scannerSim.place(images.get(i[0]++));
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            } else {
                scannerSim.lift();
            }
            return real.capture(position);
        };
    }

    private static List<byte[]> impressions(String finger, int... which) {
        List<byte[]> out = new ArrayList<>();
        for (int w : which) out.add(FINGERS.image(finger, FINGERS.impressions(finger).get(w)));
        return out;
    }

    private HolderActivation.Result activate(Printed p, List<byte[]> images) throws Exception {
        try (SmartcardioTransport t = SmartcardioTransport.connect(InProcessReaders.factory(p.slot()), "")) {
            return activation.activate(p.recordId(), t, placing(images), R307.dpi(), OPERATOR, prompt -> { });
        }
    }

    private List<OutboxEvent> events(String recordId, EventType type) {
        return store.pendingEvents(1000).stream().filter(e -> e.recordId().equals(recordId) && e.type() == type).toList();
    }

    @Test
    void theHoldersOwnFingerActivatesTheChipAndIssuesTheCardInOneTransaction() throws Exception {
        Printed p = printed();
        HolderActivation.Result r = activate(p, impressions(p.resident().rightIndexFinger(), 2));
        assertEquals(JobState.ISSUED, r.state(), r.detail());
        assertTrue(r.detail().startsWith("finger 2 matched"), r.detail());
        assertEquals(KtpelApplet.State.ACTIVATED, p.card().state(), "ACTIVATE reached the chip inside the secure channel");
        assertEquals(JobState.ISSUED, store.job(p.recordId()).orElseThrow().state());
        String uid = HexFormat.of().withUpperCase().formatHex(p.card().uid());
        assertEquals(BlankFate.ISSUED, store.ledger().stream().filter(l -> l.blankId().equals(uid)).findFirst().orElseThrow().fate());
        List<OutboxEvent> issued = events(p.recordId(), EventType.CARD_ISSUED);
        assertEquals(1, issued.size());
        assertEquals(uid, issued.get(0).blankId());
        assertTrue(store.envelope(p.recordId()).isEmpty(), "the biometrics are gone once the card is issued");
    }

    @Test
    void anImpostorIsRefusedAfterEveryAttemptAndOnlyASupervisorCanOverride() throws Exception {
        Printed p = printed();
        String other = FINGERS.fingers().stream().filter(f -> !f.equals(p.resident().rightIndexFinger()) && !f.equals(p.resident().leftIndexFinger())).findFirst().orElseThrow();
        HolderActivation.Result r = activate(p, impressions(other, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3)); // enough for retakes of poor captures too
        assertEquals(JobState.ACTIVATION_FAILED, r.state(), r.detail() + " " + r.verification());
        assertEquals(6, r.verification().attempts().size(), "3 on the first finger, 3 on the second");
        assertTrue(r.detail().startsWith("no finger matched in 6 attempts"), r.detail());
        assertEquals(KtpelApplet.State.PERSONALIZED, p.card().state(), "never activated");
        assertEquals(1, events(p.recordId(), EventType.ACTIVATION_FAILED).size());
        assertTrue(events(p.recordId(), EventType.CARD_ISSUED).isEmpty());

        try (SmartcardioTransport t = SmartcardioTransport.connect(InProcessReaders.factory(p.slot()), "")) {
            HolderActivation.ActivationException notSupervisor = assertThrows(HolderActivation.ActivationException.class,
                    () -> activation.override(p.recordId(), t, OPERATOR, "holder known to the office"));
            assertTrue(notSupervisor.getMessage().contains("not a supervisor"), notSupervisor.getMessage());
            assertThrows(HolderActivation.ActivationException.class, () -> activation.override(p.recordId(), t, SUPERVISOR, " "));
            assertEquals(JobState.ISSUED, activation.override(p.recordId(), t, SUPERVISOR, "worn fingerprints; identity checked against the family card").state());
        }
        assertEquals(KtpelApplet.State.ACTIVATED, p.card().state());
        assertTrue(store.auditLog().stream().anyMatch(a -> a.actor().equals("supervisor:budi") && a.detail().contains("supervisor override: worn fingerprints")),
                "the override and its reason are in the audit log");
    }

    @Test
    void aChipWhoseDataWasAlteredIsRefusedBeforeAnyFingerIsAskedFor() throws Exception {
        Printed p = printed();
        p.card().tamper(1, 30);
        HolderActivation.Result r = activate(p, impressions(p.resident().rightIndexFinger(), 2));
        assertEquals(JobState.ACTIVATION_FAILED, r.state());
        assertTrue(r.detail().contains("passive authentication failed: DG1 does not match its signed hash"), r.detail());
        assertNull(r.verification(), "no finger was asked for");
        assertEquals(KtpelApplet.State.PERSONALIZED, p.card().state());
        try (SmartcardioTransport t = SmartcardioTransport.connect(InProcessReaders.factory(p.slot()), "")) {
            HolderActivation.ActivationException e = assertThrows(HolderActivation.ActivationException.class,
                    () -> activation.override(p.recordId(), t, SUPERVISOR, "holder insists"));
            assertTrue(e.getMessage().contains("passive authentication failed"), "a forged chip is never issued, not even by a supervisor: " + e.getMessage());
        }
        assertEquals(JobState.ACTIVATION_FAILED, store.job(p.recordId()).orElseThrow().state());
    }

    @Test
    void aScannerThatIsSilentOrGarbledOrNoFingerLeavesTheJobAwaitingItsHolder() throws Exception {
        Printed p = printed();
        long auditBefore = store.auditSize();
        scannerSim.fault(SimulatedScanner.Fault.BAD_CHECKSUM);
        HolderActivation.Result garbled = activate(p, impressions(p.resident().rightIndexFinger(), 2));
        assertEquals(JobState.AWAITING_HOLDER, garbled.state());
        assertTrue(garbled.detail().contains("BAD_PACKET") && garbled.detail().contains("checksum"), garbled.detail());
        scannerSim.fault(SimulatedScanner.Fault.SILENT);
        HolderActivation.Result silent = activate(p, impressions(p.resident().rightIndexFinger(), 2));
        assertEquals(JobState.AWAITING_HOLDER, silent.state());
        assertTrue(silent.detail().contains("TIMEOUT") && silent.detail().contains("did not answer"), silent.detail());
        scannerSim.fault(SimulatedScanner.Fault.NONE);
        HolderActivation.Result nobody = activate(p, List.of());
        assertEquals(JobState.AWAITING_HOLDER, nobody.state());
        assertTrue(nobody.detail().contains("NO_FINGER"), nobody.detail());
        // A scanner profile with the wrong dpi: the image is not a fingerprint at that size; the scanner is blamed, not the holder.
        HolderActivation.Result wrongDpi;
        try (SmartcardioTransport t = SmartcardioTransport.connect(InProcessReaders.factory(p.slot()), "")) {
            wrongDpi = activation.activate(p.recordId(), t, placing(impressions(p.resident().rightIndexFinger(), 2)), 1500, OPERATOR, x -> { });
        }
        assertEquals(JobState.AWAITING_HOLDER, wrongDpi.state());
        assertTrue(wrongDpi.detail().contains("cannot be used") && wrongDpi.detail().contains("is the dpi right?"), wrongDpi.detail());
        assertEquals(0, wrongDpi.verification().attempts().size());
        assertEquals(JobState.AWAITING_HOLDER, store.job(p.recordId()).orElseThrow().state());
        assertEquals(KtpelApplet.State.PERSONALIZED, p.card().state());
        assertTrue(events(p.recordId(), EventType.ACTIVATION_FAILED).isEmpty());
        assertEquals(auditBefore + 4, store.auditSize(), "each interruption is in the audit log, nothing else changed");
        // And the holder can still be issued once the scanner works.
        scannerSim.fault(SimulatedScanner.Fault.NONE);
        assertEquals(JobState.ISSUED, activate(p, impressions(p.resident().rightIndexFinger(), 3)).state());
    }

    @Test
    void aCardThatIsNotTheJobsOrATemplateThatIsNotIsoIsAClearErrorAndChangesNothing() throws Exception {
        Printed p = printed();
        Printed other = printed();
        try (SmartcardioTransport t = SmartcardioTransport.connect(InProcessReaders.factory(other.slot()), "")) {
            HolderActivation.ActivationException e = assertThrows(HolderActivation.ActivationException.class,
                    () -> activation.activate(p.recordId(), t, placing(impressions(p.resident().rightIndexFinger(), 2)), R307.dpi(), OPERATOR, x -> { }));
            assertTrue(e.getMessage().contains("is not the one printed for record " + p.recordId()), e.getMessage());
        }
        assertEquals(JobState.AWAITING_HOLDER, store.job(p.recordId()).orElseThrow().state());
        assertEquals(KtpelApplet.State.PERSONALIZED, other.card().state());

        // A data center that signed a truncated template: the chip is genuine, the template is not usable.
        RecordGenerator.Resident r = generator.resident(next++);
        ktp.record.PrintRecord rec = r.record();
        byte[] iso = rec.fingerprints().get(0).isoTemplate();
        ktp.record.PrintRecord broken = new ktp.record.PrintRecord(rec.recordId(), rec.recordVersion(), rec.nik(), rec.region(), rec.front(), rec.issue(),
                rec.photoJpeg(), rec.signaturePng(), List.of(new ktp.record.PrintRecord.Fingerprint(2, java.util.Arrays.copyOf(iso, iso.length - 10)), rec.fingerprints().get(1)));
        Envelope e = KEY.signRecord(broken);
        store.admit(broken.recordId(), 1, broken.nik(), e.toJson(), Actor.STATION);
        store.transition(broken.recordId(), JobState.VALIDATED, Actor.STATION, "", null);
        VirtualCard card = VirtualCards.blank(profile, 999, Optional.of(MASTER));
        ChipPayload payload = ChipPayload.of(broken, e);
        CardSlot slot = CardSlot.holding(card);
        String uid = new ChipEncoder(InProcessReaders.factory(slot), "", profile, keys, Duration.ofSeconds(1), id -> Optional.of(payload)).encode(broken.recordId());
        for (JobState s : List.of(JobState.ENCODING, JobState.ENCODED, JobState.PRINTING, JobState.PRINTED, JobState.AWAITING_HOLDER)) {
            store.transition(broken.recordId(), s, Actor.STATION, "", s == JobState.ENCODING ? uid : null);
        }
        try (SmartcardioTransport t = SmartcardioTransport.connect(InProcessReaders.factory(slot), "")) {
            HolderActivation.ActivationException bad = assertThrows(HolderActivation.ActivationException.class,
                    () -> activation.activate(broken.recordId(), t, placing(impressions(r.rightIndexFinger(), 2)), R307.dpi(), OPERATOR, x -> { }));
            assertTrue(bad.getMessage().contains("template for finger 2 cannot be used") && bad.getMessage().contains("truncated"), bad.getMessage());
        }
        assertEquals(JobState.AWAITING_HOLDER, store.job(broken.recordId()).orElseThrow().state());
    }
}
