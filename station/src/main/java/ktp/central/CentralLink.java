package ktp.central;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import ktp.job.JobState;
import ktp.store.Actor;
import ktp.store.Job;
import ktp.store.OutboxEvent;
import ktp.store.StationStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The station's standing connection to the data center: keeps a small queue of validated records leased,
 * renews (and, after a lost answer, acknowledges again) the leases of jobs in flight, reports the outbox's events (until telemetry goes over MQTT), and
 * hands unstarted records back on an orderly stop. While the data center is unreachable it retries with
 * back-off and jitter, and the station goes on with the records it holds under valid leases.
 *
 * <p>It refuses to take a record it has printed already (same record id, or the same NIK under another
 * record) when the data center offers it again: it declines the lease with the reason, so the data center
 * holds the record for a person to look at, and the station prints nothing.
 */
public final class CentralLink implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CentralLink.class);
    /** Jobs whose card has not come out of the printer: their lease must stay alive. */
    private static final Set<JobState> NEEDS_LEASE = EnumSet.of(JobState.LEASED, JobState.VALIDATED, JobState.ENCODING,
            JobState.ENCODED, JobState.PRINTING, JobState.SPOILED);
    private static final Set<JobState> PRINTED = EnumSet.of(JobState.PRINTED, JobState.AWAITING_HOLDER, JobState.ACTIVATING,
            JobState.ISSUED, JobState.ACTIVATION_FAILED);

    /**
     * @param queueTarget validated, unstarted records to keep in hand
     * @param pullLimit most records asked for in one pull
     * @param idlePoll wait between polls when the data center has nothing, or the queue is full
     * @param reportEvents whether this link reports outbox events (until the MQTT publisher takes them)
     */
    public record Settings(int queueTarget, int pullLimit, Duration idlePoll, Duration retryBase, Duration retryMax, boolean reportEvents) {
        public static Settings defaults() { return new Settings(4, 10, Duration.ofSeconds(2), Duration.ofMillis(500), Duration.ofSeconds(60), true); }

        public Settings withIdlePoll(Duration d) { return new Settings(queueTarget, pullLimit, d, retryBase, retryMax, reportEvents); }

        public Settings withQueueTarget(int n) { return new Settings(n, pullLimit, idlePoll, retryBase, retryMax, reportEvents); }

        public Settings withRetry(Duration base, Duration max) { return new Settings(queueTarget, pullLimit, idlePoll, base, max, reportEvents); }

        public Settings withPullLimit(int n) { return new Settings(queueTarget, n, idlePoll, retryBase, retryMax, reportEvents); }

        public Settings withReportEvents(boolean on) { return new Settings(queueTarget, pullLimit, idlePoll, retryBase, retryMax, on); }
    }

    /** What the link knows of the data center right now, for the operator and for health telemetry. */
    public record Health(boolean reachable, int failuresInARow, String lastError, int leasesHeld, Instant lastContact) {}

    private final CentralClient client;
    private final StationStore store;
    private final IntakePort intake;
    private volatile boolean accepting = true;
    private final Settings settings;
    private final Clock clock;
    private final Backoff backoff;
    private final Actor actor;
    /** Lease per record id, for jobs this station holds. */
    private final Map<String, CentralClient.Lease> leases = new ConcurrentHashMap<>();
    /** How long each lease had left when last granted or renewed, to renew it at half time. */
    private final Map<String, Duration> granted = new ConcurrentHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private volatile boolean running;
    private volatile boolean synced;
    private volatile String lastError = "";
    private volatile Instant lastContact;
    private Thread thread;

    public CentralLink(CentralClient client, StationStore store, IntakePort intake, Settings settings, Clock clock, java.util.Random random) {
        this.client = client;
        this.store = store;
        this.intake = intake;
        this.settings = settings;
        this.clock = clock;
        this.backoff = new Backoff(settings.retryBase(), settings.retryMax(), random);
        this.actor = Actor.STATION;
    }

    // ---------------------------------------------------------------- for the job loop

    /**
     * Whether the job loop may put a blank in the printer for this record now: the station holds a lease for
     * it that has not run out by the station's own clock. A record whose lease lapsed while the data center
     * was unreachable waits; it is printed only if the lease is confirmed again.
     */
    public boolean mayStart(String recordId) {
        CentralClient.Lease l = leases.get(recordId);
        return l != null && l.expiresAt().map(t -> t.isAfter(clock.instant())).orElse(true);
    }

    public Optional<CentralClient.Lease> leaseOf(String recordId) { return Optional.ofNullable(leases.get(recordId)); }

    public Health health() {
        return new Health(backoff.failures() == 0 && lastContact != null, backoff.failures(), lastError, leases.size(), lastContact);
    }

    /** Asks the loop to run a cycle now (for example when the queue has just shrunk). */
    public void poke() {
        lock.lock();
        try {
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- the loop

    public synchronized void start() {
        if (running) return;
        running = true;
        thread = new Thread(this::loop, "central-link");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        while (running) {
            Duration wait;
            try {
                int taken = cycle();
                wait = taken > 0 && queued() < settings.queueTarget() ? Duration.ZERO : settings.idlePoll();
            } catch (CentralException e) {
                wait = backoff.next();
                lastError = e.getMessage();
                LOG.warn(ktp.i18n.StationLog.line("central.unreachable", backoff.failures(), wait.toMillis(), e.getMessage()));
            } catch (Throwable e) { // NOPMD: no error may end the link's thread; it backs off and tries again
                wait = backoff.next();
                lastError = e.toString();
                LOG.error(ktp.i18n.StationLog.line("central.cycleFailed", wait.toMillis()), e);
            }
            if (!running) break;
            sleep(wait);
        }
    }

    private void sleep(Duration d) {
        if (d.isZero()) return;
        lock.lock();
        try {
            wake.await(d.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        } finally {
            lock.unlock();
        }
    }

    /**
     * One round with the data center: learn the leases held (once after start), report events, renew leases,
     * and pull when the queue is short. Returns how many records were taken into the queue.
     */
    public int cycle() throws CentralException {
        if (!synced) syncLeases();
        if (settings.reportEvents()) reportEvents();
        renewLeases();
        int taken = pullIfShort();
        backoff.reset();
        lastError = "";
        lastContact = clock.instant();
        return taken;
    }

    /** After a start: which leases does the data center say we hold? Jobs whose lease is gone are handed back. */
    private void syncLeases() throws CentralException {
        List<CentralClient.Lease> held = client.leases();
        Map<String, CentralClient.Lease> byRecord = new ConcurrentHashMap<>();
        for (CentralClient.Lease l : held) byRecord.put(l.recordId(), l);
        for (CentralClient.Lease l : held) {
            Optional<Job> job = store.job(l.recordId());
            if (job.isPresent() && (NEEDS_LEASE.contains(job.get().state()) || PRINTED.contains(job.get().state()))) {
                leases.put(l.recordId(), l);
            } else if (!l.printed()) {
                // Leased, then the station stopped before the record was stored: give it back to be offered again.
                client.release(l.leaseId());
                LOG.info(ktp.i18n.StationLog.line("central.strayLease", l.leaseId(), l.recordId()));
            }
        }
        for (Job job : store.jobsIn(java.util.EnumSet.of(JobState.LEASED, JobState.VALIDATED), Integer.MAX_VALUE)) {
            if ((job.state() == JobState.LEASED || job.state() == JobState.VALIDATED) && !byRecord.containsKey(job.recordId())) {
                lostLease(job.recordId(), "its lease ended at the data center while the station was stopped");
            }
        }
        synced = true;
    }

    private void reportEvents() throws CentralException {
        while (true) {
            List<OutboxEvent> batch = store.pendingEvents(50);
            if (batch.isEmpty()) return;
            for (OutboxEvent e : batch) {
                try {
                    boolean duplicate = client.report(e);
                    if (duplicate) LOG.debug("event {} was already at the data center", e.eventId());
                } catch (CentralException refused) {
                    if (refused.kind() != CentralException.Kind.REFUSED) throw refused;
                    // A refusal will not change on a retry; keeping the event would block every later one.
                    store.audit(actor, "CENTRAL_REFUSED_EVENT", e.type() + " of record " + e.recordId() + " (#" + e.sequence() + "): " + refused.getMessage());
                    LOG.warn(ktp.i18n.StationLog.line("central.eventRefused", e.sequence(), e.type(), e.recordId(), refused.getMessage()));
                }
                store.removePublished(e.sequence());
                if (e.type() == ktp.job.EventType.CARD_ISSUED) leases.remove(e.recordId());
            }
        }
    }

    private void renewLeases() throws CentralException {
        Instant now = clock.instant();
        for (CentralClient.Lease l : List.copyOf(leases.values())) {
            Optional<Job> job = store.job(l.recordId());
            if (job.isEmpty() || !NEEDS_LEASE.contains(job.get().state())) {
                if (job.isEmpty() || !PRINTED.contains(job.get().state())) leases.remove(l.recordId());
                continue;
            }
            if (!l.acknowledged()) {
                try {
                    remember(client.acknowledge(l.leaseId()));
                } catch (CentralException e) {
                    if (e.kind() != CentralException.Kind.REFUSED) throw e;
                    lostLease(l.recordId(), "the data center would not take the acknowledgement: " + e.code());
                }
                continue;
            }
            if (l.expiresAt().isEmpty()) continue;
            Duration left = Duration.between(now, l.expiresAt().get());
            // Renew when under half of a typical lease is left, judged by what this lease had when granted.
            if (left.compareTo(renewThreshold(l)) > 0) continue;
            try {
                remember(client.renew(l.leaseId()));
            } catch (CentralException e) {
                if (e.kind() != CentralException.Kind.REFUSED) throw e;
                lostLease(l.recordId(), "the data center would not renew its lease: " + e.code());
            }
        }
    }

    /** Renew once half of the period last granted is gone; a lease learnt at start (period unknown) at once. */
    private Duration renewThreshold(CentralClient.Lease l) {
        Duration g = granted.get(l.leaseId());
        return g == null ? Duration.ofDays(3650) : g.dividedBy(2);
    }

    private void remember(CentralClient.Lease l) {
        leases.put(l.recordId(), l);
        l.expiresAt().ifPresent(t -> granted.put(l.leaseId(), Duration.between(clock.instant(), t)));
    }

    /** The station no longer holds a record's lease: an unstarted job is handed back; a card in the printer goes on. */
    private void lostLease(String recordId, String why) {
        leases.remove(recordId);
        Optional<Job> job = store.job(recordId);
        if (job.isEmpty()) return;
        JobState s = job.get().state();
        if (s == JobState.LEASED || s == JobState.VALIDATED) {
            store.transition(recordId, JobState.RELEASED, actor, why, null);
            LOG.warn(ktp.i18n.StationLog.line("central.handedBackUnprinted", recordId, why));
        } else if (NEEDS_LEASE.contains(s)) {
            // The blank is already in the printer; finishing and reporting the card is better than wasting it.
            LOG.warn(ktp.i18n.StationLog.line("central.noLease", recordId, ktp.i18n.StationLog.state(s), why));
        }
    }

    private int queued() {
        int n = 0;
        n += (int) store.queueDepth(); // the per-state counts kept in each commit: no copy of every job every 200 ms
        return n;
    }

    private int pullIfShort() throws CentralException {
        if (!accepting) return 0;
        int want = Math.min(settings.pullLimit(), settings.queueTarget() - queued());
        if (want <= 0) return 0;
        int taken = 0;
        for (CentralClient.Offer offer : client.pull(want)) {
            if (take(offer)) taken++;
        }
        return taken;
    }

    private boolean take(CentralClient.Offer offer) throws CentralException {
        IntakePort.Decision decision;
        try {
            decision = intake.take(offer.recordId(), offer.envelope());
        } catch (RuntimeException | StackOverflowError e) {
            // The intake must not throw; if it does anyway, this record alone is refused and the next one goes on.
            LOG.error(ktp.i18n.StationLog.line("central.intakeFailed", offer.recordId()), e);
            String detail = e.getClass().getName() + ": " + e.getMessage();
            decision = new IntakePort.Decision(IntakePort.Decision.Kind.REJECTED, "INTERNAL_CHECK_FAILED", detail.length() > 500 ? detail.substring(0, 500) : detail);
        }
        CentralClient.Lease lease = new CentralClient.Lease(offer.leaseId(), offer.recordId(), offer.nik(),
                Optional.of(offer.expiresAt()), false, false);
        switch (decision.kind()) {
            case ACCEPTED -> {
                // Held from this moment; if the acknowledgement is lost, the next cycle repeats it.
                remember(lease);
                remember(client.acknowledge(offer.leaseId()));
                LOG.info(ktp.i18n.StationLog.line("central.leased", offer.recordId(), offer.expiresAt()));
                return true;
            }
            case REJECTED, HELD -> {
                client.decline(offer.leaseId(), decision.reasonCode(), clip(decision.detail()));
                LOG.warn(ktp.i18n.StationLog.line(decision.kind() == IntakePort.Decision.Kind.HELD ? "central.held" : "central.rejected",
                        offer.recordId(), decision.reasonCode(), decision.detail()));
                return false;
            }
            default -> { return notAdmitted(offer, lease, decision.detail()); }
        }
    }

    private static String clip(String s) { return s == null ? "" : s.length() > 900 ? s.substring(0, 900) + "..." : s; }

    private boolean notAdmitted(CentralClient.Offer offer, CentralClient.Lease lease, String detail) throws CentralException {
        Job job = store.job(offer.recordId()).orElse(null);
        if (job != null && NEEDS_LEASE.contains(job.state())) {
            // Our own job, offered again (for example after its lease lapsed during an outage): take the lease.
            remember(lease);
            remember(client.acknowledge(offer.leaseId()));
            LOG.info(ktp.i18n.StationLog.line("central.offeredAgain", offer.recordId(), ktp.i18n.StationLog.state(job.state())));
            return job.state() == JobState.VALIDATED;
        }
        String reason;
        if (job != null && PRINTED.contains(job.state())) reason = "ALREADY_PRINTED";
        else if (job != null && job.state() == JobState.REJECTED) reason = "ALREADY_REJECTED";
        else reason = "NIK_ALREADY_PRINTED";
        client.decline(offer.leaseId(), reason, clip(detail));
        store.audit(actor, "DECLINE_" + reason, "record " + offer.recordId() + " offered again by the data center: " + detail);
        LOG.warn(ktp.i18n.StationLog.line("central.notAgain", offer.recordId(), reason, detail));
        return false;
    }

    // ---------------------------------------------------------------- when no lane can print

    /**
     * Whether the link takes new records: off while no printer lane can print, so that the station does not sit
     * on records another station could print.
     */
    public void setAccepting(boolean on) {
        if (accepting != on) LOG.info(ktp.i18n.StationLog.line(on ? "central.taking" : "central.notTaking"));
        accepting = on;
    }

    public boolean accepting() { return accepting; }

    /**
     * Hands one unstarted record back to the data center (its job becomes RELEASED first). The caller makes sure no
     * lane starts it meanwhile. Returns whether it was handed back; a data center that cannot be told lets the
     * lease run out.
     */
    public boolean handBack(String recordId, String why) {
        Job job = store.job(recordId).orElse(null);
        if (job == null || (job.state() != JobState.VALIDATED && job.state() != JobState.LEASED)) return false;
        store.transition(recordId, JobState.RELEASED, actor, why, null);
        CentralClient.Lease l = leases.remove(recordId);
        if (l != null) {
            try {
                client.release(l.leaseId());
            } catch (CentralException e) {
                LOG.warn(ktp.i18n.StationLog.line("central.releaseFailed", recordId, e.getMessage()));
            }
        }
        LOG.info(ktp.i18n.StationLog.line("central.handedBack", recordId, why));
        return true;
    }

    // ---------------------------------------------------------------- stopping

    /**
     * Stops the loop and hands back every record not yet started (its job becomes RELEASED first, so the job
     * loop cannot start it meanwhile). If the data center cannot be told, its lease simply runs out there.
     */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            running = false;
            t = thread;
        }
        poke();
        if (t != null) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        List<String> released = new ArrayList<>();
        for (Job job : store.jobsIn(java.util.EnumSet.of(JobState.LEASED, JobState.VALIDATED), Integer.MAX_VALUE)) {
            if (job.state() != JobState.VALIDATED && job.state() != JobState.LEASED) continue;
            CentralClient.Lease l = leases.get(job.recordId());
            try {
                store.transition(job.recordId(), JobState.RELEASED, actor, "released at an orderly stop", null);
            } catch (RuntimeException raced) {
                continue; // the job loop started it a moment ago: it keeps its lease
            }
            leases.remove(job.recordId());
            if (l == null) continue;
            try {
                client.release(l.leaseId());
                released.add(job.recordId());
            } catch (CentralException e) {
                LOG.warn(ktp.i18n.StationLog.line("central.releaseFailed", job.recordId(), e.getMessage()));
            }
        }
        if (!released.isEmpty()) LOG.info(ktp.i18n.StationLog.line("central.releasedAtStop", released.size(), released));
    }
}
