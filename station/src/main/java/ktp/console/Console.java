package ktp.console;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import ktp.console.filters.CsrfFilter;
import ktp.console.filters.RoleFilter;
import ktp.console.filters.SameOriginFilter;
import ktp.console.filters.SessionFilter;
import ktp.console.pages.Pages;
import ktp.console.web.Filter;
import ktp.console.web.Request;
import ktp.console.web.Responses;
import ktp.console.web.Route;
import ktp.http.GuardedHttp;
import ktp.station.StationDaemon;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator console (docs/console.md): a small web application served by the station daemon on the
 * loopback interface by default, in Indonesian unless English is chosen. This class is the server and the
 * routing only: every request passes the filters in order (same origin, session, CSRF token, role) and then
 * reaches its page's handler; the pages are classes of their own in {@code ktp.console.pages}, the style a
 * resource. Every sign-in, sign-out, refusal and action is written to the station's audit log.
 */
public final class Console implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Console.class);

    private final HttpServer http;
    private final ExecutorService workers;
    private final GuardedHttp front;
    private final Map<String, Route> routes = new HashMap<>();
    private final List<Filter> filters;
    private final byte[] style;
    private final byte[] script;

    private Console(ConsoleContext c, HttpServer http, ExecutorService workers, GuardedHttp front) throws IOException {
        this.http = http;
        this.workers = workers;
        this.front = front;
        List<Route> all = Pages.all(c);
        List<Route> menu = new ArrayList<>();
        for (Route r : all) {
            if (routes.put(r.method() + " " + r.path(), r) != null) throw new IllegalStateException("two handlers for " + r.method() + " " + r.path());
            if (r.nav() != null) menu.add(r);
        }
        c.menu(menu);
        try (InputStream in = Console.class.getResourceAsStream("/ktp/console/style.css")) {
            if (in == null) throw new IOException("console: the style sheet ktp/console/style.css is missing from the build");
            style = in.readAllBytes();
        }
        try (InputStream in = Console.class.getResourceAsStream("/ktp/console/visit.js")) {
            if (in == null) throw new IOException("console: the script ktp/console/visit.js is missing from the build");
            script = in.readAllBytes();
        }
        Route.Handler signIn = routes.get("GET /login").handler();
        filters = List.of(new SameOriginFilter(c), new SessionFilter(c, signIn), new CsrfFilter(c, signIn), new RoleFilter(c));
        notFound = r -> c.page(r, 404, "404", "<p>" + ktp.console.web.Html.esc(r.path()) + "</p>");
    }

    private final Route.Handler notFound;

    /** Serves the console for {@code daemon} on its configured address; the users file must name at least one account. */
    public static Console start(StationDaemon daemon, Clock clock) throws IOException {
        ktp.station.StationConfig.Console c = daemon.config().console();
        Users users = Users.load(c.users());
        if (users.size() == 0) throw new IOException("console: " + c.users() + " has no account; add one with: ktp console user add --users " + c.users() + " --name NAME --role supervisor");
        int colon = c.listen().lastIndexOf(':');
        InetSocketAddress at = new InetSocketAddress(c.listen().substring(0, colon), Integer.parseInt(c.listen().substring(colon + 1)));
        // Slow or many clients cannot starve the console (ktp.http.GuardedHttp, docs/console.md): the JDK server
        // listens on loopback behind a front that bounds connections in all and per address, with a worker
        // for every admitted connection and the JDK's own limits on the time to read a request.
        GuardedHttp.Limits limits = GuardedHttp.Limits.CONSOLE;
        GuardedHttp.applyJdkLimits(limits);
        HttpServer http = HttpServer.create(GuardedHttp.backendAddress(), 256);
        ExecutorService workers = GuardedHttp.workers(limits, "console-http");
        http.setExecutor(workers);
        Sessions sessions = new Sessions(clock, Duration.ofSeconds(c.sessionIdleSeconds()), c.lockoutAfter(), Duration.ofMinutes(c.lockoutMinutes()));
        GuardedHttp front;
        try {
            front = GuardedHttp.start("console", at, http.getAddress(), limits, true);
        } catch (IOException e) {
            http.stop(0);
            workers.shutdownNow();
            throw new IOException("console: cannot listen on " + c.listen() + ": " + e.getMessage(), e);
        }
        Console console = new Console(new ConsoleContext(daemon, users, sessions, clock, c.behindTls()), http, workers, front);
        http.createContext("/", console::handle);
        http.start();
        LOG.info(ktp.i18n.StationLog.line(c.behindTls() ? "console.startedTls" : "console.started", c.listen(), users.size()));
        return console;
    }

    public int port() { return front.port(); }

    @Override
    public void close() {
        front.close();
        http.stop(0);
        workers.shutdownNow();
    }

    private void handle(HttpExchange x) throws IOException {
        try {
            if (x.getRequestURI().getPath().equals("/static/style.css")) {
                Responses.send(x, 200, "text/css; charset=utf-8", style);
                return;
            }
            if (x.getRequestURI().getPath().equals("/static/visit.js")) {
                Responses.send(x, 200, "text/javascript; charset=utf-8", script);
                return;
            }
            Request r = new Request(x);
            Route route = routes.get(r.method() + " " + r.path());
            Route target = route != null ? route : new Route(r.method(), r.path(), false, java.util.Set.of(), notFound, null);
            chain(0, target).proceed(r);
        } catch (Request.MalformedRequest e) {
            // The request could not be read, so neither can its language from the usual place: the cookie header as sent.
            Responses.send(x, 400, "text/plain; charset=utf-8", (ktp.i18n.Catalogue.text(languageOf(x), "console.badrequest") + "\n" + e.getMessage()).getBytes(StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            LOG.error(ktp.i18n.StationLog.line("console.failed", x.getRequestMethod(), x.getRequestURI().getPath(), e), e);
            Responses.send(x, 500, "text/plain; charset=utf-8", (ktp.i18n.Catalogue.text(languageOf(x), "console.internalerror") + "\n" + e.getMessage()).getBytes(StandardCharsets.UTF_8));
        } finally {
            x.close();
        }
    }

    /** The operator's language from the raw Cookie header ({@code lang=en}), for answers given before a Request exists. */
    private static ktp.i18n.Language languageOf(HttpExchange x) {
        String header = x.getRequestHeaders().getFirst("Cookie");
        if (header != null) {
            for (String part : header.split(";")) {
                String p = part.strip();
                if (p.startsWith("lang=")) return ktp.i18n.Language.of(p.substring(5));
            }
        }
        return ktp.i18n.Language.ID;
    }

    /** The filters from {@code i} on, then the route's handler. */
    private Filter.Chain chain(int i, Route route) {
        if (i == filters.size()) return route.handler()::handle;
        return r -> filters.get(i).filter(r, route, chain(i + 1, route));
    }
}
