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
import ktp.i18n.StationLog;
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
 * working file is never trusted after a crash (it is rebuilt from the last checkpoint plus the journal),
 * because MapDB 3.1.0 cannot recover its own file after a crash in the middle of a commit (docs/store.md);
 * after a clean close it is used in place, and checkpoints are written into the spare, the checkpoint before
 * the last, so that nothing copies the whole store. After each
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
    /** The working file after a clean close: closed, forced and complete; the next writer opens it in place. */
    static final String WORKING_CLEAN_FILE = "station.clean.db";
    /** The previous checkpoint, kept to be brought up to date by the next checkpoint instead of a copy of the last. */
    static final String SPARE_FILE = "checkpoint.prev.db";
    /** The journal's previous segment: the transactions the spare lacks and the checkpoint holds. */
    static final String SPARE_JOURNAL_FILE = "journal.prev.log";
    /**
     * Transactions between checkpoints: bounds the journal's size and the replay after a crash. The crash test
     * lowers it (system property ktp.store.checkpointEvery) so that its kills land inside checkpoints too.
     */
    static final int CHECKPOINT_EVERY = Math.max(10, Integer.getInteger("ktp.store.checkpointEvery", 5_000));
    /** States of a job whose card has not come out of the printer: a re-offered lease is the same job. */
    /** How long the biometrics of a card printed but never collected are kept (the job, ledger and audit stay). */
    public static final java.time.Duration DEFAULT_BIOMETRIC_RETENTION = java.time.Duration.ofDays(30);
    /** States whose job may still need its envelope (a reprint after a failed activation needs it again). */
    private static final java.util.Set<JobState> KEEPS_ENVELOPE = java.util.EnumSet.complementOf(
            java.util.EnumSet.of(JobState.ISSUED, JobState.REJECTED, JobState.RELEASED));
    /** States of a printed card waiting for its holder: the envelope is kept for the retention only. */
    private static final java.util.Set<JobState> UNCOLLECTED = java.util.EnumSet.of(
            JobState.PRINTED, JobState.AWAITING_HOLDER, JobState.ACTIVATING, JobState.ACTIVATION_FAILED);
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
    /** Counters and names: txNumber, format, indexes, outboxSequence, auditCount, auditHead, auditGaps, stationId, blanksLoaded, blankNumber, jobs.STATE. */
    private final Table<String, String> meta;
    // Indexes, kept in the same transactions as the tables they index, so that what a screen, a lane or a report
    // needs costs what it returns, not what the store holds (docs/store.md).
    /** "STATE/createdAt millis (20 digits)/recordId" -> recordId: the jobs in a state, oldest first. */
    private final Table<String, String> jobsByState;
    /** "FATE/updatedAt millis/blankId" -> blankId: the blanks of a fate by their last change. */
    private final Table<String, String> ledgerByFate;
    /** "at millis/sequence" (20 digits each) -> sequence: the audit log by time. */
    private final Table<String, Long> auditByTime;
    /** minute (epoch) -> running totals after that minute: loaded, entered, then the count in each BlankFate. */
    private final Table<Long, String> ledgerTotals;
    /** "NIK/recordId" -> recordId: the jobs of a NIK (the counter's and `ktp issue`'s search). */
    private final Table<String, String> jobsByNik;
    /** "at millis/sequence" (20 digits each) -> sequence: the BLANKS_LOADED audit entries by time (a period's deliveries). */
    private final Table<String, Long> loadsByTime;
    /** The store holds loadsByTime (index level 3). */
    private boolean loadsIndexed;
    /** The indexes above are complete (a store written before them is indexed once by its next writer). */
    private boolean indexed;
    /** The level of the indexes a store holds: 1 without jobsByNik, 2 with it, 3 with loadsByTime too. */
    private static final String INDEX_LEVEL = "3";
    private Journal journal;
    private final EnvelopeVault vault;
    /** Envelopes written for the transaction in progress (shredded if it rolls back). */
    private final List<String> writtenInTx = new ArrayList<>();
    /** Envelopes the transaction in progress no longer needs (shredded right after it commits). */
    private final List<String> toShred = new ArrayList<>();
    private java.time.Duration biometricRetention = DEFAULT_BIOMETRIC_RETENTION;
    private Instant nextRetentionSweep = Instant.EPOCH;
    private boolean sweeping;
    private long sinceCheckpoint;
    private boolean broken;
    /**
     * The committed transactions the checkpoint does not hold yet, in order (exactly the journal's records past
     * the checkpoint): what the next checkpoint applies to a copy of the last one. Bounded by CHECKPOINT_EVERY.
     */
    private final List<Journal.Entry> uncheckpointed = new ArrayList<>();
    /** The periodic checkpoint, running beside the commits (null or finished: none running). */
    private Thread checkpointer;
    /** Set by close(): a background checkpoint finishes under the lock at its next step, and no new one starts. */
    private volatile boolean closing;
    /** Set by abandon() (the crash tests' stand-in for a kill): a background checkpoint stops and leaves its file. */
    private volatile boolean abandoned;
    /** journal.prev.log, opened by the first checkpoint (writer only). */
    private FileChannel spareJournal;
    /** Bumped by a full checkpoint, so that a background one started before it does not replace it. */
    private long checkpointGeneration;
    /**
     * The spare's transactions: exactly those the checkpoint holds and the spare ({@link #SPARE_FILE}) lacks, in
     * order, as {@link #SPARE_JOURNAL_FILE} holds them; null when there is no usable spare (the next checkpoint
     * then copies the last one, as after a crash or an upgrade).
     */
    private List<Journal.Entry> spareSegment;
    /** Set when the working file's freed space may hold biometrics (a format-1 store's envelopes were moved out). */
    private boolean workingMustNotBeKept;

    private StationStore(Path dir, String stationId, Clock clock, StoreFiles files, DB db, boolean readOnly) {
        this.dir = dir;
        this.stationId = stationId;
        this.clock = clock;
        this.files = files;
        this.readOnly = readOnly;
        this.db = db;
        this.vault = new EnvelopeVault(dir);
        this.jobs = table("jobs", Serializer.STRING, new Serializers.JobSerializer());
        this.envelopes = table("envelopes", Serializer.STRING, Serializer.BYTE_ARRAY);
        this.printedNiks = table("printedNiks", Serializer.STRING, Serializer.STRING);
        this.ledger = table("ledger", Serializer.STRING, new Serializers.LedgerSerializer());
        this.outbox = table("outbox", Serializer.LONG, new Serializers.OutboxSerializer());
        this.audit = table("audit", Serializer.LONG, new Serializers.AuditSerializer());
        this.meta = table("meta", Serializer.STRING, Serializer.STRING);
        this.jobsByState = table("jobsByState", Serializer.STRING, Serializer.STRING);
        this.ledgerByFate = table("ledgerByFate", Serializer.STRING, Serializer.STRING);
        this.auditByTime = table("auditByTime", Serializer.STRING, Serializer.LONG);
        this.ledgerTotals = table("ledgerTotals", Serializer.LONG, Serializer.STRING);
        this.jobsByNik = table("jobsByNik", Serializer.STRING, Serializer.STRING);
        this.loadsByTime = table("loadsByTime", Serializer.STRING, Serializer.LONG);
        String level = meta.get("indexes");
        this.indexed = "2".equals(level) || INDEX_LEVEL.equals(level);
        this.loadsIndexed = INDEX_LEVEL.equals(level);
        if (!readOnly) db.commit();
    }

    private <K, V> Table<K, V> table(String name, org.mapdb.serializer.GroupSerializer<K> keys, org.mapdb.serializer.GroupSerializer<V> values) {
        // A read-only checkpoint written before a table existed simply lacks it: read it as empty.
        java.util.NavigableMap<K, V> map = readOnlyDb(db) && !db.exists(name) ? new java.util.TreeMap<>() : Table.open(db, name, keys, values);
        Table<K, V> t = new Table<>(name, map, keys, values, pending);
        tables.put(name, t);
        return t;
    }

    private boolean readOnlyDb(DB d) { return readOnly && d == db && d.getStore().isReadOnly(); }

    /** Applies journal records to the working copy, without journaling them again. */
    private void replay(List<Journal.Entry> entries) {
        for (Journal.Entry e : entries) {
            for (Journal.Change c : e.changes()) {
                Table<?, ?> t = tables.get(c.table());
                if (t == null) throw new StoreException("store.journal.unknownTable", e.txNumber(), e.offset(), c.table());
                t.replay(c);
            }
            sinceCheckpoint++;
            uncheckpointed.add(e);
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
            throw new StoreException("store.otherStation", dir, stored, stationId);
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
        return open(dir, stationId, clock, DEFAULT_BIOMETRIC_RETENTION);
    }

    /**
     * The same with the station's biometric retention (station.yaml {@code station.biometric_retention_days}),
     * applied from the open's own sweep on: a longer retention than the default must not lose a card's
     * biometrics to a sweep with the default first.
     */
    public static StationStore open(Path dir, String stationId, Clock clock, java.time.Duration biometricRetention) {
        if (biometricRetention.isNegative() || biometricRetention.isZero()) {
            throw new StoreException("store.retention", biometricRetention);
        }
        StoreFiles files = StoreFiles.acquire(dir, true);
        try {
            StoreInspection found = StoreInspection.of(dir, files);
            if (!found.ok()) throw found.refusal();
            return openWriter(dir, stationId, clock, files, found, biometricRetention);
        } catch (RuntimeException e) {
            files.close();
            throw e;
        }
    }

    private static StationStore openWriter(Path dir, String stationId, Clock clock, StoreFiles files, StoreInspection found,
                                           java.time.Duration biometricRetention) {
        DB db = null;
        StationStore store = null;
        try {
            files.claimForWriting();
            Journal journal = Journal.forAppend(files.journal, found.journal.size());
            if (found.journal.tail().isPresent()) {
                LOG.warn(StationLog.line("store.tornCut", dir.resolve(JOURNAL_FILE), found.journal.tail().get().start(), found.journal.tail().get().length()));
                journal.truncate(found.journal.intactEnd());
            }
            boolean inPlace = reuseWorkingFile(dir, found);
            if (!inPlace) rebuildWorkingCopy(dir, found.checkpointExists);
            // No fsync of MapDB's own file while it is open: the journal is the commit point, and a working file a
            // crash left behind is never used (only one closed, forced and renamed station.clean.db is).
            db = writableDb(dir.resolve(DB_FILE));
            StoreFiles.restrict(dir.resolve(DB_FILE));
            StationStore s = new StationStore(dir, stationId, clock, files, db, false);
            store = s;
            s.journal = journal;
            if (inPlace) s.uncheckpointed.addAll(found.replay); // already in the working file, not yet in the checkpoint
            else s.replay(found.replay);
            s.sinceCheckpoint = s.uncheckpointed.size();
            s.spareSegment = loadSpare(dir, found);
            if (found.fresh()) {
                s.inTransaction(() -> {
                    s.meta.put("format", StoreInspection.FORMAT);
                    s.meta.put("indexes", INDEX_LEVEL);
                    if (stationId != null) s.meta.put("stationId", stationId);
                    return null;
                });
                s.indexed = true;
                s.loadsIndexed = true;
            } else if (found.legacyFormat) {
                s.inTransaction(() -> {
                    s.meta.put("format", StoreInspection.FORMAT);
                    return s.appendAudit(Actor.STATION, "STORE_FORMAT_MIGRATED", "store format 1 -> " + StoreInspection.FORMAT
                            + ": journal records now checksum their transaction number; a high-water mark binds each commit to the audit chain head");
                });
            }
            long markTx = found.mark.mark().map(HighWaterMark.Mark::txNumber).orElse(-1L);
            if (markTx != store.metaLong("txNumber")) HighWaterMark.reset(files.mark, store.currentMark());
            if (!s.indexed && "1".equals(s.meta.get("indexes"))) s.buildNikIndex();
            else if (!s.indexed) s.buildIndexes();
            if (!s.loadsIndexed) s.buildLoadsIndex();
            s.sweepVault();
            s.biometricRetention = biometricRetention;
            s.expireBiometrics();
            store.claim();
            return store;
        } catch (DBException e) {
            closeQuietly(db);
            throw new StoreException(e, "store.checkpoint.unreadableCheck", dir.resolve(CHECKPOINT_FILE), e.getMessage(), dir);
        } catch (StoreException e) {
            closeQuietly(db);
            throw e;
        } catch (IOException | RuntimeException e) {
            closeQuietly(db);
            throw new StoreException(e, "store.cannotOpen", dir, e);
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
            if (!found.ok()) throw found.refusal();
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
            throw new StoreException(e, "store.checkpoint.unreadable", dir.resolve(CHECKPOINT_FILE), e.getMessage());
        } catch (RuntimeException e) {
            closeQuietly(db);
            files.close();
            throw new StoreException(e, "store.cannotOpen", dir, e);
        }
    }

    /**
     * What is wrong with the store in {@code dir}, read without changing a byte: each damaged file with the
     * offset and the transactions around the damage, what a writer will fix itself, and files readable by
     * others. Empty {@code damage} when the store reaches its last commit.
     */
    public static StoreCheck check(Path dir, java.time.Duration retention, Clock clock) {
        StoreCheck found;
        try (StoreFiles files = StoreFiles.acquire(dir, false)) {
            StoreInspection inspection = StoreInspection.of(dir, files);
            List<String> notes = new ArrayList<>(inspection.notes);
            try {
                for (String p : StoreFiles.openPermissions(dir)) notes.add(p + ": readable or writable by others (the store holds biometrics)");
            } catch (IOException e) {
                notes.add("cannot read the permissions in " + dir + ": " + e.getMessage());
            }
            String summary = "checkpoint " + (inspection.checkpointExists ? "at transaction " + inspection.checkpointTx : "none") + "; journal "
                    + inspection.journal.size() + " bytes, " + inspection.journal.entries().size() + " intact records ("
                    + inspection.replay.size() + " newer than the checkpoint); high-water mark "
                    + inspection.mark.mark().map(m -> "transaction " + m.txNumber() + ", " + m.auditCount() + " audit entries").orElse("none")
                    + "; the store reaches transaction " + inspection.lastTx + " with " + inspection.auditCount + " audit entries";
            found = new StoreCheck(summary, List.copyOf(inspection.damage), List.copyOf(notes), List.of());
        }
        if (found.damaged()) return found;
        try (StationStore s = openReadOnly(dir, clock)) {
            return new StoreCheck(found.summary(), found.damage(), found.notes(), s.biometricsBeyondPolicy(retention));
        }
    }

    public static StoreCheck check(Path dir) { return check(dir, DEFAULT_BIOMETRIC_RETENTION, Clock.systemUTC()); }

    /** {@link #check}'s answer. */
    public record StoreCheck(String summary, List<String> damage, List<String> notes, List<String> biometrics) {
        public boolean damaged() { return !damage.isEmpty(); }

        /** Damage, or biometrics kept beyond the policy. */
        public boolean failed() { return damaged() || !biometrics.isEmpty(); }
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
            db = writableDb(dir.resolve(DB_FILE));
            StoreFiles.restrict(dir.resolve(DB_FILE));
            StationStore store = new StationStore(dir, null, clock, files, db, false);
            store.closing = true; // the repair ends with a full checkpoint of its own: no periodic one beside it
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
            throw new StoreException(e, "store.repair.failed", dir, e.getMessage());
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
     * After a crash (no clean working file): the working MapDB file is a fresh copy of the last checkpoint;
     * whatever a crash left in the old working file is discarded, and the journal brings the copy up to date.
     * This is the one copy left that grows with the store's bytes, and only a crash (or a repair) needs it.
     */
    private static void rebuildWorkingCopy(Path dir, boolean fromCheckpoint) throws IOException {
        Path working = dir.resolve(DB_FILE);
        Files.deleteIfExists(dir.resolve(WORKING_CLEAN_FILE));
        Files.deleteIfExists(working);
        deleteLeftovers(dir);
        Path checkpoint = dir.resolve(CHECKPOINT_FILE);
        if (fromCheckpoint && Files.exists(checkpoint)) {
            Files.copy(checkpoint, working);
            StoreFiles.restrict(working);
        }
    }

    /** MapDB's WAL files of the working file and a checkpoint's unfinished files, none of which is ever trusted. */
    private static void deleteLeftovers(Path dir) throws IOException {
        try (java.nio.file.DirectoryStream<Path> wal = Files.newDirectoryStream(dir, DB_FILE + ".wal.*")) {
            for (Path p : wal) Files.delete(p);
        }
        deleteWithWal(dir.resolve(CHECKPOINT_FILE + ".tmp"));
        deleteWithWal(dir.resolve(CHECKPOINT_FILE + ".full"));
        deleteWithWal(dir.resolve(SPARE_FILE + ".tmp"));
    }

    /**
     * Uses the working file a clean close left ({@code station.clean.db}: closed, forced, then renamed) in place,
     * when it holds exactly the state the checkpoint and the journal reach (transaction number, audit count and
     * head). It is renamed back to station.db, and the folder forced, before MapDB writes a byte to it, so that a
     * crash from then on leaves no file that claims to be clean. Anything else (an older copy put back, a file
     * MapDB cannot read) is not used: the working file is then rebuilt from the checkpoint, which with the
     * journal holds everything (the inspection has just proven it).
     */
    private static boolean reuseWorkingFile(Path dir, StoreInspection found) throws IOException {
        Path clean = dir.resolve(WORKING_CLEAN_FILE);
        if (!Files.isRegularFile(clean)) return false;
        String why = null;
        try {
            Map<String, String> m = StoreInspection.readMeta(clean);
            String head = m.get("auditHead");
            String headHex = head == null || head.isEmpty() ? HexFormat.of().formatHex(AuditChain.GENESIS) : head;
            long tx = m.get("txNumber") == null ? 0 : Long.parseLong(m.get("txNumber"));
            long count = m.get("auditCount") == null ? 0 : Long.parseLong(m.get("auditCount"));
            if (tx != found.lastTx) why = "it holds transaction " + tx + ", the store reaches " + found.lastTx;
            else if (count != found.auditCount || !headHex.equals(found.auditHead)) why = "its audit chain is not the store's";
        } catch (RuntimeException e) {
            why = "MapDB cannot read it (" + e + ")";
        }
        if (why != null) {
            LOG.warn(StationLog.line("store.cleanNotUsed", dir, WORKING_CLEAN_FILE, why));
            return false;
        }
        Files.deleteIfExists(dir.resolve(DB_FILE));
        deleteLeftovers(dir);
        Files.move(clean, dir.resolve(DB_FILE), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        forceDirectory(dir);
        return true;
    }

    /**
     * The spare's segment, when the spare ({@code checkpoint.prev.db}: the checkpoint before the last one) can
     * be brought up to date from the journal's previous segment ({@code journal.prev.log}): the spare is not the
     * checkpoint's own file, and the segment's intact records run one by one from the spare's transaction + 1 to
     * the checkpoint's. Otherwise null, and both files are deleted: they hold nothing that the checkpoint and the
     * journal do not (the next checkpoint then copies the last one, once).
     */
    private static List<Journal.Entry> loadSpare(Path dir, StoreInspection found) throws IOException {
        Path spare = dir.resolve(SPARE_FILE);
        Path segment = dir.resolve(SPARE_JOURNAL_FILE);
        Path checkpoint = dir.resolve(CHECKPOINT_FILE);
        if (!Files.isRegularFile(spare) && !Files.exists(segment)) return null;
        String why = null;
        List<Journal.Entry> out = new ArrayList<>();
        if (!Files.isRegularFile(spare)) why = "there is no spare";
        else if (!found.checkpointExists || found.checkpointError.isPresent()) why = "there is no readable checkpoint";
        else if (Files.isSameFile(spare, checkpoint)) why = "it is the checkpoint's own file (a checkpoint interrupted between its link and its rename)";
        else {
            try {
                String t = StoreInspection.readMeta(spare).get("txNumber");
                long spareTx = t == null ? 0 : Long.parseLong(t);
                Journal.Scan scan = Journal.scan(Files.exists(segment) ? Files.readAllBytes(segment) : new byte[0]);
                long expected = spareTx + 1;
                if (!scan.clean()) why = SPARE_JOURNAL_FILE + " is not intact";
                for (Journal.Entry e : scan.entries()) {
                    if (why != null || e.txNumber() > found.checkpointTx) break;
                    if (e.txNumber() < expected) continue;
                    if (e.txNumber() != expected) why = SPARE_JOURNAL_FILE + " lacks transaction " + expected;
                    else {
                        out.add(e);
                        expected++;
                    }
                }
                if (why == null && expected != found.checkpointTx + 1) {
                    why = "the spare (transaction " + spareTx + ") and " + SPARE_JOURNAL_FILE + " do not reach the checkpoint's transaction " + found.checkpointTx;
                }
            } catch (IOException | RuntimeException e) {
                why = "it cannot be read (" + e + ")";
            }
        }
        if (why == null) return out;
        LOG.info(StationLog.line("store.spareNotUsed", dir, why));
        // Only the spare's own name goes: when it is a second link to checkpoint.db, that file stays.
        deleteWithWal(spare);
        Files.deleteIfExists(segment);
        return null;
    }

    /**
     * Makes the current state the new checkpoint: every table is copied entry by entry into a fresh MapDB file,
     * which is forced to disk and renamed into place atomically; only then is the journal emptied. A fresh
     * copy holds no freed space, so a purged envelope's bytes do not survive in the checkpoint, and once the
     * journal is emptied, not there either; the spare (the checkpoint before) is deleted, not kept. A crash at
     * any point leaves either the old checkpoint with the full journal, or the new one (older journal records
     * are skipped by transaction number).
     */
    private void checkpoint() throws IOException {
        db.commit();
        checkpointGeneration++;
        Path tmp = dir.resolve(CHECKPOINT_FILE + ".full");
        Files.deleteIfExists(tmp);
        DB copy = writableDb(tmp);
        StoreFiles.restrict(tmp);
        try {
            for (Table<?, ?> t : tables.values()) t.copyInto(copy, 10_000);
        } finally {
            copy.close();
        }
        install(tmp, false);
    }

    /*
     * The incremental checkpoint, with two checkpoint files brought up to date in turn. MapDB 3.1.0 cannot
     * recover a file it was writing when the process died, so the checkpoint the store depends on
     * (checkpoint.db) is never written: the next one is written into the spare (checkpoint.prev.db, the one
     * before it), renamed to checkpoint.db.tmp first (and the folder forced: a crash from then on leaves no
     * spare, and the tmp is deleted at the next open). The spare lacks the transactions of the journal's
     * previous segment (journal.prev.log) and those of the journal since the checkpoint; both are applied to it,
     * the journal's records are written into journal.prev.log as they are applied (the next spare's segment),
     * the file is closed and forced; then checkpoint.db gets a second name, checkpoint.prev.db (a hard link),
     * the tmp is renamed over checkpoint.db atomically, the folder forced, and only then is the journal
     * emptied. Its cost is what changed since the checkpoint before the last one, whatever the store holds.
     * Without a usable spare (after a crash, in a store of the older layout) the last checkpoint is copied
     * file to file instead, once; the checkpoint after it has a spare again.
     *
     * The periodic one runs on its own thread: the bulk of the transactions is applied without the store's lock
     * (commits go on, and are added to `uncheckpointed`); then, under the lock, the few committed meanwhile are
     * applied, and the file is closed, forced (little is left unforced), installed and the journal emptied. So
     * the journal is emptied only when the checkpoint holds every transaction in it.
     */

    /**
     * Starts the next checkpoint's file at {@code next} - the spare, renamed, brought up to date with its
     * segment {@code spare} (taken under the lock), or without one (null) a copy of the last checkpoint, or an
     * empty file - and applies {@code entries}, writing them as the start of the next spare's segment.
     */
    private DB prepareCheckpoint(Path next, List<Journal.Entry> spare, List<Journal.Entry> entries, boolean cancellable) throws IOException {
        deleteWithWal(next);
        Path last = dir.resolve(CHECKPOINT_FILE);
        if (spare != null) {
            Files.move(dir.resolve(SPARE_FILE), next, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            forceDirectory(dir);
        } else if (Files.exists(last)) {
            Files.copy(last, next);
        }
        DB copy = writableDb(next);
        StoreFiles.restrict(next);
        try {
            if (spare != null) applyTo(copy, spare, cancellable);
            applyTo(copy, entries, cancellable);
            writeSegment(entries, true);
            return copy;
        } catch (RuntimeException | IOException e) {
            closeQuietly(copy);
            throw e;
        }
    }

    private void applyTo(DB copy, List<Journal.Entry> entries, boolean cancellable) throws IOException {
        // Every table exists in every checkpoint, even one no transaction has touched yet.
        Map<String, Table<?, ?>> there = new java.util.HashMap<>();
        for (Table<?, ?> t : tables.values()) there.put(t.name, t.in(copy));
        int n = 0;
        for (Journal.Entry e : entries) {
            if (cancellable && abandoned) throw new IOException("the store was abandoned");
            for (Journal.Change c : e.changes()) there.get(c.table()).replay(c);
            if (++n % 1_000 == 0) copy.commit();
        }
        copy.commit();
    }

    /** The journal's previous segment: {@code entries} written after what it holds, or instead of it ({@code fresh}). */
    private void writeSegment(List<Journal.Entry> entries, boolean fresh) throws IOException {
        if (spareJournal == null) {
            Path file = dir.resolve(SPARE_JOURNAL_FILE);
            spareJournal = FileChannel.open(file, java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ),
                    java.nio.file.attribute.PosixFilePermissions.asFileAttribute(StoreFiles.FILE_MODE));
            StoreFiles.restrict(file);
        }
        if (fresh) spareJournal.truncate(0);
        long at = spareJournal.size();
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        for (Journal.Entry e : entries) bytes.write(Journal.frame(e.txNumber(), e.changes()));
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes.toByteArray());
        while (b.hasRemaining()) at += spareJournal.write(b, at);
    }

    /** Under the lock: the file holds every committed transaction; make it the checkpoint, then empty the journal. */
    private void finishCheckpoint(DB copy, Path next) throws IOException {
        copy.close();
        install(next, true);
    }

    /**
     * A closed checkpoint file holding every committed transaction becomes checkpoint.db, for the full and the
     * incremental checkpoint alike: forced, renamed atomically, the folder forced, and only then the journal
     * emptied. An incremental one ({@code keepSpare}) first gives the old checkpoint.db the spare's name too (a
     * hard link: checkpoint.db exists under its own name at every moment), with journal.prev.log forced: the
     * spare lacks exactly the journal's records, which journal.prev.log now holds.
     */
    private void install(Path next, boolean keepSpare) throws IOException {
        try (FileChannel c = FileChannel.open(next, StandardOpenOption.WRITE)) {
            c.force(true);
        }
        Path checkpoint = dir.resolve(CHECKPOINT_FILE);
        Path spare = dir.resolve(SPARE_FILE);
        deleteWithWal(spare);
        boolean spareKept = false;
        if (keepSpare && Files.exists(checkpoint)) {
            spareJournal.force(true);
            try {
                Files.createLink(spare, checkpoint);
                spareKept = true;
            } catch (IOException | UnsupportedOperationException e) {
                LOG.info(StationLog.line("store.noHardLink", dir, e));
            }
        }
        if (!spareKept) {
            if (spareJournal != null) spareJournal.truncate(0);
            else Files.deleteIfExists(dir.resolve(SPARE_JOURNAL_FILE));
        }
        pauseForTest("checkpoint-linked");
        Files.move(next, checkpoint, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        forceDirectory(dir);
        pauseForTest("checkpoint-renamed");
        journal.clear();
        spareSegment = spareKept ? List.copyOf(uncheckpointed) : null;
        sinceCheckpoint = 0;
        uncheckpointed.clear();
    }

    /**
     * Brings the spare up to date with its segment (the transactions the checkpoint just installed holds and it
     * lacks), so that both checkpoint files hold the same transactions and the next checkpoint applies only what
     * is committed from now on: a close after a few commits then costs a few transactions, not the previous
     * checkpoint's whole interval. The spare is renamed checkpoint.prev.db.tmp while it is written (a crash then
     * leaves no spare: deleted at the next open, the next checkpoint copies once), closed, forced, renamed back,
     * and only then is journal.prev.log emptied (in between, its records are all older than the spare: skipped).
     * The periodic checkpoint does this on its thread without the lock. False: no spare is left.
     */
    private boolean catchUpSpare(List<Journal.Entry> segment, boolean cancellable) throws IOException {
        if (segment == null) return false;
        if (segment.isEmpty()) return true;
        Path spare = dir.resolve(SPARE_FILE);
        Path tmp = dir.resolve(SPARE_FILE + ".tmp");
        deleteWithWal(tmp);
        Files.move(spare, tmp, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        forceDirectory(dir);
        DB d = writableDb(tmp);
        boolean done = false;
        try {
            applyTo(d, segment, cancellable);
            pauseForTest("spare-applied");
            d.close();
            try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                c.force(true);
            }
            Files.move(tmp, spare, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            forceDirectory(dir);
            spareJournal.truncate(0);
            spareJournal.force(true);
            done = true;
            return true;
        } finally {
            if (!done) {
                closeQuietly(d);
                if (!abandoned) deleteWithWal(tmp);
            }
        }
    }

    private static void forceDirectory(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    /**
     * For the crash tests: with -Dktp.store.pauseAt=STEP and -Dktp.store.pauseFile=FILE, the store creates FILE
     * when it reaches STEP and waits there (up to two minutes), so that a test can SIGKILL it exactly there.
     */
    private static void pauseForTest(String step) {
        if (!step.equals(PAUSE_AT)) return;
        try {
            Files.writeString(Path.of(System.getProperty("ktp.store.pauseFile")), step + "\n");
            Thread.sleep(120_000);
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("test pause at " + step + ": " + e, e);
        }
    }

    private static final String PAUSE_AT = System.getProperty("ktp.store.pauseAt", "");

    /** At most this many transactions are applied to a checkpoint's copy under the lock (the rest before it). */
    private static final int CATCH_UP_UNDER_LOCK = 20;

    /** Starts the periodic checkpoint beside the commits, unless one is running. Called under the lock. */
    private void startCheckpoint() {
        if (closing || (checkpointer != null && checkpointer.isAlive())) return;
        long generation = checkpointGeneration;
        List<Journal.Entry> batch = List.copyOf(uncheckpointed);
        List<Journal.Entry> spare = spareSegment;
        spareSegment = null; // the spare is this checkpoint's now (a failed one leaves none: the next copies)
        Thread t = new Thread(() -> checkpointInBackground(generation, spare, batch), "ktp-store-checkpoint");
        t.setDaemon(true);
        checkpointer = t;
        t.start();
    }

    private void checkpointInBackground(long generation, List<Journal.Entry> spare, List<Journal.Entry> batch) {
        Path next = dir.resolve(CHECKPOINT_FILE + ".tmp");
        DB copy = null;
        try {
            if (batch.isEmpty()) return;
            copy = prepareCheckpoint(next, spare, batch, true);
            // Forced now, without the lock, so that the force under it has only the last pages left.
            try (FileChannel c = FileChannel.open(next, StandardOpenOption.WRITE)) {
                c.force(true);
            }
            pauseForTest("checkpoint-applied");
            int applied = batch.size();
            List<Journal.Entry> caughtUp = null;
            while (true) {
                List<Journal.Entry> more = null;
                synchronized (this) {
                    if (abandoned || broken || db.isClosed() || generation != checkpointGeneration
                            || uncheckpointed.size() < applied || uncheckpointed.get(batch.size() - 1) != batch.get(batch.size() - 1)) {
                        return;
                    }
                    List<Journal.Entry> rest = uncheckpointed.subList(applied, uncheckpointed.size());
                    // A close waiting for this checkpoint lets it finish under the lock: no commit is waiting then.
                    if (rest.size() <= CATCH_UP_UNDER_LOCK || closing) {
                        // The last step, under the lock: as long as a commit or two, whatever the store holds.
                        applyTo(copy, rest, false);
                        writeSegment(rest, false);
                        finishCheckpoint(copy, next);
                        copy = null;
                        caughtUp = spareSegment;
                        spareSegment = null; // being brought up to date: no spare until it is
                    }
                    if (caughtUp != null || copy == null) break;
                    more = List.copyOf(rest);
                }
                if (more == null) break;
                // Commits went on meanwhile: apply them without the lock too, then look again.
                applyTo(copy, more, true);
                writeSegment(more, false);
                applied += more.size();
                try (FileChannel c = FileChannel.open(next, StandardOpenOption.WRITE)) {
                    c.force(true);
                }
            }
            if (caughtUp != null) {
                boolean ok = catchUpSpare(caughtUp, true);
                synchronized (this) {
                    spareSegment = ok ? List.of() : null;
                }
            }
        } catch (IOException | RuntimeException e) {
            if (!abandoned) LOG.warn(StationLog.line("store.checkpointFailed", dir, e));
        } finally {
            if (copy != null) {
                closeQuietly(copy);
                try {
                    if (!abandoned) deleteWithWal(next);
                } catch (IOException ignored) { /* the next open deletes it */ }
            }
        }
    }

    private static void deleteWithWal(Path file) throws IOException {
        Files.deleteIfExists(file);
        try (java.nio.file.DirectoryStream<Path> wal = Files.newDirectoryStream(file.getParent(), file.getFileName() + ".wal.*")) {
            for (Path p : wal) Files.delete(p);
        }
    }

    /**
     * A MapDB file this store writes: the working copy or a checkpoint's copy, never a file a crash could leave
     * half written that the store then depends on (the working copy is rebuilt at each open, a copy is renamed
     * into place only after it is closed and forced). No fsync by MapDB: the journal is the commit point.
     * (Memory-mapping it was tried for the bench's build and was no faster: docs/store.md.)
     */
    private static DB writableDb(Path file) {
        return DBMaker.fileDB(file.toFile()).transactionEnable().fileSyncDisable().make();
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
            putJob(job);
            vaultPut(recordId, envelope);
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
            putJob(job);
            vaultPut(job.recordId(), envelope);
            appendAudit(actor, "JOB " + t.from() + " -> " + t.to(), "record " + job.recordId() + " v" + recordVersion + " offered again");
            return new Admission(Admission.Outcome.ADMITTED, job, "admitted again after a release");
        });
    }

    /**
     * Moves a job to {@code to}. {@code blankId} is required when a blank enters the printer; {@code reason}
     * when the transition needs one. The ledger, the outbox and the audit log change in the same commit.
     */
    public synchronized Job transition(String recordId, JobState to, Actor actor, String reason, String blankId) {
        return transition(recordId, to, actor, reason, blankId, null);
    }

    /**
     * What the printer's own counter said just before it took a job's blank: kept with the blank's entry into the
     * printer (one commit), so that after a restart the card's true fate can be read from the printer rather than
     * guessed (a card the printer finished and ejected while the station was down is printed, not spoiled).
     */
    public record FeedMark(String printer, String serial, long printedBefore) {
        String encode() { return printer + "\t" + serial + "\t" + printedBefore; }

        static FeedMark decode(String s) {
            String[] p = s.split("\t", -1);
            return new FeedMark(p[0], p[1], Long.parseLong(p[2]));
        }
    }

    /** The printer's counter as it was when this job's blank entered the printer (empty: not recorded, or the card is out). */
    public synchronized Optional<FeedMark> feedMark(String recordId) {
        String v = meta.get(FEED_MARK + recordId);
        return v == null ? Optional.empty() : Optional.of(FeedMark.decode(v));
    }

    private static final String FEED_MARK = "feed.";

    /** As {@link #transition(String, JobState, Actor, String, String)}; {@code mark}, given when the blank enters the printer, is kept with it. */
    public synchronized Job transition(String recordId, JobState to, Actor actor, String reason, String blankId, FeedMark mark) {
        Job job = jobs.get(recordId);
        if (job == null) throw new StoreException("store.job.none", recordId);
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
                throw new StoreException("store.blank.inLedger", blankId, ledger.get(blankId).fate());
            }
            String printedAs = printedNiks.get(job.nik());
            if (printedAs != null && !job.reprintAuthorised()) {
                throw new StoreException("store.nik.printed", job.nik(), printedAs);
            }
        }
        Job changed = inTransaction(() -> {
            Job j = apply(job, t, actor, why, blankId);
            if (t.blank() == JobTransition.BlankEffect.ENTERS_PRINTER) {
                // The number a chipless id carries commits with the ledger entry it names, never apart from it.
                commitReservedBlankNumbers();
                if (mark != null) meta.put(FEED_MARK + recordId, mark.encode());
            }
            if (!t.to().holdsBlankInPrinter() && meta.get(FEED_MARK + recordId) != null) meta.remove(FEED_MARK + recordId);
            return j;
        });
        // One log line per committed job change: what an operator or technician greps for first.
        // the states as codes in both languages: this is the line a technician searches for a record's path
        String because = why.isEmpty() ? "" : ": " + why;
        JOB_LOG.info(changed.blankId().isEmpty() ? StationLog.line("jobs.changed", recordId, t.from(), t.to(), because, actor)
                : StationLog.line("jobs.changedWithBlank", recordId, t.from(), t.to(), changed.blankId(), because, actor));
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
                putLedger(new LedgerEntry(blankId, job.recordId(), job.nik(), now, BlankFate.IN_PRINTER, "", now));
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
        putJob(updated);
        if (t.to() == JobState.ISSUED || t.to() == JobState.REJECTED || t.to() == JobState.RELEASED) {
            // Biometrics (photo, signature, templates) are kept only while the issuance may need them.
            toShred.add(job.recordId());
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
        if (e == null) throw new StoreException("store.blank.missing", blankId);
        putLedger(new LedgerEntry(e.blankId(), e.recordId(), e.nik(), e.enteredAt(), fate, reason, now));
    }

    /**
     * A blank found in the printer after a restart that the ledger does not know (the station stopped after the
     * printer took it and before its chip UID was recorded): entered as SPOILED, with no record, in one commit
     * with its audit line, so every blank that entered the printer is accounted for.
     */
    public synchronized LedgerEntry ledgerFoundBlank(String blankId, String reason, Actor actor) {
        if (blankId == null || blankId.isBlank()) throw new StoreException("store.found.noId");
        LedgerEntry known = ledger.get(blankId);
        if (known != null) return known;
        return inTransaction(() -> {
            commitReservedBlankNumbers();
            Instant now = clock.instant();
            LedgerEntry e = new LedgerEntry(blankId, "", "", now, BlankFate.SPOILED, reason, now);
            putLedger(e);
            appendAudit(actor, "BLANK_FOUND", "blank " + blankId + " found in the printer and spoiled: " + reason);
            return e;
        });
    }

    /**
     * A number for a blank whose chip gives it no id (a chipless card, or a chip that never answered), from a
     * station-wide counter kept in the store: committed before it is handed out, so it is never handed out twice,
     * whatever the printer's own counter says after rejects, a restart, a printer swap or a counter reset. A number
     * reserved for a card that then never entered the printer is simply skipped. The reservation is held here and
     * committed in the same transaction as the ledger entry that carries it (the blank's entry into the printer, or
     * a found blank), so no number is ever in the ledger without the counter past it, and no commit is spent on it alone.
     */
    public synchronized long reserveBlankNumber() {
        long n = Math.max(metaLong("blankNumber"), reservedBlankNumber) + 1;
        reservedBlankNumber = n;
        return n;
    }

    /** Numbers handed out and not yet committed (0: none); lost with the process, and then never in the ledger either. */
    private long reservedBlankNumber;

    private void commitReservedBlankNumbers() {
        if (reservedBlankNumber > metaLong("blankNumber")) meta.put("blankNumber", Long.toString(reservedBlankNumber));
    }

    /** The audit action of {@link #blanksLoaded(int, String, Actor)}; its detail starts with the count. */
    public static final String BLANKS_LOADED = "BLANKS_LOADED";

    /**
     * Blank cards put into a printer's feeder (from the stock the regency sent): the "in" side of the blank-card
     * reconciliation, kept in the audit log with who loaded them and the delivery's reference.
     */
    public synchronized AuditEntry blanksLoaded(int count, String reference, Actor actor) {
        if (count < 1 || count > 100_000) throw new StoreException("store.loaded.count", count);
        String ref = reference == null ? "" : reference.strip();
        if (ref.isEmpty() || ref.length() > 200) throw new StoreException("store.loaded.reference");
        return inTransaction(() -> {
            // The running total, kept with its audit line in one commit, so that a screen refreshing every few
            // seconds need not read the whole audit log to know how many blanks went in.
            meta.put("blanksLoaded", Long.toString(metaLong("blanksLoaded") + count));
            AuditEntry e = appendAudit(actor, BLANKS_LOADED, count + " blanks; reference: " + ref);
            loadsByTime.put(timeKey(e.at().toEpochMilli(), e.sequence()), e.sequence());
            bumpTotals(e.at(), count, 0, null, null);
            return e;
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
        auditByTime.put(timeKey(at.toEpochMilli(), seq), seq);
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
                    if (job.state() == JobState.PRINTING && feedMark(job.recordId()).isPresent()) {
                        // The printer may have finished and ejected the card while the station was down: its lane reads
                        // the printer's counter before it takes a blank, and gives the card its true fate then.
                        LOG.info(StationLog.line("store.printingAtStop", job.recordId()));
                        continue;
                    }
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

    // ---------------------------------------------------------------- biometrics

    private void vaultPut(String recordId, byte[] envelope) {
        try {
            vault.put(recordId, envelope);
            writtenInTx.add(recordId);
        } catch (IOException e) {
            throw new StoreException(e, "store.envelope.cannotWrite", recordId, vault.folder(), e.getMessage());
        }
    }

    private void shredQuietly(List<String> recordIds) {
        for (String id : List.copyOf(recordIds)) {
            try {
                vault.shred(id);
            } catch (IOException e) {
                LOG.warn(StationLog.line("store.shredLater", id, vault.folder(), e));
            }
        }
        recordIds.clear();
    }

    /** How long an uncollected card's biometrics are kept (from the station configuration; default 30 days). */
    public synchronized void biometricRetention(java.time.Duration retention) {
        if (retention.isNegative() || retention.isZero()) throw new StoreException("store.retention", retention);
        this.biometricRetention = retention;
        this.nextRetentionSweep = Instant.EPOCH;
        if (!readOnly) expireBiometrics();
    }

    /**
     * Shreds the envelopes of cards printed but not collected for longer than the retention, each with an audit
     * line (BIOMETRICS_EXPIRED) in its own commit; the job, its ledger entry and its audit trail stay. Runs at a
     * writer's open and then at most every ten minutes, after a commit: it reads only the uncollected jobs.
     */
    private void expireBiometrics() {
        sweeping = true;
        try {
            Instant now = clock.instant();
            nextRetentionSweep = now.plus(java.time.Duration.ofMinutes(10));
            Instant cutoff = now.minus(biometricRetention);
            for (Job j : jobsIn(UNCOLLECTED, Integer.MAX_VALUE)) {
                if (!j.updatedAt().isBefore(cutoff) || !Files.exists(vault.folder().resolve(EnvelopeVault.fileName(j.recordId())))) continue;
                inTransaction(() -> {
                    toShred.add(j.recordId());
                    return appendAudit(Actor.STATION, "BIOMETRICS_EXPIRED", "record " + j.recordId() + ": card uncollected since " + j.updatedAt()
                            + ", biometrics kept " + biometricRetention.toDays() + " days; the job, its blank and its audit trail stay");
                });
            }
        } finally {
            sweeping = false;
        }
    }

    /**
     * At a writer's open: shreds every envelope file no job needs any more (a crash between a commit and its
     * shredding, or a write whose transaction never committed), and moves envelopes of a store written before
     * the vault out of the tables, then checkpoints so that neither the checkpoint nor the journal holds them.
     */
    private void sweepVault() throws IOException {
        if (!envelopes.map.isEmpty()) {
            LOG.info(StationLog.line("store.envelopesMoved", dir, envelopes.map.size(), vault.folder()));
            for (Map.Entry<String, byte[]> e : List.copyOf(envelopes.map.entrySet())) {
                Job j = jobs.get(e.getKey());
                if (j != null && KEEPS_ENVELOPE.contains(j.state())) vault.put(e.getKey(), e.getValue());
            }
            inTransaction(() -> {
                for (String id : List.copyOf(envelopes.map.keySet())) envelopes.remove(id);
                return null;
            });
            checkpoint();
            workingMustNotBeKept = true; // its freed space held the envelopes: rebuilt from the fresh checkpoint next time
        }
        java.util.Set<String> needed = new java.util.HashSet<>();
        for (Job j : jobsIn(KEEPS_ENVELOPE, Integer.MAX_VALUE)) needed.add(EnvelopeVault.fileName(j.recordId()));
        for (Path f : vault.files()) {
            if (needed.contains(f.getFileName().toString())) continue;
            LOG.info(StationLog.line("store.strayEnvelope", dir, f.getFileName()));
            vault.shredFile(f);
        }
    }

    /**
     * Every biometric byte the store holds that the policy says should be gone: envelope files no job needs, and
     * envelopes of uncollected cards older than {@code retention}. Empty when the store keeps to its policy.
     */
    public synchronized List<String> biometricsBeyondPolicy(java.time.Duration retention) {
        List<String> out = new ArrayList<>();
        java.util.Map<String, Job> needed = new java.util.HashMap<>();
        for (Job j : jobsIn(KEEPS_ENVELOPE, Integer.MAX_VALUE)) needed.put(EnvelopeVault.fileName(j.recordId()), j);
        Instant cutoff = clock.instant().minus(retention);
        try {
            for (Path f : vault.files()) {
                Job j = needed.get(f.getFileName().toString());
                if (j == null) out.add(f + ": an envelope no job needs (" + Files.size(f) + " bytes of biometrics; the next writer shreds it)");
                else if (UNCOLLECTED.contains(j.state()) && j.updatedAt().isBefore(cutoff)) {
                    out.add(f + ": the envelope of record " + j.recordId() + ", uncollected since " + j.updatedAt() + ", older than the retention of "
                            + retention.toDays() + " days");
                }
            }
        } catch (IOException e) {
            out.add("cannot read " + vault.folder() + ": " + e.getMessage());
        }
        if (!envelopes.map.isEmpty()) out.add(dir + ": " + envelopes.map.size() + " envelopes still inside the store's tables (a store not yet migrated)");
        return out;
    }

    // ---------------------------------------------------------------- indexes

    private static String pad(long n) { return String.format("%020d", n); }

    private static String timeKey(long millis, long seq) { return pad(millis) + "/" + pad(seq); }

    private static String stateKey(Job j) { return j.state().name() + "/" + pad(j.createdAt().toEpochMilli()) + "/" + j.recordId(); }

    private static String fateKey(LedgerEntry e) { return e.fate().name() + "/" + pad(e.updatedAt().toEpochMilli()) + "/" + e.blankId(); }

    /** Writes a job with its state index and per-state count, in the caller's transaction. */
    private void putJob(Job j) {
        Job old = jobs.get(j.recordId());
        if (old == null || !old.nik().equals(j.nik())) {
            if (old != null) jobsByNik.remove(old.nik() + "/" + old.recordId());
            jobsByNik.put(j.nik() + "/" + j.recordId(), j.recordId());
        }
        if (old != null) {
            jobsByState.remove(stateKey(old));
            meta.put("jobs." + old.state(), Long.toString(metaLong("jobs." + old.state()) - 1));
        }
        jobs.put(j.recordId(), j);
        jobsByState.put(stateKey(j), j.recordId());
        meta.put("jobs." + j.state(), Long.toString(metaLong("jobs." + j.state()) + 1));
    }

    /** Writes a ledger entry with its fate index and the running totals, in the caller's transaction. */
    private void putLedger(LedgerEntry e) {
        LedgerEntry old = ledger.get(e.blankId());
        if (old != null) ledgerByFate.remove(fateKey(old));
        ledger.put(e.blankId(), e);
        ledgerByFate.put(fateKey(e), e.blankId());
        bumpTotals(e.updatedAt(), 0, old == null ? 1 : 0, old == null ? null : old.fate(), e.fate());
    }

    /**
     * Adds a change to the running totals of the minute it happened in (or of the latest minute recorded, if the
     * clock stepped back: the totals never go back in time), so the totals at any moment are one lookup.
     */
    private void bumpTotals(Instant at, long loaded, long entered, BlankFate from, BlankFate to) {
        Map.Entry<Long, String> last = ledgerTotals.map.lastEntry();
        long minute = Math.floorDiv(at.toEpochMilli(), 60_000L);
        if (last != null && last.getKey() > minute) minute = last.getKey();
        long[] t = last == null ? new long[2 + BlankFate.values().length] : parseTotals(last.getValue());
        t[0] += loaded;
        t[1] += entered;
        if (from != null) t[2 + from.ordinal()]--;
        if (to != null) t[2 + to.ordinal()]++;
        StringBuilder v = new StringBuilder();
        for (long x : t) v.append(v.length() == 0 ? "" : ",").append(x);
        ledgerTotals.put(minute, v.toString());
    }

    private static long[] parseTotals(String v) {
        String[] parts = v.split(",");
        long[] t = new long[2 + BlankFate.values().length];
        for (int i = 0; i < parts.length && i < t.length; i++) t[i] = Long.parseLong(parts[i]);
        return t;
    }

    /**
     * Indexes a store written before the indexes existed, in one transaction (once; it reads everything). The
     * running totals are rebuilt from what the ledger and the audit log still say: each blank entered at its
     * entry time and moved to its present fate at its last change (intermediate fates are not kept).
     */
    private void buildIndexes() {
        LOG.info(StationLog.line("store.buildingIndexes", dir));
        inTransaction(() -> {
            for (Table<?, ?> t : List.of(jobsByState, ledgerByFate, auditByTime, ledgerTotals, jobsByNik, loadsByTime)) {
                for (Object k : List.copyOf(t.map.keySet())) removeRaw(t, k);
            }
            for (JobState st : JobState.values()) meta.remove("jobs." + st);
            Map<JobState, Long> counts = new java.util.EnumMap<>(JobState.class);
            for (Job j : jobs.map.values()) {
                jobsByState.put(stateKey(j), j.recordId());
                jobsByNik.put(j.nik() + "/" + j.recordId(), j.recordId());
                counts.merge(j.state(), 1L, Long::sum);
            }
            counts.forEach((st, n) -> meta.put("jobs." + st, Long.toString(n)));
            List<TotalsChange> changes = new ArrayList<>();
            for (LedgerEntry e : ledger.map.values()) {
                ledgerByFate.put(fateKey(e), e.blankId());
                changes.add(new TotalsChange(e.enteredAt().toEpochMilli(), 0, 1, null, BlankFate.IN_PRINTER));
                if (e.fate() != BlankFate.IN_PRINTER) changes.add(new TotalsChange(e.updatedAt().toEpochMilli(), 0, 0, BlankFate.IN_PRINTER, e.fate()));
            }
            for (AuditEntry e : audit.map.values()) {
                auditByTime.put(timeKey(e.at().toEpochMilli(), e.sequence()), e.sequence());
                if (e.action().equals(BLANKS_LOADED)) {
                    loadsByTime.put(timeKey(e.at().toEpochMilli(), e.sequence()), e.sequence());
                    changes.add(new TotalsChange(e.at().toEpochMilli(), Long.parseLong(e.detail().substring(0, e.detail().indexOf(' '))), 0, null, null));
                }
            }
            changes.sort(java.util.Comparator.comparingLong(TotalsChange::at));
            for (TotalsChange c : changes) bumpTotals(Instant.ofEpochMilli(c.at()), c.loaded(), c.entered(), c.from(), c.to());
            meta.put("indexes", INDEX_LEVEL);
            return null;
        });
        indexed = true;
        loadsIndexed = true;
    }

    /** A store indexed at level 1 gets the NIK index (once; it reads every job). */
    private void buildNikIndex() {
        LOG.info(StationLog.line("store.nikIndex", dir));
        inTransaction(() -> {
            for (Job j : jobs.map.values()) jobsByNik.put(j.nik() + "/" + j.recordId(), j.recordId());
            meta.put("indexes", "2");
            return null;
        });
        indexed = true;
    }

    /**
     * A store indexed at level 2 or below gets the index of blank deliveries (once; it reads the audit log), so
     * that a period's reconciliation reads its deliveries, not the period's whole audit log.
     */
    private void buildLoadsIndex() {
        LOG.info(StationLog.line("store.deliveriesIndex", dir));
        inTransaction(() -> {
            for (AuditEntry e : audit.map.values()) {
                if (e.action().equals(BLANKS_LOADED)) loadsByTime.put(timeKey(e.at().toEpochMilli(), e.sequence()), e.sequence());
            }
            meta.put("indexes", INDEX_LEVEL);
            return null;
        });
        loadsIndexed = true;
    }

    private record TotalsChange(long at, long loaded, long entered, BlankFate from, BlankFate to) {}

    @SuppressWarnings("unchecked")
    private static <K> void removeRaw(Table<K, ?> t, Object key) { t.remove((K) key); }

    // ---------------------------------------------------------------- reads

    /**
     * The jobs in any of {@code states}, oldest first, at most {@code limit}: from the state index, so it costs
     * what it returns (the lane's next job, the queue, a state's page), not the store's history.
     */
    public synchronized List<Job> jobsIn(java.util.Set<JobState> states, int limit) {
        List<Job> out = new ArrayList<>();
        if (!indexed) {
            for (Job j : jobs.map.values()) if (states.contains(j.state())) out.add(j);
        } else {
            for (JobState st : states) {
                int n = 0;
                for (String id : jobsByState.map.subMap(st.name() + "/", st.name() + "0").values()) {
                    if (n++ >= limit) break;
                    Job j = jobs.get(id);
                    if (j != null) out.add(j);
                }
            }
        }
        out.sort(java.util.Comparator.comparing(Job::createdAt));
        return out.size() > limit ? List.copyOf(out.subList(0, limit)) : List.copyOf(out);
    }

    public List<Job> jobsIn(JobState state, int limit) { return jobsIn(java.util.EnumSet.of(state), limit); }

    /** The jobs of one NIK (any state), oldest first: from the NIK index, not a scan of every job. */
    public synchronized List<Job> jobsWithNik(String nik) {
        List<Job> out = new ArrayList<>();
        if (!indexed) {
            for (Job j : jobs.map.values()) if (j.nik().equals(nik)) out.add(j);
        } else {
            for (String id : jobsByNik.map.subMap(nik + "/", nik + "0").values()) {
                Job j = jobs.get(id);
                if (j != null) out.add(j);
            }
        }
        out.sort(java.util.Comparator.comparing(Job::createdAt));
        return List.copyOf(out);
    }

    /**
     * The newest {@code limit} jobs of every state, oldest first: the last entries of each state's index range,
     * merged, so an unfiltered page of the queue costs the page (times the number of states), not the history.
     */
    public synchronized List<Job> latestJobs(int limit) {
        List<Job> out = new ArrayList<>();
        if (!indexed) {
            out.addAll(jobs.map.values());
        } else {
            for (JobState st : JobState.values()) {
                int n = 0;
                for (String id : jobsByState.map.subMap(st.name() + "/", true, st.name() + "0", false).descendingMap().values()) {
                    if (n++ >= limit) break;
                    Job j = jobs.get(id);
                    if (j != null) out.add(j);
                }
            }
        }
        out.sort(java.util.Comparator.comparing(Job::createdAt).thenComparing(Job::recordId));
        return out.size() > limit ? List.copyOf(out.subList(out.size() - limit, out.size())) : List.copyOf(out);
    }

    /** How many jobs the store holds (from the per-state counts). */
    public synchronized long jobCount() {
        if (!indexed) return jobs.map.size();
        long n = 0;
        for (JobState st : JobState.values()) n += metaLong("jobs." + st);
        return n;
    }

    /** The ledger entry of one blank (chip UID or serial), if a printer ever took it. */
    public synchronized Optional<LedgerEntry> ledgerEntry(String blankId) { return Optional.ofNullable(ledger.get(blankId)); }

    /** The blanks now in {@code fate} whose last change was in [from, to), in time order, at most {@code limit}. */
    public synchronized List<LedgerEntry> ledgerChanged(BlankFate fate, Instant from, Instant to, int limit) {
        List<LedgerEntry> out = new ArrayList<>();
        if (!indexed) {
            for (LedgerEntry e : ledger.map.values()) {
                if (e.fate() == fate && !e.updatedAt().isBefore(from) && e.updatedAt().isBefore(to)) out.add(e);
            }
            out.sort(java.util.Comparator.comparing(LedgerEntry::updatedAt).thenComparing(LedgerEntry::blankId));
            return out.size() > limit ? List.copyOf(out.subList(0, limit)) : List.copyOf(out);
        }
        String lo = fate.name() + "/" + pad(from.toEpochMilli());
        String hi = fate.name() + "/" + pad(to.toEpochMilli());
        for (String id : ledgerByFate.map.subMap(lo, hi).values()) {
            if (out.size() >= limit) break;
            LedgerEntry e = ledger.get(id);
            if (e != null) out.add(e);
        }
        return List.copyOf(out);
    }

    /** The blanks of one fate, in the order of their last change, at most {@code limit} (a page of the ledger). */
    public List<LedgerEntry> ledgerIn(BlankFate fate, int limit) { return ledgerChanged(fate, Instant.EPOCH, Instant.ofEpochMilli(Long.MAX_VALUE / 2), limit); }

    /**
     * The running totals before {@code at} (a minute boundary, such as the start of a day): blanks loaded, blanks
     * entered into printers, and how many were then in each {@link BlankFate} (indexed by ordinal + 2).
     */
    public synchronized long[] ledgerTotalsBefore(Instant at) {
        if (!indexed) throw new StoreException("store.noIndexes", dir);
        Map.Entry<Long, String> e = ledgerTotals.map.lowerEntry(Math.floorDiv(at.toEpochMilli(), 60_000L));
        return e == null ? new long[2 + BlankFate.values().length] : parseTotals(e.getValue());
    }

    /** The BLANKS_LOADED audit entries written in [from, to), in order (from their own index: a period costs its deliveries). */
    public synchronized List<AuditEntry> blanksLoadedBetween(Instant from, Instant to) {
        if (!loadsIndexed) return auditBetween(from, to).stream().filter(e -> e.action().equals(BLANKS_LOADED)).toList();
        List<AuditEntry> out = new ArrayList<>();
        for (Long seq : loadsByTime.map.subMap(pad(from.toEpochMilli()), pad(to.toEpochMilli())).values()) {
            AuditEntry e = audit.get(seq);
            if (e != null) out.add(e);
        }
        out.sort(java.util.Comparator.comparingLong(AuditEntry::sequence));
        return out;
    }

    /** The audit entries written in [from, to), in order (from the time index: a day costs a day). */
    public synchronized List<AuditEntry> auditBetween(Instant from, Instant to) {
        List<AuditEntry> out = new ArrayList<>();
        if (!indexed) {
            for (AuditEntry e : audit.map.values()) if (!e.at().isBefore(from) && e.at().isBefore(to)) out.add(e);
            return out;
        }
        for (Long seq : auditByTime.map.subMap(pad(from.toEpochMilli()), pad(to.toEpochMilli())).values()) {
            AuditEntry e = audit.get(seq);
            if (e != null) out.add(e);
        }
        out.sort(java.util.Comparator.comparingLong(AuditEntry::sequence));
        return out;
    }

    /** The audit chain's head (hex), as recorded with the last entry. */
    public synchronized String auditHead() {
        String head = meta.get("auditHead");
        return head == null ? "" : head;
    }

    // ---------------------------------------------------------------- reads

    public synchronized Optional<Job> job(String recordId) { return Optional.ofNullable(jobs.get(recordId)); }

    public synchronized List<Job> jobs() { return List.copyOf(jobs.map.values()); }

    /** The envelope as received, while the job still needs it (purged at ISSUED and REJECTED). */
    public synchronized Optional<byte[]> envelope(String recordId) {
        Job job = jobs.get(recordId);
        if (job == null || !KEEPS_ENVELOPE.contains(job.state())) return Optional.empty();
        Optional<byte[]> e = vault.get(recordId);
        if (e.isEmpty()) e = Optional.ofNullable(envelopes.get(recordId)); // a store not yet migrated
        if (e.isPresent() && !sha256Hex(e.get()).equals(job.envelopeSha256())) {
            throw new StoreException("store.envelope.mismatch", recordId, vault.folder());
        }
        return e;
    }

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
        if (indexed) return metaLong("jobs." + JobState.VALIDATED) + metaLong("jobs." + JobState.LEASED);
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

    public AuditChain.Verdict verifyAudit() { return verifyAudit(n -> { }); }

    /**
     * Verifies the whole audit chain, reading the log in place (not a copy of it: 900,000 entries at 100,000
     * jobs), and tells {@code progress} how many entries are verified every 10,000. It reads everything, so it
     * grows with history by definition.
     */
    public synchronized AuditChain.Verdict verifyAudit(java.util.function.LongConsumer progress) {
        String head = meta.get("auditHead");
        byte[] headBytes = head == null || head.isEmpty() ? AuditChain.GENESIS : HexFormat.of().parseHex(head);
        return AuditChain.verify(audit.map.values(), audit.map.size(), metaLong("auditCount"), headBytes,
                AuditChain.gaps(meta.get("auditGaps")), progress);
    }

    /** Counts of jobs per state, for status lines and reports. */
    public synchronized Map<JobState, Long> countByState() {
        Map<JobState, Long> counts = new java.util.EnumMap<>(JobState.class);
        if (indexed) {
            for (JobState st : JobState.values()) if (metaLong("jobs." + st) > 0) counts.put(st, metaLong("jobs." + st));
            return counts;
        }
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
        if (readOnly) throw new StoreException("store.readOnly", dir);
        if (broken) throw new StoreException("store.broken", dir);
        pending.clear();
        writtenInTx.clear();
        toShred.clear();
        T result;
        long tx;
        List<Journal.Change> committing;
        try {
            result = work.get();
            if (pending.isEmpty()) {
                db.rollback();
                shredQuietly(writtenInTx);
                return result;
            }
            tx = metaLong("txNumber") + 1;
            meta.put("txNumber", Long.toString(tx));
            committing = List.copyOf(pending);
            journal.append(tx, committing);
        } catch (IOException e) {
            db.rollback();
            pending.clear();
            shredQuietly(writtenInTx);
            throw new StoreException(e, "store.journal.cannotWrite", dir.resolve(JOURNAL_FILE), e.getMessage());
        } catch (RuntimeException e) {
            db.rollback();
            pending.clear();
            shredQuietly(writtenInTx);
            throw e;
        }
        try {
            // After the commit point: the mark may lag the journal by this one transaction if we crash here.
            HighWaterMark.write(files.mark, currentMark());
            db.commit();
            pending.clear();
            uncheckpointed.add(new Journal.Entry(tx, committing, -1, 0, false));
            if (++sinceCheckpoint >= CHECKPOINT_EVERY) startCheckpoint();
        } catch (IOException | RuntimeException e) {
            broken = true;
            throw new StoreException(e, "store.applyFailed", e);
        }
        // Committed: the envelopes it no longer needs leave the disk now (a crash here leaves them to the next open's sweep).
        shredQuietly(toShred);
        if (!sweeping && clock.instant().isAfter(nextRetentionSweep)) expireBiometrics();
        return result;
    }

    static String sha256Hex(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /**
     * Closes the store. A writer's close waits for a periodic checkpoint still running (it finishes under the
     * lock), checkpoints the transactions since (into the spare: what changed, not a copy), so that a read-only
     * command after a clean stop reads checkpoint.db in place, then closes the working file, forces it and
     * renames it station.clean.db: the next writer opens it in place instead of copying the checkpoint.
     */
    @Override
    public void close() {
        Thread running;
        synchronized (this) {
            closing = true;
            running = checkpointer;
        }
        if (running != null) {
            try {
                running.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closeNow();
    }

    private synchronized void closeNow() {
        if (readOnly) {
            closeQuietly(db);
            files.close();
            return;
        }
        try {
            if (!broken && !db.isClosed() && !uncheckpointed.isEmpty()) {
                db.commit();
                Path next = dir.resolve(CHECKPOINT_FILE + ".tmp");
                List<Journal.Entry> spare = spareSegment;
                spareSegment = null;
                finishCheckpoint(prepareCheckpoint(next, spare, uncheckpointed, false), next);
                List<Journal.Entry> segment = spareSegment;
                spareSegment = null;
                if (catchUpSpare(segment, false)) spareSegment = List.of();
            }
        } catch (IOException | RuntimeException e) {
            // The journal still holds every committed change; the next open replays it.
            LOG.warn(StationLog.line("store.closeCheckpointFailed", e));
        }
        try {
            boolean keep = !broken && !db.isClosed() && !workingMustNotBeKept;
            db.close();
            if (keep) {
                Path working = dir.resolve(DB_FILE);
                try (FileChannel c = FileChannel.open(working, StandardOpenOption.WRITE)) {
                    c.force(true);
                }
                try (java.nio.file.DirectoryStream<Path> wal = Files.newDirectoryStream(dir, DB_FILE + ".wal.*")) {
                    for (Path p : wal) Files.delete(p);
                }
                pauseForTest("close-forced");
                Files.move(working, dir.resolve(WORKING_CLEAN_FILE), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                forceDirectory(dir);
            } else if (workingMustNotBeKept) {
                Files.deleteIfExists(dir.resolve(DB_FILE));
            }
        } catch (IOException | RuntimeException e) {
            // The next open rebuilds the working file from the checkpoint.
            LOG.warn(StationLog.line("store.closeWorkingFailed", e));
        } finally {
            closeQuietly(db);
            closeQuietly(spareJournal);
            files.close();
        }
    }

    private static void closeQuietly(FileChannel c) {
        try {
            if (c != null) c.close();
        } catch (IOException ignored) { /* closing */ }
    }

    /** For the crash tests: lets go of everything as a killed process would, without a checkpoint. */
    void abandon() {
        Thread running;
        synchronized (this) {
            abandoned = true;
            closing = true;
            running = checkpointer;
        }
        if (running != null) {
            try {
                running.join(); // it stops at its next transaction, leaving its file as a kill would
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        abandonNow();
    }

    private synchronized void abandonNow() {
        closeQuietly(spareJournal);
        closeQuietly(db);
        files.close();
    }
}
