package ktp.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import ktp.job.JobState;
import ktp.job.JobStateMachine;
import ktp.job.JobTransition;
import ktp.job.ResumeAction;
import org.mapdb.BTreeMap;
import org.mapdb.DB;
import org.mapdb.DBException;
import org.mapdb.DBMaker;
import org.mapdb.Serializer;

/**
 * The station's durable state: jobs, the blank-card ledger, the telemetry outbox and the audit log, in MapDB
 * maps with explicit serializers. Every public change is one transaction: the job's new state, its ledger
 * entry, its outbox event and its audit line are committed together or not at all.
 *
 * <p>Durability: a transaction is committed when its change-set is forced to the {@link Journal}; MapDB's
 * file is a working copy rebuilt at each open from the last checkpoint plus the journal, because MapDB
 * 3.1.0 cannot recover its own file after a crash in the middle of a commit (docs/store.md). After each
 * commit the {@link HighWaterMark} records its transaction number and the audit chain's head, so that a
 * store rolled back to an earlier consistent state is refused, not opened.
 *
 * <p>Nothing committed is ever dropped silently: damage anywhere but a torn tail refuses the open
 * ({@link StoreDamagedException}) with nothing changed, and only {@link #repair} goes past it. A store opened
 * with {@link #openReadOnly} writes no byte.
 *
 * <p>One process at a time, enforced by the operating system ({@link StoreFiles}). Methods are synchronized
 * because MapDB's transaction is global to the DB.
 */
public final class StationStore implements AutoCloseable {
    private static final org.slf4j.Logger JOB_LOG = org.slf4j.LoggerFactory.getLogger("ktp.jobs");
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(StationStore.class);
    private static final String DB_FILE = "station.db";
    private static final String CHECKPOINT_FILE = StoreInspection.CHECKPOINT_FILE;
    private static final String JOURNAL_FILE = StoreFiles.JOURNAL_FILE;
    /** Transactions between checkpoints: bounds the journal's size and the replay after a crash. */
    static final int CHECKPOINT_EVERY = 5_000;
    /** States of a job whose card has not come out of the printer: a re-offered lease is the same job. */
    private static final java.util.Set<JobState> NOT_YET_PRINTED = java.util.EnumSet.of(
            JobState.LEASED, JobState.VALIDATED, JobState.ENCODING, JobState.ENCODED, JobState.PRINTING, JobState.SPOILED);

    private final Path dir;
    private String stationId;
    private final Clock clock;
    private final StoreFiles files;
    private final boolean readOnly;
    private final DB db;
    private final List<Journal.Change> pending = new ArrayList<>();
    private final Map<String, Table<?, ?>> tables = new java.util.LinkedHashMap<>();
    private final Table<String, Job> jobs;
    private final Table<String, byte[]> envelopes;
    private final Table<String, String> printedNiks;
    private final Table<String, LedgerEntry> ledger;
    private final Table<Long, OutboxEvent> outbox;
    private final Table<Long, AuditEntry> audit;
    /** Counters and names: txNumber, format, outboxSequence, auditCount, auditHead, auditGaps, stationId, blanksLoaded. */
    private final Table<String, String> meta;
    private Journal journal;
    private long sinceCheckpoint;
    private boolean broken;

    private StationStore(Path dir, String stationId, Clock clock, StoreFiles files, DB db, boolean readOnly) {
        this.dir = dir;
        this.stationId = stationId;
        this.clock = clock;
        this.files = files;
        this.readOnly = readOnly;
        this.db = db;
        this.jobs = table("jobs", Serializer.STRING, new Serializers.JobSerializer());
        this.envelopes = table("envelopes", Serializer.STRING, Serializer.BYTE_ARRAY);
        this.printedNiks = table("printedNiks", Serializer.STRING, Serializer.STRING);
        this.ledger = table("ledger", Serializer.STRING, new Serializers.LedgerSerializer());
        this.outbox = table("outbox", Serializer.LONG, new Serializers.OutboxSerializer());
        this.audit = table("audit", Serializer.LONG, new Serializers.AuditSerializer());
        this.meta = table("meta", Serializer.STRING, Serializer.STRING);
        if (!readOnly) db.commit();
    }

    private <K, V> Table<K, V> table(String name, org.mapdb.serializer.GroupSerializer<K> keys, org.mapdb.serializer.GroupSerializer<V> values) {
        BTreeMap<K, V> map = Table.open(db, name, keys, values);
        Table<K, V> t = new Table<>(name, map, keys, values, pending);
        tables.put(name, t);
        return t;
    }

    /** Applies journal records to the working copy, without journaling them again. */
    private void replay(List<Journal.Entry> entries) {
        for (Journal.Entry e : entries) {
            for (Journal.Change c : e.changes()) {
                Table<?, ?> t = tables.get(c.table());
                if (t == null) throw new StoreException("the journal's transaction " + e.txNumber() + " (offset " + e.offset()
                        + ") names an unknown table '" + c.table() + "'");
                t.replay(c);
            }
            sinceCheckpoint++;
        }
        if (!readOnly) db.commit();
    }

    /** Checks which station this is (a writer claims a store that has none yet). */
    private void claim() {
        String stored = meta.get("stationId");
        if (stationId == null) {
            stationId = stored == null ? "" : stored;
        } else if (stored == null || stored.isEmpty()) {
            inTransaction(() -> {
                meta.put("stationId", stationId);
                return null;
            });
        } else if (!stored.equals(stationId)) {
            throw new StoreException("the store " + dir + " belongs to station '" + stored + "', not '" + stationId
                    + "'; each station keeps its own store");
        }
    }

    private long metaLong(String key) {
        String v = meta.get(key);
        return v == null ? 0 : Long.parseLong(v);
    }

    /**
     * Opens (or creates) the store in {@code dir} for {@code stationId} (null: whichever station it belongs to)
     * to change it. Fails with {@link StoreLockedException} naming the holder when another process has it
     * open, with {@link StoreDamagedException} naming every damaged file, offset and the transactions around it
     * when the store does not reach its last commit, and with {@link StoreException} naming the file when it
     * cannot be read; in each case no byte of the store is changed. Only a journal record torn by a crash
     * (never committed: the high-water mark shows it) is cut off, and only here.
     */
    public static StationStore open(Path dir, String stationId, Clock clock) {
        StoreFiles files = StoreFiles.acquire(dir, true);
        try {
            StoreInspection found = StoreInspection.of(dir, files);
            if (!found.ok()) throw new StoreDamagedException(found.refusal());
            return openWriter(dir, stationId, clock, files, found);
        } catch (RuntimeException e) {
            files.close();
            throw e;
        }
    }

    private static StationStore openWriter(Path dir, String stationId, Clock clock, StoreFiles files, StoreInspection found) {
        DB db = null;
        StationStore store = null;
        try {
            files.claimForWriting();
            Journal journal = Journal.forAppend(files.journal, found.journal.size());
            if (found.journal.tail().isPresent()) {
                LOG.warn("{}: cutting off a journal record torn by a crash at offset {} ({} bytes, never committed)",
                        dir.resolve(JOURNAL_FILE), found.journal.tail().get().start(), found.journal.tail().get().length());
                journal.truncate(found.journal.intactEnd());
            }
            rebuildWorkingCopy(dir, found.checkpointExists);
            // No fsync of MapDB's own file: it is rebuilt from the checkpoint and the journal at every open.
            db = DBMaker.fileDB(dir.resolve(DB_FILE).toFile()).transactionEnable().fileSyncDisable().make();
            StoreFiles.restrict(dir.resolve(DB_FILE));
            StationStore s = new StationStore(dir, stationId, clock, files, db, false);
            store = s;
            s.journal = journal;
            s.replay(found.replay);
            if (found.fresh()) {
                s.inTransaction(() -> {
                    s.meta.put("format", StoreInspection.FORMAT);
                    if (stationId != null) s.meta.put("stationId", stationId);
                    return null;
                });
            } else if (found.legacyFormat) {
                s.inTransaction(() -> {
                    s.meta.put("format", StoreInspection.FORMAT);
                    return s.appendAudit(Actor.STATION, "STORE_FORMAT_MIGRATED", "store format 1 -> " + StoreInspection.FORMAT
                            + ": journal records now checksum their transaction number; a high-water mark binds each commit to the audit chain head");
                });
            }
            long markTx = found.mark.mark().map(HighWaterMark.Mark::txNumber).orElse(-1L);
            if (markTx != store.metaLong("txNumber")) HighWaterMark.reset(files.mark, store.currentMark());
            store.claim();
            return store;
        } catch (DBException e) {
            closeQuietly(db);
            throw new StoreException("the store checkpoint " + dir.resolve(CHECKPOINT_FILE) + " cannot be read (" + e.getMessage()
                    + "); it was not modified. `ktp store check --store " + dir + "` shows the details", e);
        } catch (StoreException e) {
            closeQuietly(db);
            throw e;
        } catch (IOException | RuntimeException e) {
            closeQuietly(db);
            throw new StoreException("cannot open the store " + dir + ": " + e, e);
        }
    }

    /**
     * Opens the store in {@code dir} to read it, writing nothing at all (not even the lock file: it takes
     * shared locks, so a writer running refuses it, and two readers do not). Refuses a damaged store like
     * {@link #open}; a torn tail is simply not read.
     */
    public static StationStore openReadOnly(Path dir, Clock clock) {
        StoreFiles files = StoreFiles.acquire(dir, false);
        DB db = null;
        try {
            StoreInspection found = StoreInspection.of(dir, files);
            if (!found.ok()) throw new StoreDamagedException(found.refusal());
            if (found.checkpointExists && found.replay.isEmpty()) {
                // The usual case after a clean stop: the checkpoint is the whole store; read it in place.
                db = DBMaker.fileDB(dir.resolve(CHECKPOINT_FILE).toFile()).readOnly().fileLockDisable().make();
                StationStore s = new StationStore(dir, null, clock, files, db, true);
                s.claim();
                return s;
            }
            // The journal holds transactions the checkpoint lacks (a crash): build the state in memory.
            db = DBMaker.memoryDB().make();
            if (found.checkpointExists) {
                DB checkpoint = DBMaker.fileDB(dir.resolve(CHECKPOINT_FILE).toFile()).readOnly().fileLockDisable().make();
                try {
                    StationStore from = new StationStore(dir, null, clock, files, checkpoint, true);
                    for (Table<?, ?> t : from.tables.values()) t.copyInto(db, Integer.MAX_VALUE);
                } finally {
                    checkpoint.close();
                }
            }
            StationStore s = new StationStore(dir, null, clock, files, db, false);
            s.replay(found.replay);
            StationStore reader = new StationStore(dir, null, clock, files, db, true);
            reader.claim();
            return reader;
        } catch (StoreException e) {
            closeQuietly(db);
            files.close();
            throw e;
        } catch (DBException e) {
            closeQuietly(db);
            files.close();
            throw new StoreException("the store checkpoint " + dir.resolve(CHECKPOINT_FILE) + " cannot be read (" + e.getMessage()
                    + "); it was not modified", e);
        } catch (RuntimeException e) {
            closeQuietly(db);
            files.close();
            throw new StoreException("cannot open the store " + dir + ": " + e, e);
        }
    }

    /**
     * What is wrong with the store in {@code dir}, read without changing a byte: each damaged file with the
     * offset and the transactions around the damage, what a writer will fix itself, and files readable by
     * others. Empty {@code damage} when the store reaches its last commit.
     */
    public static StoreCheck check(Path dir) {
        try (StoreFiles files = StoreFiles.acquire(dir, false)) {
            StoreInspection found = StoreInspection.of(dir, files);
            List<String> notes = new ArrayList<>(found.notes);
            try {
                for (String p : StoreFiles.openPermissions(dir)) notes.add(p + ": readable or writable by others (the store holds biometrics)");
            } catch (IOException e) {
                notes.add("cannot read the permissions in " + dir + ": " + e.getMessage());
            }
            String summary = "checkpoint " + (found.checkpointExists ? "at transaction " + found.checkpointTx : "none") + "; journal "
                    + found.journal.size() + " bytes, " + found.journal.entries().size() + " intact records ("
                    + found.replay.size() + " newer than the checkpoint); high-water mark "
                    + found.mark.mark().map(m -> "transaction " + m.txNumber() + ", " + m.auditCount() + " audit entries").orElse("none")
                    + "; the store reaches transaction " + found.lastTx + " with " + found.auditCount + " audit entries";
            return new StoreCheck(summary, List.copyOf(found.damage), List.copyOf(notes));
        }
    }

    /** {@link #check}'s answer. */
    public record StoreCheck(String summary, List<String> damage, List<String> notes) {
        public boolean damaged() { return !damage.isEmpty(); }
    }

    /**
     * The one way past damage: keeps a copy of the store's files in {@code DIR/damaged-TIME/}, rebuilds the
     * store from every transaction that can be proven (the checkpoint if it reads, and every journal record,
     * before and after the damage, whose own checksum holds), records the lost transactions and audit entries
     * in the audit log and in {@code report} for a supervisor, and makes that the new checkpoint and mark.
     */
    public static StoreRepair.Outcome repair(Path dir, Path report, Clock clock) {
        StoreFiles files = StoreFiles.acquire(dir, true);
        DB db = null;
        try {
            StoreInspection found = StoreInspection.of(dir, files);
            StoreRepair plan = new StoreRepair(dir, found, clock);
            Path kept = plan.keepCopies(files);
            files.claimForWriting();
            boolean useCheckpoint = found.checkpointExists && found.checkpointError.isEmpty();
            rebuildWorkingCopy(dir, useCheckpoint);
            db = DBMaker.fileDB(dir.resolve(DB_FILE).toFile()).transactionEnable().fileSyncDisable().make();
            StoreFiles.restrict(dir.resolve(DB_FILE));
            StationStore store = new StationStore(dir, null, clock, files, db, false);
            store.journal = Journal.forAppend(files.journal, found.journal.size());
            List<Journal.Entry> proven = plan.provenEntries();
            store.replay(proven);
            List<long[]> auditGaps = new ArrayList<>();
            long previous = 0;
            for (Long seq : store.audit.map.keySet()) {
                if (seq != previous + 1) auditGaps.add(new long[] {previous + 1, seq - 1});
                previous = seq;
            }
            long auditLost = found.mark.mark().map(HighWaterMark.Mark::auditCount).orElse(0L);
            final long lastAudit = previous;
            if (auditLost > previous) auditGaps.add(new long[] {previous + 1, auditLost});
            long lastTx = Math.max(store.metaLong("txNumber"), found.mark.mark().map(HighWaterMark.Mark::txNumber).orElse(0L));
            String detail = plan.summary(auditGaps) + "; damaged files kept in " + kept + "; report " + report;
            store.inTransaction(() -> {
                store.meta.put("format", StoreInspection.FORMAT);
                store.meta.put("txNumber", Long.toString(lastTx));
                String gaps = store.meta.get("auditGaps");
                StringBuilder all = new StringBuilder(gaps == null ? "" : gaps);
                // A gap at the end is not a hole in the chain (the repair's own entry continues from the last intact one).
                for (long[] g : auditGaps) if (g[1] < lastAudit) all.append(all.length() == 0 ? "" : ",").append(g[0]).append('-').append(g[1]);
                store.meta.put("auditGaps", all.toString());
                return store.appendAudit(new Actor("store-repair", Role.SYSTEM), "STORE_REPAIRED", detail);
            });
            store.checkpoint();
            HighWaterMark.reset(files.mark, store.currentMark());
            String stationId = store.meta.get("stationId");
            StoreRepair.Outcome outcome = plan.writeReport(report, kept, auditGaps, store.metaLong("txNumber"), store.metaLong("auditCount"),
                    stationId == null ? "" : stationId);
            db.close();
            store.journal.close();
            return outcome;
        } catch (IOException e) {
            throw new StoreException("the repair of " + dir + " failed: " + e.getMessage() + "; the damaged files are kept beside it", e);
        } finally {
            closeQuietly(db);
            files.close();
        }
    }

    HighWaterMark.Mark currentMark() {
        String head = meta.get("auditHead");
        return new HighWaterMark.Mark(metaLong("txNumber"), metaLong("auditCount"),
                head == null || head.isEmpty() ? AuditChain.GENESIS : HexFormat.of().parseHex(head));
    }

    /**
     * The working MapDB file is always a fresh copy of the last checkpoint: whatever a crash left in the old
     * working file is discarded, and the journal brings the copy up to date.
     */
    private static void rebuildWorkingCopy(Path dir, boolean fromCheckpoint) throws IOException {
        Path working = dir.resolve(DB_FILE);
        Files.deleteIfExists(working);
        try (java.nio.file.DirectoryStream<Path> wal = Files.newDirectoryStream(dir, DB_FILE + ".wal.*")) {
            for (Path p : wal) Files.delete(p);
        }
        Files.deleteIfExists(dir.resolve(CHECKPOINT_FILE + ".tmp"));
        Path checkpoint = dir.resolve(CHECKPOINT_FILE);
        if (fromCheckpoint && Files.exists(checkpoint)) {
            Files.copy(checkpoint, working);
            StoreFiles.restrict(working);
        }
    }

    /**
     * Makes the current state the new checkpoint: every table is copied entry by entry into a fresh MapDB file,
     * which is forced to disk and renamed into place atomically; only then is the journal emptied. A fresh
     * copy holds no freed space, so a purged envelope's bytes do not survive in the checkpoint, and once the
     * journal is emptied, not there either. A crash at any point leaves either the old checkpoint with the
     * full journal, or the new one (older journal records are skipped by transaction number).
     */
    private void checkpoint() throws IOException {
        db.commit();
        Path tmp = dir.resolve(CHECKPOINT_FILE + ".tmp");
        Files.deleteIfExists(tmp);
        DB copy = DBMaker.fileDB(tmp.toFile()).transactionEnable().fileSyncDisable().make();
        StoreFiles.restrict(tmp);
        try {
            for (Table<?, ?> t : tables.values()) t.copyInto(copy, 10_000);
        } finally {
            copy.close();
        }
        try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            c.force(true);
        }
        Files.move(tmp, dir.resolve(CHECKPOINT_FILE), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
        journal.clear();
        sinceCheckpoint = 0;
    }

    private static void closeQuietly(DB db) {
        try {
            if (db != null && !db.isClosed()) db.close();
        } catch (RuntimeException ignored) { /* closing after a failure */ }
    }

    /** Whether {@code dir} holds a station store (a checkpoint, a journal or a high-water mark). */
    public static boolean existsIn(Path dir) {
        return Files.isRegularFile(dir.resolve(CHECKPOINT_FILE)) || Files.isRegularFile(dir.resolve(JOURNAL_FILE))
                || Files.isRegularFile(dir.resolve(HighWaterMark.FILE));
    }

    public String stationId() { return stationId; }

    // ---------------------------------------------------------------- changes, one transaction each

    /**
     * Offers a record for printing. A record already known is never admitted twice, and a NIK already printed
     * under another record is refused unless a reprint was decided; both answers say why.
     */
    public synchronized Admission admit(String recordId, int recordVersion, String nik, byte[] envelope, Actor actor) {
        Job existing = jobs.get(recordId);
        if (existing != null && existing.state() == JobState.RELEASED) return readmit(existing, recordVersion, nik, envelope, actor);
        if (existing != null) {
            boolean inFlight = NOT_YET_PRINTED.contains(existing.state());
            return new Admission(inFlight ? Admission.Outcome.ALREADY_IN_FLIGHT : Admission.Outcome.ALREADY_DONE, existing,
                    "record " + recordId + " is already here in state " + existing.state());
        }
        String printedAs = printedNiks.get(nik);
        if (printedAs != null) {
            return inTransaction(() -> {
                appendAudit(actor, "REFUSE_DUPLICATE_NIK", "record " + recordId + ": NIK " + nik + " was already printed as record " + printedAs);
                return new Admission(Admission.Outcome.NIK_ALREADY_PRINTED, jobs.get(printedAs),
                        "NIK " + nik + " was already printed here as record " + printedAs + "; a reprint needs a supervisor's decision");
            });
        }
        return inTransaction(() -> {
            Instant now = clock.instant();
            Job job = new Job(recordId, recordVersion, nik, JobState.LEASED, "", "", false, 0, sha256Hex(envelope), now, now, 1);
            jobs.put(recordId, job);
            envelopes.put(recordId, envelope);
            appendAudit(actor, "ADMIT", "record " + recordId + " v" + recordVersion + " NIK " + nik);
            return new Admission(Admission.Outcome.ADMITTED, job, "admitted");
        });
    }

    /**
     * A record this station handed back unprinted, offered again: the same job reopens in LEASED with the new
     * envelope (the data center may have issued a new version meanwhile). The NIK rule still applies.
     */
    private Admission readmit(Job released, int recordVersion, String nik, byte[] envelope, Actor actor) {
        JobTransition t = JobStateMachine.require(JobState.RELEASED, JobState.LEASED);
        String printedAs = printedNiks.get(nik);
        if (printedAs != null) {
            return new Admission(Admission.Outcome.NIK_ALREADY_PRINTED, jobs.get(printedAs),
                    "NIK " + nik + " was already printed here as record " + printedAs + "; a reprint needs a supervisor's decision");
        }
        return inTransaction(() -> {
            Instant now = clock.instant();
            Job job = new Job(released.recordId(), recordVersion, nik, t.to(), "", "", released.reprintAuthorised(),
                    released.spoiledBlanks(), sha256Hex(envelope), released.createdAt(), now, released.revision() + 1);
            jobs.put(job.recordId(), job);
            envelopes.put(job.recordId(), envelope);
            appendAudit(actor, "JOB " + t.from() + " -> " + t.to(), "record " + job.recordId() + " v" + recordVersion + " offered again");
            return new Admission(Admission.Outcome.ADMITTED, job, "admitted again after a release");
        });
    }

    /**
     * Moves a job to {@code to}. {@code blankId} is required when a blank enters the printer; {@code reason}
     * when the transition needs one. The ledger, the outbox and the audit log change in the same commit.
     */
    public synchronized Job transition(String recordId, JobState to, Actor actor, String reason, String blankId) {
        Job job = jobs.get(recordId);
        if (job == null) throw new StoreException("no job for record " + recordId);
        JobTransition t = JobStateMachine.require(job.state(), to);
        String why = reason == null ? "" : reason.trim();
        if (t.needsReason() && why.isEmpty()) {
            throw new ktp.job.IllegalJobTransitionException(job.state() + " -> " + to + " needs a reason, and none was given");
        }
        if (t.supervisorOnly() && actor.role() != Role.SUPERVISOR) {
            throw new ktp.job.IllegalJobTransitionException(job.state() + " -> " + to + " is a supervisor's decision; "
                    + actor + " may not make it");
        }
        if (t.blank() == JobTransition.BlankEffect.ENTERS_PRINTER) {
            if (blankId == null || blankId.isBlank()) {
                throw new ktp.job.IllegalJobTransitionException(job.state() + " -> " + to + " needs the id of the blank entering the printer");
            }
            if (ledger.get(blankId) != null) {
                throw new StoreException("blank " + blankId + " is already in the ledger (" + ledger.get(blankId).fate()
                        + "); a blank can enter the printer only once");
            }
            String printedAs = printedNiks.get(job.nik());
            if (printedAs != null && !job.reprintAuthorised()) {
                throw new StoreException("NIK " + job.nik() + " was already printed (record " + printedAs
                        + ") and no reprint was decided; refusing to print it again");
            }
        }
        Job changed = inTransaction(() -> apply(job, t, actor, why, blankId));
        // One log line per committed job change: what an operator or technician greps for first.
        JOB_LOG.info("record {} {} -> {}{}{} ({})", recordId, t.from(), t.to(), changed.blankId().isEmpty() ? "" : " blank " + changed.blankId(),
                why.isEmpty() ? "" : ": " + why, actor);
        return changed;
    }

    private Job apply(Job job, JobTransition t, Actor actor, String why, String blankId) {
        Instant now = clock.instant();
        String blank = job.blankId();
        boolean reprint = job.reprintAuthorised();
        int spoiled = job.spoiledBlanks();
        String eventBlank = blank;
        switch (t.blank()) {
            case ENTERS_PRINTER -> {
                blank = blankId;
                eventBlank = blankId;
                ledger.put(blankId, new LedgerEntry(blankId, job.recordId(), job.nik(), now, BlankFate.IN_PRINTER, "", now));
            }
            case PRINTED -> {
                setFate(blank, BlankFate.PRINTED_AWAITING_HOLDER, "", now);
                printedNiks.put(job.nik(), job.recordId());
                reprint = false;
            }
            case ISSUED -> setFate(blank, BlankFate.ISSUED, "", now);
            case SPOILED -> {
                setFate(blank, BlankFate.SPOILED, why, now);
                blank = "";
                spoiled++;
            }
            case SUPERSEDED -> {
                setFate(blank, BlankFate.SPOILED, "superseded by a reprint: " + why, now);
                blank = "";
                spoiled++;
                reprint = true;
            }
            case NONE -> { }
        }
        String reason = why.isEmpty() ? job.reason() : why;
        Job updated = job.with(t.to(), blank, reason, reprint, spoiled, now);
        jobs.put(job.recordId(), updated);
        if (t.to() == JobState.ISSUED || t.to() == JobState.REJECTED || t.to() == JobState.RELEASED) {
            // Biometrics (photo, signature, templates) are kept only while the issuance may need them.
            envelopes.remove(job.recordId());
        }
        final String eb = eventBlank;
        t.event().ifPresent(type -> {
            long seq = metaLong("outboxSequence") + 1;
            meta.put("outboxSequence", Long.toString(seq));
            outbox.put(seq, new OutboxEvent(seq, UUID.randomUUID().toString(), type, stationId, job.recordId(), job.nik(), eb, why, now));
        });
        appendAudit(actor, "JOB " + t.from() + " -> " + t.to(), "record " + job.recordId()
                + (eb.isEmpty() ? "" : " blank " + eb) + (why.isEmpty() ? "" : " reason: " + why));
        return updated;
    }

    private void setFate(String blankId, BlankFate fate, String reason, Instant now) {
        LedgerEntry e = ledger.get(blankId);
        if (e == null) throw new StoreException("the job's blank " + blankId + " is missing from the ledger");
        ledger.put(blankId, new LedgerEntry(e.blankId(), e.recordId(), e.nik(), e.enteredAt(), fate, reason, now));
    }

    /**
     * A blank found in the printer after a restart that the ledger does not know (the station stopped after the
     * printer took it and before its chip UID was recorded): entered as SPOILED, with no record, in one commit
     * with its audit line, so every blank that entered the printer is accounted for.
     */
    public synchronized LedgerEntry ledgerFoundBlank(String blankId, String reason, Actor actor) {
        if (blankId == null || blankId.isBlank()) throw new StoreException("a found blank needs its id");
        LedgerEntry known = ledger.get(blankId);
        if (known != null) return known;
        return inTransaction(() -> {
            Instant now = clock.instant();
            LedgerEntry e = new LedgerEntry(blankId, "", "", now, BlankFate.SPOILED, reason, now);
            ledger.put(blankId, e);
            appendAudit(actor, "BLANK_FOUND", "blank " + blankId + " found in the printer and spoiled: " + reason);
            return e;
        });
    }

    /** The audit action of {@link #blanksLoaded(int, String, Actor)}; its detail starts with the count. */
    public static final String BLANKS_LOADED = "BLANKS_LOADED";

    /**
     * Blank cards put into a printer's feeder (from the stock the regency sent): the "in" side of the blank-card
     * reconciliation, kept in the audit log with who loaded them and the delivery's reference.
     */
    public synchronized AuditEntry blanksLoaded(int count, String reference, Actor actor) {
        if (count < 1 || count > 100_000) throw new StoreException("blanks loaded must be 1..100000, got " + count);
        String ref = reference == null ? "" : reference.strip();
        if (ref.isEmpty() || ref.length() > 200) throw new StoreException("blanks loaded need a reference (the delivery note or batch), at most 200 characters");
        return inTransaction(() -> {
            // The running total, kept with its audit line in one commit, so that a screen refreshing every few
            // seconds need not read the whole audit log to know how many blanks went in.
            meta.put("blanksLoaded", Long.toString(metaLong("blanksLoaded") + count));
            return appendAudit(actor, BLANKS_LOADED, count + " blanks; reference: " + ref);
        });
    }

    /** Every blank recorded as loaded into a feeder, ever (the sum of the BLANKS_LOADED lines). */
    public synchronized long blanksLoadedTotal() { return metaLong("blanksLoaded"); }

    /** Blanks the printers have taken, ever: the ledger's entries, whatever their fate. */
    public synchronized long ledgerSize() { return ledger.map.size(); }

    /** A line in the audit log for something that is not a job change (sign-in, configuration, reports). */
    public synchronized AuditEntry audit(Actor actor, String action, String detail) {
        return inTransaction(() -> appendAudit(actor, action, detail));
    }

    private AuditEntry appendAudit(Actor actor, String action, String detail) {
        long seq = metaLong("auditCount") + 1;
        byte[] previous = seq == 1 ? AuditChain.GENESIS : audit.get(seq - 1).hash();
        Instant at = Instant.ofEpochMilli(clock.millis());
        byte[] hash = AuditChain.hash(seq, at.toEpochMilli(), actor.toString(), action, detail, previous);
        AuditEntry entry = new AuditEntry(seq, at, actor.toString(), action, detail, previous, hash);
        audit.put(seq, entry);
        meta.put("auditCount", Long.toString(seq));
        meta.put("auditHead", HexFormat.of().formatHex(hash));
        return entry;
    }

    /** Removes published events up to and including {@code sequence} (after the broker acknowledged them). */
    public synchronized void removePublished(long sequence) {
        inTransaction(() -> {
            for (Long seq : List.copyOf(outbox.map.headMap(sequence, true).keySet())) outbox.remove(seq);
            return null;
        });
    }

    /**
     * Applies each unfinished job's resume action after a start: spoils blanks that were inside the printer,
     * requeues spoiled jobs, finishes hand-overs. Every change is logged as the station's decision.
     * Returns the jobs it changed.
     */
    public synchronized List<Job> recover(Actor actor) {
        List<Job> changed = new ArrayList<>();
        for (Job job : List.copyOf(jobs.map.values())) {
            ResumeAction action = job.state().onResume();
            Job now = job;
            switch (action) {
                case SPOIL_BLANK_AND_REQUEUE -> {
                    now = transition(job.recordId(), JobState.SPOILED, actor,
                            "station restarted while the card was " + job.state() + "; destroy the card if found", null);
                    now = transition(job.recordId(), JobState.VALIDATED, actor, "requeued after restart", null);
                }
                case REQUEUE -> now = transition(job.recordId(), JobState.VALIDATED, actor, "requeued for a fresh blank after restart", null);
                case MARK_AWAITING_HOLDER -> now = transition(job.recordId(), JobState.AWAITING_HOLDER, actor, "", null);
                case RESTART_ACTIVATION -> now = transition(job.recordId(), JobState.AWAITING_HOLDER, actor, "activation interrupted by restart", null);
                default -> { }
            }
            if (now != job) changed.add(now);
        }
        return changed;
    }

    // ---------------------------------------------------------------- reads

    public synchronized Optional<Job> job(String recordId) { return Optional.ofNullable(jobs.get(recordId)); }

    public synchronized List<Job> jobs() { return List.copyOf(jobs.map.values()); }

    /** The envelope as received, while the job still needs it (purged at ISSUED and REJECTED). */
    public synchronized Optional<byte[]> envelope(String recordId) { return Optional.ofNullable(envelopes.get(recordId)); }

    public synchronized Optional<String> printedRecordOf(String nik) { return Optional.ofNullable(printedNiks.get(nik)); }

    public synchronized List<LedgerEntry> ledger() { return List.copyOf(ledger.map.values()); }

    public synchronized List<OutboxEvent> pendingEvents(int limit) {
        List<OutboxEvent> out = new ArrayList<>();
        for (OutboxEvent e : outbox.map.values()) {
            if (out.size() >= limit) break;
            out.add(e);
        }
        return out;
    }

    /** Up to {@code limit} pending events with a sequence above {@code afterSequence}, in order. */
    public synchronized List<OutboxEvent> pendingEventsAfter(long afterSequence, int limit) {
        List<OutboxEvent> out = new ArrayList<>();
        for (OutboxEvent e : outbox.map.tailMap(afterSequence, false).values()) {
            if (out.size() >= limit) break;
            out.add(e);
        }
        return out;
    }

    /** Jobs waiting for a blank or for their lease to be validated: the station's print queue. */
    public synchronized long queueDepth() {
        long n = 0;
        for (Job j : jobs.map.values()) if (j.state() == JobState.VALIDATED || j.state() == JobState.LEASED) n++;
        return n;
    }

    public synchronized long outboxDepth() { return outbox.map.size(); }

    /**
     * The sequence up to which every event has left the outbox: the oldest pending event's minus one, or the
     * last sequence assigned when none is pending. Read in one step so an event written meanwhile is never
     * counted as gone (a publisher starting on an empty outbox continues from here, not from 1).
     */
    public synchronized long outboxFloor() {
        return outbox.map.isEmpty() ? metaLong("outboxSequence") : outbox.map.firstKey() - 1;
    }

    /** The highest outbox sequence ever assigned (published or not). */
    public synchronized long lastEventSequence() { return metaLong("outboxSequence"); }

    public synchronized List<AuditEntry> auditLog() { return List.copyOf(audit.map.values()); }

    /** Up to {@code limit} audit entries after {@code sequence}, in order (for a screen that follows the log). */
    public synchronized List<AuditEntry> auditAfter(long sequence, int limit) {
        List<AuditEntry> out = new java.util.ArrayList<>();
        for (AuditEntry e : audit.map.tailMap(sequence, false).values()) {
            if (out.size() >= limit) break;
            out.add(e);
        }
        return out;
    }

    /** How many audit entries have been committed (cheap: no copy of the log). */
    public synchronized long auditSize() { return metaLong("auditCount"); }

    public synchronized AuditChain.Verdict verifyAudit() {
        String head = meta.get("auditHead");
        byte[] headBytes = head == null || head.isEmpty() ? AuditChain.GENESIS : HexFormat.of().parseHex(head);
        return AuditChain.verify(List.copyOf(audit.map.values()), metaLong("auditCount"), headBytes, AuditChain.gaps(meta.get("auditGaps")));
    }

    /** Counts of jobs per state, for status lines and reports. */
    public synchronized Map<JobState, Long> countByState() {
        Map<JobState, Long> counts = new java.util.EnumMap<>(JobState.class);
        for (Job j : jobs.map.values()) counts.merge(j.state(), 1L, Long::sum);
        return counts;
    }

    // ---------------------------------------------------------------- plumbing

    /**
     * Runs {@code work} as one transaction. The commit point is the journal record: before it, a failure rolls
     * MapDB back and nothing happened; after it, the change is durable even if MapDB's commit then fails, in
     * which case the store refuses further work until it is reopened (and the journal replayed).
     */
    private <T> T inTransaction(java.util.function.Supplier<T> work) {
        if (readOnly) throw new StoreException("the store " + dir + " was opened read-only; this command cannot change it");
        if (broken) throw new StoreException("the store " + dir + " hit an I/O error and must be reopened (restart the station)");
        pending.clear();
        T result;
        long tx;
        try {
            result = work.get();
            if (pending.isEmpty()) {
                db.rollback();
                return result;
            }
            tx = metaLong("txNumber") + 1;
            meta.put("txNumber", Long.toString(tx));
            journal.append(tx, List.copyOf(pending));
        } catch (IOException e) {
            db.rollback();
            pending.clear();
            throw new StoreException("cannot write the store journal " + dir.resolve(JOURNAL_FILE) + ": " + e.getMessage()
                    + "; the change was not made", e);
        } catch (RuntimeException e) {
            db.rollback();
            pending.clear();
            throw e;
        }
        try {
            // After the commit point: the mark may lag the journal by this one transaction if we crash here.
            HighWaterMark.write(files.mark, currentMark());
            db.commit();
            pending.clear();
            if (++sinceCheckpoint >= CHECKPOINT_EVERY) checkpoint();
        } catch (IOException | RuntimeException e) {
            broken = true;
            throw new StoreException("the change was committed to the journal but the store could not apply it (" + e
                    + "); reopen the store to replay the journal", e);
        }
        return result;
    }

    static String sha256Hex(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    @Override
    public synchronized void close() {
        if (readOnly) {
            closeQuietly(db);
            files.close();
            return;
        }
        try {
            if (!broken && !db.isClosed()) checkpoint();
        } catch (IOException e) {
            // The journal still holds every committed change; the next open replays it.
            LOG.warn("checkpoint at close failed, the journal will be replayed: {}", e.toString());
        } finally {
            closeQuietly(db);
            files.close();
        }
    }

    /** For the crash tests: lets go of everything as a killed process would, without a checkpoint. */
    synchronized void abandon() {
        closeQuietly(db);
        files.close();
    }
}
