package ktp.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import ktp.job.JobState;
import ktp.store.Job;
import ktp.store.StationStore;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "queue", mixinStandardHelpOptions = true,
        description = {"The station's jobs: each record, its NIK, its state, its blank and why it is there; oldest first.",
                "For a headless station (the console shows the same); the daemon's store is locked while it runs."})
final class QueueCommand implements Callable<Integer> {
    @ArgGroup(exclusive = true, multiplicity = "1")
    StoreChoice from;

    @Option(names = "--state", paramLabel = "STATE", description = "only jobs in this state (VALIDATED, AWAITING_HOLDER, ACTIVATION_FAILED, ...)")
    String state;

    @Option(names = "--nik", paramLabel = "NIK", description = "only the job of this NIK")
    String nik;

    @Option(names = "--json", description = "one JSON array instead of a table")
    boolean json;

    @Override
    public Integer call() throws Exception {
        JobState only = null;
        if (state != null) {
            try {
                only = JobState.valueOf(state.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new BadInputException("--state: no state \"" + state + "\"; states: " + List.of(JobState.values()));
            }
        }
        if (nik != null && !nik.matches("\\d{16}")) throw new BadInputException("--nik: a NIK is 16 digits, got \"" + nik + "\"");
        List<Job> jobs;
        try (StationStore s = from.open()) {
            JobState f = only;
            jobs = s.jobs().stream().filter(j -> f == null || j.state() == f).filter(j -> nik == null || j.nik().equals(nik))
                    .sorted(Comparator.comparing(Job::createdAt)).toList();
        }
        if (json) {
            ObjectMapper m = new ObjectMapper();
            ArrayNode a = m.createArrayNode();
            for (Job j : jobs) {
                ObjectNode n = a.addObject();
                n.put("recordId", j.recordId());
                n.put("nik", j.nik());
                n.put("state", j.state().name());
                n.put("blankId", j.blankId());
                n.put("reason", j.reason());
                n.put("spoiledBlanks", j.spoiledBlanks());
                n.put("createdAt", j.createdAt().toString());
                n.put("updatedAt", j.updatedAt().toString());
            }
            System.out.println(m.writeValueAsString(a));
            return ExitCodes.OK;
        }
        DateTimeFormatter t = DateTimeFormatter.ofPattern("MM-dd HH:mm").withZone(ZoneId.of("Asia/Jakarta"));
        System.out.printf("%-20s %-16s %-17s %-16s %-11s %s%n", "RECORD", "NIK", "STATE", "BLANK", "UPDATED", "REASON");
        for (Job j : jobs) {
            System.out.printf("%-20s %-16s %-17s %-16s %-11s %s%n", j.recordId(), j.nik(), j.state(), j.blankId().isEmpty() ? "-" : j.blankId(),
                    t.format(j.updatedAt()), j.reason().length() > 70 ? j.reason().substring(0, 67) + "..." : j.reason());
        }
        System.out.println(jobs.size() + " job(s)");
        return ExitCodes.OK;
    }
}
