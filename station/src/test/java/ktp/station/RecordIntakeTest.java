package ktp.station;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.interfaces.ECPrivateKey;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ktp.job.EventType;
import ktp.job.JobState;
import ktp.record.Envelope;
import ktp.record.PrintRecord;
import ktp.record.Reason;
import ktp.record.RecordJson;
import ktp.record.RecordValidator;
import ktp.record.Sex;
import ktp.record.Signatures;
import ktp.record.TestRecords;
import ktp.store.Actor;
import ktp.store.Job;
import ktp.store.LedgerEntry;
import ktp.store.OutboxEvent;
import ktp.store.StationStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordIntakeTest {
    private static final Clock CLOCK = Clock.fixed(TestRecords.TODAY.atStartOfDay().toInstant(ZoneOffset.UTC), ZoneOffset.UTC);

    @TempDir
    Path dir;

    /** Every bad input of the foundation issue, each with the reason it must get. */
    private static Map<byte[], Reason> badInputs() {
        Map<byte[], Reason> bad = new LinkedHashMap<>();
        PrintRecord base = TestRecords.valid(50);
        byte[] good = TestRecords.envelope(base);
        bad.put("{\"format\": \"ktpel-envelope/1\", oops}".getBytes(StandardCharsets.UTF_8), Reason.ENVELOPE_MALFORMED);
        bad.put(Arrays.copyOf(good, good.length / 3), Reason.ENVELOPE_TRUNCATED);
        byte[] payload = RecordJson.write(base);
        byte[] altered = new String(payload, StandardCharsets.UTF_8).replace("JL. MERDEKA", "JL. MERDEKO").getBytes(StandardCharsets.UTF_8);
        bad.put(new Envelope(TestRecords.KEY_ID, altered, Signatures.sign(payload, (ECPrivateKey) TestRecords.KEY.getPrivate())).toJson(), Reason.SIGNATURE_INVALID);
        KeyPair stranger = Signatures.generateKeyPair(99L);
        bad.put(new Envelope("dc-stranger", payload, Signatures.sign(payload, (ECPrivateKey) stranger.getPrivate())).toJson(), Reason.SIGNATURE_UNKNOWN_KEY);
        bad.put(TestRecords.envelope(TestRecords.withFront(base, TestRecords.front("SITI", Sex.LAKI_LAKI, base.front().tanggalLahir()))), Reason.NIK_SEX_MISMATCH);
        bad.put(TestRecords.envelope(TestRecords.withFront(base, TestRecords.front("SITI", Sex.PEREMPUAN, LocalDate.of(1991, 6, 5)))), Reason.NIK_BIRTH_DATE_MISMATCH);
        bad.put(TestRecords.envelope(new PrintRecord(base.recordId(), 1, base.nik(), base.region(), base.front(), base.issue(), null,
                base.signaturePng(), base.fingerprints())), Reason.PHOTO_MISSING);
        bad.put(TestRecords.envelope(TestRecords.withFront(base, TestRecords.front(
                "SITI NURHALIZA BINTI MUHAMMAD ABDULLAH RAHMAN HIDAYATULLAH SETIAWAN", Sex.PEREMPUAN, base.front().tanggalLahir()))), Reason.FIELD_TOO_LONG);
        return bad;
    }

    @Test
    void eachBadInputIsRejectedWithItsReasonAndNothingStoredChanges() {
        try (StationStore store = StationStore.open(dir, "ST-01", CLOCK)) {
            RecordIntake intake = new RecordIntake(new RecordValidator(TestRecords.TRUST, CLOCK), store, Actor.STATION);
            // Something already stored: a printed card awaiting its holder and a job waiting for a blank.
            assertEquals(RecordIntake.Outcome.Kind.VALIDATED, intake.offer("PRR-TEST-1", TestRecords.envelope(TestRecords.valid(1))).kind());
            for (JobState s : List.of(JobState.ENCODING, JobState.ENCODED, JobState.PRINTING, JobState.PRINTED, JobState.AWAITING_HOLDER)) {
                store.transition("PRR-TEST-1", s, Actor.STATION, "", s == JobState.ENCODING ? "UID-1" : null);
            }
            assertEquals(RecordIntake.Outcome.Kind.VALIDATED, intake.offer("PRR-TEST-2", TestRecords.envelope(TestRecords.valid(2))).kind());
            List<Job> jobsBefore = store.jobs();
            List<LedgerEntry> ledgerBefore = store.ledger();
            List<OutboxEvent> outboxBefore = store.pendingEvents(1000);

            int n = 0;
            for (Map.Entry<byte[], Reason> bad : badInputs().entrySet()) {
                String leaseId = "PRR-BAD-" + (++n);
                RecordIntake.Outcome o = intake.offer(leaseId, bad.getKey());
                assertEquals(RecordIntake.Outcome.Kind.REJECTED, o.kind(), bad.getValue().name());
                assertEquals(bad.getValue(), o.rejection().orElseThrow().reason());
                Job rejected = store.job(leaseId).orElseThrow();
                assertEquals(JobState.REJECTED, rejected.state());
                assertTrue(rejected.reason().startsWith(bad.getValue().name()), rejected.reason());
                assertTrue(store.envelope(leaseId).isEmpty(), "a rejected envelope is not kept");
            }
            assertEquals(ledgerBefore, store.ledger(), "no blank touched");
            for (Job before : jobsBefore) assertEquals(before, store.job(before.recordId()).orElseThrow());
            List<OutboxEvent> added = store.pendingEvents(1000).subList(outboxBefore.size(), store.pendingEvents(1000).size());
            assertEquals(outboxBefore, store.pendingEvents(1000).subList(0, outboxBefore.size()));
            assertEquals(n, added.size());
            assertTrue(added.stream().allMatch(e -> e.type() == EventType.RECORD_REJECTED));
            assertEquals("", added.get(0).nik(), "an unreadable envelope claims no NIK");
            assertEquals(TestRecords.valid(50).nik(), added.get(4).nik(), "a readable one reports the NIK it claims");
            assertTrue(store.verifyAudit().intact());
        }
    }

    @Test
    void aPrintedRecordOrNikOfferedAgainIsNotAdmittedAndNothingChanges() {
        try (StationStore store = StationStore.open(dir, "ST-01", CLOCK)) {
            RecordIntake intake = new RecordIntake(new RecordValidator(TestRecords.TRUST, CLOCK), store, Actor.STATION);
            intake.offer("PRR-TEST-1", TestRecords.envelope(TestRecords.valid(1)));
            for (JobState s : List.of(JobState.ENCODING, JobState.ENCODED, JobState.PRINTING, JobState.PRINTED)) {
                store.transition("PRR-TEST-1", s, Actor.STATION, "", s == JobState.ENCODING ? "UID-1" : null);
            }
            Job printed = store.job("PRR-TEST-1").orElseThrow();

            RecordIntake.Outcome again = intake.offer("PRR-TEST-1", TestRecords.envelope(TestRecords.valid(1)));
            assertEquals(RecordIntake.Outcome.Kind.NOT_ADMITTED, again.kind());
            RecordIntake.Outcome garbled = intake.offer("PRR-TEST-1", "{".getBytes(StandardCharsets.UTF_8));
            assertEquals(RecordIntake.Outcome.Kind.NOT_ADMITTED, garbled.kind());
            assertEquals(printed, store.job("PRR-TEST-1").orElseThrow(), "the printed job is untouched");

            PrintRecord sameNik = new PrintRecord("PRR-TEST-9", 2, TestRecords.valid(1).nik(), TestRecords.valid(1).region(),
                    TestRecords.valid(1).front(), TestRecords.valid(1).issue(), TestRecords.valid(1).photoJpeg(),
                    TestRecords.valid(1).signaturePng(), TestRecords.valid(1).fingerprints());
            RecordIntake.Outcome dup = intake.offer("PRR-TEST-9", TestRecords.envelope(sameNik));
            assertEquals(RecordIntake.Outcome.Kind.NOT_ADMITTED, dup.kind());
            assertTrue(dup.detail().contains("PRR-TEST-1"));
            assertTrue(store.job("PRR-TEST-9").isEmpty());
        }
    }

    @Test
    void aRecordSignedUnderAnotherIdThanItsLeaseIsRejected() {
        try (StationStore store = StationStore.open(dir, "ST-01", CLOCK)) {
            RecordIntake intake = new RecordIntake(new RecordValidator(TestRecords.TRUST, CLOCK), store, Actor.STATION);
            RecordIntake.Outcome o = intake.offer("PRR-OTHER", TestRecords.envelope(TestRecords.valid(1)));
            assertEquals(Reason.RECORD_ID_MISMATCH, o.rejection().orElseThrow().reason());
            assertEquals(JobState.REJECTED, store.job("PRR-OTHER").orElseThrow().state());
        }
    }

    @Test
    void aJobStoredButNotValidatedWhenTheStationStoppedIsValidatedAgainOrRejected() {
        try (StationStore store = StationStore.open(dir, "ST-01", CLOCK)) {
            RecordIntake intake = new RecordIntake(new RecordValidator(TestRecords.TRUST, CLOCK), store, Actor.STATION);
            // As a crash leaves them: admitted (LEASED), the validation's commit never made.
            PrintRecord good = TestRecords.valid(7);
            store.admit(good.recordId(), 1, good.nik(), TestRecords.envelope(good), Actor.STATION);
            store.admit("PRR-GARBLED", 1, "3171010101010001", "{\"keyId\": \"x\"".getBytes(java.nio.charset.StandardCharsets.UTF_8), Actor.STATION);
            assertEquals(JobState.LEASED, store.job(good.recordId()).orElseThrow().state());

            assertEquals(RecordIntake.Outcome.Kind.VALIDATED, intake.revalidate(good.recordId()).kind());
            assertEquals(JobState.VALIDATED, store.job(good.recordId()).orElseThrow().state());
            assertTrue(store.pendingEvents(10).stream().anyMatch(e -> e.recordId().equals(good.recordId()) && e.type() == EventType.SENT_FOR_CARD_PRINTING));
            RecordIntake.Outcome bad = intake.revalidate("PRR-GARBLED");
            assertEquals(RecordIntake.Outcome.Kind.REJECTED, bad.kind());
            assertEquals(JobState.REJECTED, store.job("PRR-GARBLED").orElseThrow().state());
            assertEquals(RecordIntake.Outcome.Kind.NOT_ADMITTED, intake.revalidate(good.recordId()).kind(), "only a LEASED job is validated again");
        }
    }
}
