package ktp.console.filters;

import java.io.IOException;
import ktp.console.ConsoleContext;
import ktp.console.web.Filter;
import ktp.console.web.Request;
import ktp.console.web.Route;

/** Each role may open only its own pages and do only its own actions; anything else is a 403 and an audit line. */
public final class RoleFilter implements Filter {
    private final ConsoleContext c;

    public RoleFilter(ConsoleContext c) { this.c = c; }

    @Override
    public void filter(Request r, Route route, Chain next) throws IOException {
        if (route.open() || route.allows(r.session().role())) {
            next.proceed(r);
            return;
        }
        c.audit(r.actor(), "FORBIDDEN", r.method() + " " + r.path() + " refused: needs " + route.roles());
        if (r.path().startsWith("/api/")) {
            ktp.console.web.Responses.json(r.x, 403, ktp.console.web.Responses.JSON.createObjectNode().put("error", r.t("forbidden")));
            return;
        }
        c.refuse(r, 403, r.t("forbidden"));
    }
}
