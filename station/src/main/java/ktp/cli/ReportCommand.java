package ktp.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import ktp.report.DailyReport;
import ktp.report.ReportPdf;
import ktp.store.StationStore;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "report", mixinStandardHelpOptions = true, description = "The station's reports as PDF (docs/reports.md).",
        subcommands = ReportCommand.Daily.class)
final class ReportCommand extends CommandGroup {

    /** Which store a report reads: a store folder, or the one a station configuration names. */
    static final class StoreChoice {
        @Option(names = "--store", paramLabel = "DIR", description = "a station store folder (for a demo: DIR/station)")
        Path store;

        @Option(names = "--config", paramLabel = "FILE", description = "the station configuration whose store to read")
        Path config;

        Path resolve() {
            if (store != null) return store;
            try {
                return ktp.station.StationConfig.load(config, Paths.home().resolve("firmware-profiles")).store();
            } catch (ktp.datafile.DataFileException e) {
                throw new BadInputException("--config " + config + ": " + e.getMessage());
            }
        }
    }

    static StationStore open(StoreChoice choice) {
        Path dir = choice.resolve();
        if (!StationStore.existsIn(dir)) throw new BadInputException("no station store in " + dir + " (no checkpoint.db or journal.log)");
        try {
            return StationStore.open(dir, null, Clock.systemUTC());
        } catch (RuntimeException e) {
            throw new BadInputException("cannot open the station store " + dir + ": " + e.getMessage());
        }
    }

    static LocalDate date(String text, String option) {
        try {
            return LocalDate.parse(text);
        } catch (DateTimeParseException e) {
            throw new BadInputException(option + ": \"" + text + "\" is not a date (YYYY-MM-DD)");
        }
    }

    static ZoneId zone(String text) {
        try {
            return ZoneId.of(text);
        } catch (java.time.DateTimeException e) {
            throw new BadInputException("--zone: \"" + text + "\" is not a time zone (Asia/Jakarta, Asia/Makassar, Asia/Jayapura)");
        }
    }

    @Command(name = "daily", mixinStandardHelpOptions = true,
            description = {"The daily issuance report: counts by outcome, spoiled blanks with reasons, what each operator did.",
                    "Prints the counts; writes the PDF to --out."})
    static final class Daily implements Callable<Integer> {
        @ArgGroup(exclusive = true, multiplicity = "1")
        StoreChoice from;

        @Option(names = "--date", paramLabel = "YYYY-MM-DD", description = "the day (default: today in --zone)")
        String date;

        @Option(names = "--zone", paramLabel = "ZONE", defaultValue = "Asia/Jakarta", description = "the station's time zone (default ${DEFAULT-VALUE})")
        String zone;

        @Option(names = "--out", paramLabel = "FILE.pdf", required = true, description = "where to write the PDF")
        Path out;

        @Override
        public Integer call() throws IOException {
            ZoneId z = zone(zone);
            LocalDate day = date == null ? LocalDate.now(z) : date(date, "--date");
            DailyReport r;
            try (StationStore s = open(from)) {
                r = DailyReport.of(s, day, z, Clock.systemUTC().instant());
            }
            ReportPdf.daily(r, out);
            System.out.printf("%s %s: %d received, %d refused, %d printed, %d issued (%d by override), %d activation failed, %d blanks spoiled%n",
                    r.stationId(), r.day(), r.recordsIn(), r.rejected(), r.printed(), r.issued(), r.overrides(), r.activationFailed(), r.spoiled().size());
            System.out.println("report: " + out);
            return ExitCodes.OK;
        }
    }
}
