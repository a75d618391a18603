package ktp.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
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
import org.mapdb.Atomic;
import org.mapdb.BTreeMap;
import org.mapdb.DB;
import org.mapdb.DBException;
import org.mapdb.DBMaker;
import org.mapdb.HTreeMap;
import org.mapdb.Serializer;

/**
 * The station's durable state in one MapDB file with a write-ahead log: jobs, the blank-card ledger, the
 * telemetry outbox and the audit log. Every public change is one transaction: the job's new state, its
 * ledger entry, its outbox event and its audit line are committed together or not at all.
 *
 * <p>One process at a time: a lock file next to the database names the holder, so a second process gets
 * a clear error rather than MapDB's lock exception or, worse, a corrupted file. Methods are synchronized
 * because MapDB's transaction is global to the DB.
 */
public final class StationStore implements AutoCloseable {
    private static final String DB_FILE = "station.db";
    private static final String LOCK_FILE = "station.lock";

    private final Path dir;
    private String stationId;
    private final Clock clock;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final DB db;
    private final BTreeMap<String, Job> jobs;
    private final HTreeMap<String, byte[]> envelopes;
    private final BTreeMap<String, String> printedNiks;
    private final BTreeMap<String, LedgerEntry> ledger;
    private final BTreeMap<Long, OutboxEvent> outbox;
    private final BTreeMap<Long, AuditEntry> audit;
    private final Atomic.Long outboxSequence;
    private final Atomic.Long auditCount;
    private final Atomic.String auditHead;

    private StationStore(Path dir, String stationId, Clock clock, FileChannel lockChannel, FileLock lock, DB db) {
        this.dir = dir;
        this.stationId = stationId;
        this.clock = clock;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.db = db;
        this.jobs = db.treeMap("jobs", Serializer.STRING, new Serializers.JobSerializer()).createOrOpen();
        this.envelopes = db.hashMap("envelopes", Serializer.STRING, Serializer.BYTE_ARRAY).createOrOpen();
        this.printedNiks = db.treeMap("printedNiks", Serializer.STRING, Serializer.STRING).createOrOpen();
        this.ledger = db.treeMap("ledger", Serializer.STRING, new Serializers.LedgerSerializer()).createOrOpen();
        this.outbox = db.treeMap("outbox", Serializer.LONG, new Serializers.OutboxSerializer()).createOrOpen();
        this.audit = db.treeMap("audit", Serializer.LONG, new Serializers.AuditSerializer()).createOrOpen();
        this.outboxSequence = db.atomicLong("outboxSequence").createOrOpen();
        this.auditCount = db.atomicLong("auditCount").createOrOpen();
        this.auditHead = db.atomicString("auditHead").createOrOpen();
        Atomic.String storedStation = db.atomicString("stationId").createOrOpen();
        String stored = storedStation.get();
        if (stationId == null) {
            this.stationId = stored == null ? "" : stored;
        } else if (stored == null || stored.isEmpty()) {
            storedStation.set(stationId);
        } else if (!stored.equals(stationId)) {
            db.rollback();
            throw new StoreException("the store " + dir + " belongs to station '" + stored + "', not '" + stationId
                    + "'; each station keeps its own store");
        }
        db.commit();
    }

    /**
     * Opens (or creates) the store in {@code dir} for {@code stationId} (null: whichever station it belongs to,
     * for read-only tools). Fails with {@link StoreLockedException}
     * naming the holder when another process has it open, and with {@link StoreException} naming the file when
     * it cannot be read; in neither case is anything on disk changed.
     */
    public static StationStore open(Path dir, String stationId, Clock clock) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new StoreException("cannot create the store directory " + dir + ": " + e.getMessage(), e);
        }
        Path lockPath = dir.resolve(LOCK_FILE);
        FileChannel channel;
        try {
            channel = FileChannel.open(lockPath, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new StoreException("cannot open the lock file " + lockPath + ": " + e.getMessage(), e);
        }
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            closeQuietly(channel);
            throw new StoreLockedException("the store " + dir + " is already open in this process (" + holder(lockPath) + ")");
        } catch (IOException e) {
            closeQuietly(channel);
            throw new StoreException("cannot lock " + lockPath + ": " + e.getMessage(), e);
        }
        if (lock == null) {
            closeQuietly(channel);
            throw new StoreLockedException("the store " + dir + " is in use by another process: " + holder(lockPath)
                    + "; stop that process or choose another --store");
        }
        try {
            writeHolder(channel);
            DB db = DBMaker.fileDB(dir.resolve(DB_FILE).toFile()).transactionEnable().make();
            try {
                return new StationStore(dir, stationId, clock, channel, lock, db);
            } catch (RuntimeException e) {
                db.close();
                throw e;
            }
        } catch (DBException e) {
            releaseQuietly(lock, channel);
            throw new StoreException("the store file " + dir.resolve(DB_FILE) + " cannot be opened (" + e.getMessage()
                    + "); it was not modified. Restore it from a backup; do not delete it, its ledger accounts for blank cards", e);
        } catch (StoreException e) {
            releaseQuietly(lock, channel);
            throw e;
        } catch (IOException | RuntimeException e) {
            releaseQuietly(lock, channel);
            throw new StoreException("cannot open the store " + dir + ": " + e, e);
        }
    }

    private static void writeHolder(FileChannel channel) throws IOException {
        ProcessHandle self = ProcessHandle.current();
        String command = self.info().command().orElse("java");
        String line = "pid " + self.pid() + " (" + command + ") since " + Instant.now() + "\n";
        channel.truncate(0);
        channel.write(java.nio.ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8)), 0);
        channel.force(true);
    }

    private static String holder(Path lockPath) {
        try {
            String text = Files.readString(lockPath, StandardCharsets.UTF_8).trim();
            return text.isEmpty() ? "holder unknown" : text;
        } catch (IOException e) {
            return "holder unknown";
        }
    }

    private static void closeQuietly(FileChannel c) {
        try { c.close(); } catch (IOException ignored) { /* nothing more to release */ }
    }

    private static void releaseQuietly(FileLock lock, FileChannel c) {
        try { lock.release(); } catch (IOException ignored) { /* closing the channel releases it too */ }
        closeQuietly(c);
    }

    public Path directory() { return dir; }

    public String stationId() { return stationId; }

    // ---------------------------------------------------------------- changes, one transaction each

    /**
     * Offers a record for printing. A record already known is never admitted twice, and a NIK already printed
     * under another record is refused unless a reprint was decided; both answers say why.
     */
    public synchronized Admission admit(String recordId, int recordVersion, String nik, byte[] envelope, Actor actor) {
        Job existing = jobs.get(recordId);
        if (existing != null) {
            boolean inFlight = !existing.state().isTerminal() && existing.state() != JobState.AWAITING_HOLDER
                    && existing.state() != JobState.PRINTED && existing.state() != JobState.ACTIVATION_FAILED
                    && existing.state() != JobState.ACTIVATING;
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
            if (ledger.containsKey(blankId)) {
                throw new StoreException("blank " + blankId + " is already in the ledger (" + ledger.get(blankId).fate()
                        + "); a blank can enter the printer only once");
            }
            String printedAs = printedNiks.get(job.nik());
            if (printedAs != null && !job.reprintAuthorised()) {
                throw new StoreException("NIK " + job.nik() + " was already printed (record " + printedAs
                        + ") and no reprint was decided; refusing to print it again");
            }
        }
        return inTransaction(() -> apply(job, t, actor, why, blankId));
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
        if (t.to() == JobState.ISSUED || t.to() == JobState.REJECTED) {
            // Biometrics (photo, signature, templates) are kept only while the issuance may need them.
            envelopes.remove(job.recordId());
        }
        final String eb = eventBlank;
        t.event().ifPresent(type -> {
            long seq = outboxSequence.incrementAndGet();
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

    /** A line in the audit log for something that is not a job change (sign-in, configuration, reports). */
    public synchronized AuditEntry audit(Actor actor, String action, String detail) {
        return inTransaction(() -> appendAudit(actor, action, detail));
    }

    private AuditEntry appendAudit(Actor actor, String action, String detail) {
        long seq = auditCount.get() + 1;
        byte[] previous = seq == 1 ? AuditChain.GENESIS : audit.get(seq - 1).hash();
        Instant at = Instant.ofEpochMilli(clock.millis());
        byte[] hash = AuditChain.hash(seq, at.toEpochMilli(), actor.toString(), action, detail, previous);
        AuditEntry entry = new AuditEntry(seq, at, actor.toString(), action, detail, previous, hash);
        audit.put(seq, entry);
        auditCount.set(seq);
        auditHead.set(HexFormat.of().formatHex(hash));
        return entry;
    }

    /** Removes published events up to and including {@code sequence} (after the broker acknowledged them). */
    public synchronized void removePublished(long sequence) {
        inTransaction(() -> {
            outbox.headMap(sequence, true).clear();
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
        for (Job job : List.copyOf(jobs.values())) {
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

    public synchronized List<Job> jobs() { return List.copyOf(jobs.values()); }

    /** The envelope as received, while the job still needs it (purged at ISSUED and REJECTED). */
    public synchronized Optional<byte[]> envelope(String recordId) { return Optional.ofNullable(envelopes.get(recordId)); }

    public synchronized Optional<String> printedRecordOf(String nik) { return Optional.ofNullable(printedNiks.get(nik)); }

    public synchronized List<LedgerEntry> ledger() { return List.copyOf(ledger.values()); }

    public synchronized List<OutboxEvent> pendingEvents(int limit) {
        List<OutboxEvent> out = new ArrayList<>();
        for (OutboxEvent e : outbox.values()) {
            if (out.size() >= limit) break;
            out.add(e);
        }
        return out;
    }

    public synchronized long outboxDepth() { return outbox.size(); }

    /** The highest outbox sequence ever assigned (published or not). */
    public synchronized long lastEventSequence() { return outboxSequence.get(); }

    public synchronized List<AuditEntry> auditLog() { return List.copyOf(audit.values()); }

    public synchronized AuditChain.Verdict verifyAudit() {
        String head = auditHead.get();
        byte[] headBytes = head == null || head.isEmpty() ? AuditChain.GENESIS : HexFormat.of().parseHex(head);
        return AuditChain.verify(List.copyOf(audit.values()), auditCount.get(), headBytes);
    }

    /** Counts of jobs per state, for status lines and reports. */
    public synchronized Map<JobState, Long> countByState() {
        Map<JobState, Long> counts = new java.util.EnumMap<>(JobState.class);
        for (Job j : jobs.values()) counts.merge(j.state(), 1L, Long::sum);
        return counts;
    }

    // ---------------------------------------------------------------- plumbing

    private <T> T inTransaction(java.util.function.Supplier<T> work) {
        try {
            T result = work.get();
            db.commit();
            return result;
        } catch (RuntimeException e) {
            db.rollback();
            throw e;
        }
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
        try {
            if (!db.isClosed()) db.close();
        } finally {
            releaseQuietly(lock, lockChannel);
        }
    }
}
