package ktp.console.pages;

import static ktp.console.web.Html.esc;
import static ktp.console.web.Html.row;

import java.io.IOException;
import java.util.List;
import ktp.console.ConsoleContext;
import ktp.console.web.Html;
import ktp.console.web.Request;
import ktp.console.web.Route;
import ktp.station.LaneState;
import ktp.station.PrintLane;
import ktp.station.StationDaemon;
import ktp.station.StationHealth;
import ktp.store.Role;

/** The printers and supplies as the lanes say they are (read only), with the technician's two actions. */
public final class PrinterPage {
    private final ConsoleContext c;

    public PrinterPage(ConsoleContext c) { this.c = c; }

    public List<Route> routes() {
        return List.of(Route.page("/printer", "printer", r -> show(r, "")),
                Route.post("/printer/reload-keys", this::reloadKeys, Role.TECHNICIAN),
                Route.post("/printer/resume", this::resumeLane, Role.TECHNICIAN));
    }

    private void show(Request r, String message) throws IOException {
        StationDaemon.PrinterView v = c.daemon.printerView();
        // The alerts come from the same lane state as health and `ktp station status` (docs/station-daemon.md).
        StationHealth health = c.daemon.health();
        StringBuilder b = new StringBuilder(message.isEmpty() ? "" : "<p class=ok id=message>" + esc(message) + "</p>");
        if (!health.alerts().isEmpty()) {
            b.append("<div class=alert id=alert><strong>").append(esc(r.t("alert"))).append(":</strong><ul id=alerts>");
            for (StationHealth.Alert a : health.alerts()) {
                b.append("<li data-code=\"").append(esc(a.code())).append("\">").append(esc(a.printer().isEmpty() ? "" : a.printer() + ": "))
                        .append(esc(r.english() ? a.messageEn() : a.messageId())).append(a.detail().isEmpty() ? "" : Words.technicalDetail(r, a.detail())).append("</li>");
            }
            b.append("</ul></div>");
        } else {
            b.append("<p id=alert class=ok>").append(esc(r.t("noalert"))).append("</p>");
        }
        for (PrintLane lane : c.daemon.lanes()) {
            if (lane.printer().chipless()) b.append("<p class=alert id=chipless>").append(esc(r.t("chipless", lane.name()))).append("</p>");
        }
        if (r.session().role() == Role.TECHNICIAN) {
            b.append(Html.form(r, "/printer/reload-keys", "reloadkeys", r.t("reloadkeys"), java.util.Map.of()));
            for (PrintLane lane : c.daemon.lanes()) {
                if (lane.state().kind() != LaneState.Kind.FAULTED) continue;
                b.append(Html.form(r, "/printer/resume", "resume-" + lane.name(), r.t("resume", lane.name()), java.util.Map.of("printer", lane.name())));
            }
        }
        b.append("<table id=printer>");
        row(b, r.t("printerstate"), printerState(r, v.state()));
        row(b, r.t("ribbon"), v.ribbonRemaining() == null ? r.t("unknown") : v.ribbonRemaining().toString());
        row(b, r.t("feeder"), v.feederHasCards() == null ? r.t("unknown") : v.feederHasCards() ? r.t("yes") : r.t("no"));
        // The printer says only whether its feeder is empty; the records say how many should be in it (what the
        // reconciliation calls expected in the feeder: loaded minus every blank a printer took).
        long loaded = c.store().blanksLoadedTotal();
        long expected = loaded - c.store().ledgerSize();
        row(b, r.t("feedercount"), loaded == 0 ? r.t("unknown") : expected < 0 ? expected + " (!)" : Long.toString(expected));
        row(b, r.t("rejectfull"), v.rejectBoxFull() == null ? r.t("unknown") : v.rejectBoxFull() ? r.t("yes") : r.t("no"));
        row(b, r.t("printed"), v.cardsPrinted() == null ? r.t("unknown") : v.cardsPrinted().toString());
        row(b, r.t("paused"), c.daemon.paused() ? r.t("yes") : r.t("no"));
        b.append("</table>");
        c.page(r, 200, r.t("printer"), b.toString(), 5);
    }

    /** The lane's state code in the operator's words (a general sentence pointing at the alert when the catalogue has none for it). */
    static String printerState(Request r, String code) {
        String key = "printerstate." + code;
        return ktp.i18n.Catalogue.has("console." + key) ? r.t(key) : r.t("printerstate.other");
    }

    /** A technician's reload of the trusted keys (audited by the daemon with who asked). */
    private void reloadKeys(Request r) throws IOException {
        try {
            java.util.Set<String> keys = c.daemon.reloadTrustedKeys(r.actor());
            show(r, r.t("keysreloaded", String.join(", ", keys)));
        } catch (IOException e) {
            c.page(r, 400, r.t("badinput"), "<p class=error id=message>" + esc(r.t("keysnotreloaded")) + "</p>" + Words.technicalDetail(r, e.getMessage()) + Html.back(r, "/printer"));
        }
    }

    /** A technician says a FAULTED lane's cause is dealt with (audited by the daemon). */
    private void resumeLane(Request r) throws IOException {
        try {
            c.daemon.resumeLane(r.param("printer"), r.actor());
            show(r, r.t("resumed", r.param("printer")));
        } catch (IllegalArgumentException e) {
            c.page(r, 400, r.t("badinput"), "<p class=error id=message>" + esc(r.t("noprinter", r.param("printer"))) + "</p>" + Html.back(r, "/printer"));
        }
    }
}
