package ktp.console.pages;

import static ktp.console.web.Html.esc;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import ktp.console.ConsoleContext;
import ktp.console.web.Request;
import ktp.console.web.Route;
import ktp.job.JobState;
import ktp.store.Job;
import ktp.store.Role;

/**
 * The lists an operator works from: the station's jobs searched by name, NIK, record or chip UID, filtered by
 * state and by the day they last changed, 50 to a page, with the holders' names while the station holds their
 * records; and the cards still waiting for their holders by age, as a reminder list to print.
 */
public final class QueuePage {
    static final int PAGE = 50;
    private final ConsoleContext c;

    public QueuePage(ConsoleContext c) { this.c = c; }

    public List<Route> routes() {
        return List.of(Route.page("/queue", "queue", this::show), Route.page("/uncollected", "uncollected", this::uncollected, Role.OPERATOR, Role.SUPERVISOR));
    }

    private void show(Request r) throws IOException {
        String state = r.param("state");
        String q = r.param("q").toLowerCase(Locale.ROOT);
        String legacyNik = r.param("nik");
        LocalDate from = date(r.param("from"));
        LocalDate to = date(r.param("to"));
        int page = Math.max(1, number(r.param("page")));
        List<Job> jobs = c.store().jobs().stream()
                .filter(j -> state.isEmpty() || j.state().name().equals(state))
                .filter(j -> legacyNik.isEmpty() || j.nik().contains(legacyNik))
                .filter(j -> from == null || !day(j.updatedAt()).isBefore(from))
                .filter(j -> to == null || !day(j.updatedAt()).isAfter(to))
                .filter(j -> q.isEmpty() || j.nik().contains(q) || j.recordId().toLowerCase(Locale.ROOT).contains(q)
                        || (j.blankId() != null && j.blankId().toLowerCase(Locale.ROOT).contains(q)) || c.daemon.counter().holderName(j.recordId()).toLowerCase(Locale.ROOT).contains(q))
                .sorted(Comparator.comparing(Job::createdAt)).toList();
        int pages = Math.max(1, (jobs.size() + PAGE - 1) / PAGE);
        page = Math.min(page, pages);
        StringBuilder b = new StringBuilder("<form method=get action=/queue class=filters><label>" + esc(r.t("search")) + " <input name=q id=q value=\"" + esc(r.param("q"))
                + "\"></label><label>" + esc(r.t("state")) + " <select name=state id=state><option value=\"\">" + esc(r.t("all")) + "</option>");
        for (JobState s : JobState.values()) {
            b.append("<option value=").append(s.name()).append(s.name().equals(state) ? " selected" : "").append(">").append(esc(Words.state(r, s))).append("</option>");
        }
        b.append("</select></label><label>").append(esc(r.t("from"))).append(" <input type=date name=from id=from value=\"").append(from == null ? "" : from).append("\"></label><label>")
                .append(esc(r.t("to"))).append(" <input type=date name=to id=to value=\"").append(to == null ? "" : to).append("\"></label><button type=submit id=filter>")
                .append(esc(r.t("filter"))).append("</button></form>");
        b.append("<table id=queue><tr><th>").append(esc(r.t("record"))).append("</th><th>NIK</th><th>").append(esc(r.t("holder.name"))).append("</th><th>").append(esc(r.t("state")))
                .append("</th><th>").append(esc(r.t("blank"))).append("</th><th>").append(esc(r.t("updated"))).append("</th><th>").append(esc(r.t("reason"))).append("</th></tr>");
        for (Job j : jobs.subList((page - 1) * PAGE, Math.min(jobs.size(), page * PAGE))) {
            b.append("<tr data-record=\"").append(esc(j.recordId())).append("\"><td>").append(esc(j.recordId())).append("</td><td>").append(esc(j.nik()))
                    .append("</td><td class=name>").append(esc(c.daemon.counter().holderName(j.recordId())))
                    .append("</td><td class=\"state ").append(j.state().name()).append("\">").append(esc(Words.state(r, j.state()))).append("</td><td>").append(esc(j.blankId()))
                    .append("</td><td>").append(ConsoleContext.TIME.format(j.updatedAt())).append("</td><td>").append(Words.reason(r, j.reason()))
                    .append(j.state() == JobState.ISSUED && c.daemon.counter().hasReceipt(j.recordId()) ? " <a class=receipt href=\"/issue/receipt.pdf?record=" + esc(j.recordId()) + "\">" + esc(r.t("receipt")) + "</a>" : "")
                    .append("</td></tr>");
        }
        b.append("</table><p id=count>").append(jobs.size()).append(' ').append(esc(r.t("jobs"))).append(" &middot; ").append(esc(r.t("pageof", page, pages))).append("</p><p id=paging>");
        String keep = "&amp;q=" + enc(r.param("q")) + "&amp;state=" + enc(state) + "&amp;from=" + (from == null ? "" : from) + "&amp;to=" + (to == null ? "" : to);
        if (page > 1) b.append("<a id=prev href=\"/queue?page=").append(page - 1).append(keep).append("\">").append(esc(r.t("prev"))).append("</a> ");
        if (page < pages) b.append("<a id=next href=\"/queue?page=").append(page + 1).append(keep).append("\">").append(esc(r.t("nextpage"))).append("</a>");
        b.append("</p>");
        c.page(r, 200, r.t("queue"), b.toString(), 10);
    }

    /** Cards waiting for their holders, oldest first, with their age in days: the list to send reminders from (print it). */
    private void uncollected(Request r) throws IOException {
        Instant now = c.clock.instant();
        List<Job> waiting = c.store().jobsIn(JobState.AWAITING_HOLDER, Integer.MAX_VALUE).stream().filter(j -> j.state() == JobState.AWAITING_HOLDER)
                .sorted(Comparator.comparing(Job::updatedAt)).toList();
        StringBuilder b = new StringBuilder("<p>" + esc(r.t("uncollected.intro")) + "</p><table id=uncollected><tr><th>" + esc(r.t("uncollected.age")) + "</th><th>"
                + esc(r.t("record")) + "</th><th>NIK</th><th>" + esc(r.t("holder.name")) + "</th><th>" + esc(r.t("blank")) + "</th><th>" + esc(r.t("uncollected.since")) + "</th></tr>");
        for (Job j : waiting) {
            long days = Duration.between(j.updatedAt(), now).toDays();
            b.append("<tr data-record=\"").append(esc(j.recordId())).append("\" class=\"age ").append(days >= 30 ? "old" : days >= 7 ? "week" : "new").append("\"><td>")
                    .append(esc(r.t("uncollected.days", days))).append("</td><td>").append(esc(j.recordId())).append("</td><td>").append(esc(j.nik())).append("</td><td>")
                    .append(esc(c.daemon.counter().holderName(j.recordId()))).append("</td><td>").append(esc(j.blankId())).append("</td><td>")
                    .append(ConsoleContext.TIME.format(j.updatedAt())).append("</td></tr>");
        }
        b.append("</table><p id=count>").append(waiting.size()).append(' ').append(esc(r.t("uncollected.cards"))).append("</p><p class=noprint>").append(esc(r.t("uncollected.print"))).append("</p>");
        c.page(r, 200, r.t("uncollected"), b.toString());
    }

    private LocalDate day(Instant at) { return at.atZone(ConsoleContext.ZONE).toLocalDate(); }

    private static LocalDate date(String s) {
        try {
            return s.isEmpty() ? null : LocalDate.parse(s);
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }

    private static int number(String s) {
        try {
            return s.isEmpty() ? 1 : Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    private static String enc(String s) { return URLEncoder.encode(s, StandardCharsets.UTF_8); }
}
