package ktp.console.pages;

import ktp.dinas.ReportSettings;
import static ktp.console.web.Html.esc;

import java.io.IOException;
import java.time.LocalDate;
import java.util.List;
import java.util.OptionalInt;
import ktp.console.ConsoleContext;
import ktp.console.web.Request;
import ktp.console.web.Responses;
import ktp.console.web.Route;
import ktp.report.DailyReport;
import ktp.report.Reconciliation;
import ktp.report.ReportPdf;
import ktp.store.Role;

/** The daily report and the blank reconciliation, as PDFs the operator downloads (audited). */
public final class ReportsPage {
    private final ConsoleContext c;

    public ReportsPage(ConsoleContext c) { this.c = c; }

    public List<Route> routes() {
        return List.of(Route.page("/reports", "reports", r -> show(r, ""), Role.OPERATOR, Role.SUPERVISOR),
                Route.get("/reports/daily.pdf", this::daily, Role.OPERATOR, Role.SUPERVISOR),
                Route.get("/reports/reconciliation.pdf", this::reconciliation, Role.OPERATOR, Role.SUPERVISOR));
    }

    private void show(Request r, String message) throws IOException {
        String today = LocalDate.now(c.clock.withZone(ConsoleContext.ZONE)).toString();
        String body = (message.isEmpty() ? "" : "<p class=error>" + esc(message) + "</p>")
                + "<form method=get action=/reports/daily.pdf id=daily><strong>" + esc(r.t("daily")) + "</strong> <label>" + esc(r.t("date"))
                + " <input name=date type=date value=\"" + today + "\" required></label><button type=submit id=download-daily>" + esc(r.t("download")) + "</button></form>"
                + "<form method=get action=/reports/reconciliation.pdf id=reconciliation><strong>" + esc(r.t("reconciliation")) + "</strong> <label>" + esc(r.t("from"))
                + " <input name=from type=date value=\"" + today + "\" required></label><label>" + esc(r.t("to")) + " <input name=to type=date value=\"" + today
                + "\" required></label><label>" + esc(r.t("counted")) + " <input name=counted type=number min=0></label><button type=submit>" + esc(r.t("download")) + "</button></form>";
        c.page(r, 200, r.t("reports"), body);
    }

    private void daily(Request r) throws IOException {
        LocalDate day;
        try {
            day = LocalDate.parse(r.param("date"));
        } catch (java.time.format.DateTimeParseException e) {
            show(r, r.t("badinput") + ": " + r.t("date"));
            return;
        }
        DailyReport rep = DailyReport.of(c.store(), day, ConsoleContext.ZONE, c.clock.instant());
        byte[] pdf = ReportPdf.daily(rep, settings(r));
        c.audit(r.actor(), "REPORT", "daily report for " + day + " downloaded");
        r.x.getResponseHeaders().add("Content-Disposition", "attachment; filename=\"laporan-harian-" + rep.stationId() + "-" + day + ".pdf\"");
        Responses.send(r.x, 200, "application/pdf", pdf);
    }

    private void reconciliation(Request r) throws IOException {
        LocalDate from;
        LocalDate to;
        OptionalInt counted = OptionalInt.empty();
        try {
            from = LocalDate.parse(r.param("from"));
            to = LocalDate.parse(r.param("to"));
            if (!r.param("counted").isEmpty()) counted = OptionalInt.of(Integer.parseInt(r.param("counted")));
            if (to.isBefore(from) || counted.orElse(0) < 0) throw new IllegalArgumentException("period or count");
        } catch (RuntimeException e) {
            show(r, r.t("badinput") + ": " + r.t("from") + "/" + r.t("to") + "/" + r.t("counted"));
            return;
        }
        Reconciliation rec = Reconciliation.of(c.store(), from, to, ConsoleContext.ZONE, counted, c.clock.instant());
        byte[] pdf = ReportPdf.reconciliation(rec, settings(r));
        c.audit(r.actor(), "REPORT", "blank reconciliation " + from + ".." + to + " downloaded" + (counted.isPresent() ? ", counted " + counted.getAsInt() + ", difference " + rec.difference().getAsInt() : ""));
        r.x.getResponseHeaders().add("Content-Disposition", "attachment; filename=\"rekonsiliasi-" + rec.stationId() + "-" + from + "-" + to + ".pdf\"");
        Responses.send(r.x, 200, "application/pdf", pdf);
    }

    /**
     * The station's report section (letterhead, document number, officers and NIP), read at each download so that an
     * edited letterhead needs no restart. Its language: a {@code lang} asked for with the download (ktp report
     * --lang through the console), else the one the operator chose for the console, else the section's own.
     */
    private ktp.dinas.ReportSettings settings(Request r) throws IOException {
        java.nio.file.Path file = c.daemon.config().file();
        try {
            ktp.dinas.ReportSettings s = file == null ? ktp.dinas.ReportSettings.DEFAULT : ktp.dinas.ReportSettings.load(file);
            String asked = r.param("lang");
            if (asked.equals("id") || asked.equals("en")) return s.withLanguage(ktp.i18n.Language.of(asked));
            return r.cookie("lang") != null ? s.withLanguage(r.language) : s;
        } catch (ktp.datafile.DataFileException e) {
            throw new IOException("the report section of " + file + ": " + e.getMessage(), e);
        }
    }
}
