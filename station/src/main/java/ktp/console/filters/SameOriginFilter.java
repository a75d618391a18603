package ktp.console.filters;

import java.io.IOException;
import java.net.URI;
import ktp.console.ConsoleContext;
import ktp.console.web.Filter;
import ktp.console.web.Request;
import ktp.console.web.Route;
import ktp.store.Actor;
import ktp.store.Role;

/**
 * A form posted from another site or a sibling subdomain is refused before anything else looks at it: the
 * browser says where a request comes from (Sec-Fetch-Site, Origin). The command line sends neither and is let
 * through to the token checks, which it must pass like everyone else.
 */
public final class SameOriginFilter implements Filter {
    private final ConsoleContext c;

    public SameOriginFilter(ConsoleContext c) { this.c = c; }

    @Override
    public void filter(Request r, Route route, Chain next) throws IOException {
        if (r.method().equals("POST") && !sameOrigin(r)) {
            Actor who = r.session() != null ? r.actor() : new Actor("console", Role.SYSTEM);
            c.audit(who, "CROSS_SITE_REFUSED", "POST " + r.path() + " from " + ktp.console.web.Html.printable(String.valueOf(r.header("Origin")))
                    + " (Sec-Fetch-Site " + ktp.console.web.Html.printable(String.valueOf(r.header("Sec-Fetch-Site"))) + ")");
            c.refuse(r, 403, r.t("csrf"));
            return;
        }
        next.proceed(r);
    }

    static boolean sameOrigin(Request r) {
        String site = r.header("Sec-Fetch-Site");
        if (site != null && !site.equals("same-origin") && !site.equals("none")) return false;
        String origin = r.header("Origin");
        // "null": the browser hides the origin (our own Referrer-Policy no-referrer makes Chromium send that); Sec-Fetch-Site then speaks.
        if (origin == null || origin.equals("null")) return true;
        String host = r.header("Host");
        try {
            URI o = URI.create(origin);
            return host != null && o.getRawAuthority() != null && o.getRawAuthority().equalsIgnoreCase(host);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
