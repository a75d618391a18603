package ktp.console.pages;

import static ktp.console.web.Html.esc;

import java.io.IOException;
import java.util.Comparator;
import java.util.List;
import ktp.console.ConsoleContext;
import ktp.console.web.Request;
import ktp.console.web.Route;
import ktp.job.JobState;
import ktp.store.Job;

/** The station's jobs with their states, filtered by state and NIK. */
public final class QueuePage {
    private final ConsoleContext c;

    public QueuePage(ConsoleContext c) { this.c = c; }

    public List<Route> routes() { return List.of(Route.page("/queue", "queue", this::show)); }

    private void show(Request r) throws IOException {
        String state = r.param("state");
        String nik = r.param("nik");
        List<Job> jobs = c.store().jobs().stream()
                .filter(j -> state.isEmpty() || j.state().name().equals(state))
                .filter(j -> nik.isEmpty() || j.nik().contains(nik))
                .sorted(Comparator.comparing(Job::createdAt)).toList();
        StringBuilder b = new StringBuilder("<form method=get action=/queue class=filters><label>" + esc(r.t("state")) + " <select name=state id=state><option value=\"\">"
                + esc(r.t("all")) + "</option>");
        for (JobState s : JobState.values()) {
            b.append("<option value=").append(s.name()).append(s.name().equals(state) ? " selected" : "").append(">").append(esc(Words.state(r, s))).append("</option>");
        }
        b.append("</select></label><label>").append(esc(r.t("searchnik"))).append(" <input name=nik id=nik value=\"").append(esc(nik))
                .append("\" inputmode=numeric></label><button type=submit>").append(esc(r.t("filter"))).append("</button></form>");
        b.append("<table id=queue><tr><th>").append(esc(r.t("record"))).append("</th><th>NIK</th><th>").append(esc(r.t("state"))).append("</th><th>")
                .append(esc(r.t("blank"))).append("</th><th>").append(esc(r.t("updated"))).append("</th><th>").append(esc(r.t("reason"))).append("</th></tr>");
        for (Job j : jobs) {
            b.append("<tr data-record=\"").append(esc(j.recordId())).append("\"><td>").append(esc(j.recordId())).append("</td><td>").append(esc(j.nik()))
                    .append("</td><td class=\"state ").append(j.state().name()).append("\">").append(esc(Words.state(r, j.state()))).append("</td><td>").append(esc(j.blankId()))
                    .append("</td><td>").append(ConsoleContext.TIME.format(j.updatedAt())).append("</td><td>").append(Words.reason(r, j.reason()))
                    .append(j.state() == JobState.ISSUED && c.daemon.counter().hasReceipt(j.recordId()) ? " <a class=receipt href=\"/issue/receipt.pdf?record=" + esc(j.recordId()) + "\">" + esc(r.t("receipt")) + "</a>" : "")
                    .append("</td></tr>");
        }
        b.append("</table><p>").append(jobs.size()).append(' ').append(esc(r.t("jobs"))).append("</p>");
        c.page(r, 200, r.t("queue"), b.toString(), 10);
    }
}
