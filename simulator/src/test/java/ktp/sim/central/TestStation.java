package ktp.sim.central;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import ktp.central.CentralClient;
import ktp.central.CentralLink;
import ktp.job.JobState;
import ktp.record.RecordValidator;
import ktp.record.TrustedKeys;
import ktp.station.RecordIntake;
import ktp.store.Actor;
import ktp.store.Job;
import ktp.store.StationStore;

/**
 * A station as the data center sees it: a real store, intake and central link, with a print loop that moves
 * each leased job through the ledger as the printer would (no printer yet: that is the printer issue). The
 * loop honours the link's lease check, as the real job loop must.
 */
final class TestStation implements AutoCloseable {
    final String id;
    final StationStore store;
    final CentralLink link;
    private final Thread printer;
    private volatile boolean running = true;
    private boolean closed;
    private final AtomicInteger blanks = new AtomicInteger();

    TestStation(String id, Path storeDir, URI central, SSLContext tls, Optional<String> token, Path trustedKeys,
                CentralLink.Settings settings, Duration perCard) throws IOException {
        this.id = id;
        this.store = StationStore.open(storeDir, id, Clock.systemUTC());
        RecordIntake intake = new RecordIntake(new RecordValidator(TrustedKeys.loadDirectory(trustedKeys), Clock.systemUTC()), store, Actor.STATION);
        CentralClient client = new CentralClient(CentralClient.Config.of(central, id, tls, token, tls == null).withDeadline(Duration.ofSeconds(5)));
        this.link = new CentralLink(client, store, intake, settings, Clock.systemUTC(), new Random(id.hashCode()));
        this.printer = new Thread(() -> printLoop(perCard), id + "-printer");
        this.printer.setDaemon(true);
    }

    /** The link alone: records are leased and queued, nothing is printed. */
    TestStation startLinkOnly() {
        link.start();
        return this;
    }

    TestStation start() {
        link.start();
        printer.start();
        return this;
    }

    private void printLoop(Duration perCard) {
        while (running) {
            Optional<Job> next = store.jobs().stream().filter(j -> j.state() == JobState.VALIDATED && link.mayStart(j.recordId())).findFirst();
            if (next.isEmpty()) {
                sleep(Duration.ofMillis(20));
                continue;
            }
            String recordId = next.get().recordId();
            try {
                store.transition(recordId, JobState.ENCODING, Actor.STATION, "", id + "-BLANK-" + blanks.incrementAndGet());
            } catch (RuntimeException raced) {
                continue; // released by the link a moment ago
            }
            store.transition(recordId, JobState.ENCODED, Actor.STATION, "", null);
            store.transition(recordId, JobState.PRINTING, Actor.STATION, "", null);
            sleep(perCard);
            store.transition(recordId, JobState.PRINTED, Actor.STATION, "", null);
            store.transition(recordId, JobState.AWAITING_HOLDER, Actor.STATION, "", null);
            link.poke();
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    List<String> printedRecords() {
        return store.jobs().stream().filter(j -> j.state() == JobState.AWAITING_HOLDER || j.state() == JobState.PRINTED)
                .map(Job::recordId).toList();
    }

    void stopPrinting() {
        running = false;
        if (!printer.isAlive()) return;
        try {
            printer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) return;
        closed = true;
        stopPrinting();
        link.close();
        store.close();
    }
}
