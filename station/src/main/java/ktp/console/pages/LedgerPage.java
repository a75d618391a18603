package ktp.console.pages;

import static ktp.console.web.Html.esc;

import java.io.IOException;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ktp.console.ConsoleContext;
import ktp.console.web.Html;
import ktp.console.web.Request;
import ktp.console.web.Route;
import ktp.store.BlankFate;
import ktp.store.LedgerEntry;
import ktp.store.Role;
import ktp.store.StoreException;

/** The blank ledger: every blank a printer took and what became of it, and the record of blanks loaded. */
public final class LedgerPage {
    private final ConsoleContext c;

    public LedgerPage(ConsoleContext c) { this.c = c; }

    public List<Route> routes() {
        return List.of(Route.page("/ledger", "ledger", r -> show(r, "")), Route.post("/ledger/load", this::load, Role.OPERATOR, Role.SUPERVISOR));
    }

    private void show(Request r, String message) throws IOException {
        List<LedgerEntry> entries = c.store().ledger().stream().sorted(Comparator.comparing(LedgerEntry::enteredAt).reversed()).toList();
        Map<BlankFate, Integer> totals = new LinkedHashMap<>();
        for (BlankFate f : BlankFate.values()) totals.put(f, 0);
        entries.forEach(e -> totals.merge(e.fate(), 1, Integer::sum));
        StringBuilder b = new StringBuilder(message.isEmpty() ? "" : "<p class=ok id=message>" + esc(message) + "</p>");
        b.append("<p id=totals>");
        totals.forEach((f, n) -> b.append(esc(Words.fate(r, f))).append(": <strong>").append(n).append("</strong> &nbsp; "));
        b.append("</p>");
        if (r.session().role() != Role.TECHNICIAN) {
            b.append("<form method=post action=/ledger/load id=load>").append(Html.csrf(r)).append("<strong>")
                    .append(esc(r.t("load"))).append("</strong> <label>").append(esc(r.t("count"))).append(" <input name=count id=count type=number min=1 max=100000 required></label><label>")
                    .append(esc(r.t("reference"))).append(" <input name=reference id=reference required maxlength=200></label><button type=submit>").append(esc(r.t("save")))
                    .append("</button></form>");
        }
        b.append("<table id=ledger><tr><th>").append(esc(r.t("blank"))).append("</th><th>").append(esc(r.t("record"))).append("</th><th>")
                .append(esc(r.t("fate"))).append("</th><th>").append(esc(r.t("updated"))).append("</th><th>").append(esc(r.t("reason"))).append("</th></tr>");
        for (LedgerEntry e : entries) {
            b.append("<tr><td>").append(esc(e.blankId())).append("</td><td>").append(esc(e.recordId())).append("</td><td class=\"fate ").append(e.fate().name()).append("\">")
                    .append(esc(Words.fate(r, e.fate()))).append("</td><td>").append(ConsoleContext.TIME.format(e.updatedAt())).append("</td><td>").append(Words.reason(r, e.reason())).append("</td></tr>");
        }
        b.append("</table>");
        c.page(r, 200, r.t("ledger"), b.toString());
    }

    private void load(Request r) throws IOException {
        int count;
        try {
            count = Integer.parseInt(r.param("count"));
            c.store().blanksLoaded(count, r.param("reference"), r.actor());
        } catch (NumberFormatException | StoreException e) {
            String why = e instanceof NumberFormatException ? r.t("notanumber", r.t("count")) : r.t("loadrefused");
            c.page(r, 400, r.t("badinput"), "<p class=error id=message>" + esc(r.t("badinput")) + ": " + esc(why) + "</p>"
                    + (e instanceof StoreException ? Words.technicalDetail(r, ((StoreException) e).message(r.language)) : "") + Html.back(r, "/ledger"));
            return;
        }
        show(r, r.t("saved") + " " + count);
    }
}
