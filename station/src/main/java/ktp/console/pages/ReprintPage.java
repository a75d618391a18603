package ktp.console.pages;

import static ktp.console.web.Html.esc;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import ktp.console.ConsoleContext;
import ktp.console.web.Html;
import ktp.console.web.Request;
import ktp.console.web.Responses;
import ktp.console.web.Route;
import ktp.counter.HolderActivation;
import ktp.counter.Reprints;
import ktp.job.JobState;
import ktp.store.Job;
import ktp.store.Role;

/**
 * Reprints as a workflow (ktp.counter.Reprints): the operator's request with its reason, the supervisor's
 * approval or refusal on a confirmation screen, the wait for the office's authorisation, and the supervisor's
 * confirmation of it while the daemon runs (the console's side of `ktp reprint confirm`).
 */
public final class ReprintPage {
    private final ConsoleContext c;

    public ReprintPage(ConsoleContext c) { this.c = c; }

    public List<Route> routes() {
        return List.of(Route.page("/reprint", "reprint", r -> show(r, ""), Role.OPERATOR, Role.SUPERVISOR),
                Route.post("/reprint/request", this::request, Role.OPERATOR, Role.SUPERVISOR),
                Route.get("/reprint/confirm", this::confirm, Role.SUPERVISOR),
                Route.post("/reprint/decide", this::decide, Role.SUPERVISOR));
    }

    private void show(Request r, String message) throws IOException {
        StringBuilder b = new StringBuilder(message.isEmpty() ? "" : "<p class=ok id=message>" + esc(message) + "</p>");
        List<Job> printed = c.store().jobsIn(java.util.EnumSet.of(JobState.AWAITING_HOLDER, JobState.ACTIVATION_FAILED), Integer.MAX_VALUE);
        b.append("<form method=post action=/reprint/request id=request>").append(Html.csrf(r)).append("<strong>").append(esc(r.t("reprint.new"))).append("</strong> <label>")
                .append(esc(r.t("record"))).append(" <select name=record id=reprint-record>");
        for (Job j : printed) b.append("<option value=\"").append(esc(j.recordId())).append("\">").append(esc(j.recordId() + " " + j.nik())).append("</option>");
        b.append("</select></label><label>").append(esc(r.t("reason"))).append(" <select name=why id=why>");
        for (Reprints.Why w : Reprints.Why.values()) b.append("<option value=").append(w.name()).append('>').append(esc(r.t("reprint.why." + w.name()))).append("</option>");
        b.append("</select></label><label>").append(esc(r.t("reprint.note"))).append(" <input name=note id=note required maxlength=300></label><button type=submit id=request-submit>")
                .append(esc(r.t("reprint.submit"))).append("</button></form>");
        b.append("<table id=reprints><tr><th>").append(esc(r.t("record"))).append("</th><th>").append(esc(r.t("reason"))).append("</th><th>").append(esc(r.t("reprint.by")))
                .append("</th><th>").append(esc(r.t("state"))).append("</th><th></th></tr>");
        for (Reprints.Request q : Reprints.list(c.store())) {
            b.append("<tr data-record=\"").append(esc(q.recordId())).append("\"><td>").append(esc(q.recordId())).append("</td><td>").append(esc(r.t("reprint.why." + q.why().name())))
                    .append(q.note().isEmpty() ? "" : ": " + esc(q.note())).append("</td><td>").append(esc(q.requestedBy())).append("</td><td class=\"reprint ").append(q.status().name())
                    .append("\">").append(esc(r.t("reprint.status." + q.status().name()))).append(q.decisionNote().isEmpty() ? "" : " (" + esc(q.decisionNote()) + ")").append("</td><td>");
            if (r.session().role() == Role.SUPERVISOR) {
                if (q.status() == Reprints.Status.REQUESTED) {
                    b.append("<a id=\"approve-").append(esc(q.recordId())).append("\" href=\"/reprint/confirm?record=").append(esc(q.recordId())).append("&amp;decision=approve\">")
                            .append(esc(r.t("reprint.approve"))).append("</a> <a id=\"refuse-").append(esc(q.recordId())).append("\" href=\"/reprint/confirm?record=")
                            .append(esc(q.recordId())).append("&amp;decision=refuse\">").append(esc(r.t("reprint.refuse"))).append("</a>");
                } else if (q.status() == Reprints.Status.OFFICE_AUTHORISED) {
                    b.append("<a id=\"confirm-").append(esc(q.recordId())).append("\" href=\"/reprint/confirm?record=").append(esc(q.recordId())).append("&amp;decision=confirm\">")
                            .append(esc(r.t("reprint.confirmoffice"))).append("</a>");
                }
            }
            b.append("</td></tr>");
        }
        b.append("</table>");
        c.page(r, 200, r.t("reprint"), b.toString());
    }

    private void request(Request r) throws IOException {
        Reprints.Why why;
        try {
            why = Reprints.Why.valueOf(r.param("why"));
        } catch (IllegalArgumentException e) {
            why = null;
        }
        try {
            if (why == null) throw new HolderActivation.ActivationException("the reason must be one of " + java.util.Arrays.toString(Reprints.Why.values()));
            Reprints.request(c.store(), r.param("record"), why, r.param("note"), r.actor());
        } catch (HolderActivation.ActivationException e) {
            c.audit(r.actor(), "REPRINT_REQUEST_REFUSED_INPUT", "record " + r.param("record") + ": " + e.getMessage());
            c.page(r, 400, r.t("reprint"), "<p class=error id=message>" + esc(r.t("reprint.badrequest")) + "</p>" + Words.technicalDetail(r, e.getMessage()) + Html.back(r, "/reprint"));
            return;
        }
        show(r, r.t("reprint.requested", r.param("record")));
    }

    /** The confirmation screen: what will happen, and the one button that does it. */
    private void confirm(Request r) throws IOException {
        String record = r.param("record");
        String decision = r.param("decision");
        Reprints.Request q = Reprints.all(c.store()).get(record);
        Job job = c.store().job(record).orElse(null);
        if (q == null || job == null || !List.of("approve", "refuse", "confirm").contains(decision)) {
            c.page(r, 404, r.t("reprint"), "<p class=error id=message>" + esc(r.t("reprint.none")) + "</p>" + Html.back(r, "/reprint"));
            return;
        }
        StringBuilder b = new StringBuilder("<div class=confirm id=confirm><p><strong>").append(esc(r.t("reprint.confirm." + decision))).append("</strong></p><table>");
        Html.row(b, r.t("record"), record);
        Html.row(b, "NIK", job.nik());
        Html.row(b, r.t("holder.name"), c.daemon.counter().holderName(record));
        Html.row(b, r.t("blank"), job.blankId());
        Html.row(b, r.t("reason"), r.t("reprint.why." + q.why().name()) + (q.note().isEmpty() ? "" : ": " + q.note()));
        Html.row(b, r.t("reprint.by"), q.requestedBy());
        b.append("</table><p>").append(esc(r.t("reprint.consequence." + decision))).append("</p><form method=post action=/reprint/decide>").append(Html.csrf(r))
                .append("<input type=hidden name=record value=\"").append(esc(record)).append("\"><input type=hidden name=decision value=").append(decision).append('>');
        if (!decision.equals("confirm")) b.append("<label>").append(esc(r.t("reprint.decisionnote"))).append(" <input name=note id=decision-note maxlength=300").append(decision.equals("refuse") ? " required" : "").append("></label>");
        b.append("<button type=submit id=decide>").append(esc(r.t("reprint.yes." + decision))).append("</button></form><p><a href=/reprint id=cancel>").append(esc(r.t("reprint.cancel")))
                .append("</a></p></div>");
        c.page(r, 200, r.t("reprint"), b.toString());
    }

    private void decide(Request r) throws IOException {
        String record = r.param("record");
        String decision = r.param("decision");
        try {
            if (decision.equals("confirm")) {
                var a = ktp.station.OfficeCommands.confirmReprint(c.store(), record, r.actor());
                if (!a.accepted()) throw new HolderActivation.ActivationException(a.detail());
                c.daemon.publisher().wake();
            } else {
                Reprints.decide(c.store(), record, decision.equals("approve"), r.param("note"), r.actor());
            }
        } catch (HolderActivation.ActivationException e) {
            c.audit(r.actor(), "REPRINT_DECISION_REFUSED", "record " + record + ": " + e.getMessage());
            c.page(r, 409, r.t("reprint"), "<p class=error id=message>" + esc(r.t("reprint.baddecision")) + "</p>" + Words.technicalDetail(r, e.getMessage()) + Html.back(r, "/reprint"));
            return;
        }
        Responses.redirect(r.x, "/reprint");
    }
}
