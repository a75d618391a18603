package ktp.console.pages;

import static ktp.console.web.Html.esc;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import ktp.console.ConsoleContext;
import ktp.console.PasswordHasher;
import ktp.console.Sessions;
import ktp.console.Users;
import ktp.console.web.Html;
import ktp.console.web.Request;
import ktp.console.web.Responses;
import ktp.console.web.Route;
import ktp.store.Actor;
import ktp.store.Role;

/**
 * Signing in and out, and the language switch. Sign-in checks Argon2id hashes, costs the same for an unknown
 * name, locks an account after repeated wrong passwords, and takes the password exactly as typed.
 */
public final class SignInPage {
    private final ConsoleContext c;
    private final PasswordHasher hasher = new PasswordHasher();
    private final String decoy = hasher.hash("no account has this password".toCharArray());

    public SignInPage(ConsoleContext c) { this.c = c; }

    public List<Route> routes() {
        return List.of(Route.open("GET", "/login", this::show), Route.open("POST", "/login", this::signIn), Route.open("GET", "/lang", this::language),
                Route.post("/logout", this::signOut), Route.get("/", r -> Responses.redirect(r.x, "/queue")));
    }

    /** The sign-in form with a fresh single-use token (see CsrfFilter); a message and status set by a filter are shown. */
    public void show(Request r) throws IOException {
        show(r, r.notice(), r.status());
    }

    private void show(Request r, String message, int status) throws IOException {
        // The browser may ask for the page again (a reload, or /favicon.ico sent here): its token stays while unused,
        // so that the form in the window and the cookie agree.
        String pre = r.cookie(ConsoleContext.PRE_COOKIE);
        if (!c.sessions.livePreToken(pre)) {
            pre = c.sessions.issuePreToken();
            r.x.getResponseHeaders().add("Set-Cookie", c.cookie(ConsoleContext.PRE_COOKIE, pre, "/login", null));
        }
        String body = (message.isEmpty() ? "" : "<p class=error id=message>" + esc(message) + "</p>")
                + "<form method=post action=/login id=login><input type=hidden name=csrf value=\"" + pre + "\">"
                + "<label>" + esc(r.t("user")) + " <input name=user id=user autocomplete=username required></label>"
                + "<label>" + esc(r.t("password")) + " <input type=password name=password id=password autocomplete=current-password required></label>"
                + "<button type=submit id=signin>" + esc(r.t("signin")) + "</button></form>";
        c.page(r, status, r.t("signin"), body);
    }

    private void signIn(Request r) throws IOException {
        String name = r.param("user").toLowerCase(Locale.ROOT);
        Actor who = new Actor(Users.validName(name) ? name : "unknown", Role.SYSTEM);
        Optional<Instant> locked = c.sessions.lockedUntil(name);
        if (locked.isPresent()) {
            c.audit(who, "SIGN_IN_LOCKED", "sign-in refused: the account is locked until " + ConsoleContext.TIME.format(locked.get()));
            show(r, r.t("locked") + " " + ConsoleContext.TIME.format(locked.get()), 403);
            return;
        }
        Optional<Users.User> u = c.users.find(name);
        // Exactly as typed: a password's spaces are part of it (they used to be stripped at sign-in only).
        char[] pw = r.exact("password").toCharArray();
        // An unknown name costs the same hash as a known one, so the answer's time does not tell which names exist.
        boolean ok = hasher.verify(pw, u.map(Users.User::hash).orElse(decoy)) && u.isPresent();
        java.util.Arrays.fill(pw, '\0');
        if (!ok) {
            c.audit(who, "SIGN_IN_FAILED", "wrong user name or password for '" + Html.printable(name) + "'");
            Optional<Instant> now = c.sessions.failed(name);
            if (now.isPresent()) c.audit(who, "ACCOUNT_LOCKED", "'" + Html.printable(name) + "' locked until " + ConsoleContext.TIME.format(now.get()) + " after repeated wrong passwords");
            show(r, r.t("wrong"), 401);
            return;
        }
        Sessions.Session s = c.sessions.open(u.get().name(), u.get().role());
        c.audit(new Actor(s.user(), s.role()), "SIGN_IN", "signed in to the console");
        r.x.getResponseHeaders().add("Set-Cookie", c.cookie(ConsoleContext.COOKIE, s.id(), "/", null));
        Responses.redirect(r.x, s.role() == Role.TECHNICIAN ? "/printer" : "/queue");
    }

    private void signOut(Request r) throws IOException {
        c.sessions.close(r.session().id());
        c.audit(r.actor(), "SIGN_OUT", "signed out of the console");
        r.x.getResponseHeaders().add("Set-Cookie", c.cookie(ConsoleContext.COOKIE, "", "/", 0));
        Responses.redirect(r.x, "/login");
    }

    private void language(Request r) throws IOException {
        String to = "en".equals(r.param("to")) ? "en" : "id";
        r.x.getResponseHeaders().add("Set-Cookie", "lang=" + to + "; Path=/; SameSite=Strict; Max-Age=31536000" + (c.secureCookies ? "; Secure" : ""));
        Responses.redirect(r.x, "/queue");
    }
}
