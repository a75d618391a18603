package ktp.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import ktp.store.Actor;
import ktp.store.BlankFate;
import ktp.store.LedgerEntry;
import ktp.store.Role;
import ktp.store.StationStore;
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

    @Override
    public Integer call() throws Exception {
        BlankFate only = null;
        if (fate != null) {
            try {
                only = BlankFate.valueOf(fate.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new BadInputException("--fate: no fate \"" + fate + "\"; fates: " + List.of(BlankFate.values()));
            }
        }
        if (from == null) throw new BadInputException("name the station's store: --store DIR or --config FILE");
        List<LedgerEntry> entries;
        try (StationStore s = from.open()) {
            BlankFate f = only;
            entries = s.ledger().stream().filter(e -> f == null || e.fate() == f).sorted(Comparator.comparing(LedgerEntry::enteredAt)).toList();
        }
        if (json) {
            ObjectMapper m = new ObjectMapper();
            ArrayNode a = m.createArrayNode();
            for (LedgerEntry e : entries) {
                ObjectNode n = a.addObject();
                n.put("blankId", e.blankId());
                n.put("recordId", e.recordId());
                n.put("nik", e.nik());
                n.put("fate", e.fate().name());
                n.put("reason", e.reason());
                n.put("enteredAt", e.enteredAt().toString());
                n.put("updatedAt", e.updatedAt().toString());
            }
            System.out.println(m.writeValueAsString(a));
            return ExitCodes.OK;
        }
        DateTimeFormatter t = DateTimeFormatter.ofPattern("MM-dd HH:mm").withZone(ZoneId.of("Asia/Jakarta"));
        System.out.printf("%-16s %-20s %-24s %-11s %s%n", "BLANK", "RECORD", "FATE", "UPDATED", "REASON");
        Map<BlankFate, Integer> totals = new EnumMap<>(BlankFate.class);
        for (LedgerEntry e : entries) {
            totals.merge(e.fate(), 1, Integer::sum);
            System.out.printf("%-16s %-20s %-24s %-11s %s%n", e.blankId(), e.recordId().isEmpty() ? "-" : e.recordId(), e.fate(), t.format(e.updatedAt()),
                    e.reason().length() > 60 ? e.reason().substring(0, 57) + "..." : e.reason());
        }
        System.out.println(entries.size() + " blank(s): " + totals);
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

        @Override
        public Integer call() {
            if (!operator.matches("[A-Za-z0-9._-]{1,64}")) throw new BadInputException("--operator: letters, digits, '.', '_' or '-', at most 64, got \"" + operator + "\"");
            try (StationStore s = from.open()) {
                s.blanksLoaded(count, reference, new Actor(operator, Role.OPERATOR));
            } catch (StoreException e) {
                throw new BadInputException(e.getMessage());
            }
            System.out.println("recorded: " + count + " blanks loaded by " + operator + " (" + reference.strip() + ")");
            return ExitCodes.OK;
        }
    }
}
