package ktp.console.pages;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import ktp.console.ConsoleContext;
import ktp.console.web.Request;
import ktp.console.web.Responses;
import ktp.console.web.Route;
import ktp.counter.HolderActivation;
import ktp.job.JobState;
import ktp.store.Job;
import ktp.store.Role;
import ktp.store.StoreException;

/** The same for the command line (ktp queue, ledger, issue --user NAME while the daemon runs): JSON, technical words. */
public final class Api {
    private final ConsoleContext c;

    public Api(ConsoleContext c) { this.c = c; }

    public List<Route> routes() {
        return List.of(Route.get("/api/session", r -> Responses.json(r.x, 200, Responses.JSON.createObjectNode().put("user", r.session().user())
                        .put("role", r.session().role().name().toLowerCase(java.util.Locale.ROOT)).put("csrf", r.session().csrf()))),
                Route.get("/api/queue", r -> Responses.json(r.x, 200, ktp.report.Listings.jobs(c.store(), r.param("state"), r.param("nik")))),
                Route.get("/api/ledger", r -> Responses.json(r.x, 200, ktp.report.Listings.ledger(c.store(), r.param("fate")))),
                Route.post("/api/issue", this::issue, Role.OPERATOR, Role.SUPERVISOR),
                Route.post("/api/ledger/load", this::load, Role.OPERATOR, Role.SUPERVISOR));
    }

    private void issue(Request r) throws IOException {
        String nik = r.param("nik");
        Optional<Job> job = c.store().jobsWithNik(nik).stream()
                .filter(j -> j.state() == JobState.AWAITING_HOLDER || j.state() == JobState.ACTIVATING).findFirst();
        if (job.isEmpty()) {
            Responses.json(r.x, 404, Responses.JSON.createObjectNode().put("error", ktp.i18n.Catalogue.text(r.language, "console.api.noCardForNik", nik)));
            return;
        }
        try {
            HolderActivation.Result res = c.daemon.counter().issue(job.get().recordId(), r.actor(), p -> { });
            Responses.json(r.x, 200, Responses.JSON.createObjectNode().put("recordId", job.get().recordId()).put("blankId", job.get().blankId())
                    .put("state", res.state().name()).put("detail", res.detail()));
        } catch (HolderActivation.ActivationException e) {
            c.audit(r.actor(), "ISSUE_NOT_DECIDED", "record " + job.get().recordId() + ": " + e.getMessage());
            Responses.json(r.x, 409, Responses.JSON.createObjectNode().put("error", e.getMessage()));
        }
    }

    private void load(Request r) throws IOException {
        try {
            int count = Integer.parseInt(r.param("count"));
            c.store().blanksLoaded(count, r.param("reference"), r.actor());
            Responses.json(r.x, 200, Responses.JSON.createObjectNode().put("loaded", count));
        } catch (NumberFormatException | StoreException e) {
            Responses.json(r.x, 400, Responses.JSON.createObjectNode().put("error", e instanceof StoreException se ? se.message(r.language) : ktp.i18n.Catalogue.text(r.language, "console.api.countNotNumber")));
        }
    }
}
