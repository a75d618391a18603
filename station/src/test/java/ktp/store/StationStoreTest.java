package ktp.store;

import static ktp.store.StoreFixtures.*;
import ktp.store.StoreFixtures.Snapshot;
import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import ktp.job.EventType;
import ktp.job.IllegalJobTransitionException;
import ktp.job.JobState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mapdb.BTreeMap;
import org.mapdb.DB;
import org.mapdb.DBMaker;
import org.mapdb.Serializer;

class StationStoreTest {
    @TempDir
    Path dir;

    private StationStore open() { return StationStore.open(dir, "ST-01", CLOCK); }

    private static void printAndIssue(StationStore s, String recordId, String blank) {
        s.transition(recordId, JobState.VALIDATED, Actor.STATION, "", null);
        s.transition(recordId, JobState.ENCODING, Actor.STATION, "", blank);
        s.transition(recordId, JobState.ENCODED, Actor.STATION, "", null);
        s.transition(recordId, JobState.PRINTING, Actor.STATION, "", null);
        s.transition(recordId, JobState.PRINTED, Actor.STATION, "", null);
        s.transition(recordId, JobState.AWAITING_HOLDER, Actor.STATION, "", null);
    }

    @Test
    void aJobFromLeaseToIssueLeavesLedgerOutboxAndAuditInStep() {
        try (StationStore s = open()) {
            assertTrue(s.admit("R1", 1, "3273014506900001", envelope("{env}"), Actor.STATION).admitted());
            printAndIssue(s, "R1", "UID-01");
            assertEquals(BlankFate.PRINTED_AWAITING_HOLDER, s.ledger().get(0).fate());
            assertTrue(s.envelope("R1").isPresent(), "the record is kept while a reprint may need it");
            s.transition("R1", JobState.ACTIVATING, OPERATOR, "", null);
            Job issued = s.transition("R1", JobState.ISSUED, OPERATOR, "", null);

            assertEquals(JobState.ISSUED, issued.state());
            assertEquals(9, issued.revision());
            assertEquals(List.of(new LedgerEntry("UID-01", "R1", "3273014506900001", CLOCK.instant(), BlankFate.ISSUED, "", CLOCK.instant())), s.ledger());
            assertEquals(List.of(EventType.SENT_FOR_CARD_PRINTING, EventType.CARD_PRINTED, EventType.CARD_ISSUED),
                    s.pendingEvents(10).stream().map(OutboxEvent::type).toList());
            assertEquals(List.of(1L, 2L, 3L), s.pendingEvents(10).stream().map(OutboxEvent::sequence).toList());
            assertEquals("UID-01", s.pendingEvents(10).get(2).blankId());
            assertEquals("ST-01", s.pendingEvents(10).get(0).stationId());
            assertTrue(s.envelope("R1").isEmpty(), "biometrics are purged once the card is issued");
            assertEquals(9, s.auditLog().size());
            assertTrue(s.verifyAudit().intact());
            assertEquals("operator:budi", s.auditLog().get(8).actor());

            assertEquals(0, s.outboxFloor(), "nothing has left the outbox yet");
            s.removePublished(2);
            assertEquals(List.of(3L), s.pendingEvents(10).stream().map(OutboxEvent::sequence).toList());
            assertEquals(3, s.lastEventSequence());
            assertEquals(2, s.outboxFloor());
            s.removePublished(3);
            assertEquals(3, s.outboxFloor(), "an empty outbox's floor is the last sequence assigned, not 0");
        }
    }

    @Test
    void blanksLoadedAreSummedInTheSameCommitAsTheirAuditLinesAndRefusedWhenNonsense() {
        try (StationStore s = open()) {
            s.blanksLoaded(100, "SJ-001", OPERATOR);
            s.blanksLoaded(25, "SJ-002", OPERATOR);
            assertThrows(StoreException.class, () -> s.blanksLoaded(0, "SJ-003", OPERATOR));
            assertThrows(StoreException.class, () -> s.blanksLoaded(5, "  ", OPERATOR));
            assertEquals(125, s.blanksLoadedTotal());
            s.admit("R1", 1, "3273014506900001", envelope("x"), Actor.STATION);
            printAndIssue(s, "R1", "UID-01");
            assertEquals(1, s.ledgerSize());
        }
        try (StationStore s = open()) {
            assertEquals(125, s.blanksLoadedTotal(), "kept across a restart");
            java.time.LocalDate day = java.time.LocalDate.ofInstant(CLOCK.instant(), java.time.ZoneOffset.UTC);
            ktp.report.Reconciliation r = ktp.report.Reconciliation.of(s, day, day, java.time.ZoneOffset.UTC, java.util.OptionalInt.empty(), CLOCK.instant());
            assertEquals(s.blanksLoadedTotal(), r.loaded(), "the total and the audit lines agree");
            assertEquals(s.blanksLoadedTotal() - s.ledgerSize(), r.expectedInFeeder());
            assertEquals(List.of("SJ-001", "SJ-002"), r.deliveries().stream().map(ktp.report.Reconciliation.Delivery::reference).toList());
        }
        // A store indexed before the deliveries' index (level 2) gets it from its next writer; a reader of it reads the audit log.
        for (String file : List.of("checkpoint.db", StationStore.WORKING_CLEAN_FILE)) {
            DB db = DBMaker.fileDB(dir.resolve(file).toFile()).transactionEnable().make();
            try {
                db.treeMap("meta", Serializer.STRING, Serializer.STRING).valuesOutsideNodesEnable().open().put("indexes", "2");
                db.treeMap("loadsByTime", Serializer.STRING, Serializer.LONG).valuesOutsideNodesEnable().open().clear();
                db.commit();
            } finally {
                db.close();
            }
        }
        java.time.Instant from = CLOCK.instant().minusSeconds(86_400);
        java.time.Instant to = CLOCK.instant().plusSeconds(86_400);
        try (StationStore r = StationStore.openReadOnly(dir, CLOCK)) {
            assertEquals(2, r.blanksLoadedBetween(from, to).size(), "a reader of a level-2 store reads the audit log");
        }
        try (StationStore s = open()) {
            assertEquals(List.of("100 blanks; reference: SJ-001", "25 blanks; reference: SJ-002"),
                    s.blanksLoadedBetween(from, to).stream().map(AuditEntry::detail).toList(), "indexed by the next writer");
            StoreCrashTest.assertIndexesAgree(s);
        }
    }

    private Object inode(String file) throws IOException { return Files.getAttribute(dir.resolve(file), "unix:ino"); }

    /**
     * Issue 20: no copy that grows with the store's bytes. A writer's open uses the working file a clean close
     * left in place (same file), and a checkpoint brings the spare (the checkpoint before the last) up to date
     * instead of copying the last one: the new checkpoint.db is the former spare's file, the former checkpoint
     * the new spare.
     */
    @Test
    void aWritersOpenUsesTheWorkingFileInPlaceAndACheckpointWritesIntoTheSpare() throws Exception {
        try (StationStore s = open()) {
            s.admit("R1", 1, "3273014506900001", envelope("a"), Actor.STATION);
        }
        try (StationStore s = open()) {
            s.transition("R1", JobState.VALIDATED, Actor.STATION, "", null);
        }
        for (int round = 0; round < 3; round++) {
            Object working = inode(StationStore.WORKING_CLEAN_FILE);
            Object checkpoint = inode("checkpoint.db");
            Object spare = inode(StationStore.SPARE_FILE);
            assertNotEquals(checkpoint, spare, "the spare is a file of its own");
            try (StationStore s = open()) {
                assertEquals(working, inode("station.db"), "the open renamed the clean working file back, no copy");
                assertFalse(Files.exists(dir.resolve(StationStore.WORKING_CLEAN_FILE)), "an open working file never looks clean");
                s.audit(OPERATOR, "NOTE", "round " + round);
            }
            assertEquals(working, inode(StationStore.WORKING_CLEAN_FILE), "the same working file, closed clean again");
            assertEquals(spare, inode("checkpoint.db"), "the checkpoint was written into the spare");
            assertEquals(checkpoint, inode(StationStore.SPARE_FILE), "the last checkpoint is the spare now");
            assertEquals(0, Files.size(dir.resolve("journal.log")));
        }
        try (StationStore r = StationStore.openReadOnly(dir, CLOCK)) {
            assertEquals(JobState.VALIDATED, r.job("R1").orElseThrow().state());
            assertEquals(3, r.auditLog().stream().filter(e -> e.action().equals("NOTE")).count(), "the reader reads the checkpoint: every round is in it");
            assertTrue(r.verifyAudit().intact());
        }
    }

    /** A store in the layout before issue 20 (a stale working copy, no clean one, no spare) is upgraded by its next writer. */
    @Test
    void aStoreOfTheEarlierLayoutIsUpgradedByItsNextWriter() throws Exception {
        try (StationStore s = open()) {
            s.admit("R1", 1, "3273014506900001", envelope("a"), Actor.STATION);
            s.transition("R1", JobState.VALIDATED, Actor.STATION, "", null);
        }
        for (String f : List.of(StationStore.WORKING_CLEAN_FILE, StationStore.SPARE_FILE, StationStore.SPARE_JOURNAL_FILE)) Files.deleteIfExists(dir.resolve(f));
        Files.write(dir.resolve("station.db"), new byte[] {1, 2, 3}); // whatever the earlier version's working copy held, never read
        try (StationStore s = open()) {
            assertEquals(JobState.VALIDATED, s.job("R1").orElseThrow().state());
            s.transition("R1", JobState.ENCODING, Actor.STATION, "", "UID-1");
        }
        assertTrue(Files.exists(dir.resolve(StationStore.WORKING_CLEAN_FILE)), "a clean working file after the upgrade");
        assertTrue(Files.exists(dir.resolve(StationStore.SPARE_FILE)), "and a spare checkpoint");
        Object working = inode(StationStore.WORKING_CLEAN_FILE);
        try (StationStore s = open()) {
            assertEquals(working, inode("station.db"), "opened in place");
            assertEquals(JobState.ENCODING, s.job("R1").orElseThrow().state());
            assertTrue(s.verifyAudit().intact());
            StoreCrashTest.assertConsistent(s);
        }
    }

    @Test
    void anIssuedJobsPhotoAndTemplatesAreInNoFileUnderTheStoreFolderOnceItIsIssued() throws Exception {
        // Distinct byte strings standing for the photo and the fingerprint templates inside the signed envelope.
        byte[] photo = new byte[4096];
        byte[] template = new byte[512];
        new java.util.Random(20).nextBytes(photo);
        new java.util.Random(21).nextBytes(template);
        ByteArrayOutputStream env = new ByteArrayOutputStream();
        env.write("{\"photo\":\"".getBytes(StandardCharsets.US_ASCII));
        env.write(photo);
        env.write("\",\"template\":\"".getBytes(StandardCharsets.US_ASCII));
        env.write(template);
        try (StationStore s = open()) {
            s.admit("R1", 1, "3273014506900001", env.toByteArray(), Actor.STATION);
            printAndIssue(s, "R1", "UID-01");
            assertTrue(containsInStoreFiles(photo) && containsInStoreFiles(template), "while the card awaits its holder the envelope is kept");
            s.transition("R1", JobState.ACTIVATING, OPERATOR, "", null);
            s.transition("R1", JobState.ISSUED, OPERATOR, "", null);
            // The documented time is the issuing commit itself: no checkpoint, no close needed.
            assertFalse(containsInStoreFiles(photo), "the photo is in no file under the store folder right after the issue");
            assertFalse(containsInStoreFiles(template), "the templates are in no file under the store folder right after the issue");
            assertTrue(s.envelope("R1").isEmpty());
        }
        assertFalse(containsInStoreFiles(photo) || containsInStoreFiles(template), "nor after a clean stop");
        try (StationStore s = open()) {
            assertEquals(JobState.ISSUED, s.job("R1").orElseThrow().state());
        }
    }

    @Test
    void anEnvelopeACrashLeftBehindIsShreddedAtTheNextOpen() throws Exception {
        StationStore s = open();
        s.admit("R1", 1, "3273014506900001", envelope("BIOMETRIC-MARKER-R1"), Actor.STATION);
        Path file = dir.resolve("envelopes").resolve(EnvelopeVault.fileName("R1"));
        byte[] kept = Files.readAllBytes(file);
        s.transition("R1", JobState.REJECTED, Actor.STATION, "NIK_SEX_MISMATCH", null);
        assertFalse(Files.exists(file));
        Files.write(file, kept); // as if the process died between the commit and the shredding
        s.abandon();
        try (StationStore again = open()) {
            assertFalse(Files.exists(file));
            assertFalse(containsInStoreFiles("BIOMETRIC-MARKER-R1".getBytes(StandardCharsets.UTF_8)));
        }
    }

    @Test
    void anUncollectedCardsBiometricsExpireAfterTheRetentionAndTheJobStays() throws Exception {
        java.util.concurrent.atomic.AtomicReference<java.time.Instant> now = new java.util.concurrent.atomic.AtomicReference<>(CLOCK.instant());
        java.time.Clock moving = new java.time.Clock() {
            @Override public java.time.ZoneId getZone() { return java.time.ZoneOffset.UTC; }
            @Override public java.time.Clock withZone(java.time.ZoneId zone) { return this; }
            @Override public java.time.Instant instant() { return now.get(); }
        };
        byte[] marker = "UNCOLLECTED-BIOMETRICS-MARKER".getBytes(StandardCharsets.UTF_8);
        try (StationStore s = StationStore.open(dir, "ST-01", moving)) {
            s.admit("R1", 1, "3273014506900001", marker, Actor.STATION);
            printAndIssue(s, "R1", "UID-01");
        }
        now.set(now.get().plus(java.time.Duration.ofDays(31)));
        assertTrue(StationStore.check(dir, java.time.Duration.ofDays(30), moving).failed(), "the check reports biometrics older than the policy");
        assertEquals(1, ktp.cli.Ktp.commandLine().execute("store", "check", "--store", dir.toString(), "--retention-days", "1"));
        try (StationStore s = StationStore.open(dir, "ST-01", moving)) {
            assertFalse(containsInStoreFiles(marker), "expired at the open");
            assertEquals(JobState.AWAITING_HOLDER, s.job("R1").orElseThrow().state(), "the job stays");
            assertEquals(BlankFate.PRINTED_AWAITING_HOLDER, s.ledgerEntry("UID-01").orElseThrow().fate(), "its blank stays");
            assertTrue(s.auditLog().stream().anyMatch(e -> e.action().equals("BIOMETRICS_EXPIRED") && e.detail().contains("R1")));
            assertTrue(s.verifyAudit().intact());
        }
        assertFalse(StationStore.check(dir, java.time.Duration.ofDays(30), moving).failed());
    }

    @Test
    void aRetentionGivenAtTheOpenAppliesToTheOpensOwnSweep() {
        java.util.concurrent.atomic.AtomicReference<java.time.Instant> now = new java.util.concurrent.atomic.AtomicReference<>(CLOCK.instant());
        java.time.Clock moving = new java.time.Clock() {
            @Override public java.time.ZoneId getZone() { return java.time.ZoneOffset.UTC; }
            @Override public java.time.Clock withZone(java.time.ZoneId zone) { return this; }
            @Override public java.time.Instant instant() { return now.get(); }
        };
        try (StationStore s = StationStore.open(dir, "ST-01", moving)) {
            s.admit("R1", 1, "3273014506900001", "ENV".getBytes(StandardCharsets.UTF_8), Actor.STATION);
            printAndIssue(s, "R1", "UID-01");
        }
        now.set(now.get().plus(java.time.Duration.ofDays(40)));
        // Kept 60 days: the open must not shred it with the 30-day default first.
        try (StationStore s = StationStore.open(dir, "ST-01", moving, java.time.Duration.ofDays(60))) {
            assertTrue(s.envelope("R1").isPresent(), "40 days < 60: still kept");
        }
        try (StationStore s = StationStore.open(dir, "ST-01", moving, java.time.Duration.ofDays(35))) {
            assertTrue(s.envelope("R1").isEmpty(), "40 days > 35: expired at the open");
        }
        assertThrows(StoreException.class, () -> StationStore.open(dir, "ST-01", moving, java.time.Duration.ZERO));
    }

    @Test
    void theNikIndexAndTheNewestJobsAnswerWhatAScanAnswers() {
        try (StationStore s = open()) {
            for (int i = 1; i <= 30; i++) {
                s.admit(String.format("R%02d", i), 1, String.format("32730145069%05d", i % 7), ("E" + i).getBytes(StandardCharsets.UTF_8), Actor.STATION);
                if (i % 3 == 0) s.transition(String.format("R%02d", i), JobState.VALIDATED, Actor.STATION, "", null);
                if (i % 5 == 0 && i % 3 != 0) s.transition(String.format("R%02d", i), JobState.REJECTED, Actor.STATION, "bad record", null);
            }
        }
        try (StationStore s = StationStore.openReadOnly(dir, CLOCK)) {
            StoreCrashTest.assertIndexesAgree(s);
            assertEquals(30, s.jobCount());
            assertTrue(s.jobsWithNik("9999999999999999").isEmpty());
            assertEquals(List.of("R26", "R27", "R28", "R29", "R30"), s.latestJobs(5).stream().map(Job::recordId).toList());
        }
    }

    private boolean containsInStoreFiles(String marker) throws IOException { return containsInStoreFiles(marker.getBytes(StandardCharsets.UTF_8)); }

    /** Every regular file under the store folder, raw bytes. */
    private boolean containsInStoreFiles(byte[] needle) throws IOException {
        try (var walk = Files.walk(dir)) {
            for (Path f : walk.filter(Files::isRegularFile).toList()) {
                if (indexOf(Files.readAllBytes(f), needle) >= 0) return true;
            }
        }
        return false;
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }

    @Test
    void aNikIsNeverPrintedTwiceWithoutALoggedReprintDecision() {
        try (StationStore s = open()) {
            s.admit("R1", 1, "3273014506900001", envelope("a"), Actor.STATION);
            printAndIssue(s, "R1", "UID-01");

            Admission again = s.admit("R1", 1, "3273014506900001", envelope("a"), Actor.STATION);
            assertEquals(Admission.Outcome.ALREADY_DONE, again.outcome());
            Admission sameNik = s.admit("R2", 1, "3273014506900001", envelope("b"), Actor.STATION);
            assertEquals(Admission.Outcome.NIK_ALREADY_PRINTED, sameNik.outcome());
            assertTrue(sameNik.detail().contains("R1"));
            assertTrue(s.job("R2").isEmpty());
            assertEquals("REFUSE_DUPLICATE_NIK", s.auditLog().get(s.auditLog().size() - 1).action());

            // A reprint is a supervisor's decision with a reason; the old card is spoiled in the ledger.
            assertThrows(IllegalJobTransitionException.class, () -> s.transition("R1", JobState.VALIDATED, OPERATOR, "card damaged", null));
            assertThrows(IllegalJobTransitionException.class, () -> s.transition("R1", JobState.VALIDATED, SUPERVISOR, " ", null));
            s.transition("R1", JobState.VALIDATED, SUPERVISOR, "card damaged before hand-over", null);
            assertEquals(BlankFate.SPOILED, s.ledger().get(0).fate());
            assertTrue(s.ledger().get(0).reason().contains("superseded by a reprint: card damaged"));
            s.transition("R1", JobState.ENCODING, Actor.STATION, "", "UID-02");
            assertEquals(2, s.ledger().size());
            assertTrue(s.auditLog().stream().anyMatch(e -> e.actor().equals("supervisor:ani") && e.detail().contains("card damaged")));
        }
    }

    @Test
    void aBlankNumberCommitsWithTheLedgerEntryItNumbersAndIsNeverGivenTwiceAcrossARestart() {
        long first;
        try (StationStore s = open()) {
            s.admit("R1", 1, "3273014506900001", envelope("a"), Actor.STATION);
            s.transition("R1", JobState.VALIDATED, Actor.STATION, "", null);
            first = s.reserveBlankNumber();
            long unused = s.reserveBlankNumber();
            assertEquals(first + 1, unused, "reserved in memory, in order");
            // The blank enters the printer under the first number: the counter commits with its ledger entry, in one transaction.
            s.transition("R1", JobState.ENCODING, Actor.STATION, "", "NOCHIP-X-" + first, new StationStore.FeedMark("P1", "SIM1", 41));
            assertEquals(new StationStore.FeedMark("P1", "SIM1", 41), s.feedMark("R1").orElseThrow(), "the printer's count kept with the blank");
        }
        try (StationStore s = open()) {
            // After the restart the counter is past every number the ledger holds (both reserved before the commit are skipped).
            assertEquals(first + 2, s.reserveBlankNumber());
            assertTrue(s.ledgerEntry("NOCHIP-X-" + first).isPresent());
            s.transition("R1", JobState.SPOILED, Actor.STATION, "test: out to the reject box", null);
            assertTrue(s.feedMark("R1").isEmpty(), "the mark goes with the card");
        }
        try (StationStore s = open()) {
            // A number reserved and never used in the ledger commits nothing: it may be handed out again after a restart.
            long n = s.reserveBlankNumber();
            assertEquals(first + 2, n, "a reservation alone spends no commit");
        }
    }

    @Test
    void aRestartLeavesACardBeingPrintedWithItsPrintersCountForTheLaneAndSpoilsOneWithout() {
        try (StationStore s = open()) {
            for (String r : new String[] {"R1", "R2"}) {
                s.admit(r, 1, "32730145069000" + r.substring(1) + "0", envelope(r), Actor.STATION);
                s.transition(r, JobState.VALIDATED, Actor.STATION, "", null);
            }
            s.transition("R1", JobState.ENCODING, Actor.STATION, "", "B1", new StationStore.FeedMark("P1", "SIM1", 7));
            s.transition("R2", JobState.ENCODING, Actor.STATION, "", "B2");
            for (String r : new String[] {"R1", "R2"}) {
                s.transition(r, JobState.ENCODED, Actor.STATION, "", null);
                s.transition(r, JobState.PRINTING, Actor.STATION, "", null);
            }
        }
        try (StationStore s = open()) {
            s.recover(Actor.STATION);
            assertEquals(JobState.PRINTING, s.job("R1").orElseThrow().state(), "its lane settles it by the printer's counter");
            assertEquals(JobState.VALIDATED, s.job("R2").orElseThrow().state(), "no count to read: spoiled and requeued as before");
            assertEquals(BlankFate.SPOILED, s.ledgerEntry("B2").orElseThrow().fate());
            assertEquals(BlankFate.IN_PRINTER, s.ledgerEntry("B1").orElseThrow().fate());
        }
    }

    @Test
    void aBlankEntersThePrinterOnlyOnce() {
        try (StationStore s = open()) {
            s.admit("R1", 1, "3273014506900001", envelope("a"), Actor.STATION);
            s.admit("R2", 1, "3273014506900002", envelope("b"), Actor.STATION);
            s.transition("R1", JobState.VALIDATED, Actor.STATION, "", null);
            s.transition("R2", JobState.VALIDATED, Actor.STATION, "", null);
            s.transition("R1", JobState.ENCODING, Actor.STATION, "", "UID-01");
            Snapshot before = snapshot(s);
            StoreException e = assertThrows(StoreException.class, () -> s.transition("R2", JobState.ENCODING, Actor.STATION, "", "UID-01"));
            assertTrue(e.getMessage().contains("UID-01"));
            assertEquals(before, snapshot(s));
            assertThrows(IllegalJobTransitionException.class, () -> s.transition("R2", JobState.ENCODING, Actor.STATION, "", null));
        }
    }

    @Test
    void aRefusedChangeLeavesEverythingAsItWas() {
        try (StationStore s = open()) {
            s.admit("R1", 1, "3273014506900001", envelope("a"), Actor.STATION);
            s.transition("R1", JobState.REJECTED, Actor.STATION, "NIK_SEX_MISMATCH: ...", null);
            assertTrue(s.envelope("R1").isEmpty(), "a rejected record's biometrics are not kept");
            Snapshot before = snapshot(s);
            assertThrows(IllegalJobTransitionException.class, () -> s.transition("R1", JobState.ENCODING, Actor.STATION, "", "UID-9"));
            assertThrows(IllegalJobTransitionException.class, () -> s.transition("R1", JobState.PRINTED, Actor.STATION, "", null));
            assertThrows(StoreException.class, () -> s.transition("NOPE", JobState.VALIDATED, Actor.STATION, "", null));
            assertEquals(before, snapshot(s));
            assertEquals("NIK_SEX_MISMATCH: ...", s.job("R1").orElseThrow().reason());
            assertEquals(EventType.RECORD_REJECTED, s.pendingEvents(5).get(0).type());
        }
    }

    @Test
    void recoveryAfterARestartSpoilsBlanksThatWereInThePrinterAndRequeues() {
        try (StationStore s = open()) {
            for (int i = 1; i <= 4; i++) {
                s.admit("R" + i, 1, "327301450690000" + i, envelope("e" + i), Actor.STATION);
                s.transition("R" + i, JobState.VALIDATED, Actor.STATION, "", null);
                s.transition("R" + i, JobState.ENCODING, Actor.STATION, "", "UID-" + i);
            }
            s.transition("R2", JobState.ENCODED, Actor.STATION, "", null);
            s.transition("R2", JobState.PRINTING, Actor.STATION, "", null);
            s.transition("R3", JobState.ENCODED, Actor.STATION, "", null);
            s.transition("R3", JobState.PRINTING, Actor.STATION, "", null);
            s.transition("R3", JobState.PRINTED, Actor.STATION, "", null);
            s.transition("R4", JobState.ENCODED, Actor.STATION, "", null);
            s.transition("R4", JobState.PRINTING, Actor.STATION, "", null);
            s.transition("R4", JobState.PRINTED, Actor.STATION, "", null);
            s.transition("R4", JobState.AWAITING_HOLDER, Actor.STATION, "", null);
            s.transition("R4", JobState.ACTIVATING, OPERATOR, "", null);
        }
        try (StationStore s = open()) {
            List<Job> changed = s.recover(Actor.STATION);
            assertEquals(4, changed.size());
            assertEquals(JobState.VALIDATED, s.job("R1").orElseThrow().state());
            assertEquals(JobState.VALIDATED, s.job("R2").orElseThrow().state());
            assertEquals(JobState.AWAITING_HOLDER, s.job("R3").orElseThrow().state());
            assertEquals(JobState.AWAITING_HOLDER, s.job("R4").orElseThrow().state());
            assertEquals(BlankFate.SPOILED, fate(s, "UID-1"));
            assertEquals(BlankFate.SPOILED, fate(s, "UID-2"));
            assertEquals(BlankFate.PRINTED_AWAITING_HOLDER, fate(s, "UID-3"));
            assertTrue(s.ledger().stream().filter(e -> e.fate() == BlankFate.SPOILED).allMatch(e -> e.reason().contains("restarted")));
            assertEquals("", s.job("R1").orElseThrow().blankId());
            assertEquals(1, s.job("R1").orElseThrow().spoiledBlanks());
            assertTrue(s.recover(Actor.STATION).isEmpty(), "recovery is idempotent");
        }
    }

    private static BlankFate fate(StationStore s, String blank) {
        return s.ledger().stream().filter(e -> e.blankId().equals(blank)).findFirst().orElseThrow().fate();
    }

    @Test
    void theStoreSurvivesCloseAndReopen() {
        try (StationStore s = open()) {
            s.admit("R1", 1, "3273014506900001", envelope("a"), Actor.STATION);
            printAndIssue(s, "R1", "UID-01");
        }
        try (StationStore s = open()) {
            assertEquals(JobState.AWAITING_HOLDER, s.job("R1").orElseThrow().state());
            assertEquals("ST-01", s.stationId());
            assertTrue(s.verifyAudit().intact());
        }
        try (StationStore s = StationStore.open(dir, null, CLOCK)) {
            assertEquals("ST-01", s.stationId());
        }
        StoreException e = assertThrows(StoreException.class, () -> StationStore.open(dir, "ST-02", CLOCK));
        assertTrue(e.getMessage().contains("ST-01") && e.getMessage().contains("ST-02"));
    }

    @Test
    void aSecondOpenInThisProcessIsRefusedClearly() {
        try (StationStore s = open()) {
            StoreLockedException e = assertThrows(StoreLockedException.class, this::open);
            assertTrue(e.getMessage().contains("already open in this process"), e.getMessage());
            assertTrue(e.getMessage().contains("pid " + ProcessHandle.current().pid()), e.getMessage());
            s.audit(OPERATOR, "STILL_WORKS", "");
        }
        try (StationStore s = open()) {
            assertEquals("STILL_WORKS", s.auditLog().get(0).action());
        }
    }

    @Test
    void aSecondProcessGetsAnErrorNamingTheHolderAndNoStackTrace() throws Exception {
        try (StationStore s = open()) {
            s.admit("R1", 1, "3273014506900001", envelope("a"), Actor.STATION);
            long sizeBefore = Files.size(dir.resolve("journal.log"));
            Process p = new ProcessBuilder(javaBin(), "-cp", System.getProperty("java.class.path"), "ktp.cli.Ktp",
                    "audit", "verify", "--store", dir.toString()).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(1, p.exitValue(), output);
            // The real command line, in its default language: the store's refusal in Indonesian (StoreWordsTest has both).
            assertTrue(output.contains("sedang dipakai proses lain"), output);
            assertTrue(output.contains("pid " + ProcessHandle.current().pid()), output);
            assertFalse(output.contains("Exception"), output);
            assertFalse(output.contains("\tat "), output);
            assertEquals(sizeBefore, Files.size(dir.resolve("journal.log")));
            s.audit(OPERATOR, "AFTER", "the holder is unaffected");
        }
    }

    static String javaBin() { return Path.of(System.getProperty("java.home"), "bin", "java").toString(); }

    @Test
    void tamperingWithTheAuditLogIsDetected() throws Exception {
        try (StationStore s = open()) {
            s.admit("R1", 1, "3273014506900001", envelope("a"), Actor.STATION);
            printAndIssue(s, "R1", "UID-01");
            assertTrue(s.verifyAudit().intact());
        }
        // Someone with write access edits entry 3 in place with MapDB itself, keeping its stored hash.
        editAudit(audit -> {
            AuditEntry e = audit.get(3L);
            audit.put(3L, new AuditEntry(e.sequence(), e.at(), e.actor(), e.action(), e.detail().replace("R1", "R9"), e.previousHash(), e.hash()));
        });
        try (StationStore s = open()) {
            var v = s.verifyAudit();
            assertFalse(v.intact());
            assertTrue(v.problem().orElseThrow().contains("entry 3 was altered"), v.problem().toString());
        }
    }

    @Test
    void removingAnAuditEntryInTheMiddleIsDetected() throws Exception {
        try (StationStore s = open()) {
            s.admit("R1", 1, "3273014506900001", envelope("a"), Actor.STATION);
            printAndIssue(s, "R1", "UID-01");
        }
        editAudit(audit -> audit.remove(4L));
        try (StationStore s = open()) {
            assertTrue(s.verifyAudit().problem().orElseThrow().contains("entry 4 is missing"), s.verifyAudit().toString());
        }
    }

    @Test
    void cuttingEntriesOffTheEndIsDetected() throws Exception {
        try (StationStore s = open()) {
            s.admit("R1", 1, "3273014506900001", envelope("a"), Actor.STATION);
            printAndIssue(s, "R1", "UID-01");
        }
        editAudit(audit -> audit.remove(7L));
        try (StationStore s = open()) {
            assertTrue(s.verifyAudit().problem().orElseThrow().contains("store recorded 7"), s.verifyAudit().toString());
        }
    }

    private void editAudit(java.util.function.Consumer<BTreeMap<Long, AuditEntry>> edit) {
        // After a clean close everything is in the checkpoint (the journal is empty) and in the working file the
        // next writer opens in place (station.clean.db): someone with write access edits both, as each is read.
        // (An edit to one of them alone is seen by whoever reads that one: docs/store.md.)
        for (String file : List.of("checkpoint.db", StationStore.WORKING_CLEAN_FILE)) {
            assertTrue(Files.exists(dir.resolve(file)), file);
            DB db = DBMaker.fileDB(dir.resolve(file).toFile()).transactionEnable().make();
            try {
                BTreeMap<Long, AuditEntry> audit = db.treeMap("audit", Serializer.LONG, new Serializers.AuditSerializer()).valuesOutsideNodesEnable().open();
                edit.accept(audit);
                db.commit();
            } finally {
                db.close();
            }
        }
    }

    @Test
    void aCorruptedStoreFileIsRefusedWithItsNameAndLeftUntouched() throws Exception {
        try (StationStore s = open()) {
            s.admit("R1", 1, "3273014506900001", envelope("a"), Actor.STATION);
        }
        Path db = dir.resolve("checkpoint.db");
        byte[] bytes = Files.readAllBytes(db);
        for (int i = 0; i < 64; i++) bytes[i] = (byte) 0xA5;
        Files.write(db, bytes);
        StoreException e = assertThrows(StoreException.class, this::open);
        assertTrue(e.getMessage().contains("checkpoint.db"), e.getMessage());
        assertArrayEquals(bytes, Files.readAllBytes(db));
        // and the lock is released: the next attempt gets the same clear error, not a lock error
        StoreException again = assertThrows(StoreException.class, this::open);
        assertFalse(again instanceof StoreLockedException);
    }

    @Test
    void theCommandLineReportsAuditVerdicts() throws Exception {
        try (StationStore s = open()) {
            s.admit("R1", 1, "3273014506900001", envelope("a"), Actor.STATION);
        }
        assertEquals(0, ktp.cli.Ktp.commandLine().execute("audit", "verify", "--store", dir.toString()));
        editAudit(audit -> {
            AuditEntry e = audit.get(1L);
            audit.put(1L, new AuditEntry(1, e.at(), "operator:mallory", e.action(), e.detail(), e.previousHash(), e.hash()));
        });
        assertEquals(1, ktp.cli.Ktp.commandLine().execute("audit", "verify", "--store", dir.toString()));
        File empty = Files.createTempDirectory("nostore").toFile();
        assertEquals(2, ktp.cli.Ktp.commandLine().execute("audit", "verify", "--store", empty.toString()));
    }
}
