package ktp.console.pages;

import static ktp.console.web.Html.esc;

import java.io.IOException;
import java.util.List;
import ktp.console.ConsoleContext;
import ktp.console.web.Request;
import ktp.console.web.Route;
import ktp.store.AuditEntry;
import ktp.store.Role;
import ktp.store.StationStore;

/** The last 200 lines of the audit log, newest first; the action in the operator's words, the technical detail behind it. */
public final class AuditPage {
    private final ConsoleContext c;

    public AuditPage(ConsoleContext c) { this.c = c; }

    public List<Route> routes() { return List.of(Route.page("/audit", "audit", this::show, Role.SUPERVISOR, Role.TECHNICIAN)); }

    private void show(Request r) throws IOException {
        StationStore st = c.store();
        long size = st.auditSize();
        List<AuditEntry> last = st.auditAfter(Math.max(0, size - 200), 200);
        StringBuilder b = new StringBuilder("<table id=audit><tr><th>#</th><th>" + esc(r.t("when")) + "</th><th>" + esc(r.t("who")) + "</th><th>"
                + esc(r.t("action")) + "</th><th>" + esc(r.t("detail")) + "</th></tr>");
        for (int i = last.size() - 1; i >= 0; i--) {
            AuditEntry e = last.get(i);
            b.append("<tr><td>").append(e.sequence()).append("</td><td>").append(ConsoleContext.TIME.format(e.at())).append("</td><td>").append(esc(e.actor()))
                    .append("</td><td data-action=\"").append(esc(e.action())).append("\">").append(esc(action(r, e.action()))).append("</td><td>")
                    .append(e.detail().isEmpty() ? "" : Words.technicalDetail(r, e.detail())).append("</td></tr>");
        }
        b.append("</table>");
        c.page(r, 200, r.t("audit"), b.toString());
    }

    /** An audit action in words: the catalogue's sentence, or a general one for an action it does not name yet. */
    static String action(Request r, String action) {
        return ktp.i18n.Catalogue.has("console.audit." + action) ? r.t("audit." + action) : r.t("audit.other");
    }
}
