package ktp.console.filters;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import ktp.console.ConsoleContext;
import ktp.console.web.Filter;
import ktp.console.web.Html;
import ktp.console.web.Request;
import ktp.console.web.Route;
import ktp.store.Actor;
import ktp.store.Role;

/**
 * Every form carries a token a forger cannot know: the session's, or on the sign-in form (no session yet) a
 * single-use value this console issued, sent back both as a cookie and in the form. A value the client chose
 * for both is not one the console issued, and is refused.
 */
public final class CsrfFilter implements Filter {
    private final ConsoleContext c;
    private final Route.Handler signInPage;

    public CsrfFilter(ConsoleContext c, Route.Handler signInPage) {
        this.c = c;
        this.signInPage = signInPage;
    }

    @Override
    public void filter(Request r, Route route, Chain next) throws IOException {
        if (!r.method().equals("POST")) {
            next.proceed(r);
            return;
        }
        if (route.open()) {
            if (!c.sessions.takePreToken(r.cookie(ConsoleContext.PRE_COOKIE), r.formField("csrf"))) {
                c.audit(new Actor("console", Role.SYSTEM), "CSRF_REFUSED", "a sign-in form for '" + Html.printable(r.param("user").toLowerCase(java.util.Locale.ROOT))
                        + "' without a token this console issued");
                r.notice(r.t("csrf"), 403);
                signInPage.handle(r);
                return;
            }
            next.proceed(r);
            return;
        }
        String sent = r.formField("csrf");
        if (sent == null || !MessageDigest.isEqual(sent.getBytes(StandardCharsets.US_ASCII), r.session().csrf().getBytes(StandardCharsets.US_ASCII))) {
            c.audit(r.actor(), "CSRF_REFUSED", r.method() + " " + r.path() + ": the form's token was missing or wrong");
            c.refuse(r, 403, r.t("csrf"));
            return;
        }
        next.proceed(r);
    }
}
