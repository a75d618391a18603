package ktp.sim.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import ktp.biometric.HolderVerification;
import ktp.biometric.RetryPolicy;
import ktp.biometric.ScannerSource;
import ktp.biometric.r30x.R30xScanner;
import ktp.job.JobState;
import ktp.report.DailyReport;
import ktp.report.ReportPdf;
import ktp.sim.card.VirtualCard;
import ktp.sim.central.CentralServer;
import ktp.sim.printer.SimulatedPrinter;
import ktp.sim.records.FingerprintLibrary;
import ktp.sim.records.RecordGenerator;
import ktp.sim.scanner.SimulatedScanner;
import ktp.counter.HolderActivation;
import ktp.station.StationDaemon;
import ktp.store.Actor;
import ktp.store.AuditEntry;
import ktp.store.BlankFate;
import ktp.store.Job;
import ktp.store.LedgerEntry;
import ktp.store.Role;
import ktp.store.StationStore;

/**
 * The demo: the station daemon ({@code ktp station run}, in this process) against every simulator on its real
 * wire. The data-center simulator serves signed records over HTTP; the printer simulator takes the daemon's
 * Evolis commands over TCP and decodes each card's panels; a virtual card sits in every blank at the printer's
 * contact station (an in-process javax.smartcardio reader, or pcscd's vpcd with {@code --pcsc}); the R307
 * scanner simulator serves the holders' fingers; events go through an MQTT broker to the central office's
 * collector and to the data center. Then the holders come to the counter one by one. Nothing is counted that
 * did not happen: the summary is read back from the station's store and the collector's archive.
 */
public final class DemoRun {
    public static final String STATION_ID = SimulatedStation.STATION_ID;
    /** The printer simulator's default speed-up: a 25-second card in half a second. */
    public static final double DEFAULT_SPEED = 50;
    private static final ZoneId ZONE = SimulatedStation.ZONE;

    /**
     * {@code broker}: an MQTT broker URL, or null for the embedded one; {@code vpcd}: HOST:PORT of pcscd's vpcd
     * driver to put the virtual cards in (the real PC/SC stack), or null for the in-process reader.
     */
    public record Options(int cards, Path out, long seed, boolean faults, String broker, String vpcd, double speed) {
        public Options(int cards, Path out, long seed, boolean faults) { this(cards, out, seed, faults, null, null, DEFAULT_SPEED); }
    }

    /**
     * What the demo did, read back from the station's store ({@code blanksUsed}: blanks the printer took), the
     * collector's archive ({@code eventsPublished}) and the data center ({@code printedAtDataCenter},
     * {@code issuedAtDataCenter}: residents at CARD_PRINTED and CARD_ISSUED when the demo ended).
     */
    public record Summary(int recordsIn, int printed, int issued, int spoiledBlanks, int rejected, int awaitingHolder,
                          int activationFailed, int eventsPublished, int blanksUsed, int printedAtDataCenter, int issuedAtDataCenter,
                          long blanksLoaded, int blanksLeftInFeeder, boolean reconciled) {
        public String line(Path out) {
            return "demo: " + recordsIn + " records in, " + printed + " printed, " + issued + " issued, " + spoiledBlanks + " blanks spoiled, " + rejected
                    + " refused" + (awaitingHolder > 0 ? ", " + awaitingHolder + " awaiting holder" : "")
                    + (activationFailed > 0 ? ", " + activationFailed + " activation failed" : "")
                    + "; " + eventsPublished + " telemetry events at the office; outputs in " + out;
        }
    }

    private final Options options;
    private final PrintStream progress;

    public DemoRun(Options options, PrintStream progress) {
        this.options = options;
        this.progress = progress;
    }

    public Summary run() throws IOException {
        Path out = options.out();
        if (StationStore.existsIn(out.resolve("station")) || Files.exists(out.resolve("central"))) {
            throw new IllegalArgumentException(out + " already holds an earlier demo (station/, central/); choose another --out or remove it");
        }
        if (options.speed() < 1 || options.speed() > 1000) throw new IllegalArgumentException("--speed must be 1..1000, got " + options.speed());
        long t0 = System.nanoTime();
        // With --faults: a defective record after every ten good ones, a failing chip on every 7th blank, the 4th card jams.
        int population = options.cards() + (options.faults() ? options.cards() / 10 : 0);
        FingerprintLibrary fingers = FingerprintLibrary.embedded();
        progress.println("data center: " + population + " synthetic residents (seed " + options.seed() + ")"
                + (options.faults() ? ", every 11th record with a defect the station must refuse" : ""));
        SimulatedStation.Settings settings = new SimulatedStation.Settings(out, options.seed(), population, options.faults() ? 11 : 0, options.broker(),
                options.vpcd(), options.speed(), options.faults() ? 7 : 0, options.faults() && population >= 4 ? 4 : 0, true);
        int[] atCenter;
        int atOffice;
        int blanksUsed;
        int feederLeft;
        try (SimulatedStation station = SimulatedStation.start(settings)) {
            progress.println(station.describe());
            StationDaemon daemon = station.daemon();
            Progress follow = new Progress(daemon.store());
            Thread technician = technician(station.printer());
            try {
                awaitPrinted(daemon.store(), population, follow);
                holdersComeToTheCounter(daemon, station.cards(), station.scanner(), fingers, population, follow);
                long until = System.nanoTime() + 60_000_000_000L;
                while (daemon.store().outboxDepth() > 0 && System.nanoTime() < until) sleep(50);
                follow.poll();
            } finally {
                technician.interrupt();
                daemon.close();
            }
            SimulatedPrinter printer = station.printer();
            List<Long> gaps = printer.idleGapsMillis();
            if (!gaps.isEmpty()) progress.println("printer: " + printer.printed() + " printed, " + printer.rejected() + " to the reject box; idle gap between cards median "
                    + gaps.stream().sorted().toList().get(gaps.size() / 2) + " ms");
            // The data center hears CARD_PRINTED and CARD_ISSUED over MQTT; give the last ones a moment to arrive.
            long until = System.nanoTime() + 10_000_000_000L;
            atCenter = centerCounts(station.central());
            while (atCenter[0] + atCenter[1] < collectorCount(station.collector(), "printedToday") && System.nanoTime() < until) {
                sleep(50);
                atCenter = centerCounts(station.central());
            }
            ktp.datafile.PrivateFiles.write(out.resolve("telemetry.jsonl"), Files.readAllBytes(station.collector().archiveFile()));
            atOffice = (int) station.collector().summary().get("accepted").asLong();
            blanksUsed = station.cards().issued().size();
            feederLeft = station.printer().feeder();
        }
        try (StationStore store = StationStore.open(out.resolve("station"), STATION_ID, Clock.systemUTC())) {
            LocalDate today = LocalDate.now(ZONE);
            Path report = out.resolve("daily-report-" + today + ".pdf");
            ktp.datafile.AtomicFile.write(report, ReportPdf.daily(DailyReport.of(store, today, ZONE, Clock.systemUTC().instant())), false);
            // The operator counts the blanks left in the feeder (here: the printer simulator's own count).
            ktp.report.Reconciliation rec = ktp.report.Reconciliation.of(store, today, today, ZONE, java.util.OptionalInt.of(feederLeft), Clock.systemUTC().instant());
            Path reconciliation = out.resolve("reconciliation-" + today + ".pdf");
            ktp.datafile.AtomicFile.write(reconciliation, ReportPdf.reconciliation(rec), false);
            progress.println("report: " + report);
            progress.println("blanks: " + rec.loaded() + " loaded = " + rec.issued() + " issued + " + rec.awaitingHolder() + " awaiting holder + " + rec.spoiled()
                    + " spoiled + " + rec.inPrinter() + " in the printer + " + rec.expectedInFeeder() + " expected in the feeder; counted " + feederLeft + ": "
                    + (rec.difference().getAsInt() == 0 ? "reconciled" : "DIFFERENCE " + rec.difference().getAsInt()) + " (" + reconciliation + ")");
            Summary s = summarize(store, population, atOffice, blanksUsed, atCenter, rec.loaded(), feederLeft, rec.difference().getAsInt() == 0);
            writeSummary(out.resolve("summary.json"), s, (System.nanoTime() - t0) / 1e9);
            return s;
        }
    }

    /** Until every record is printed, refused or held (or the time allowed for N cards has passed). */
    private void awaitPrinted(StationStore store, int population, Progress follow) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60 + 5L * population).toNanos();
        while (System.nanoTime() < deadline) {
            follow.poll();
            List<Job> jobs = store.jobs();
            boolean settled = jobs.size() >= population && jobs.stream().noneMatch(j -> j.state().ordinal() <= JobState.PRINTED.ordinal() || j.state() == JobState.SPOILED);
            if (settled) return;
            sleep(100);
        }
        progress.println("station: not every record was printed in the time allowed: " + store.countByState());
    }

    /**
     * Each holder of a printed card comes to the counter: the card into the counter's reader, the finger on
     * the scanner (the right index first, the left if it will not match). With --faults every 8th holder
     * places someone else's finger and the 4th of every 16 brings a card whose chip was altered after printing.
     */
    private void holdersComeToTheCounter(StationDaemon daemon, Cards cards, SimulatedScanner scanner, FingerprintLibrary fingers, int population,
                                         Progress follow) throws IOException {
        RecordGenerator generator = new RecordGenerator(options.seed(), fingers, RecordGenerator.defaultIssueDate(options.seed()));
        Map<String, Integer> indexOf = new HashMap<>();
        for (int i = 0; i < population; i++) indexOf.put(generator.identity(i).recordId(), i);
        List<Job> waiting = daemon.store().jobs().stream().filter(j -> j.state() == JobState.AWAITING_HOLDER)
                .sorted(Comparator.comparing(Job::createdAt)).toList();
        progress.println("counter: " + waiting.size() + " holders come for their cards");
        Actor operator = new Actor("demo", Role.OPERATOR);
        try (R30xScanner r307 = R30xScanner.tcp("127.0.0.1", scanner.port(), new R30xScanner.Geometry(256, 288, fingers.dpi()), Duration.ofSeconds(2))) {
            ScannerSource glass = new ScannerSource(r307, Duration.ofSeconds(2));
            int holder = 0;
            for (Job job : waiting) {
                holder++;
                boolean impostor = options.faults() && holder % 8 == 0;
                boolean tampered = options.faults() && holder % 16 == 4;
                VirtualCard card = cards.issued().stream().filter(c -> java.util.HexFormat.of().withUpperCase().formatHex(c.uid()).equals(job.blankId())).findFirst().orElse(null);
                if (card == null) {
                    progress.println("        " + job.recordId() + "  its card " + job.blankId() + " is not at the counter");
                    continue;
                }
                if (tampered) card.tamper(2, 100);
                RecordGenerator.Resident resident = generator.resident(indexOf.get(job.recordId()));
                Map<Integer, Iterator<byte[]>> placed = Map.of(
                        RecordGenerator.RIGHT_INDEX, captures(fingers, resident.rightIndexFinger(), resident, job.recordId(), impostor).iterator(),
                        RecordGenerator.LEFT_INDEX, captures(fingers, resident.leftIndexFinger(), resident, job.recordId(), impostor).iterator());
                HolderActivation.Result r;
                cards.awaitEmptyReader();
                try (AutoCloseable inReader = cards.atCounter(card)) {
                    r = daemon.counter().issue(job.recordId(), position -> {
                        Iterator<byte[]> next = placed.get(position);
                        if (next == null || !next.hasNext()) throw new HolderVerification.Unavailable("the holder left the counter");
                        try {
                            scanner.place(next.next());
                        } catch (IOException e) {
                            throw new HolderVerification.Unavailable("the scanner simulator: " + e.getMessage());
                        }
                        return glass.capture(position);
                    }, fingers.dpi(), operator, prompt -> { });
                } catch (HolderActivation.ActivationException e) {
                    follow.poll();
                    progress.println("        " + job.recordId() + "  NOT ISSUED: " + e.getMessage());
                    continue;
                } catch (Exception e) {
                    throw new IOException("the counter's reader: " + e.getMessage(), e);
                } finally {
                    scanner.lift();
                }
                follow.poll();
                String note = r.state() != JobState.ACTIVATION_FAILED ? ""
                        : impostor ? " (demo fault: another person's finger)" : tampered ? " (demo fault: the chip's photo altered after printing)" : "";
                progress.println(String.format("        %s  %s  %s%s", job.recordId(), r.state(), r.detail(), note));
            }
        } catch (R30xScanner.ScannerException e) {
            throw new IOException("the scanner simulator: " + e.getMessage(), e);
        }
    }

    /** The captures one finger gives at the counter, enough for the attempts and a few retakes (a stranger's finger for an impostor). */
    private static List<byte[]> captures(FingerprintLibrary fingers, String finger, RecordGenerator.Resident resident, String recordId, boolean impostor) {
        String placed = impostor ? someoneElsesFinger(fingers, resident) : finger;
        // Never impression 1, from which the chip's template was made; a different starting impression per holder.
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

    /** A technician who clears a jam a moment after it happens (the printer waits, the operator is told). */
    private Thread technician(SimulatedPrinter printer) {
        Thread t = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(200);
                    if (printer.jammed()) {
                        Thread.sleep(1500);
                        printer.clearJam();
                        progress.println("        technician: took the jammed card out of the printer and closed it");
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "demo-technician");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static int[] centerCounts(CentralServer central) {
        Map<ktp.lifecycle.NationalStatus, Integer> c = central.statusCounts();
        return new int[] {c.getOrDefault(ktp.lifecycle.NationalStatus.CARD_PRINTED, 0), c.getOrDefault(ktp.lifecycle.NationalStatus.CARD_ISSUED, 0)};
    }

    private static int collectorCount(ktp.collector.Collector collector, String field) {
        return collector.summary().path("stations").path(STATION_ID).path(field).asInt();
    }

    private static Summary summarize(StationStore store, int recordsIn, int atOffice, int blanksUsed, int[] atCenter, long loaded, int feederLeft, boolean reconciled) {
        Map<JobState, Long> byState = store.countByState();
        int spoiled = 0;
        int printed = 0;
        for (LedgerEntry e : store.ledger()) {
            if (e.fate() == BlankFate.SPOILED) spoiled++;
            else if (e.fate() != BlankFate.IN_PRINTER) printed++;
        }
        return new Summary(recordsIn, printed, byState.getOrDefault(JobState.ISSUED, 0L).intValue(), spoiled,
                byState.getOrDefault(JobState.REJECTED, 0L).intValue(), byState.getOrDefault(JobState.AWAITING_HOLDER, 0L).intValue(),
                byState.getOrDefault(JobState.ACTIVATION_FAILED, 0L).intValue(), atOffice, blanksUsed, atCenter[0], atCenter[1], loaded, feederLeft, reconciled);
    }

    private static void writeSummary(Path file, Summary s, double seconds) throws IOException {
        ObjectNode n = new ObjectMapper().createObjectNode();
        n.put("recordsIn", s.recordsIn());
        n.put("printed", s.printed());
        n.put("issued", s.issued());
        n.put("spoiledBlanks", s.spoiledBlanks());
        n.put("rejected", s.rejected());
        n.put("awaitingHolder", s.awaitingHolder());
        n.put("activationFailed", s.activationFailed());
        n.put("telemetryEvents", s.eventsPublished());
        n.put("blanksUsed", s.blanksUsed());
        n.put("printedAtDataCenter", s.printedAtDataCenter());
        n.put("issuedAtDataCenter", s.issuedAtDataCenter());
        n.put("blanksLoaded", s.blanksLoaded());
        n.put("blanksLeftInFeeder", s.blanksLeftInFeeder());
        n.put("reconciled", s.reconciled());
        n.put("seconds", Math.round(seconds * 10) / 10.0);
        ktp.datafile.PrivateFiles.write(file, new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(n));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Shows the station's job changes as they are committed, read from its audit log. */
    private final class Progress {
        private final StationStore store;
        private long seen;
        private final AtomicInteger printed = new AtomicInteger();

        Progress(StationStore store) {
            this.store = store;
        }

        synchronized void poll() {
            for (List<AuditEntry> batch = store.auditAfter(seen, 500); !batch.isEmpty(); batch = store.auditAfter(seen, 500)) {
                for (AuditEntry e : batch) {
                    seen = e.sequence();
                    String line = describe(e);
                    if (line != null) progress.println(line);
                }
            }
        }

        private String describe(AuditEntry e) {
            String time = java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss").format(e.at().atZone(ZONE));
            String a = e.action();
            if (a.startsWith("JOB ")) {
                String to = a.substring(a.indexOf("-> ") + 3);
                return switch (to) {
                    case "VALIDATED", "REJECTED", "ENCODING", "SPOILED" -> String.format("%s  %-18s %s", time, to, e.detail());
                    case "AWAITING_HOLDER" -> String.format("%s  %-18s %s   [%d printed]", time, "PRINTED", e.detail(), printed.incrementAndGet());
                    default -> null; // the counter's own lines tell each holder's outcome
                };
            }
            if (a.startsWith("PRINTER_") || a.equals("BLANK_FOUND") || a.equals("HELD_FOR_TECHNICIAN") || a.equals("NOT_PRINTABLE")) {
                return String.format("%s  %-18s %s", time, a, e.detail());
            }
            return null;
        }
    }
}
