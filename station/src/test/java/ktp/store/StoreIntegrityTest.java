package ktp.store;

import static ktp.store.StoreFixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import ktp.job.JobState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store never loses a commit silently (issue 16, Deliver 1): damage anywhere but a torn tail refuses the
 * open with the file, the offset and the transactions around it, and changes nothing on disk; a store rolled
 * back to an earlier consistent state is refused; read-only opens write nothing; repair is the only way past.
 */
class StoreIntegrityTest {
    @TempDir
    Path root;

    /** A short store whose whole history is in the journal (as a killed station leaves it): 3 jobs, 15 transactions. */
    private Path shortStore(String name) {
        Path dir = root.resolve(name);
        StationStore s = StationStore.open(dir, "ST-01", CLOCK);
        for (int i = 1; i <= 2; i++) {
            String id = "R" + i;
            s.admit(id, 1, "327301450690000" + i, envelope("env-" + i), Actor.STATION);
            s.transition(id, JobState.VALIDATED, Actor.STATION, "", null);
            s.transition(id, JobState.ENCODING, Actor.STATION, "", "UID-" + i);
            s.transition(id, JobState.ENCODED, Actor.STATION, "", null);
            s.transition(id, JobState.PRINTING, Actor.STATION, "", null);
            s.transition(id, JobState.PRINTED, Actor.STATION, "", null);
        }
        s.admit("R3", 1, "3273014506900003", envelope("env-3"), Actor.STATION);
        s.blanksLoaded(10, "DN-1", OPERATOR);
        s.abandon(); // no checkpoint: like a SIGKILL, everything stays in the journal
        return dir;
    }

    static Map<String, byte[]> files(Path dir) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) out.put(dir.relativize(p).toString(), Files.readAllBytes(p));
        }
        return out;
    }

    static void assertSameFiles(Map<String, byte[]> before, Map<String, byte[]> after, String what) {
        assertEquals(before.keySet(), after.keySet(), what + ": the files changed");
        for (String f : before.keySet()) assertArrayEquals(before.get(f), after.get(f), what + ": " + f + " changed");
    }

    private static void copy(Path from, Path to) throws IOException {
        if (Files.exists(to)) {
            try (var walk = Files.walk(to)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
            }
        }
        try (var walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else Files.copy(p, t);
            }
        }
    }

    /** Opens as a writer and as a reader, each must refuse; nothing may change. Returns the writer's message. */
    private static String refused(Path dir, String what) throws IOException {
        Map<String, byte[]> before = files(dir);
        StoreDamagedException w = assertThrows(StoreDamagedException.class, () -> StationStore.open(dir, "ST-01", CLOCK), what);
        assertSameFiles(before, files(dir), what + " (writer)");
        assertThrows(StoreDamagedException.class, () -> StationStore.openReadOnly(dir, CLOCK), what);
        assertTrue(StationStore.check(dir).damaged(), what);
        assertSameFiles(before, files(dir), what + " (reader, check)");
        return w.getMessage();
    }

    @Test
    void aByteFlippedAnywhereInAnyJournalRecordIsReportedAndNothingIsWritten() throws Exception {
        Path pristine = shortStore("pristine");
        byte[] journal = Files.readAllBytes(pristine.resolve("journal.log"));
        List<Journal.Entry> records = Journal.scan(journal).entries();
        assertEquals(15, records.size());
        Path work = root.resolve("work");
        copy(pristine, work);
        Map<String, byte[]> others = files(work);
        others.remove("journal.log");
        int tried = 0;
        for (Journal.Entry r : records) {
            for (long at = r.offset(); at < r.end(); at++) {
                byte[] damaged = journal.clone();
                damaged[(int) at] ^= (byte) (1 << (at % 8));
                Files.write(work.resolve("journal.log"), damaged);
                Map<String, byte[]> before = new TreeMap<>(others);
                before.put("journal.log", damaged);
                StoreDamagedException e = assertThrows(StoreDamagedException.class, () -> StationStore.open(work, "ST-01", CLOCK),
                        "byte " + at + " of transaction " + r.txNumber());
                // every file compared byte for byte (the working copy station.db too) on every 16th byte; journal,
                // mark and lock file on every byte (a refused open rewrites nothing, so this only saves reading)
                if (at % 16 == 0) assertSameFiles(before, files(work), "byte " + at);
                else for (String f : List.of("journal.log", "store.hwm", "station.lock")) {
                    assertArrayEquals(before.get(f), Files.readAllBytes(work.resolve(f)), "byte " + at + ": " + f);
                }
                String m = e.getMessage();
                assertTrue(m.contains(work.resolve("journal.log").toString()), m);
                assertTrue(m.contains("offset " + r.offset()) || m.contains("bytes " + r.offset() + ".."), "byte " + at + ": " + m);
                if (r.txNumber() < 15) {
                    assertTrue(m.contains("next intact one is transaction " + (r.txNumber() + 1)), m);
                    assertTrue(m.contains("transactions " + r.txNumber() + " cannot be read"), m);
                } else {
                    assertTrue(m.contains("transaction 15 was committed"), m);
                }
                tried++;
            }
        }
        // The reader and the check refuse in the same way (once per record: they share the inspection).
        for (Journal.Entry r : records) {
            byte[] damaged = journal.clone();
            damaged[(int) r.offset() + Journal.HEADER] ^= 1;
            copy(pristine, work);
            Files.write(work.resolve("journal.log"), damaged);
            refused(work, "payload of transaction " + r.txNumber());
        }
        assertEquals(journal.length, tried, "every byte of every record was tried");
    }

    @Test
    void theJournalCutAtEachRecordBoundaryIsARollbackAndIsRefused() throws Exception {
        Path pristine = shortStore("pristine");
        byte[] journal = Files.readAllBytes(pristine.resolve("journal.log"));
        List<Journal.Entry> records = Journal.scan(journal).entries();
        Path work = root.resolve("work");
        for (Journal.Entry r : records) {
            copy(pristine, work);
            Files.write(work.resolve("journal.log"), java.util.Arrays.copyOf(journal, (int) r.offset()));
            String m = refused(work, "journal cut before transaction " + r.txNumber());
            assertTrue(m.contains("rolled back"), m);
            assertTrue(m.contains("records transaction 15"), m);
            if (r.txNumber() == 1) assertTrue(m.contains("now opens empty"), m);
            else assertTrue(m.contains("reaches only transaction " + (r.txNumber() - 1)), m);
        }
        // and the audit verdict is not INTACT
        assertEquals(1, ktp.cli.Ktp.commandLine().execute("audit", "verify", "--store", work.toString()));
    }

    @Test
    void aDeletedOrOlderCheckpointIsRefused() throws Exception {
        Path dir = root.resolve("s");
        try (StationStore s = StationStore.open(dir, "ST-01", CLOCK)) {
            s.admit("R1", 1, "3273014506900001", envelope("a"), Actor.STATION);
        }
        Path old = root.resolve("old-checkpoint.db");
        Files.copy(dir.resolve("checkpoint.db"), old);
        try (StationStore s = StationStore.open(dir, "ST-01", CLOCK)) {
            s.transition("R1", JobState.VALIDATED, Actor.STATION, "", null);
            s.audit(OPERATOR, "NOTE", "one more");
        }
        assertEquals(0, Files.size(dir.resolve("journal.log")), "a clean close leaves everything in the checkpoint");
        Path pristine = root.resolve("pristine");
        copy(dir, pristine);

        Files.delete(dir.resolve("checkpoint.db"));
        String deleted = refused(dir, "checkpoint deleted");
        assertTrue(deleted.contains("now opens empty"), deleted);

        copy(pristine, dir);
        Files.copy(old, dir.resolve("checkpoint.db"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        String older = refused(dir, "older checkpoint copied back");
        assertTrue(older.contains("rolled back") && older.contains("reaches only transaction"), older);

        // With journal records past the checkpoint, a deleted checkpoint is a hole before the journal.
        copy(pristine, dir);
        StationStore s = StationStore.open(dir, "ST-01", CLOCK);
        s.audit(OPERATOR, "AFTER", "in the journal only");
        s.abandon();
        Files.delete(dir.resolve("checkpoint.db"));
        String hole = refused(dir, "checkpoint deleted under a journal");
        assertTrue(hole.contains("journal.log") && hole.contains("needs transaction 1 next"), hole);

        copy(pristine, dir);
        try (StationStore back = StationStore.open(dir, "ST-01", CLOCK)) {
            assertEquals(JobState.VALIDATED, back.job("R1").orElseThrow().state(), "the undamaged store opens as it was");
        }
    }

    @Test
    void theHighWaterMarkDeletedFromACurrentStoreIsRefused() throws Exception {
        Path dir = shortStore("s");
        Files.delete(dir.resolve("store.hwm"));
        String m = refused(dir, "mark deleted");
        assertTrue(m.contains("store.hwm is missing"), m);
    }

    @Test
    void readOnlyOpensAndCommandsWriteNoByte() throws Exception {
        Path dir = shortStore("s");
        // a torn record of a transaction never committed, as a crash in the middle of an append leaves it
        byte[] torn = java.util.Arrays.copyOf(Journal.frame(16, List.of(new Journal.Change("meta", Journal.PUT, new byte[] {1}, new byte[] {2}))), 30);
        Files.write(dir.resolve("journal.log"), torn, java.nio.file.StandardOpenOption.APPEND);
        Map<String, byte[]> before = files(dir);
        try (StationStore s = StationStore.openReadOnly(dir, CLOCK)) {
            assertEquals(3, s.jobs().size());
            assertTrue(s.verifyAudit().intact());
            assertThrows(StoreException.class, () -> s.audit(OPERATOR, "X", "read-only"));
        }
        var cli = ktp.cli.Ktp.commandLine();
        assertEquals(0, cli.execute("audit", "verify", "--store", dir.toString()));
        assertEquals(0, cli.execute("queue", "--store", dir.toString()));
        assertEquals(0, cli.execute("ledger", "--store", dir.toString()));
        assertEquals(0, cli.execute("store", "check", "--store", dir.toString()));
        assertEquals(0, cli.execute("report", "daily", "--store", dir.toString(), "--date", "2026-11-28", "--out", root.resolve("d.pdf").toString()));
        assertSameFiles(before, files(dir), "read-only commands");
        // A writer cuts the torn record off (it was never committed) and goes on.
        try (StationStore s = StationStore.open(dir, "ST-01", CLOCK)) {
            assertEquals(3, s.jobs().size());
            s.audit(OPERATOR, "AFTER", "the torn tail is gone");
        }
        try (StationStore s = StationStore.openReadOnly(dir, CLOCK)) {
            assertTrue(s.verifyAudit().intact());
        }
    }

    @Test
    void repairRecoversTheTransactionsAroundTheDamageAndReportsWhatWasLost() throws Exception {
        Path dir = shortStore("s");
        byte[] journal = Files.readAllBytes(dir.resolve("journal.log"));
        Journal.Entry seventh = Journal.scan(journal).entries().get(6); // R1 ENCODED -> PRINTING
        journal[(int) seventh.offset() + Journal.HEADER + 3] ^= 0x10;
        Files.write(dir.resolve("journal.log"), journal);
        Path report = root.resolve("repair.txt");
        var cli = ktp.cli.Ktp.commandLine();
        assertEquals(1, cli.execute("store", "check", "--store", dir.toString()));
        assertEquals(1, cli.execute("audit", "verify", "--store", dir.toString()));
        assertEquals(0, cli.execute("store", "repair", "--store", dir.toString(), "--out", report.toString()));

        String text = Files.readString(report);
        assertTrue(text.contains("transactions 7"), text);
        assertTrue(text.contains("14 journal transactions"), text);
        try (var kept = Files.list(dir)) {
            Path copy = kept.filter(p -> p.getFileName().toString().startsWith("damaged-")).findFirst().orElseThrow();
            assertArrayEquals(journal, Files.readAllBytes(copy.resolve("journal.log")), "the damaged journal is kept as it was");
        }
        try (StationStore s = StationStore.open(dir, "ST-01", CLOCK)) {
            assertEquals(JobState.PRINTED, s.job("R2").orElseThrow().state(), "transactions after the damage are recovered");
            assertEquals(JobState.LEASED, s.job("R3").orElseThrow().state());
            assertEquals(10, s.blanksLoadedTotal());
            AuditChain.Verdict v = s.verifyAudit();
            assertTrue(v.intact(), v.toString());
            assertEquals(1, v.gaps().size(), v.toString());
            AuditEntry last = s.auditLog().get(s.auditLog().size() - 1);
            assertEquals("STORE_REPAIRED", last.action());
            assertTrue(last.detail().contains("transactions lost: 7"), last.detail());
        }
        assertEquals(0, cli.execute("audit", "verify", "--store", dir.toString()));
        assertEquals(0, cli.execute("store", "check", "--store", dir.toString()));
    }

    @Test
    void repairAcceptsARollbackOnlyWithTheLossRecorded() throws Exception {
        Path dir = shortStore("s");
        byte[] journal = Files.readAllBytes(dir.resolve("journal.log"));
        Journal.Entry last = Journal.scan(journal).entries().get(14);
        Files.write(dir.resolve("journal.log"), java.util.Arrays.copyOf(journal, (int) last.offset()));
        Path report = root.resolve("r.txt");
        StoreRepair.Outcome o = StationStore.repair(dir, report, CLOCK);
        assertEquals(List.of("15"), o.lost());
        assertEquals(16, o.lastTx(), "transaction numbers are never reused");
        try (StationStore s = StationStore.open(dir, "ST-01", CLOCK)) {
            assertEquals(0, s.blanksLoadedTotal(), "the lost transaction is not invented back");
            assertTrue(s.verifyAudit().intact());
            assertTrue(s.auditLog().get(s.auditLog().size() - 1).detail().contains("transactions lost: 15"));
        }
        assertTrue(Files.readString(report, StandardCharsets.UTF_8).contains("audit entries 14"), Files.readString(report));
    }

    @Test
    void storeFilesArePrivateWhateverTheUmask() throws Exception {
        Path dir = shortStore("s");
        try (StationStore s = StationStore.open(dir, "ST-01", CLOCK)) {
            s.audit(OPERATOR, "X", "y");
        }
        List<String> open = new ArrayList<>();
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.toList()) {
                String mode = java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
                if (!mode.equals(Files.isDirectory(p) ? "rwx------" : "rw-------")) open.add(p + " " + mode);
            }
        }
        assertEquals(List.of(), open);
    }

    @Test
    void aStoreOfTheOlderFormatIsMigratedByItsNextWriterWithItsEnvelopesMovedOutOfTheTables() throws Exception {
        Path dir = root.resolve("old");
        try (StationStore s = StationStore.open(dir, "ST-01", CLOCK)) {
            s.admit("R1", 1, "3273014506900001", envelope("x"), Actor.STATION);
            s.transition("R1", JobState.VALIDATED, Actor.STATION, "", null);
        }
        // Make it what the previous version left: no format mark, no indexes, no high-water mark, the envelope in a table.
        byte[] legacyEnvelope = "LEGACY-ENVELOPE-BIOMETRICS".getBytes(StandardCharsets.UTF_8);
        org.mapdb.DB db = org.mapdb.DBMaker.fileDB(dir.resolve("checkpoint.db").toFile()).transactionEnable().make();
        try {
            var meta = db.treeMap("meta", org.mapdb.Serializer.STRING, org.mapdb.Serializer.STRING).valuesOutsideNodesEnable().open();
            meta.remove("format");
            meta.remove("indexes");
            var jobs = db.treeMap("jobs", org.mapdb.Serializer.STRING, new Serializers.JobSerializer()).valuesOutsideNodesEnable().open();
            Job j = jobs.get("R1");
            jobs.put("R1", new Job(j.recordId(), j.recordVersion(), j.nik(), j.state(), j.blankId(), j.reason(), j.reprintAuthorised(),
                    j.spoiledBlanks(), StationStore.sha256Hex(legacyEnvelope), j.createdAt(), j.updatedAt(), j.revision()));
            db.treeMap("envelopes", org.mapdb.Serializer.STRING, org.mapdb.Serializer.BYTE_ARRAY).valuesOutsideNodesEnable().open().put("R1", legacyEnvelope);
            for (String name : List.of("jobsByState", "ledgerByFate", "auditByTime", "ledgerTotals")) {
                var m = db.treeMap(name).open();
                m.clear();
            }
            db.commit();
        } finally {
            db.close();
        }
        Files.delete(dir.resolve("store.hwm"));
        Files.delete(dir.resolve("envelopes").resolve(EnvelopeVault.fileName("R1")));
        // The older layout had no working file kept clean, no spare checkpoint and no previous journal segment.
        for (String f : List.of(StationStore.WORKING_CLEAN_FILE, StationStore.SPARE_FILE, StationStore.SPARE_JOURNAL_FILE)) Files.deleteIfExists(dir.resolve(f));
        assertFalse(StationStore.check(dir).damaged(), "an older store is not damage: " + StationStore.check(dir));
        try (StationStore s = StationStore.open(dir, "ST-01", CLOCK)) {
            assertTrue(s.auditLog().stream().anyMatch(e -> e.action().equals("STORE_FORMAT_MIGRATED")));
            assertArrayEquals(legacyEnvelope, s.envelope("R1").orElseThrow(), "the envelope moved to the vault");
            assertEquals(List.of("R1"), s.jobsIn(JobState.VALIDATED, 10).stream().map(Job::recordId).toList(), "indexes built");
            assertEquals(1, s.queueDepth());
            assertTrue(s.verifyAudit().intact());
        }
        assertFalse(new String(Files.readAllBytes(dir.resolve("checkpoint.db")), StandardCharsets.ISO_8859_1).contains("LEGACY-ENVELOPE"),
                "the envelope is gone from the checkpoint");
        assertTrue(Files.exists(dir.resolve("store.hwm")));
        assertFalse(StationStore.check(dir).failed());
    }
}
