package ktp.console;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import ktp.http.GuardedHttp;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import ktp.job.JobState;
import ktp.report.DailyReport;
import ktp.report.Reconciliation;
import ktp.report.ReportPdf;
import ktp.counter.HolderActivation;
import ktp.station.StationDaemon;
import ktp.store.Actor;
import ktp.store.AuditEntry;
import ktp.store.BlankFate;
import ktp.store.Job;
import ktp.store.LedgerEntry;
import ktp.store.Role;
import ktp.store.StationStore;
import ktp.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator console (docs/console.md): a small web application served by the station daemon on the
 * loopback interface by default. Pages are rendered on the server (no scripts), in Indonesian unless English
 * is chosen. Sign-in checks Argon2id hashes and locks an account after repeated wrong passwords; a session
 * lives in an HttpOnly, SameSite=Strict cookie and times out when idle; every form carries the session's CSRF
 * token; each role may do only its own actions. Every sign-in, sign-out, refusal and action is written to
 * the station's audit log.
 */
public final class Console implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Console.class);
    private static final String COOKIE = "ktp_session";
    private static final String PRE_COOKIE = "ktp_pre";
    private static final ZoneId ZONE = ZoneId.of("Asia/Jakarta");
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZONE);

    private final StationDaemon daemon;
    private final Users users;
    private final Sessions sessions;
    private final PasswordHasher hasher = new PasswordHasher();
    private final String decoy = hasher.hash("no account has this password".toCharArray());
    private final Clock clock;
    private final HttpServer http;
    private final ExecutorService workers;
    private final GuardedHttp front;

    private Console(StationDaemon daemon, Users users, Sessions sessions, Clock clock, HttpServer http, ExecutorService workers, GuardedHttp front) {
        this.daemon = daemon;
        this.users = users;
        this.sessions = sessions;
        this.clock = clock;
        this.http = http;
        this.workers = workers;
        this.front = front;
    }

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
        Console console = new Console(daemon, users, sessions, clock, http, workers, front);
        http.createContext("/", console::handle);
        http.start();
        LOG.info("console on http://{}/ ({} accounts)", c.listen(), users.size());
        return console;
    }

    public int port() { return front.port(); }

    @Override
    public void close() {
        front.close();
        http.stop(0);
        workers.shutdownNow();
    }

    // ---------------------------------------------------------------- requests

    /** One request as the pages see it: who is signed in, the form, the language. */
    private final class Request {
        final HttpExchange x;
        final Map<String, String> query;
        final Map<String, String> form;
        final Map<String, String> cookies;
        final boolean english;
        Sessions.Session session;

        Request(HttpExchange x) throws IOException {
            this.x = x;
            this.query = parse(x.getRequestURI().getRawQuery());
            this.cookies = cookies(x.getRequestHeaders().getFirst("Cookie"));
            boolean post = x.getRequestMethod().equals("POST");
            if (post) {
                byte[] body = x.getRequestBody().readNBytes(64 * 1024);
                this.form = parse(new String(body, StandardCharsets.UTF_8));
            } else {
                this.form = Map.of();
            }
            this.english = "en".equals(cookies.get("lang"));
        }

        String t(String key) { return Messages.get(key, english); }

        Actor actor() { return new Actor(session.user(), session.role()); }

        String param(String name) {
            String v = form.containsKey(name) ? form.get(name) : query.get(name);
            return v == null ? "" : v.strip();
        }
    }

    private void handle(HttpExchange x) throws IOException {
        try {
            Request r = new Request(x);
            String path = x.getRequestURI().getPath();
            String method = x.getRequestMethod();
            if (path.equals("/static/style.css")) {
                send(x, 200, "text/css; charset=utf-8", STYLE.getBytes(StandardCharsets.UTF_8));
                return;
            }
            if (path.equals("/lang")) {
                String to = "en".equals(r.query.get("to")) ? "en" : "id";
                x.getResponseHeaders().add("Set-Cookie", "lang=" + to + "; Path=/; SameSite=Strict; Max-Age=31536000");
                redirect(x, "/queue");
                return;
            }
            if (path.equals("/login")) {
                if (method.equals("POST")) signIn(r);
                else loginPage(r, "", 200);
                return;
            }
            Sessions.Miss[] why = new Sessions.Miss[1];
            Optional<Sessions.Session> s = sessions.touch(r.cookies.get(COOKIE), why);
            if (s.isEmpty()) {
                if (why[0] == Sessions.Miss.EXPIRED) {
                    audit(new Actor("console", Role.SYSTEM), "SESSION_EXPIRED", "a session timed out; " + method + " " + path + " refused");
                    x.getResponseHeaders().add("Set-Cookie", COOKIE + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
                    loginPage(r, r.t("expired"), 401);
                } else if (method.equals("GET")) {
                    redirect(x, "/login");
                } else {
                    audit(new Actor("console", Role.SYSTEM), "UNAUTHENTICATED", method + " " + path + " without a session, refused");
                    loginPage(r, "", 401);
                }
                return;
            }
            r.session = s.get();
            if (method.equals("POST") && !csrfOk(r)) {
                audit(r.actor(), "CSRF_REFUSED", method + " " + path + ": the form's token was missing or wrong");
                page(r, 403, r.t("csrf"), "<p class=error>" + esc(r.t("csrf")) + "</p>");
                return;
            }
            switch (method + " " + path) {
                case "GET /" -> redirect(x, "/queue");
                case "POST /logout" -> {
                    sessions.close(r.session.id());
                    audit(r.actor(), "SIGN_OUT", "signed out of the console");
                    x.getResponseHeaders().add("Set-Cookie", COOKIE + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
                    redirect(x, "/login");
                }
                case "GET /queue" -> queuePage(r);
                case "GET /printer" -> printerPage(r, "");
                case "POST /printer/reload-keys" -> { if (allowed(r, Role.TECHNICIAN)) reloadKeys(r); }
                case "POST /printer/resume" -> { if (allowed(r, Role.TECHNICIAN)) resumeLane(r); }
                case "GET /issue" -> issuePage(r);
                case "POST /issue/read" -> { if (allowed(r, Role.OPERATOR, Role.SUPERVISOR)) readCard(r); }
                case "POST /issue/activate" -> { if (allowed(r, Role.OPERATOR, Role.SUPERVISOR)) activate(r); }
                case "POST /issue/override" -> { if (allowed(r, Role.SUPERVISOR)) override(r); }
                case "GET /ledger" -> ledgerPage(r, "");
                case "POST /ledger/load" -> { if (allowed(r, Role.OPERATOR, Role.SUPERVISOR)) loadBlanks(r); }
                case "GET /audit" -> auditPage(r);
                case "GET /reports" -> reportsPage(r, "");
                case "GET /reports/daily.pdf" -> dailyReport(r);
                case "GET /reports/reconciliation.pdf" -> { if (allowed(r, Role.OPERATOR, Role.SUPERVISOR)) reconciliationReport(r); }
                // The same for the command line (ktp queue, ledger, issue --user NAME while the daemon runs).
                case "GET /api/session" -> json(r.x, 200, JSON.createObjectNode().put("user", r.session.user())
                        .put("role", r.session.role().name().toLowerCase(java.util.Locale.ROOT)).put("csrf", r.session.csrf()));
                case "GET /api/queue" -> json(r.x, 200, ktp.report.Listings.jobs(store(), r.param("state"), r.param("nik")));
                case "GET /api/ledger" -> json(r.x, 200, ktp.report.Listings.ledger(store(), r.param("fate")));
                case "POST /api/issue" -> { if (allowed(r, Role.OPERATOR, Role.SUPERVISOR)) apiIssue(r); }
                case "POST /api/ledger/load" -> { if (allowed(r, Role.OPERATOR, Role.SUPERVISOR)) apiLoad(r); }
                default -> page(r, 404, "404", "<p>" + esc(path) + "</p>");
            }
        } catch (MalformedRequest e) {
            send(x, 400, "text/plain; charset=utf-8", ("bad request: " + e.getMessage()).getBytes(StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            LOG.error("console: {} {}: {}", x.getRequestMethod(), x.getRequestURI().getPath(), e.toString(), e);
            send(x, 500, "text/plain; charset=utf-8", ("internal error: " + e.getMessage()).getBytes(StandardCharsets.UTF_8));
        } finally {
            x.close();
        }
    }

    private boolean csrfOk(Request r) {
        String sent = r.form.get("csrf");
        return sent != null && MessageDigest.isEqual(sent.getBytes(StandardCharsets.US_ASCII), r.session.csrf().getBytes(StandardCharsets.US_ASCII));
    }

    /** Whether the signed-in role may do this; if not, a 403 page and an audit line. */
    private boolean allowed(Request r, Role... roles) throws IOException {
        for (Role role : roles) if (r.session.role() == role) return true;
        audit(r.actor(), "FORBIDDEN", r.x.getRequestMethod() + " " + r.x.getRequestURI().getPath() + " refused: needs " + List.of(roles));
        page(r, 403, r.t("forbidden"), "<p class=error>" + esc(r.t("forbidden")) + "</p>");
        return false;
    }

    // ---------------------------------------------------------------- sign-in

    private void signIn(Request r) throws IOException {
        String name = r.param("user").toLowerCase(java.util.Locale.ROOT);
        String pre = r.cookies.get(PRE_COOKIE);
        if (pre == null || !MessageDigest.isEqual(pre.getBytes(StandardCharsets.US_ASCII), r.param("csrf").getBytes(StandardCharsets.US_ASCII))) {
            audit(new Actor("console", Role.SYSTEM), "CSRF_REFUSED", "a sign-in form for '" + printable(name) + "' without its token");
            loginPage(r, r.t("csrf"), 403);
            return;
        }
        Actor who = new Actor(Users.validName(name) ? name : "unknown", Role.SYSTEM);
        Optional<Instant> locked = sessions.lockedUntil(name);
        if (locked.isPresent()) {
            audit(who, "SIGN_IN_LOCKED", "sign-in refused: the account is locked until " + TIME.format(locked.get()));
            loginPage(r, r.t("locked") + " " + TIME.format(locked.get()), 403);
            return;
        }
        Optional<Users.User> u = users.find(name);
        char[] pw = r.param("password").toCharArray();
        // An unknown name costs the same hash as a known one, so the answer's time does not tell which names exist.
        boolean ok = hasher.verify(pw, u.map(Users.User::hash).orElse(decoy)) && u.isPresent();
        java.util.Arrays.fill(pw, '\0');
        if (!ok) {
            audit(who, "SIGN_IN_FAILED", "wrong user name or password for '" + printable(name) + "'");
            Optional<Instant> now = sessions.failed(name);
            if (now.isPresent()) audit(who, "ACCOUNT_LOCKED", "'" + printable(name) + "' locked until " + TIME.format(now.get()) + " after repeated wrong passwords");
            loginPage(r, r.t("wrong"), 401);
            return;
        }
        Sessions.Session s = sessions.open(u.get().name(), u.get().role());
        audit(new Actor(s.user(), s.role()), "SIGN_IN", "signed in to the console");
        r.x.getResponseHeaders().add("Set-Cookie", COOKIE + "=" + s.id() + "; Path=/; HttpOnly; SameSite=Strict");
        redirect(r.x, "/queue");
    }

    private void loginPage(Request r, String message, int status) throws IOException {
        // A sign-in form has no session yet: its token is a random value in a cookie, sent back in the form.
        String pre = r.cookies.get(PRE_COOKIE);
        if (pre == null || pre.length() != 43) {
            byte[] b = new byte[32];
            new java.security.SecureRandom().nextBytes(b);
            pre = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
            r.x.getResponseHeaders().add("Set-Cookie", PRE_COOKIE + "=" + pre + "; Path=/login; HttpOnly; SameSite=Strict");
        }
        String body = (message.isEmpty() ? "" : "<p class=error id=message>" + esc(message) + "</p>")
                + "<form method=post action=/login id=login><input type=hidden name=csrf value=\"" + pre + "\">"
                + "<label>" + esc(r.t("user")) + " <input name=user id=user autocomplete=username required></label>"
                + "<label>" + esc(r.t("password")) + " <input type=password name=password id=password autocomplete=current-password required></label>"
                + "<button type=submit id=signin>" + esc(r.t("signin")) + "</button></form>";
        page(r, status, r.t("signin"), body);
    }

    // ---------------------------------------------------------------- pages

    private void queuePage(Request r) throws IOException {
        String state = r.param("state");
        String nik = r.param("nik");
        List<Job> jobs = store().jobs().stream()
                .filter(j -> state.isEmpty() || j.state().name().equals(state))
                .filter(j -> nik.isEmpty() || j.nik().contains(nik))
                .sorted(Comparator.comparing(Job::createdAt)).toList();
        StringBuilder b = new StringBuilder("<form method=get action=/queue class=filters><label>" + esc(r.t("state")) + " <select name=state id=state><option value=\"\">"
                + esc(r.t("all")) + "</option>");
        for (JobState s : JobState.values()) b.append("<option").append(s.name().equals(state) ? " selected" : "").append(">").append(s.name()).append("</option>");
        b.append("</select></label><label>").append(esc(r.t("searchnik"))).append(" <input name=nik id=nik value=\"").append(esc(nik))
                .append("\" inputmode=numeric></label><button type=submit>").append(esc(r.t("filter"))).append("</button></form>");
        b.append("<table id=queue><tr><th>").append(esc(r.t("record"))).append("</th><th>NIK</th><th>").append(esc(r.t("state"))).append("</th><th>")
                .append(esc(r.t("blank"))).append("</th><th>").append(esc(r.t("updated"))).append("</th><th>").append(esc(r.t("reason"))).append("</th></tr>");
        for (Job j : jobs) {
            b.append("<tr data-record=\"").append(esc(j.recordId())).append("\"><td>").append(esc(j.recordId())).append("</td><td>").append(esc(j.nik()))
                    .append("</td><td class=\"state ").append(j.state().name()).append("\">").append(j.state().name()).append("</td><td>").append(esc(j.blankId()))
                    .append("</td><td>").append(TIME.format(j.updatedAt())).append("</td><td>").append(esc(j.reason())).append("</td></tr>");
        }
        b.append("</table><p>").append(jobs.size()).append(' ').append(esc(r.t("jobs"))).append("</p>");
        page(r, 200, r.t("queue"), b.toString(), 10);
    }

    private void printerPage(Request r, String message) throws IOException {
        StationDaemon.PrinterView v = daemon.printerView();
        // The alerts come from the same lane state as health and `ktp station status` (docs/station-daemon.md).
        ktp.station.StationHealth health = daemon.health();
        StringBuilder b = new StringBuilder(message.isEmpty() ? "" : "<p class=ok id=message>" + esc(message) + "</p>");
        if (!health.alerts().isEmpty()) {
            b.append("<div class=alert id=alert><strong>").append(esc(r.t("alert"))).append(":</strong><ul id=alerts>");
            for (ktp.station.StationHealth.Alert a : health.alerts()) {
                b.append("<li data-code=\"").append(esc(a.code())).append("\">").append(esc(a.printer().isEmpty() ? "" : a.printer() + ": "))
                        .append(esc(r.english ? a.messageEn() : a.messageId())).append(a.detail().isEmpty() ? "" : " <small>(" + esc(a.detail()) + ")</small>").append("</li>");
            }
            b.append("</ul></div>");
        } else {
            b.append("<p id=alert class=ok>").append(esc(r.t("noalert"))).append("</p>");
        }
        for (ktp.station.PrintLane lane : daemon.lanes()) {
            if (lane.printer().chipless()) {
                b.append("<p class=alert id=chipless>").append(esc(r.english ? "Printer " + lane.name() + " prints cards WITHOUT a chip (configured chipless): every such card is flagged in the audit log and its blank id starts with NOCHIP-"
                        : "Printer " + lane.name() + " mencetak kartu TANPA chip (dikonfigurasi tanpa chip): setiap kartu demikian ditandai di log audit dan ID blankonya diawali NOCHIP-")).append("</p>");
            }
        }
        if (r.session.role() == Role.TECHNICIAN) {
            b.append("<form method=post action=/printer/reload-keys id=reloadkeys><input type=hidden name=csrf value=\"").append(r.session.csrf())
                    .append("\"><button type=submit>").append(esc(r.english ? "Reload the trusted keys" : "Muat ulang kunci tepercaya")).append("</button></form>");
            for (ktp.station.PrintLane lane : daemon.lanes()) {
                if (lane.state().kind() != ktp.station.LaneState.Kind.FAULTED) continue;
                b.append("<form method=post action=/printer/resume id=resume-").append(esc(lane.name())).append("><input type=hidden name=csrf value=\"").append(r.session.csrf())
                        .append("\"><input type=hidden name=printer value=\"").append(esc(lane.name())).append("\"><button type=submit>")
                        .append(esc((r.english ? "Resume printer " : "Lanjutkan printer ") + lane.name())).append("</button></form>");
            }
        }
        b.append("<table id=printer>");
        row(b, r.t("printerstate"), v.state());
        row(b, r.t("ribbon"), v.ribbonRemaining() == null ? r.t("unknown") : v.ribbonRemaining().toString());
        row(b, r.t("feeder"), v.feederHasCards() == null ? r.t("unknown") : v.feederHasCards() ? r.t("yes") : r.t("no"));
        // The printer says only whether its feeder is empty; the records say how many should be in it (what the
        // reconciliation calls expected in the feeder: loaded minus every blank a printer took).
        long loaded = store().blanksLoadedTotal();
        long expected = loaded - store().ledgerSize();
        row(b, r.t("feedercount"), loaded == 0 ? r.t("unknown") : expected < 0 ? expected + " (!)" : Long.toString(expected));
        row(b, r.t("rejectfull"), v.rejectBoxFull() == null ? r.t("unknown") : v.rejectBoxFull() ? r.t("yes") : r.t("no"));
        row(b, r.t("printed"), v.cardsPrinted() == null ? r.t("unknown") : v.cardsPrinted().toString());
        row(b, r.t("paused"), daemon.paused() ? r.t("yes") : r.t("no"));
        b.append("</table>");
        page(r, 200, r.t("printer"), b.toString(), 5);
    }

    /** A technician's reload of the trusted keys (audited by the daemon with who asked). */
    private void reloadKeys(Request r) throws IOException {
        try {
            java.util.Set<String> keys = daemon.reloadTrustedKeys(r.actor());
            printerPage(r, (r.english ? "Trusted keys reloaded: " : "Kunci tepercaya dimuat ulang: ") + keys);
        } catch (IOException e) {
            page(r, 400, r.t("badinput"), "<p class=error id=message>" + esc(e.getMessage()) + "</p>" + back(r, "/printer"));
        }
    }

    /** A technician says a FAULTED lane's cause is dealt with (audited by the daemon). */
    private void resumeLane(Request r) throws IOException {
        try {
            daemon.resumeLane(r.param("printer"), r.actor());
            printerPage(r, (r.english ? "Resumed printer " : "Printer dilanjutkan ") + r.param("printer"));
        } catch (IllegalArgumentException e) {
            page(r, 400, r.t("badinput"), "<p class=error id=message>" + esc(e.getMessage()) + "</p>" + back(r, "/printer"));
        }
    }

    private void issuePage(Request r) throws IOException {
        StringBuilder b = new StringBuilder("<h2>" + esc(r.t("waiting")) + "</h2><p>" + esc(r.t("insertread")) + "</p><table id=waiting><tr><th>"
                + esc(r.t("record")) + "</th><th>NIK</th><th>" + esc(r.t("blank")) + "</th><th></th></tr>");
        for (Job j : jobsIn(JobState.AWAITING_HOLDER)) {
            b.append("<tr><td>").append(esc(j.recordId())).append("</td><td>").append(esc(j.nik())).append("</td><td>").append(esc(j.blankId()))
                    .append("</td><td>").append(form(r, "/issue/read", "read-" + j.recordId(), r.t("read"), Map.of("record", j.recordId()))).append("</td></tr>");
        }
        b.append("</table><h2>").append(esc(r.t("failed"))).append("</h2><table id=failed><tr><th>").append(esc(r.t("record"))).append("</th><th>NIK</th><th>")
                .append(esc(r.t("reason"))).append("</th><th></th></tr>");
        for (Job j : jobsIn(JobState.ACTIVATION_FAILED)) {
            b.append("<tr><td>").append(esc(j.recordId())).append("</td><td>").append(esc(j.nik())).append("</td><td>").append(esc(j.reason())).append("</td><td>");
            if (r.session.role() == Role.SUPERVISOR) {
                b.append("<form method=post action=/issue/override><input type=hidden name=csrf value=\"").append(r.session.csrf())
                        .append("\"><input type=hidden name=record value=\"").append(esc(j.recordId())).append("\"><input name=reason placeholder=\"")
                        .append(esc(r.t("overridereason"))).append("\" required><button type=submit>").append(esc(r.t("override"))).append("</button></form>");
            }
            b.append("</td></tr>");
        }
        b.append("</table>");
        page(r, 200, r.t("issue"), b.toString());
    }

    private void readCard(Request r) throws IOException {
        String record = r.param("record");
        HolderActivation.Inspection in;
        try {
            in = daemon.counter().inspect(record);
        } catch (HolderActivation.ActivationException e) {
            audit(r.actor(), "CHIP_READ", "record " + record + ": " + e.getMessage());
            page(r, 409, r.t("issue"), "<p class=error id=result>" + esc(e.getMessage()) + "</p>" + back(r, "/issue"));
            return;
        }
        audit(r.actor(), "CHIP_READ", "record " + record + " card " + in.uid() + (in.genuine() ? ": genuine" : ": " + in.refusal()));
        StringBuilder b = new StringBuilder("<h2>" + esc(r.t("holder")) + "</h2>");
        ktp.record.ChipData.Holder h = in.holder();
        if (h != null) {
            if (h.photoJpeg().length > 0) b.append("<img id=photo alt=\"\" src=\"data:image/jpeg;base64,").append(Base64.getEncoder().encodeToString(h.photoJpeg())).append("\">");
            b.append("<table id=holder>");
            row(b, "NIK", h.nik());
            row(b, "Nama", h.nama());
            row(b, "Tempat/Tgl Lahir", h.tempatLahir() + ", " + h.tanggalLahir());
            row(b, "Jenis Kelamin", h.jenisKelamin() == null ? "" : h.jenisKelamin().replace('_', '-'));
            row(b, "Alamat", h.alamat() + ", " + h.kecamatan() + ", " + h.kabupatenKota() + ", " + h.provinsi());
            row(b, "Berlaku Hingga", h.berlakuHingga());
            b.append("</table>");
        }
        if (in.genuine()) {
            b.append("<p class=ok id=verdict>").append(esc(r.t("genuine"))).append("</p><p>").append(esc(r.t("placefinger"))).append("</p>")
                    .append(form(r, "/issue/activate", "activate", r.t("activate"), Map.of("record", record)));
        } else {
            b.append("<p class=error id=verdict>").append(esc(r.t("notgenuine"))).append(": ").append(esc(in.refusal())).append("</p>")
                    .append(form(r, "/issue/activate", "activate", r.t("activate"), Map.of("record", record)));
        }
        page(r, 200, r.t("issue"), b.toString());
    }

    private void activate(Request r) throws IOException {
        String record = r.param("record");
        StringBuilder prompts = new StringBuilder();
        try {
            HolderActivation.Result res = daemon.counter().issue(record, r.actor(), p -> prompts.append("<li>").append(esc(p)).append("</li>"));
            String cls = res.state() == JobState.ISSUED ? "ok" : "error";
            page(r, 200, r.t("result"), "<p class=" + cls + " id=result><strong>" + res.state() + "</strong> " + esc(res.detail()) + "</p>"
                    + (prompts.length() == 0 ? "" : "<ul>" + prompts + "</ul>") + back(r, "/issue"));
        } catch (HolderActivation.ActivationException e) {
            audit(r.actor(), "ISSUE_NOT_DECIDED", "record " + record + ": " + e.getMessage());
            page(r, 409, r.t("result"), "<p class=error id=result>" + esc(e.getMessage()) + "</p>" + back(r, "/issue"));
        }
    }

    private void override(Request r) throws IOException {
        String record = r.param("record");
        String reason = r.param("reason");
        try {
            HolderActivation.Result res = daemon.counter().override(record, r.actor(), reason);
            page(r, 200, r.t("result"), "<p class=ok id=result><strong>" + res.state() + "</strong> " + esc(res.detail()) + "</p>" + back(r, "/issue"));
        } catch (HolderActivation.ActivationException e) {
            audit(r.actor(), "OVERRIDE_REFUSED", "record " + record + ": " + e.getMessage());
            page(r, 409, r.t("result"), "<p class=error id=result>" + esc(e.getMessage()) + "</p>" + back(r, "/issue"));
        }
    }

    private void ledgerPage(Request r, String message) throws IOException {
        List<LedgerEntry> entries = store().ledger().stream().sorted(Comparator.comparing(LedgerEntry::enteredAt).reversed()).toList();
        Map<BlankFate, Integer> totals = new LinkedHashMap<>();
        for (BlankFate f : BlankFate.values()) totals.put(f, 0);
        entries.forEach(e -> totals.merge(e.fate(), 1, Integer::sum));
        StringBuilder b = new StringBuilder(message.isEmpty() ? "" : "<p class=ok id=message>" + esc(message) + "</p>");
        b.append("<p id=totals>");
        totals.forEach((f, n) -> b.append(f.name()).append(": <strong>").append(n).append("</strong> &nbsp; "));
        b.append("</p>");
        if (r.session.role() != Role.TECHNICIAN) {
            b.append("<form method=post action=/ledger/load id=load><input type=hidden name=csrf value=\"").append(r.session.csrf()).append("\"><strong>")
                    .append(esc(r.t("load"))).append("</strong> <label>").append(esc(r.t("count"))).append(" <input name=count id=count type=number min=1 max=100000 required></label><label>")
                    .append(esc(r.t("reference"))).append(" <input name=reference id=reference required maxlength=200></label><button type=submit>").append(esc(r.t("save")))
                    .append("</button></form>");
        }
        b.append("<table id=ledger><tr><th>").append(esc(r.t("blank"))).append("</th><th>").append(esc(r.t("record"))).append("</th><th>")
                .append(esc(r.t("fate"))).append("</th><th>").append(esc(r.t("updated"))).append("</th><th>").append(esc(r.t("reason"))).append("</th></tr>");
        for (LedgerEntry e : entries) {
            b.append("<tr><td>").append(esc(e.blankId())).append("</td><td>").append(esc(e.recordId())).append("</td><td>").append(e.fate().name())
                    .append("</td><td>").append(TIME.format(e.updatedAt())).append("</td><td>").append(esc(e.reason())).append("</td></tr>");
        }
        b.append("</table>");
        page(r, 200, r.t("ledger"), b.toString());
    }

    private void loadBlanks(Request r) throws IOException {
        int count;
        try {
            count = Integer.parseInt(r.param("count"));
            store().blanksLoaded(count, r.param("reference"), r.actor());
        } catch (NumberFormatException | StoreException e) {
            String why = e instanceof NumberFormatException ? "count: not a number" : e.getMessage();
            page(r, 400, r.t("badinput"), "<p class=error id=message>" + esc(r.t("badinput")) + ": " + esc(why) + "</p>" + back(r, "/ledger"));
            return;
        }
        ledgerPage(r, r.t("saved") + " " + count);
    }

    private void auditPage(Request r) throws IOException {
        StationStore st = store();
        long size = st.auditSize();
        List<AuditEntry> last = st.auditAfter(Math.max(0, size - 200), 200);
        StringBuilder b = new StringBuilder("<table id=audit><tr><th>#</th><th>" + esc(r.t("when")) + "</th><th>" + esc(r.t("who")) + "</th><th>"
                + esc(r.t("action")) + "</th><th>" + esc(r.t("detail")) + "</th></tr>");
        for (int i = last.size() - 1; i >= 0; i--) {
            AuditEntry e = last.get(i);
            b.append("<tr><td>").append(e.sequence()).append("</td><td>").append(TIME.format(e.at())).append("</td><td>").append(esc(e.actor()))
                    .append("</td><td>").append(esc(e.action())).append("</td><td>").append(esc(e.detail())).append("</td></tr>");
        }
        b.append("</table>");
        page(r, 200, r.t("audit"), b.toString());
    }

    private void reportsPage(Request r, String message) throws IOException {
        String today = LocalDate.now(clock.withZone(ZONE)).toString();
        String body = (message.isEmpty() ? "" : "<p class=error>" + esc(message) + "</p>")
                + "<form method=get action=/reports/daily.pdf id=daily><strong>" + esc(r.t("daily")) + "</strong> <label>" + esc(r.t("date"))
                + " <input name=date type=date value=\"" + today + "\" required></label><button type=submit id=download-daily>" + esc(r.t("download")) + "</button></form>"
                + "<form method=get action=/reports/reconciliation.pdf id=reconciliation><strong>" + esc(r.t("reconciliation")) + "</strong> <label>" + esc(r.t("from"))
                + " <input name=from type=date value=\"" + today + "\" required></label><label>" + esc(r.t("to")) + " <input name=to type=date value=\"" + today
                + "\" required></label><label>" + esc(r.t("counted")) + " <input name=counted type=number min=0></label><button type=submit>" + esc(r.t("download")) + "</button></form>";
        page(r, 200, r.t("reports"), body);
    }

    private void dailyReport(Request r) throws IOException {
        LocalDate day;
        try {
            day = LocalDate.parse(r.param("date"));
        } catch (java.time.format.DateTimeParseException e) {
            reportsPage(r, r.t("badinput") + ": " + r.t("date"));
            return;
        }
        DailyReport rep = DailyReport.of(store(), day, ZONE, clock.instant());
        byte[] pdf = ReportPdf.daily(rep);
        audit(r.actor(), "REPORT", "daily report for " + day + " downloaded");
        r.x.getResponseHeaders().add("Content-Disposition", "attachment; filename=\"laporan-harian-" + rep.stationId() + "-" + day + ".pdf\"");
        send(r.x, 200, "application/pdf", pdf);
    }

    private void reconciliationReport(Request r) throws IOException {
        LocalDate from;
        LocalDate to;
        OptionalInt counted = OptionalInt.empty();
        try {
            from = LocalDate.parse(r.param("from"));
            to = LocalDate.parse(r.param("to"));
            if (!r.param("counted").isEmpty()) counted = OptionalInt.of(Integer.parseInt(r.param("counted")));
            if (to.isBefore(from) || counted.orElse(0) < 0) throw new IllegalArgumentException("period or count");
        } catch (RuntimeException e) {
            reportsPage(r, r.t("badinput") + ": " + r.t("from") + "/" + r.t("to") + "/" + r.t("counted"));
            return;
        }
        Reconciliation rec = Reconciliation.of(store(), from, to, ZONE, counted, clock.instant());
        byte[] pdf = ReportPdf.reconciliation(rec);
        audit(r.actor(), "REPORT", "blank reconciliation " + from + ".." + to + " downloaded" + (counted.isPresent() ? ", counted " + counted.getAsInt() + ", difference " + rec.difference().getAsInt() : ""));
        r.x.getResponseHeaders().add("Content-Disposition", "attachment; filename=\"rekonsiliasi-" + rec.stationId() + "-" + from + "-" + to + ".pdf\"");
        send(r.x, 200, "application/pdf", pdf);
    }

    private void apiIssue(Request r) throws IOException {
        String nik = r.param("nik");
        Optional<Job> job = store().jobs().stream().filter(j -> j.nik().equals(nik))
                .filter(j -> j.state() == JobState.AWAITING_HOLDER || j.state() == JobState.ACTIVATING).findFirst();
        if (job.isEmpty()) {
            json(r.x, 404, JSON.createObjectNode().put("error", "no printed card waits for NIK " + nik + " at this station"));
            return;
        }
        try {
            HolderActivation.Result res = daemon.counter().issue(job.get().recordId(), r.actor(), p -> { });
            json(r.x, 200, JSON.createObjectNode().put("recordId", job.get().recordId()).put("blankId", job.get().blankId())
                    .put("state", res.state().name()).put("detail", res.detail()));
        } catch (HolderActivation.ActivationException e) {
            audit(r.actor(), "ISSUE_NOT_DECIDED", "record " + job.get().recordId() + ": " + e.getMessage());
            json(r.x, 409, JSON.createObjectNode().put("error", e.getMessage()));
        }
    }

    private void apiLoad(Request r) throws IOException {
        try {
            int count = Integer.parseInt(r.param("count"));
            store().blanksLoaded(count, r.param("reference"), r.actor());
            json(r.x, 200, JSON.createObjectNode().put("loaded", count));
        } catch (NumberFormatException | StoreException e) {
            json(r.x, 400, JSON.createObjectNode().put("error", e instanceof NumberFormatException ? "count: not a number" : e.getMessage()));
        }
    }

    private static void json(HttpExchange x, int status, com.fasterxml.jackson.databind.JsonNode body) throws IOException {
        send(x, status, "application/json", JSON.writeValueAsBytes(body));
    }

    // ---------------------------------------------------------------- helpers

    private StationStore store() { return daemon.store(); }

    private List<Job> jobsIn(JobState s) {
        return store().jobs().stream().filter(j -> j.state() == s).sorted(Comparator.comparing(Job::updatedAt)).toList();
    }

    private void audit(Actor actor, String action, String detail) {
        try {
            store().audit(actor, "CONSOLE_" + action, detail);
        } catch (RuntimeException e) {
            LOG.error("console: cannot write the audit line {} {}: {}", action, detail, e.toString());
        }
    }

    private static String form(Request r, String action, String id, String label, Map<String, String> hidden) {
        StringBuilder b = new StringBuilder("<form method=post action=\"" + action + "\"><input type=hidden name=csrf value=\"" + r.session.csrf() + "\">");
        hidden.forEach((k, v) -> b.append("<input type=hidden name=\"").append(esc(k)).append("\" value=\"").append(esc(v)).append("\">"));
        return b.append("<button type=submit id=\"").append(esc(id)).append("\">").append(esc(label)).append("</button></form>").toString();
    }

    private static String back(Request r, String to) { return "<p><a href=\"" + to + "\" id=back>" + esc(r.t("back")) + "</a></p>"; }

    private static void row(StringBuilder b, String k, String v) {
        b.append("<tr><th>").append(esc(k)).append("</th><td>").append(esc(v == null ? "" : v)).append("</td></tr>");
    }

    private void page(Request r, int status, String title, String body) throws IOException { page(r, status, title, body, 0); }

    private void page(Request r, int status, String title, String body, int refreshSeconds) throws IOException {
        StringBuilder b = new StringBuilder("<!doctype html><html lang=\"").append(r.english ? "en" : "id").append("\"><head><meta charset=utf-8><title>")
                .append(esc(title)).append(" - ").append(esc(r.t("title"))).append("</title><link rel=stylesheet href=/static/style.css>");
        if (refreshSeconds > 0) b.append("<meta http-equiv=refresh content=").append(refreshSeconds).append('>');
        b.append("</head><body><header><strong>").append(esc(r.t("title"))).append("</strong> ").append(esc(daemon.config().stationId()));
        if (r.session != null) {
            b.append("<nav>");
            for (String[] n : new String[][] {{"/queue", "queue"}, {"/printer", "printer"}, {"/issue", "issue"}, {"/ledger", "ledger"}, {"/audit", "audit"}, {"/reports", "reports"}}) {
                b.append("<a href=").append(n[0]).append(" id=nav-").append(n[1]).append('>').append(esc(r.t(n[1]))).append("</a> ");
            }
            b.append("</nav><span id=who>").append(esc(r.session.user())).append(" (").append(r.session.role().name().toLowerCase(java.util.Locale.ROOT)).append(")</span>")
                    .append("<form method=post action=/logout class=inline><input type=hidden name=csrf value=\"").append(r.session.csrf())
                    .append("\"><button type=submit id=signout>").append(esc(r.t("signout"))).append("</button></form>");
        }
        b.append(" <a href=\"/lang?to=").append(r.english ? "id" : "en").append("\" id=lang>").append(r.english ? "Bahasa Indonesia" : "English").append("</a></header><main><h1>")
                .append(esc(title)).append("</h1>").append(body).append("</main></body></html>");
        send(r.x, status, "text/html; charset=utf-8", b.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void redirect(HttpExchange x, String to) throws IOException {
        x.getResponseHeaders().add("Location", to);
        send(x, 303, "text/plain; charset=utf-8", new byte[0]);
    }

    private static void send(HttpExchange x, int status, String type, byte[] body) throws IOException {
        var h = x.getResponseHeaders();
        h.set("Content-Type", type);
        h.set("Cache-Control", "no-store");
        h.set("X-Content-Type-Options", "nosniff");
        h.set("X-Frame-Options", "DENY");
        h.set("Referrer-Policy", "no-referrer");
        h.set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'");
        x.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream o = x.getResponseBody()) {
                o.write(body);
            }
        }
    }

    static String esc(String s) {
        if (s == null) return "";
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** A name someone typed, safe for one audit line. */
    private static String printable(String s) {
        String t = s.replaceAll("[^\\x20-\\x7E]", "?");
        return t.length() > 40 ? t.substring(0, 40) + "..." : t;
    }

    /** A request whose form or query cannot be read: 400, not a failure of the console. */
    private static final class MalformedRequest extends RuntimeException {
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

    private static final String STYLE = """
            body{font-family:sans-serif;margin:0;color:#222}header{background:#8b0000;color:#fff;padding:.5em 1em;display:flex;gap:1em;align-items:center;flex-wrap:wrap}
            header a{color:#fff}nav a{margin-right:.6em}main{padding:1em}table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;font-size:.9em}
            .error{color:#a00;font-weight:bold}.ok{color:#060;font-weight:bold}.alert{background:#fee;border:2px solid #a00;padding:.5em;margin:.5em 0}
            form{margin:.3em 0}form.inline{display:inline}label{margin-right:.6em}img#photo{height:160px;border:1px solid #999;float:right;margin-left:1em}
            .state.ISSUED{color:#060}.state.ACTIVATION_FAILED,.state.REJECTED,.state.SPOILED{color:#a00}
            """;
}
