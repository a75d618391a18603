package ktp.console.pages;

import static ktp.console.web.Html.esc;
import static ktp.console.web.Html.row;

import java.io.IOException;
import java.time.LocalDate;
import java.util.List;
import ktp.console.ConsoleContext;
import ktp.console.web.Html;
import ktp.console.web.Request;
import ktp.console.web.Responses;
import ktp.console.web.Route;
import ktp.report.DailyReport;
import ktp.store.AuditEntry;
import ktp.store.Role;

/**
 * Close of day: the day's counts from the store, the blanks the records say are in the feeder against the
 * blanks counted by hand, the hand-over to the next shift, signed off by the one who closes (an audit line:
 * CLOSE_OF_DAY, with every figure and the difference).
 */
public final class CloseOfDayPage {
    static final String ACTION = "CLOSE_OF_DAY";
    private final ConsoleContext c;

    public CloseOfDayPage(ConsoleContext c) { this.c = c; }

    public List<Route> routes() {
        return List.of(Route.page("/close", "close", r -> show(r, "", 200, true), Role.OPERATOR, Role.SUPERVISOR), Route.post("/close", this::close, Role.OPERATOR, Role.SUPERVISOR));
    }

    private record Figures(LocalDate day, DailyReport rep, long expected) {}

    private Figures figures() {
        LocalDate today = LocalDate.now(c.clock.withZone(ConsoleContext.ZONE));
        DailyReport rep = DailyReport.of(c.store(), today, ConsoleContext.ZONE, c.clock.instant());
        return new Figures(today, rep, c.store().blanksLoadedTotal() - c.store().ledgerSize());
    }

    /** {@code ok}: the message is good news (green); a refusal, or a day closed with a difference to explain, is not. */
    private void show(Request r, String message, int status, boolean ok) throws IOException {
        Figures f = figures();
        StringBuilder b = new StringBuilder(message.isEmpty() ? "" : "<p class=" + (ok ? "ok" : "error") + " id=message>" + esc(message) + "</p>");
        b.append("<table id=counts>");
        row(b, r.t("date"), f.day().toString());
        row(b, r.t("close.in"), Long.toString(f.rep().recordsIn()));
        row(b, r.t("close.printed"), Long.toString(f.rep().printed()));
        row(b, r.t("close.issued"), Long.toString(f.rep().issued()));
        row(b, r.t("close.failed"), Long.toString(f.rep().activationFailed()));
        row(b, r.t("close.overrides"), Long.toString(f.rep().overrides()));
        row(b, r.t("close.spoiled"), Long.toString(f.rep().spoiled().size()));
        row(b, r.t("feedercount"), Long.toString(f.expected()));
        b.append("</table><form method=post action=/close id=close-form>").append(Html.csrf(r)).append("<label>").append(esc(r.t("counted")))
                .append(" <input name=counted id=counted type=number min=0 max=100000 required></label><label>").append(esc(r.t("close.next")))
                .append(" <input name=next id=next-shift required maxlength=64></label><label>").append(esc(r.t("reprint.note"))).append(" <input name=note id=close-note maxlength=300></label>")
                .append("<button type=submit id=signoff>").append(esc(r.t("close.signoff"))).append("</button></form>");
        b.append("<h2>").append(esc(r.t("close.done"))).append("</h2><ul id=closed>");
        for (AuditEntry a : c.store().auditBetween(f.day().atStartOfDay(ConsoleContext.ZONE).toInstant(), c.clock.instant().plusSeconds(1))) {
            if (a.action().equals(ACTION)) b.append("<li>").append(ConsoleContext.TIME.format(a.at())).append(' ').append(esc(a.actor())).append(Words.technicalDetail(r, a.detail())).append("</li>");
        }
        b.append("</ul>");
        c.page(r, status, r.t("close"), b.toString());
    }

    private void close(Request r) throws IOException {
        long counted;
        try {
            counted = Long.parseLong(r.param("counted"));
            if (counted < 0) throw new NumberFormatException();
        } catch (NumberFormatException e) {
            show(r, r.t("notanumber", r.t("counted")), 400, false);
            return;
        }
        String next = r.param("next");
        if (next.isEmpty()) {
            show(r, r.t("badinput") + ": " + r.t("close.next"), 400, false);
            return;
        }
        Figures f = figures();
        long difference = counted - f.expected();
        c.store().audit(r.actor(), ACTION, "day " + f.day() + ": records in " + f.rep().recordsIn() + ", printed " + f.rep().printed() + ", issued " + f.rep().issued()
                + ", activation failed " + f.rep().activationFailed() + ", overrides " + f.rep().overrides() + ", spoiled " + f.rep().spoiled().size() + "; blanks expected in the feeder "
                + f.expected() + ", counted " + counted + ", difference " + difference + "; handed over to " + Html.printable(next) + "; signed off by " + r.actor()
                + (r.param("note").isEmpty() ? "" : "; note: " + Html.printable(r.param("note"))));
        show(r, difference == 0 ? r.t("close.ok", next) : r.t("close.difference", difference, next), 200, difference == 0);
    }
}
