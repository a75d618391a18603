package ktp.cli;

import ktp.dinas.ReportSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import ktp.datafile.AtomicFile;
import ktp.report.DailyReport;
import ktp.report.ReportPdf;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "report", mixinStandardHelpOptions = true, description = "The station's reports as PDF (docs/reports.md).",
        subcommands = {ReportCommand.Daily.class, ReportCommand.Reconcile.class})
final class ReportCommand extends CommandGroup {

    static LocalDate date(String text, String option) {
        try {
            return LocalDate.parse(text);
        } catch (DateTimeParseException e) {
            throw CliText.bad("err.report.date", option, text);
        }
    }

    static ZoneId zone(String text) {
        try {
            return ZoneId.of(text);
        } catch (java.time.DateTimeException e) {
            throw CliText.bad("err.report.zone", text);
        }
    }

    /**
     * The report settings (letterhead, number, officers) from --config's report section; none with --store alone.
     * {@code lang}: --lang, over the section's language.
     */
    static ktp.dinas.ReportSettings settings(StoreChoice from, String lang) {
        ktp.dinas.ReportSettings s = ktp.dinas.ReportSettings.DEFAULT;
        if (from.config != null) {
            try {
                s = ktp.dinas.ReportSettings.load(from.config);
            } catch (ktp.datafile.DataFileException e) {
                throw CliText.bad("err.report.config", from.config, e.message(CliText.language()));
            }
        }
        if (lang != null) {
            if (!lang.equals("id") && !lang.equals("en")) throw CliText.bad("err.report.lang", lang);
            s = s.withLanguage(ktp.i18n.Language.of(lang));
        }
        return s;
    }

    /** --lang for a download through the running daemon's console ("&lang=en"), checked as {@link #settings} checks it; "" without it. */
    static String langQuery(String lang) {
        if (lang == null) return "";
        if (!lang.equals("id") && !lang.equals("en")) throw CliText.bad("err.report.lang", lang);
        return "&lang=" + lang;
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

        @Option(names = "--user", paramLabel = "NAME", description = "while the daemon runs (its store locked): with --config, get the report from its console as this account")
        String user;


        @Override
        public Integer call() throws IOException {
            // --lang is the command line's own (inherited from ktp): the report's language when given, else report.language, else id.
            String lang = CliText.explicitCode();
            CliText.config(from.config);
            ZoneId z = zone(zone);
            LocalDate day = date == null ? LocalDate.now(z) : date(date, "--date");
            DailyReport r;
            try (StoreChoice.Access a = from.access(user, true)) {
                if (a.console() != null) {
                    AtomicFile.write(out, a.console().download("/reports/daily.pdf?date=" + day + langQuery(lang)), false);
                    System.out.println(CliText.t("report.fromConsole", out));
                    return ExitCodes.OK;
                }
                r = DailyReport.of(a.store(), day, z, Clock.systemUTC().instant());
            }
            AtomicFile.write(out, ReportPdf.daily(r, settings(from, lang)), false);
            System.out.println(CliText.t("report.daily", r.stationId(), r.day().toString(), r.recordsIn(), r.rejected(), r.printed(), r.issued(), r.overrides(),
                    r.activationFailed(), r.spoiled().size()));
            System.out.println(CliText.t("report.written", out));
            return ExitCodes.OK;
        }
    }

    @Command(name = "reconciliation", mixinStandardHelpOptions = true,
            description = {"The blank-card reconciliation for a period: blanks loaded into the feeders against blanks issued, printed",
                    "and waiting, spoiled, inside a printer and expected in the feeder (with --counted, the difference from what was",
                    "counted), and the record of spoiled cards for destruction with signature lines. Exit 1 when --counted differs."})
    static final class Reconcile implements Callable<Integer> {
        @ArgGroup(exclusive = true, multiplicity = "1")
        StoreChoice from;

        @Option(names = "--from", paramLabel = "YYYY-MM-DD", required = true, description = "first day of the period")
        String fromDate;

        @Option(names = "--to", paramLabel = "YYYY-MM-DD", required = true, description = "last day of the period")
        String toDate;

        @Option(names = "--counted", paramLabel = "N", description = "blanks the operator counted in the feeder(s) at the end of the period")
        Integer counted;

        @Option(names = "--zone", paramLabel = "ZONE", defaultValue = "Asia/Jakarta", description = "the station's time zone (default ${DEFAULT-VALUE})")
        String zone;

        @Option(names = "--out", paramLabel = "FILE.pdf", required = true, description = "where to write the PDF")
        Path out;

        @Option(names = "--user", paramLabel = "NAME", description = "while the daemon runs (its store locked): with --config, get the report from its console as this account")
        String user;


        @Override
        public Integer call() throws IOException {
            // --lang is the command line's own (inherited from ktp): the report's language when given, else report.language, else id.
            String lang = CliText.explicitCode();
            CliText.config(from.config);
            ZoneId z = zone(zone);
            LocalDate a = date(fromDate, "--from");
            LocalDate b = date(toDate, "--to");
            if (b.isBefore(a)) throw CliText.bad("err.report.order", b.toString(), a.toString());
            if (counted != null && counted < 0) throw CliText.bad("err.report.counted", counted);
            ktp.report.Reconciliation r;
            try (StoreChoice.Access access = from.access(user, true)) {
                if (access.console() != null) {
                    AtomicFile.write(out, access.console().download("/reports/reconciliation.pdf?from=" + a + "&to=" + b + (counted == null ? "" : "&counted=" + counted) + langQuery(lang)), false);
                    System.out.println(CliText.t("report.fromConsoleBalance", out));
                    return ExitCodes.OK;
                }
                r = ktp.report.Reconciliation.of(access.store(), a, b, z, counted == null ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(counted), Clock.systemUTC().instant());
            }
            AtomicFile.write(out, ReportPdf.reconciliation(r, settings(from, lang)), false);
            System.out.println(CliText.t("report.balance", r.stationId(), r.from().toString(), r.to().toString(), r.loaded(), r.issued(), r.awaitingHolder(), r.spoiled(),
                    r.inPrinter(), r.expectedInFeeder()));
            if (r.expectedInFeeder() < 0) System.out.println(CliText.t("report.moreTaken", -r.expectedInFeeder()));
            if (r.countedInFeeder().isPresent()) {
                int d = r.difference().getAsInt();
                System.out.println(d == 0 ? CliText.t("report.reconciled", counted) : CliText.t("report.difference", counted, String.format("%+d", d)));
            }
            System.out.println(CliText.t("report.forDestruction", r.forDestruction().size(), out));
            return r.difference().orElse(0) == 0 ? ExitCodes.OK : ExitCodes.FAILURE;
        }
    }
}
