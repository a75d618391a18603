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
                        .append("\"><input name=reason placeholder=\"").append(esc(r.t("overridereason"))).append("\" required><button type=submit>")
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

    private void activate(Request r) throws IOException {
        String record = r.param("record");
        try {
            HolderActivation.Result res = c.daemon.counter().issue(record, r.actor(), p -> { });
            String cls = res.state() == JobState.ISSUED ? "ok" : "error";
            c.page(r, 200, r.t("result"), "<p class=\"" + cls + " state " + res.state().name() + "\" id=result><strong>" + esc(Words.state(r, res.state())) + "</strong></p>"
                    + Words.technicalDetail(r, res.detail()) + Html.back(r, "/issue"));
        } catch (HolderActivation.ActivationException e) {
            c.audit(r.actor(), "ISSUE_NOT_DECIDED", "record " + record + ": " + e.getMessage());
            c.page(r, 409, r.t("result"), "<p class=error id=result>" + esc(r.t("notdecided")) + "</p>" + Words.technicalDetail(r, e.getMessage()) + Html.back(r, "/issue"));
        }
    }

    private void override(Request r) throws IOException {
        String record = r.param("record");
        String reason = r.param("reason");
        try {
            HolderActivation.Result res = c.daemon.counter().override(record, r.actor(), reason);
            c.page(r, 200, r.t("result"), "<p class=\"ok state " + res.state().name() + "\" id=result><strong>" + esc(Words.state(r, res.state())) + "</strong> "
                    + esc(r.t("overridden")) + "</p>" + Html.back(r, "/issue"));
        } catch (HolderActivation.ActivationException e) {
            c.audit(r.actor(), "OVERRIDE_REFUSED", "record " + record + ": " + e.getMessage());
            c.page(r, 409, r.t("result"), "<p class=error id=result>" + esc(r.t("overriderefused")) + "</p>" + Words.technicalDetail(r, e.getMessage()) + Html.back(r, "/issue"));
        }
    }
}
