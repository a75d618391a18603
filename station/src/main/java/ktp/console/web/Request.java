package ktp.console.web;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import ktp.console.Sessions;
import ktp.i18n.Catalogue;
import ktp.i18n.Language;
import ktp.store.Actor;

/** One request as the filters and pages see it: the form, the cookies, the language and (once the session filter let it pass) who is signed in. */
public final class Request {
    public final HttpExchange x;
    private final Map<String, String> query;
    private final Map<String, String> form;
    private final Map<String, String> cookies;
    public final Language language;
    private Sessions.Session session;
    private String notice = "";
    private int status = 200;

    public Request(HttpExchange x) throws IOException {
        this.x = x;
        this.query = parse(x.getRequestURI().getRawQuery());
        this.cookies = cookies(x.getRequestHeaders().getFirst("Cookie"));
        if (x.getRequestMethod().equals("POST")) {
            byte[] body = x.getRequestBody().readNBytes(64 * 1024);
            this.form = parse(new String(body, StandardCharsets.UTF_8));
        } else {
            this.form = Map.of();
        }
        this.language = Language.of(cookies.get("lang"));
    }

    public String method() { return x.getRequestMethod(); }

    public String path() { return x.getRequestURI().getPath(); }

    public boolean english() { return language == Language.EN; }

    /** The console's text for {@code key} ("console." is added) in this request's language. */
    public String t(String key, Object... args) { return Catalogue.text(language, "console." + key, args); }

    public String cookie(String name) { return cookies.get(name); }

    public String header(String name) { return x.getRequestHeaders().getFirst(name); }

    public Sessions.Session session() { return session; }

    public void session(Sessions.Session s) { session = s; }

    /** What a filter tells the page it hands over to (the sign-in page after a refusal): a message and the status to answer with. */
    public void notice(String message, int status) {
        this.notice = message;
        this.status = status;
    }

    public String notice() { return notice; }

    public int status() { return status; }

    public Actor actor() { return new Actor(session.user(), session.role()); }

    /** A form (or else query) field with the white space around it removed: names, numbers, references. */
    public String param(String name) { return exact(name).strip(); }

    /** A form (or else query) field exactly as typed (a password: its spaces are part of it). */
    public String exact(String name) {
        String v = form.containsKey(name) ? form.get(name) : query.get(name);
        return v == null ? "" : v;
    }

    /** Whether the form (not the query) has this field. */
    public String formField(String name) { return form.get(name); }

    /** A request whose form or query cannot be read: 400, not a failure of the console. */
    public static final class MalformedRequest extends RuntimeException {
        MalformedRequest(String message) { super(message); }
    }

    private static Map<String, String> parse(String raw) {
        Map<String, String> m = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) return m;
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k, v;
            try {
                k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                // found by fuzzing (HttpFuzzTest): "count=%" made URLDecoder throw, and the console answer 500
                throw new MalformedRequest("a form or query field is not URL-encoded (" + e.getMessage() + ")");
            }
            m.putIfAbsent(k, v);
        }
        return m;
    }

    private static Map<String, String> cookies(String header) {
        Map<String, String> m = new LinkedHashMap<>();
        if (header == null) return m;
        for (String c : header.split(";")) {
            int eq = c.indexOf('=');
            if (eq > 0) m.putIfAbsent(c.substring(0, eq).strip(), c.substring(eq + 1).strip());
        }
        return m;
    }
}
