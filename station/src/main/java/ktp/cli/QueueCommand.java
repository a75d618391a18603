package ktp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import ktp.job.JobState;
import ktp.report.Listings;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "queue", mixinStandardHelpOptions = true,
        description = {"The station's jobs: each record, its NIK, its state, its blank and why it is there; oldest first.",
                "For a headless station (the console shows the same). While the daemon runs (its store locked), --config FILE --user NAME",
                "goes through its console."})
final class QueueCommand implements Callable<Integer> {
    @ArgGroup(exclusive = true, multiplicity = "1")
    StoreChoice from;

    @Option(names = "--state", paramLabel = "STATE", description = "only jobs in this state (VALIDATED, AWAITING_HOLDER, ACTIVATION_FAILED, ...)")
    String state;

    @Option(names = "--nik", paramLabel = "NIK", description = "only the job of this NIK")
    String nik;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "200",
            description = "without --state or --nik: the newest N jobs only (default ${DEFAULT-VALUE}; 0: every job, which reads the whole store)")
    int limit;

    @Option(names = "--json", description = "one JSON array instead of a table")
    boolean json;

    @Option(names = "--user", paramLabel = "NAME", description = "while the daemon runs (its store locked): with --config, go through its console as this account")
    String user;

    @Override
    public Integer call() throws Exception {
        CliText.config(from.config);
        JobState only = null;
        if (state != null) {
            try {
                only = JobState.valueOf(state.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw CliText.bad("err.queue.state", state, List.of(JobState.values()));
            }
        }
        if (limit < 0) throw CliText.bad("err.queue.limit", limit);
        if (nik != null && !nik.matches("\\d{16}")) throw CliText.bad("err.nik", nik);
        JsonNode jobs;
        long total = -1;
        try (StoreChoice.Access a = from.access(user, true)) {
            if (a.console() != null) {
                jobs = a.console().get("/api/queue?state=" + (only == null ? "" : only.name()) + "&nik=" + (nik == null ? "" : nik));
            } else {
                jobs = Listings.jobs(a.store(), only == null ? null : only.name(), nik, limit);
                total = only == null && nik == null && limit > 0 ? a.store().jobCount() : -1;
            }
        }
        if (json) {
            System.out.println(new ObjectMapper().writeValueAsString(jobs));
            return ExitCodes.OK;
        }
        DateTimeFormatter t = DateTimeFormatter.ofPattern("MM-dd HH:mm").withZone(ZoneId.of("Asia/Jakarta"));
        System.out.printf("%-20s %-16s %-28s %-16s %-11s %s%n", CliText.t("col.record"), CliText.t("col.nik"), CliText.t("col.state"), CliText.t("col.blank"),
                CliText.t("col.updated"), CliText.t("col.reason"));
        for (JsonNode j : jobs) {
            String reason = j.path("reason").asText();
            System.out.printf("%-20s %-16s %-28s %-16s %-11s %s%n", j.path("recordId").asText(), j.path("nik").asText(), CliText.state(j.path("state").asText()),
                    j.path("blankId").asText().isEmpty() ? "-" : j.path("blankId").asText(), t.format(Instant.parse(j.path("updatedAt").asText())),
                    reason.length() > 70 ? reason.substring(0, 67) + "..." : reason);
        }
        System.out.println(CliText.t("queue.count", jobs.size()) + (total > jobs.size() ? CliText.t("queue.newestOf", total) : ""));
        return ExitCodes.OK;
    }
}
