package ktp.sim.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import ktp.collector.Collector;
import ktp.job.JobState;
import ktp.lifecycle.NationalStatus;
import ktp.sim.card.VpcdBlankStock;
import ktp.sim.central.CentralServer;
import ktp.sim.printer.SimulatedPrinter;
import ktp.station.StationHealth;
import ktp.store.BlankFate;
import ktp.store.Job;
import ktp.store.LedgerEntry;
import ktp.store.StationStore;

/**
 * The campaign's independent checker: it reads the store and its ledger, the printer simulator's own counts, the
 * blanks the card simulator handed out, the data center's state and the office's archive, never the daemon's own
 * summary, and names every invariant of issue 15 that does not hold.
 */
final class SoakChecker {
    private final Path stationDir;
    private final String station;
    private final SimulatedPrinter printer;
    private final VpcdBlankStock stock;
    private final CentralServer central;
    private final Collector collector;
    private final int cards;
    private final int loaded;
    private String summary = "";
    private int dataCenterMissed;
    private long settledAtEject;
    private final List<SoakCampaign.Unplugged> unplugged;
    private final List<CounterVisits.Visit> visits;

    SoakChecker(Path stationDir, String station, SimulatedPrinter printer, VpcdBlankStock stock, CentralServer central, Collector collector, int cards, int loaded,
                List<SoakCampaign.Unplugged> unplugged, List<CounterVisits.Visit> visits) {
        this.unplugged = unplugged;
        this.visits = visits;
        this.stationDir = stationDir;
        this.station = station;
        this.printer = printer;
        this.stock = stock;
        this.central = central;
        this.collector = collector;
        this.cards = cards;
        this.loaded = loaded;
    }

    String summary() { return summary; }

    /**
     * Until every record is printed at the data center or held there and the daemon's outbox is empty, or nothing
     * has moved for 30 s with every lane READY (a record the station holds for a technician: the checker names it),
     * or the deadline.
     */
    static void awaitSettled(CentralServer central, int cards, Path stationDir, long deadline) throws InterruptedException {
        String last = "";
        long stableSince = System.nanoTime();
        while (System.nanoTime() < deadline) {
            int printed = printedAtCenter(central);
            int held = central.heldRecords().size();
            StationHealth h = status(stationDir);
            boolean lanesReady = h != null && h.lanes().stream().allMatch(l -> l.kind().name().equals("READY"));
            if (printed + held >= cards && h != null && h.outboxDepth() == 0 && lanesReady) return;
            String now = printed + "/" + held + "/" + (h == null ? "-" : h.outboxDepth() + "/" + h.queueDepth() + "/" + h.printerStatus());
            if (!now.equals(last)) {
                last = now;
                stableSince = System.nanoTime();
            } else if (lanesReady && h.outboxDepth() == 0 && System.nanoTime() - stableSince > 30_000_000_000L) {
                return;
            }
            Thread.sleep(250);
        }
    }

    /** Records the data center has as printed: CARD_PRINTED, or issued since (CARD_ISSUED comes after it). */
    private static int printedAtCenter(CentralServer central) {
        var counts = central.statusCounts();
        return counts.getOrDefault(NationalStatus.CARD_PRINTED, 0) + counts.getOrDefault(NationalStatus.CARD_ISSUED, 0);
    }

    /** Whether the daemon's status, written after {@code since}, shows a lane paused with READER_MISSING. */
    static boolean readerMissingShown(Path stationDir, Instant since) {
        StationHealth h = status(stationDir);
        return h != null && h.at().isAfter(since) && h.alerts().stream().anyMatch(a -> a.code().equals(StationHealth.READER_MISSING))
                && h.lanes().stream().allMatch(l -> l.kind().name().equals("PAUSED"));
    }

    private static StationHealth status(Path stationDir) {
        Path f = StationHealth.statusFile(stationDir.resolve("store"));
        try {
            StationHealth h = StationHealth.fromJson(Files.readAllBytes(f));
            return h.at().plusSeconds(10).isAfter(Instant.now()) ? h : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** What must hold while the daemon still runs: no lane dead, and health agreeing with the simulators' real state. */
    List<String> whileRunning() {
        List<String> broken = new ArrayList<>();
        StationHealth h = status(stationDir);
        if (h == null) {
            broken.add("no lane dead / health: the running daemon has written no fresh status (dead or hung)");
            return broken;
        }
        for (SoakCampaign.Unplugged u : unplugged) {
            if (!u.pausedForIt()) broken.add("a missing reader pauses the lane: the encoder's reader was unplugged " + u.from() + " to " + u.to()
                    + " and the daemon's status never showed the lane PAUSED with READER_MISSING (20 s)");
        }
        for (var l : h.lanes()) {
            if (l.kind().name().equals("FAULTED") || l.kind().name().equals("STOPPED")) broken.add("no lane dead: printer " + l.printer() + " is " + l.kind() + " " + l.code() + ": " + l.detail());
        }
        boolean simReady = !printer.coverOpen() && !printer.jammed() && !printer.hopperFull() && printer.feeder() > 0 && printer.ribbon() > 0;
        boolean saysReady = h.lanes().stream().allMatch(l -> l.canPrint());
        if (simReady != saysReady) {
            broken.add("health agrees with the simulators: the printer simulator is " + (simReady ? "ready" : "not ready") + " (cover open " + printer.coverOpen()
                    + ", jammed " + printer.jammed() + ", reject box full " + printer.hopperFull() + ", feeder " + printer.feeder() + ", ribbon " + printer.ribbon()
                    + ") but health says " + h.printerStatus() + " " + h.lanes());
        }
        for (StationHealth.Alert a : h.alerts()) {
            if (a.code().equals(StationHealth.COVER_OPEN) && !printer.coverOpen()) broken.add("health agrees with the simulators: COVER_OPEN alert while the cover is closed");
            if (a.code().equals(StationHealth.FEEDER_NEGATIVE) || a.code().equals(StationHealth.FEEDER_UNKNOWN)) broken.add("feeder count: " + a);
        }
        return broken;
    }

    /** What must hold once the daemon has stopped in order. */
    List<String> afterStop() throws IOException {
        List<String> broken = new ArrayList<>();
        try (StationStore store = StationStore.open(stationDir.resolve("store"), station, Clock.systemUTC())) {
            List<Job> jobs = store.jobs();
            List<LedgerEntry> ledger = store.ledger();
            // 1. Every record printed at most once (no reprint is ever decided in the campaign).
            Map<String, Integer> printedPerRecord = new HashMap<>();
            for (LedgerEntry e : ledger) {
                if (e.fate() == BlankFate.PRINTED_AWAITING_HOLDER || e.fate() == BlankFate.ISSUED) printedPerRecord.merge(e.recordId(), 1, Integer::sum);
            }
            printedPerRecord.forEach((r, n) -> { if (n > 1) broken.add("every record printed at most once: " + r + " printed " + n + " times"); });
            Set<String> niks = new HashSet<>();
            for (Job j : jobs) {
                if (j.state() == JobState.AWAITING_HOLDER && !niks.add(j.nik())) broken.add("no NIK printed twice: " + j.nik());
            }
            // 2. Every blank taken from the feeder is in the ledger with a fate; the ledger reconciles with the printer's counts.
            long taken = printer.printed() + printer.rejected();
            if (ledger.size() != taken) {
                broken.add("the ledger reconciles with the printer: " + ledger.size() + " ledger entries, the printer simulator took " + taken
                        + " (" + printer.printed() + " printed, " + printer.rejected() + " to the reject box)");
            }
            // Exactly, with no tolerance: a card the printer finished while the daemon was being killed is settled at the
            // restart by the printer's own counter (printed and kept, audited CARD_SETTLED_PRINTED), never spoiled and reprinted.
            long ledgerPrinted = ledger.stream().filter(e -> e.fate() == BlankFate.PRINTED_AWAITING_HOLDER || e.fate() == BlankFate.ISSUED).count();
            long ledgerSpoiled = ledger.stream().filter(e -> e.fate() == BlankFate.SPOILED).count();
            settledAtEject = store.auditLog().stream().filter(a -> a.action().equals("CARD_SETTLED_PRINTED")).count();
            if (printer.printed() != ledgerPrinted) {
                broken.add("printed cards reconcile: the printer simulator ejected " + printer.printed() + " printed cards, the ledger has " + ledgerPrinted + " printed");
            }
            if (printer.rejected() != ledgerSpoiled) {
                broken.add("spoiled cards reconcile: the printer simulator sent " + printer.rejected() + " cards to the reject box (or had them taken out at a jam), the ledger has "
                        + ledgerSpoiled + " spoiled");
            }
            if (loaded - taken != printer.feeder()) broken.add("the feeder reconciles: loaded " + loaded + " - taken " + taken + " != " + printer.feeder() + " left in the feeder");
            Set<String> ids = new HashSet<>();
            for (LedgerEntry e : ledger) {
                if (!ids.add(e.blankId())) broken.add("blank ids are unique: " + e.blankId() + " twice");
                if (e.fate() == BlankFate.IN_PRINTER) broken.add("every blank has a fate: " + e.blankId() + " is still IN_PRINTER");
                if (e.fate() == BlankFate.SPOILED && e.reason().isBlank()) broken.add("every spoiled blank has its reason: " + e.blankId());
                // 3. No blank spent while a needed device was known missing: none taken while the encoder's reader was unplugged
                // (a second's grace for a readiness check that answered just before the cable was pulled). A blank taken before
                // and spoiled by the unplugging is accounted for with its reason; any other "no reader" spoil is a blank spent blind.
                boolean takenJustBefore = false;
                for (SoakCampaign.Unplugged u : unplugged) {
                    if (e.enteredAt().isAfter(u.from().plusSeconds(1)) && e.enteredAt().isBefore(u.to())) {
                        broken.add("no blank spent while the encoder reader was missing: " + e.blankId() + " taken at " + e.enteredAt() + ", the reader unplugged "
                                + u.from() + " to " + u.to());
                    }
                    if (!e.enteredAt().isAfter(u.from().plusSeconds(1)) && e.enteredAt().isAfter(u.from().minusSeconds(60))) takenJustBefore = true;
                }
                if (!takenJustBefore && (e.reason().contains("no PC/SC reader") || e.reason().contains("encoder reader"))) broken.add("no blank spent while the encoder reader was missing: " + e);
            }
            // A chip that never answered (mute, pulled out) is ledgered under a NOUID- id from the store's counter, not its UID.
            List<String> notByUid = new ArrayList<>();
            for (var c : stock.issued()) {
                String uid = java.util.HexFormat.of().withUpperCase().formatHex(c.uid());
                if (!ids.contains(uid)) notByUid.add(uid);
            }
            long noUid = ledger.stream().filter(e -> e.blankId().startsWith("NOUID-")).count();
            if (notByUid.size() > noUid) {
                broken.add("every blank that reached the encoder is in the ledger: " + notByUid + " are not, and only " + noUid + " blank(s) are ledgered without a UID");
            }
            // 4. Every event at the office exactly once, in order per station.
            long events = store.lastEventSequence();
            JsonNode st = collector.summary().path("stations").path(station);
            if (st.path("events").asLong() != events || st.path("missing").asLong() != 0) {
                broken.add("every event at the office exactly once: the station wrote " + events + ", the office has " + st.path("events").asLong() + " (missing "
                        + st.path("missing").asLong() + ")");
            }
            if (store.outboxDepth() != 0) broken.add("no event lost: " + store.outboxDepth() + " still in the outbox after the orderly stop");
            List<Long> order = new ArrayList<>();
            ObjectMapper json = new ObjectMapper();
            Set<Long> seen = new HashSet<>();
            for (String line : Files.readAllLines(collector.archiveFile())) {
                JsonNode e = json.readTree(line);
                if (!station.equals(e.path("stationId").asText())) continue;
                long seq = e.path("sequence").asLong();
                if (!seen.add(seq)) broken.add("every event at the office exactly once: sequence " + seq + " archived twice");
                order.add(seq);
            }
            for (int i = 1; i < order.size(); i++) {
                if (order.get(i) < order.get(i - 1)) {
                    broken.add("events in order per station: the office archived " + order.get(i) + " after " + order.get(i - 1));
                    break;
                }
            }
            // 7. Every record is printed, declined or held with a reason.
            int printedAtCenter = printedAtCenter(central);
            int held = central.heldRecords().size();
            // A record the station holds for a technician (it spoiled blanks by its chip three times) is held with its reason.
            Set<String> heldHere = new HashSet<>();
            for (var a : store.auditLog()) {
                if (a.action().equals("HELD_FOR_TECHNICIAN")) heldHere.add(a.detail().replaceFirst("^record (\\S+):.*$", "$1"));
            }
            for (Job j : jobs) {
                if (j.state() == JobState.REJECTED && j.reason().isBlank()) broken.add("a rejected record has its reason: " + j.recordId());
                boolean heldWithReason = j.state() == JobState.VALIDATED && heldHere.contains(j.recordId());
                if (j.state() != JobState.AWAITING_HOLDER && j.state() != JobState.ISSUED && j.state() != JobState.ACTIVATION_FAILED && j.state() != JobState.REJECTED && j.state() != JobState.RELEASED && !heldWithReason) {
                    broken.add("every record printed, declined or held: " + j.recordId() + " is " + j.state());
                }
            }
            // Printed is what the office's archive has as CARD_PRINTED (checked once each above); the data center's own count is
            // reported beside it: its simulator's MQTT intake can miss an event delivered while it is itself being restarted.
            Set<String> printedAtOffice = new HashSet<>();
            for (String line : Files.readAllLines(collector.archiveFile())) {
                JsonNode e = json.readTree(line);
                if (station.equals(e.path("stationId").asText()) && e.path("type").asText().equals("CARD_PRINTED")) printedAtOffice.add(e.path("recordId").asText());
            }
            if (printedAtOffice.size() + held + heldHere.size() != cards) {
                broken.add("every record printed, declined or held: the office has " + printedAtOffice.size() + " printed, the data center holds " + held
                        + ", the station holds " + heldHere.size() + " for a technician, of " + cards);
            }
            dataCenterMissed = printedAtOffice.size() - printedAtCenter;
            issuance(jobs, ledger, json, broken);
            if (!store.verifyAudit().intact()) broken.add("the audit chain is intact: " + store.verifyAudit().problem());
            summary = printer.printed() + " printed" + (settledAtEject > 0 ? " (" + settledAtEject + " of them came out while the daemon was killed, settled by the printer's counter)" : "") + ", " + printer.rejected() + " blanks to the reject box, " + ledger.size() + " ledger entries ("
                    + ledger.stream().filter(e -> e.fate() == BlankFate.SPOILED).count() + " spoiled), " + events + " events at the office, "
                    + printedAtCenter + " printed (CARD_PRINTED or on to CARD_ISSUED) at the data center" + (dataCenterMissed > 0 ? " (its intake missed " + dataCenterMissed + " the office has)" : "") + ", "
                    + held + " held there, " + heldHere.size() + " held at the station for a technician; the encoder's reader unplugged " + unplugged.size()
                    + " time(s); at the counter " + visits.size() + " holders, " + visits.stream().filter(v -> v.finalState().equals("ISSUED")).count() + " issued, faults "
                    + visits.stream().filter(v -> v.fault() != null).map(v -> v.fault().kind() + " -> " + v.stateAfterFault()).toList();
        }
        return broken;
    }

    /** The counter's invariants, from the store, its ledger, the office's archive and the scanner simulator's own count. */
    private void issuance(List<Job> jobs, List<LedgerEntry> ledger, ObjectMapper json, List<String> broken) throws IOException {
        Map<String, CounterVisits.Visit> visitOf = new HashMap<>();
        for (CounterVisits.Visit v : visits) visitOf.put(v.recordId(), v);
        Map<String, Integer> issuedAtOffice = new HashMap<>();
        for (String line : Files.readAllLines(collector.archiveFile())) {
            JsonNode e = json.readTree(line);
            if (station.equals(e.path("stationId").asText()) && e.path("type").asText().equals("CARD_ISSUED")) issuedAtOffice.merge(e.path("recordId").asText(), 1, Integer::sum);
        }
        Map<String, BlankFate> fateOf = new HashMap<>();
        for (LedgerEntry e : ledger) fateOf.put(e.blankId(), e.fate());
        int issued = 0;
        for (Job j : jobs) {
            boolean isIssued = j.state() == JobState.ISSUED;
            int atOffice = issuedAtOffice.getOrDefault(j.recordId(), 0);
            if (atOffice != (isIssued ? 1 : 0)) {
                broken.add("CARD_ISSUED at the office exactly once per issued card: record " + j.recordId() + " is " + j.state() + ", the office has " + atOffice);
            }
            if (!isIssued) continue;
            issued++;
            // Only after a fingerprint match against its chip, or a supervisor's logged override.
            boolean matched = j.reason().matches("finger \\d+ matched \\(score .*");
            boolean override = j.reason().startsWith("supervisor override: ");
            if (!matched && !override) broken.add("ISSUED only after a fingerprint match or a logged override: record " + j.recordId() + " was issued with '" + j.reason() + "'");
            CounterVisits.Visit v = visitOf.get(j.recordId());
            if (v == null) broken.add("ISSUED only at a holder's visit: record " + j.recordId() + " was issued and no holder came for it");
            else if (matched && !v.ownFingerServed()) broken.add("ISSUED only after the holder's finger was read: the scanner simulator sent no image during the visit of " + j.recordId());
            if (fateOf.get(j.blankId()) != BlankFate.ISSUED) broken.add("the issued card's blank is ISSUED in the ledger: " + j.blankId() + " is " + fateOf.get(j.blankId()));
        }
        long ledgerIssued = ledger.stream().filter(e -> e.fate() == BlankFate.ISSUED).count();
        if (ledgerIssued != issued) broken.add("never ISSUED twice: the ledger has " + ledgerIssued + " blanks ISSUED for " + issued + " issued jobs");
        for (CounterVisits.Visit v : visits) {
            Job j = jobs.stream().filter(x -> x.recordId().equals(v.recordId())).findFirst().orElse(null);
            String state = j == null ? "missing" : j.state().name();
            if (!state.equals("ISSUED") && !state.equals("AWAITING_HOLDER") && !(state.equals("ACTIVATION_FAILED") && !j.reason().isBlank())) {
                broken.add("a visit leaves its job in a defined state: " + v.recordId() + " is " + state + " after " + v);
            }
            if (v.fault() != null && !v.stateAfterFault().equals("AWAITING_HOLDER") && !(v.stateAfterFault().equals("ACTIVATION_FAILED") && !v.reasonAfterFault().isBlank())
                    && !v.stateAfterFault().equals("ISSUED")) {
                broken.add("an issuance interrupted by a scanner fault leaves AWAITING_HOLDER or ACTIVATION_FAILED with its reason: " + v.recordId() + " was "
                        + v.stateAfterFault() + " ('" + v.reasonAfterFault() + "') after " + v.fault());
            }
        }
        if (!visits.isEmpty() && issued == 0) broken.add("the counter issued a card: " + visits.size() + " holders came and none was issued (" + visits + ")");
    }
}
