package ktp.console;

import static ktp.console.web.Html.esc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import ktp.console.web.Request;
import ktp.console.web.Responses;
import ktp.console.web.Route;
import ktp.station.StationDaemon;
import ktp.store.Actor;
import ktp.store.StationStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the filters and pages share: the daemon, the accounts and sessions, the clock, the cookie settings,
 * the audit line and the page frame (the menu shows only the pages the signed-in role may open).
 */
public final class ConsoleContext {
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleContext.class);
    public static final String COOKIE = "ktp_session";
    public static final String PRE_COOKIE = "ktp_pre";
    public static final ZoneId ZONE = ZoneId.of("Asia/Jakarta");
    public static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZONE);

    public final StationDaemon daemon;
    public final Users users;
    public final Sessions sessions;
    public final Clock clock;
    /** Behind a TLS proxy (console.behind_tls): cookies carry Secure, so a browser never sends them in clear. */
    public final boolean secureCookies;
    private volatile List<Route> menu = List.of();

    ConsoleContext(StationDaemon daemon, Users users, Sessions sessions, Clock clock, boolean secureCookies) {
        this.daemon = daemon;
        this.users = users;
        this.sessions = sessions;
        this.clock = clock;
        this.secureCookies = secureCookies;
    }

    void menu(List<Route> pages) { menu = List.copyOf(pages); }

    public StationStore store() { return daemon.store(); }

    /** A Set-Cookie value with the console's attributes; {@code maxAge} null: a session cookie, 0: removes it. */
    public String cookie(String name, String value, String path, Integer maxAge) {
        return name + "=" + value + "; Path=" + path + "; HttpOnly; SameSite=Strict" + (secureCookies ? "; Secure" : "") + (maxAge == null ? "" : "; Max-Age=" + maxAge);
    }

    public void audit(Actor actor, String action, String detail) {
        try {
            store().audit(actor, "CONSOLE_" + action, detail);
        } catch (RuntimeException e) {
            LOG.error(ktp.i18n.StationLog.line("console.auditFailed", action, detail, e));
        }
    }

    public void page(Request r, int status, String title, String body) throws IOException { page(r, status, title, body, 0); }

    /** The page frame: title, the menu of the pages this role may open, who is signed in, the language switch. */
    public void page(Request r, int status, String title, String body, int refreshSeconds) throws IOException {
        StringBuilder b = new StringBuilder("<!doctype html><html lang=\"").append(r.language.code()).append("\"><head><meta charset=utf-8><title>")
                .append(esc(title)).append(" - ").append(esc(r.t("title"))).append("</title><link rel=stylesheet href=/static/style.css>");
        if (refreshSeconds > 0) b.append("<meta http-equiv=refresh content=").append(refreshSeconds).append('>');
        b.append("</head><body><header><strong>").append(esc(r.t("title"))).append("</strong> ").append(esc(daemon.config().stationId()));
        if (r.session() != null) {
            b.append("<nav>");
            for (Route p : menu) {
                if (!p.allows(r.session().role())) continue;
                b.append("<a href=").append(p.path()).append(" id=nav-").append(p.nav()).append('>').append(esc(r.t(p.nav()))).append("</a> ");
            }
            b.append("</nav><span id=who>").append(esc(r.session().user())).append(" (").append(esc(r.t("role." + r.session().role().name().toLowerCase(Locale.ROOT))))
                    .append(")</span><form method=post action=/logout class=inline><input type=hidden name=csrf value=\"").append(r.session().csrf())
                    .append("\"><button type=submit id=signout>").append(esc(r.t("signout"))).append("</button></form>");
        }
        b.append(" <a href=\"/lang?to=").append(r.english() ? "id" : "en").append("\" id=lang>").append(r.english() ? "Bahasa Indonesia" : "English").append("</a></header><main><h1>")
                .append(esc(title)).append("</h1>").append(body).append("</main></body></html>");
        Responses.send(r.x, status, "text/html; charset=utf-8", b.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** A refusal page with its reason (already audited by the caller). */
    public void refuse(Request r, int status, String message) throws IOException {
        page(r, status, message, "<p class=error id=message>" + esc(message) + "</p>");
    }
}
