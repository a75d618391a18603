package ktp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import ktp.store.Actor;
import ktp.store.BlankFate;
import ktp.store.Role;
import ktp.report.Listings;
import ktp.store.StoreException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "ledger", mixinStandardHelpOptions = true,
        description = {"The blank-card ledger: every blank a printer took, by its chip UID, with its record and fate, and the totals.",
                "'ktp ledger load' records blanks put into a feeder (the reconciliation's 'in' side)."},
        subcommands = LedgerCommand.Load.class)
final class LedgerCommand implements Callable<Integer> {
    // Optional here so that 'ledger load --store DIR' parses; required when the ledger itself is listed.
    @ArgGroup(exclusive = true, multiplicity = "0..1")
    StoreChoice from;

    @Option(names = "--fate", paramLabel = "FATE", description = "only blanks with this fate: IN_PRINTER, PRINTED_AWAITING_HOLDER, ISSUED, SPOILED")
    String fate;

    @Option(names = "--json", description = "one JSON array instead of a table")
    boolean json;

    @Option(names = "--user", paramLabel = "NAME", description = "while the daemon runs (its store locked): with --config, go through its console as this account")
    String user;

    @Override
    public Integer call() throws Exception {
        if (from != null) CliText.config(from.config);
        BlankFate only = null;
        if (fate != null) {
            try {
                only = BlankFate.valueOf(fate.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw CliText.bad("err.ledger.fate", fate, List.of(BlankFate.values()));
            }
        }
        if (from == null) throw CliText.bad("err.ledger.noStore");
        JsonNode entries;
        try (StoreChoice.Access a = from.access(user, true)) {
            if (a.console() != null) {
                entries = a.console().get("/api/ledger?fate=" + (only == null ? "" : only.name()));
            } else {
                entries = Listings.ledger(a.store(), only == null ? null : only.name());
            }
        }
        if (json) {
            System.out.println(new ObjectMapper().writeValueAsString(entries));
            return ExitCodes.OK;
        }
        DateTimeFormatter t = DateTimeFormatter.ofPattern("MM-dd HH:mm").withZone(ZoneId.of("Asia/Jakarta"));
        System.out.printf("%-16s %-20s %-28s %-11s %s%n", CliText.t("col.blank"), CliText.t("col.record"), CliText.t("col.fate"), CliText.t("col.updated"), CliText.t("col.reason"));
        Map<String, Integer> totals = new java.util.TreeMap<>();
        for (JsonNode e : entries) {
            totals.merge(CliText.fate(e.path("fate").asText()), 1, Integer::sum);
            String reason = e.path("reason").asText();
            System.out.printf("%-16s %-20s %-28s %-11s %s%n", e.path("blankId").asText(), e.path("recordId").asText().isEmpty() ? "-" : e.path("recordId").asText(),
                    CliText.fate(e.path("fate").asText()), t.format(java.time.Instant.parse(e.path("updatedAt").asText())), reason.length() > 60 ? reason.substring(0, 57) + "..." : reason);
        }
        System.out.println(CliText.t("ledger.count", entries.size(), totals.toString()));
        return ExitCodes.OK;
    }

    @Command(name = "load", mixinStandardHelpOptions = true,
            description = "Record blanks put into a printer's feeder, with the delivery's reference (in the audit log, under your name).")
    static final class Load implements Callable<Integer> {
        @ArgGroup(exclusive = true, multiplicity = "1")
        StoreChoice from;

        @Option(names = "--count", paramLabel = "N", required = true, description = "blanks loaded (1..100000)")
        int count;

        @Option(names = "--reference", paramLabel = "TEXT", required = true, description = "the delivery note or batch the blanks came with")
        String reference;

        @Option(names = "--operator", paramLabel = "NAME", required = true, description = "who loaded them")
        String operator;

        @Option(names = "--user", paramLabel = "NAME", description = "while the daemon runs (its store locked): with --config, go through its console as this account")
        String user;

        @Override
        public Integer call() {
            CliText.config(from.config);
            if (!operator.matches("[A-Za-z0-9._-]{1,64}")) throw CliText.bad("err.operator", operator);
            // The store checks these too; here they are said in the operator's language before anything is opened.
            if (count < 1 || count > 100_000) throw CliText.bad("err.ledger.count", count);
            if (reference.strip().isEmpty() || reference.strip().length() > 200) throw CliText.bad("err.ledger.reference");
            try (StoreChoice.Access a = from.access(user)) {
                // Through the console the account signed in is who loaded them; --operator must name it.
                if (a.console() != null) {
                    if (!operator.equals(user)) throw CliText.bad("err.ledger.notSignedIn", operator, user);
                    a.console().post("/api/ledger/load", Map.of("count", Integer.toString(count), "reference", reference));
                } else {
                    a.store().blanksLoaded(count, reference, new Actor(operator, Role.OPERATOR));
                }
            } catch (StoreException | ConsoleSession.ConsoleRefusal e) {
                throw CliText.bad("err.ledger.notLoaded", e instanceof StoreException s ? s.message(CliText.language()) : e.getMessage());
            }
            System.out.println(CliText.t("ledger.loaded", count, operator, reference.strip()));
            return ExitCodes.OK;
        }
    }
}
