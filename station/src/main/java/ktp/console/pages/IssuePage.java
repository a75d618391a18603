package ktp.console.pages;

import static ktp.console.web.Html.esc;
import static ktp.console.web.Html.row;

import java.io.IOException;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import ktp.console.ConsoleContext;
import ktp.console.web.Html;
import ktp.console.web.Request;
import ktp.console.web.Route;
import ktp.counter.HolderActivation;
import ktp.job.JobState;
import ktp.store.Job;
import ktp.store.Role;

/**
 * The counter: the operator inserts the holder's card and reads it (the console finds the job from the chip),
 * compares the photo, then the finger decides; a supervisor may override a failed activation with a reason.
 */
public final class IssuePage {
    private final ConsoleContext c;

    public IssuePage(ConsoleContext c) { this.c = c; }

    public List<Route> routes() {
        return List.of(Route.page("/issue", "issue", this::show, Role.OPERATOR, Role.SUPERVISOR),
                Route.post("/issue/read", this::readCard, Role.OPERATOR, Role.SUPERVISOR),
                Route.post("/issue/activate", this::activate, Role.OPERATOR, Role.SUPERVISOR),
                Route.get("/issue/visit", this::visitPage, Role.OPERATOR, Role.SUPERVISOR),
                Route.get("/issue/visit.json", this::visitJson, Role.OPERATOR, Role.SUPERVISOR),
                Route.get("/issue/handover", this::handoverPage, Role.OPERATOR, Role.SUPERVISOR),
                Route.post("/issue/handover", this::handover, Role.OPERATOR, Role.SUPERVISOR),
                Route.get("/issue/receipt.pdf", this::receipt, Role.OPERATOR, Role.SUPERVISOR),
                Route.post("/issue/override", this::override, Role.SUPERVISOR));
    }

    private List<Job> jobsIn(JobState s) {
        return c.store().jobsIn(s, Integer.MAX_VALUE).stream().filter(j -> j.state() == s).sorted(Comparator.comparing(Job::updatedAt)).toList();
    }

    private void show(Request r) throws IOException {
        StringBuilder b = new StringBuilder("<p>" + esc(r.t("insertread")) + "</p>" + Html.form(r, "/issue/read", "read", r.t("read"), Map.of()));
        b.append("<h2>").append(esc(r.t("waiting"))).append("</h2><table id=waiting><tr><th>").append(esc(r.t("record"))).append("</th><th>NIK</th><th>")
                .append(esc(r.t("blank"))).append("</th></tr>");
        for (Job j : jobsIn(JobState.AWAITING_HOLDER)) {
            b.append("<tr><td>").append(esc(j.recordId())).append("</td><td>").append(esc(j.nik())).append("</td><td>").append(esc(j.blankId())).append("</td></tr>");
        }
        b.append("</table><h2>").append(esc(r.t("failed"))).append("</h2><table id=failed><tr><th>").append(esc(r.t("record"))).append("</th><th>NIK</th><th>")
                .append(esc(r.t("reason"))).append("</th><th></th></tr>");
        for (Job j : jobsIn(JobState.ACTIVATION_FAILED)) {
            b.append("<tr><td>").append(esc(j.recordId())).append("</td><td>").append(esc(j.nik())).append("</td><td>").append(Words.reason(r, j.reason())).append("</td><td>");
            if (r.session().role() == Role.SUPERVISOR) {
                b.append("<form method=post action=/issue/override>").append(Html.csrf(r)).append("<input type=hidden name=record value=\"").append(esc(j.recordId()))
                        .append("\"><input name=reason id=\"override-reason-").append(esc(j.recordId())).append("\" placeholder=\"").append(esc(r.t("overridereason")))
                        .append("\" required><button type=submit id=\"override-").append(esc(j.recordId())).append("\">")
                        .append(esc(r.t("override"))).append("</button></form>");
            }
            b.append("</td></tr>");
        }
        b.append("</table>");
        c.page(r, 200, r.t("issue"), b.toString());
    }

    private void readCard(Request r) throws IOException {
        HolderActivation.Inspection in;
        try {
            in = c.daemon.counter().readInserted(p -> { });
        } catch (HolderActivation.ActivationException e) {
            c.audit(r.actor(), "CHIP_READ", "the card in the counter's reader: " + e.getMessage());
            c.page(r, 409, r.t("issue"), "<p class=error id=result>" + esc(r.t("readfailed")) + "</p>" + Words.technicalDetail(r, e.getMessage()) + Html.back(r, "/issue"));
            return;
        }
        String record = in.recordId();
        c.audit(r.actor(), "CHIP_READ", "record " + record + " card " + in.uid() + (in.genuine() ? ": genuine" : ": " + in.refusal()));
        StringBuilder b = new StringBuilder("<h2>" + esc(r.t("holder")) + "</h2>");
        ktp.record.ChipData.Holder h = in.holder();
        if (h != null) {
            if (h.photoJpeg().length > 0) b.append("<img id=photo alt=\"\" src=\"data:image/jpeg;base64,").append(Base64.getEncoder().encodeToString(h.photoJpeg())).append("\">");
            b.append("<table id=holder>");
            row(b, "NIK", h.nik());
            row(b, r.t("holder.name"), h.nama());
            row(b, r.t("record"), record);
            row(b, r.t("holder.born"), h.tempatLahir() + ", " + h.tanggalLahir());
            row(b, r.t("holder.sex"), h.jenisKelamin() == null ? "" : h.jenisKelamin().replace('_', '-'));
            row(b, r.t("holder.address"), h.alamat() + ", " + h.kecamatan() + ", " + h.kabupatenKota() + ", " + h.provinsi());
            row(b, r.t("holder.valid"), h.berlakuHingga());
            b.append("</table>");
        }
        if (in.genuine()) {
            b.append("<p class=ok id=verdict>").append(esc(r.t("genuine"))).append("</p><p>").append(esc(r.t("placefinger"))).append("</p>");
        } else {
            b.append("<p class=error id=verdict>").append(esc(r.t("notgenuine"))).append("</p>").append(Words.technicalDetail(r, in.refusal()));
        }
        b.append(Html.form(r, "/issue/activate", "activate", r.t("activate"), Map.of("record", record)));
        c.page(r, 200, r.t("issue"), b.toString());
    }

    /** Starts the holder's visit and goes to the screen that follows it live. */
    private void activate(Request r) throws IOException {
        String record = r.param("record");
        try {
            c.daemon.counter().startIssue(record, r.actor());
        } catch (HolderActivation.ActivationException e) {
            c.audit(r.actor(), "ISSUE_NOT_DECIDED", "record " + record + ": " + e.getMessage());
            c.page(r, 409, r.t("result"), "<p class=error id=result>" + esc(r.t("visit.busy")) + "</p>" + Words.technicalDetail(r, e.getMessage()) + Html.back(r, "/issue"));
            return;
        }
        ktp.console.web.Responses.redirect(r.x, "/issue/visit");
    }

    /** The live screen: the prompt, the attempt and the quality feedback, updated by /static/visit.js from /issue/visit.json. */
    private void visitPage(Request r) throws IOException {
        java.util.Optional<ktp.counter.Visit> v = c.daemon.counter().visit();
        if (v.isEmpty()) {
            c.page(r, 200, r.t("visit.title"), "<p id=result>" + esc(r.t("visit.none")) + "</p>" + Html.back(r, "/issue"));
            return;
        }
        ktp.counter.Visit.Progress p = v.get().progress();
        Live l = live(r, p);
        String b = "<p>" + esc(r.t("record")) + ": <strong id=record>" + esc(p.recordId()) + "</strong></p>"
                + "<div id=step class=\"phase-" + p.phase() + " finger-" + p.finger() + " attempt-" + p.attempt() + "\">"
                + "<p id=prompt>" + esc(l.prompt) + "</p><p id=attempt>" + esc(l.attempt) + "</p><p id=quality class=\"quality poor-" + p.poor() + "\">" + esc(l.quality) + "</p></div>"
                + "<p id=result class=\"" + (p.over() ? (l.issued ? "ok" : "error") + " state " + l.state : "") + "\"" + (p.over() ? "" : " hidden") + ">" + esc(l.stateText) + "</p>"
                + "<details class=tech><summary>" + esc(r.t("technical")) + "</summary><code id=tech>" + esc(l.detail) + "</code></details>"
                + "<p id=next" + (p.over() && l.issued ? "" : " hidden") + "><a id=handover href=\"/issue/handover?record=" + esc(p.recordId()) + "\">" + esc(r.t("visit.handover")) + "</a></p>"
                + Html.back(r, "/issue") + "<script src=/static/visit.js></script>";
        c.page(r, 200, r.t("visit.title"), b);
    }

    private void visitJson(Request r) throws IOException {
        java.util.Optional<ktp.counter.Visit> v = c.daemon.counter().visit();
        if (v.isEmpty()) {
            ktp.console.web.Responses.json(r.x, 404, ktp.console.web.Responses.JSON.createObjectNode().put("error", r.t("visit.none")));
            return;
        }
        ktp.counter.Visit.Progress p = v.get().progress();
        Live l = live(r, p);
        ktp.console.web.Responses.json(r.x, 200, ktp.console.web.Responses.JSON.createObjectNode().put("seq", p.seq()).put("record", p.recordId())
                .put("phase", p.phase().name()).put("finger", p.finger()).put("attempt", p.attempt()).put("of", p.attemptsPerFinger())
                .put("prompt", l.prompt).put("attemptText", l.attempt).put("quality", l.quality).put("poor", p.poor().name()).put("over", p.over())
                .put("issued", l.issued).put("state", l.state).put("stateText", l.stateText).put("detail", l.detail));
    }

    /** The hand-over: to the holder, or to a proxy (kuasa) whose NIK, name and relation are recorded. */
    private void handoverPage(Request r) throws IOException {
        String record = r.param("record");
        StringBuilder b = new StringBuilder("<p>" + esc(r.t("record")) + ": <strong>" + esc(record) + "</strong> " + esc(c.daemon.counter().holderName(record)) + "</p>");
        b.append("<form method=post action=/issue/handover id=handover-form>").append(Html.csrf(r)).append("<input type=hidden name=record value=\"").append(esc(record)).append("\">")
                .append("<p><label><input type=radio name=by value=holder id=by-holder checked> ").append(esc(r.t("handover.holder"))).append("</label>")
                .append("<label><input type=radio name=by value=proxy id=by-proxy> ").append(esc(r.t("handover.proxy"))).append("</label></p>")
                .append("<fieldset><legend>").append(esc(r.t("handover.proxy"))).append("</legend><label>").append(esc(r.t("handover.proxynik")))
                .append(" <input name=proxynik id=proxynik inputmode=numeric maxlength=16></label><label>").append(esc(r.t("handover.proxyname")))
                .append(" <input name=proxyname id=proxyname maxlength=100></label><label>").append(esc(r.t("handover.relation"))).append(" <select name=relation id=relation>");
        for (String rel : ktp.counter.Counter.RELATIONS) b.append("<option value=\"").append(esc(rel)).append("\">").append(esc(r.t("relation." + rel.replace(' ', '_').replace('/', '_')))).append("</option>");
        b.append("</select></label></fieldset><button type=submit id=handover-submit>").append(esc(r.t("handover.submit"))).append("</button></form>");
        c.page(r, 200, r.t("handover.title"), b.toString());
    }

    private void handover(Request r) throws IOException {
        String record = r.param("record");
        boolean proxy = "proxy".equals(r.param("by"));
        ktp.counter.Receipt.Collector who = proxy ? new ktp.counter.Receipt.Collector(true, r.param("proxynik"), r.param("proxyname"), r.param("relation"))
                : ktp.counter.Receipt.Collector.holder();
        try {
            c.daemon.counter().handOver(record, r.actor(), who, c.clock.instant());
        } catch (HolderActivation.ActivationException e) {
            c.audit(r.actor(), "HANDOVER_REFUSED", "record " + record + ": " + e.getMessage());
            c.page(r, 400, r.t("handover.title"), "<p class=error id=result>" + esc(r.t("handover.refused")) + "</p>" + Words.technicalDetail(r, e.getMessage())
                    + Html.back(r, "/issue/handover?record=" + record));
            return;
        }
        c.page(r, 200, r.t("handover.title"), "<p class=ok id=result>" + esc(r.t(proxy ? "handover.doneproxy" : "handover.done")) + "</p><p><a id=receipt href=\"/issue/receipt.pdf?record="
                + esc(record) + "\">" + esc(r.t("receipt")) + "</a></p>" + Html.back(r, "/issue"));
    }

    private void receipt(Request r) throws IOException {
        String record = r.param("record");
        java.util.Optional<byte[]> pdf = c.daemon.counter().receipt(record);
        if (pdf.isEmpty()) {
            c.page(r, 404, r.t("receipt"), "<p class=error id=result>" + esc(r.t("noreceipt")) + "</p>");
            return;
        }
        r.x.getResponseHeaders().add("Content-Disposition", "inline; filename=\"tanda-terima-" + record + ".pdf\"");
        ktp.console.web.Responses.send(r.x, 200, "application/pdf", pdf.get());
    }

    /** What the live screen shows of a visit's progress, in the operator's words. */
    private record Live(String prompt, String attempt, String quality, boolean issued, String state, String stateText, String detail) {}

    private static Live live(Request r, ktp.counter.Visit.Progress p) {
        String finger = p.finger() >= 1 && p.finger() <= 10 ? r.t("finger." + p.finger()) : String.valueOf(p.finger());
        boolean again = p.phase() == ktp.counter.Visit.Phase.PLACE && p.poor() != ktp.counter.Visit.Poor.NONE;
        String prompt = r.t("visit." + (again ? "RETAKE" : p.phase().name()), finger);
        String attempt = p.attempt() > 0 && !p.over() ? r.t("visit.attempt", p.attempt(), p.attemptsPerFinger()) : "";
        HolderActivation.Result res = p.result();
        boolean issued = res != null && res.state() == JobState.ISSUED;
        String state = res == null ? "" : res.state().name();
        String stateText = !p.over() ? "" : res != null && p.phase() == ktp.counter.Visit.Phase.DECIDED ? Words.state(r, res.state()) : r.t("notdecided");
        String detail = res != null ? res.detail() : p.error().isEmpty() ? p.quality() : p.error();
        // Why the last capture did not count, in words, until the next one is taken; the scanner's text stays behind "technical".
        String quality = p.poor() == ktp.counter.Visit.Poor.NONE ? "" : r.t("visit.poor." + p.poor().name(), p.minutiae());
        return new Live(prompt, attempt, quality, issued, state, stateText, detail);
    }

    private void override(Request r) throws IOException {
        String record = r.param("record");
        String reason = r.param("reason");
        if (!"yes".equals(r.param("confirm"))) {
            // The confirmation, with what else can be done: the override is the last of three ways.
            StringBuilder b = new StringBuilder("<div class=confirm id=confirm><p><strong>").append(esc(r.t("override.confirm"))).append("</strong></p><table>");
            Job job = c.store().job(record).orElse(null);
            row(b, r.t("record"), record);
            row(b, "NIK", job == null ? "" : job.nik());
            row(b, r.t("holder.name"), c.daemon.counter().holderName(record));
            row(b, r.t("reason"), reason);
            b.append("</table><p>").append(esc(r.t("override.consequence"))).append("</p><form method=post action=/issue/override>").append(Html.csrf(r))
                    .append("<input type=hidden name=record value=\"").append(esc(record)).append("\"><input type=hidden name=reason value=\"").append(esc(reason))
                    .append("\"><input type=hidden name=confirm value=yes><button type=submit id=override-yes>").append(esc(r.t("override.yes"))).append("</button></form>")
                    .append("<h3>").append(esc(r.t("override.alternatives"))).append("</h3><ul><li><a id=alt-reprint href=/reprint>").append(esc(r.t("override.alt.reprint")))
                    .append("</a></li><li><a id=alt-later href=/issue>").append(esc(r.t("override.alt.later"))).append("</a></li></ul></div>");
            c.page(r, 200, r.t("override"), b.toString());
            return;
        }
        try {
            HolderActivation.Result res = c.daemon.counter().override(record, r.actor(), reason);
            Job job = c.store().job(record).orElse(null);
            // The job's change carries the reason too; this line puts the decision into the hash-chained audit log,
            // with the confirmation it was given on (the alternatives were offered and not taken).
            c.audit(r.actor(), "OVERRIDE", "record " + record + (job == null ? "" : " card " + job.blankId()) + " issued by supervisor override, confirmed"
                    + " (alternatives offered: reprint request, holder to return later): " + reason.trim());
            c.page(r, 200, r.t("result"), "<p class=\"ok state " + res.state().name() + "\" id=result><strong>" + esc(Words.state(r, res.state())) + "</strong> "
                    + esc(r.t("overridden")) + "</p>" + Html.back(r, "/issue"));
        } catch (HolderActivation.ActivationException e) {
            c.audit(r.actor(), "OVERRIDE_REFUSED", "record " + record + ": " + e.getMessage());
            c.page(r, 409, r.t("result"), "<p class=error id=result>" + esc(r.t("overriderefused")) + "</p>" + Words.technicalDetail(r, e.getMessage()) + Html.back(r, "/issue"));
        }
    }
}
