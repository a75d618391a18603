package ktp.console.filters;

import java.io.IOException;
import java.util.Optional;
import ktp.console.ConsoleContext;
import ktp.console.Sessions;
import ktp.console.web.Filter;
import ktp.console.web.Request;
import ktp.console.web.Responses;
import ktp.console.web.Route;
import ktp.store.Actor;
import ktp.store.Role;

/** Every page but the sign-in needs a live session: without one a GET goes to the sign-in page and a POST is refused (audited). */
public final class SessionFilter implements Filter {
    private final ConsoleContext c;
    private final Route.Handler signInPage;

    public SessionFilter(ConsoleContext c, Route.Handler signInPage) {
        this.c = c;
        this.signInPage = signInPage;
    }

    @Override
    public void filter(Request r, Route route, Chain next) throws IOException {
        Sessions.Miss[] why = new Sessions.Miss[1];
        Optional<Sessions.Session> s = c.sessions.touch(r.cookie(ConsoleContext.COOKIE), why);
        if (s.isPresent()) r.session(s.get());
        if (route.open() || s.isPresent()) {
            next.proceed(r);
            return;
        }
        if (why[0] == Sessions.Miss.EXPIRED) {
            c.audit(new Actor("console", Role.SYSTEM), "SESSION_EXPIRED", "a session timed out; " + r.method() + " " + r.path() + " refused");
            r.x.getResponseHeaders().add("Set-Cookie", c.cookie(ConsoleContext.COOKIE, "", "/", 0));
            r.notice(r.t("expired"), 401);
            signInPage.handle(r);
        } else if (r.method().equals("GET")) {
            Responses.redirect(r.x, "/login");
        } else {
            c.audit(new Actor("console", Role.SYSTEM), "UNAUTHENTICATED", r.method() + " " + r.path() + " without a session, refused");
            r.notice("", 401);
            signInPage.handle(r);
        }
    }
}
