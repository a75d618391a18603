package ktp.office.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The office's web dashboard (docs/office.md): sign-in, national, province and regency figures for a day or a
 * range with a chart of cards issued per day, the stations with their state, last seen, health, outbox, blanks,
 * ribbon and gaps, the alerts (also as JSON at /alerts.json), and CSV exports. Indonesian by default, English
 * with ?lang=en. Listens where it is told (loopback by default); sessions are random 256-bit cookies,
 * HttpOnly and SameSite=Strict, ending after 30 idle minutes.
 */
public final class Dashboard implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Dashboard.class);
    private static final long IDLE_MS = 30 * 60_000L;

    private final HttpServer server;
    private final Figures figures;
    private final OfficeUsers users;
    private final ZoneId zone;
    private final Clock clock;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();

    private record Session(OfficeUsers.User user, long[] lastUse, String csrf) {}

    private volatile ktp.office.command.OfficeCommander commander;

    /** Commands from the page (PAUSE, RESUME, AUTHORISE_REPRINT), for supervisors; without it the page has none. */
    public Dashboard commands(ktp.office.command.OfficeCommander c) {
        this.commander = c;
        return this;
    }

    public Dashboard(InetSocketAddress listen, Figures figures, OfficeUsers users, ZoneId zone, Clock clock) throws IOException {
        this.figures = figures;
        this.users = users;
        this.zone = zone;
        this.clock = clock;
        this.server = HttpServer.create(listen, 50);
        server.setExecutor(Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "office-dashboard");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
    }

    public Dashboard start() {
        server.start();
        return this;
    }

    public int port() { return server.getAddress().getPort(); }

    private void handle(HttpExchange x) throws IOException {
        try {
            String path = x.getRequestURI().getPath();
            Map<String, String> q = query(x.getRequestURI().getRawQuery());
            String lang = "en".equals(q.get("lang")) ? "en" : "id";
            if (path.equals("/login")) {
                login(x, lang);
                return;
            }
            Session s = session(x);
            if (s == null) {
                redirect(x, "/login?lang=" + lang);
                return;
            }
            switch (path) {
                case "/" -> page(x, lang, s, null, q);
                case "/province" -> page(x, lang, s, code(q.get("code")), q);
                case "/stations" -> stations(x, lang, s);
                case "/alerts.json" -> alertsJson(x);
                case "/commands" -> commandsPage(x, lang, s);
                case "/nik" -> nikPage(x, lang, s, q.getOrDefault("nik", ""));
                case "/export.csv" -> csv(x, q);
                case "/export.pdf" -> pdf(x, q, lang);
                case "/logout" -> {
                    sessions.values().remove(s);
                    x.getResponseHeaders().add("Set-Cookie", "ktp_office=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
                    redirect(x, "/login?lang=" + lang);
                }
                default -> send(x, 404, "text/plain", "not found");
            }
        } catch (java.sql.SQLException e) {
            LOG.warn("dashboard: database: {}", e.getMessage());
            send(x, 503, "text/plain; charset=utf-8", "the office database cannot be read just now: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            send(x, 400, "text/plain; charset=utf-8", e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("dashboard: {}", e.toString(), e);
            send(x, 500, "text/plain", "internal error");
        }
    }

    private static String code(String c) {
        if (c == null || !c.matches("\\d{2}")) throw new IllegalArgumentException("code: a province is two digits, not '" + c + "'");
        return c;
    }

    private void login(HttpExchange x, String lang) throws IOException {
        String error = "";
        if (x.getRequestMethod().equals("POST")) {
            Map<String, String> f = query(new String(x.getRequestBody().readNBytes(4096), StandardCharsets.UTF_8));
            var u = users.check(f.getOrDefault("name", ""), f.getOrDefault("password", "").toCharArray());
            if (u.isPresent()) {
                byte[] b = new byte[32];
                random.nextBytes(b);
                String id = HexFormat.of().formatHex(b);
                byte[] csrf = new byte[16];
                random.nextBytes(csrf);
                sessions.put(id, new Session(u.get(), new long[] {System.currentTimeMillis()}, HexFormat.of().formatHex(csrf)));
                x.getResponseHeaders().add("Set-Cookie", "ktp_office=" + id + "; Path=/; HttpOnly; SameSite=Strict");
                LOG.info("dashboard: {} signed in ({})", u.get().name(), u.get().role());
                redirect(x, "/?lang=" + lang);
                return;
            }
            error = "<p class=error id=login-error>" + t(lang, "badLogin") + "</p>";
        }
        send(x, 200, "text/html; charset=utf-8", head(lang, t(lang, "signIn")) + "<main><h1>" + t(lang, "title") + "</h1>" + error
                + "<form method=post action='/login?lang=" + lang + "'><label>" + t(lang, "user") + " <input name=name id=name autocomplete=username></label>"
                + "<label>" + t(lang, "password") + " <input name=password id=password type=password autocomplete=current-password></label>"
                + "<button id=signin type=submit>" + t(lang, "signIn") + "</button></form>" + langLinks(lang, "/login") + "</main></body></html>");
    }

    private Session session(HttpExchange x) {
        String cookies = x.getRequestHeaders().getFirst("Cookie");
        if (cookies == null) return null;
        for (String c : cookies.split(";")) {
            String[] kv = c.strip().split("=", 2);
            if (kv.length == 2 && kv[0].equals("ktp_office")) {
                Session s = sessions.get(kv[1]);
                if (s == null) return null;
                long now = System.currentTimeMillis();
                if (now - s.lastUse()[0] > IDLE_MS) {
                    sessions.remove(kv[1]);
                    return null;
                }
                s.lastUse()[0] = now;
                return s;
            }
        }
        return null;
    }

    private LocalDate[] range(Map<String, String> q) {
        LocalDate today = LocalDate.now(clock.withZone(zone));
        try {
            LocalDate from = q.containsKey("from") && !q.get("from").isEmpty() ? LocalDate.parse(q.get("from")) : today;
            LocalDate to = q.containsKey("to") && !q.get("to").isEmpty() ? LocalDate.parse(q.get("to")) : from;
            if (to.isBefore(from)) throw new IllegalArgumentException("to (" + to + ") is before from (" + from + ")");
            if (from.plusDays(3660).isBefore(to)) throw new IllegalArgumentException("a range is at most ten years");
            return new LocalDate[] {from, to};
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("from/to: a date is YYYY-MM-DD (" + e.getParsedString() + ")");
        }
    }

    private void page(HttpExchange x, String lang, Session s, String province, Map<String, String> q) throws IOException, java.sql.SQLException {
        LocalDate[] r = range(q);
        Map<String, Map<String, Long>> areas = figures.byArea(r[0], r[1], province);
        StringBuilder b = new StringBuilder(head(lang, t(lang, "title")));
        b.append(nav(lang, s));
        b.append("<main><h1 id=view>").append(province == null ? t(lang, "national") : esc(t(lang, "province") + " " + Regions.name(province) + " (" + province + ")")).append("</h1>");
        b.append("<form method=get action='").append(province == null ? "/" : "/province").append("'>");
        if (province != null) b.append("<input type=hidden name=code value=").append(province).append(">");
        b.append("<input type=hidden name=lang value=").append(lang).append("><label>").append(t(lang, "from")).append(" <input type=date name=from value=").append(r[0])
                .append("></label><label>").append(t(lang, "to")).append(" <input type=date name=to value=").append(r[1]).append("></label><button>").append(t(lang, "show")).append("</button></form>");
        alertsBox(b, lang);
        long[] total = new long[Figures.TYPES.size()];
        b.append("<table id=figures><tr><th>").append(t(lang, province == null ? "province" : "regency")).append("</th>");
        for (String ty : Figures.TYPES) b.append("<th>").append(t(lang, ty)).append("</th>");
        b.append("</tr>");
        for (Map.Entry<String, Map<String, Long>> a : areas.entrySet()) {
            String name = Regions.name(a.getKey()) + " (" + a.getKey() + ")";
            b.append("<tr><td>").append(province == null ? "<a href='/province?code=" + esc(a.getKey()) + "&from=" + r[0] + "&to=" + r[1] + "&lang=" + lang + "'>" + esc(name) + "</a>" : esc(name)).append("</td>");
            for (int i = 0; i < Figures.TYPES.size(); i++) {
                long n = a.getValue().getOrDefault(Figures.TYPES.get(i), 0L);
                total[i] += n;
                b.append("<td class=n>").append(n).append("</td>");
            }
            b.append("</tr>");
        }
        b.append("<tr class=total><td>").append(t(lang, "total")).append("</td>");
        for (long n : total) b.append("<td class=n>").append(n).append("</td>");
        b.append("</tr></table>");
        reasonsTable(b, lang, figures.reasons(r[0], r[1], province));
        chart(b, lang, figures.issuedPerDay(r[0], r[1], province));
        areaChart(b, lang, areas, province == null);
        b.append("<p><a id=csv href='/export.csv?from=").append(r[0]).append("&to=").append(r[1]).append(province == null ? "" : "&code=" + province).append("'>")
                .append(t(lang, "csv")).append("</a> <a id=csv-reasons href='/export.csv?table=reasons&from=").append(r[0]).append("&to=").append(r[1])
                .append(province == null ? "" : "&code=" + province).append("'>").append(t(lang, "csvReasons")).append("</a> <a id=pdf href='/export.pdf?from=").append(r[0]).append("&to=").append(r[1])
                .append(province == null ? "" : "&code=" + province).append("&lang=").append(lang).append("'>PDF</a></p></main></body></html>");
        send(x, 200, "text/html; charset=utf-8", b.toString());
    }

    /** Spoiled cards and rejected records by reason, the most frequent first. */
    private static void reasonsTable(StringBuilder b, String lang, Map<String, Map<String, Long>> reasons) {
        b.append("<h2>").append(t(lang, "reasons")).append("</h2><table id=reasons><tr><th>").append(t(lang, "event")).append("</th><th>").append(t(lang, "reason"))
                .append("</th><th>").append(t(lang, "count")).append("</th></tr>");
        for (Map.Entry<String, Map<String, Long>> ty : reasons.entrySet()) {
            if (ty.getValue().isEmpty()) {
                b.append("<tr><td>").append(t(lang, ty.getKey())).append("</td><td>-</td><td class=n>0</td></tr>");
                continue;
            }
            for (Map.Entry<String, Long> why : ty.getValue().entrySet()) {
                b.append("<tr><td>").append(t(lang, ty.getKey())).append("</td><td>").append(why.getKey().isEmpty() ? t(lang, "noReason") : esc(why.getKey()))
                        .append("</td><td class=n>").append(why.getValue()).append("</td></tr>");
            }
        }
        b.append("</table>");
    }

    /** Cards issued per day, as bars (an SVG, no script). */
    private static void chart(StringBuilder b, String lang, Map<LocalDate, Long> perDay) {
        long max = Math.max(1, perDay.values().stream().mapToLong(Long::longValue).max().orElse(1));
        int w = Math.max(1, 600 / Math.max(1, perDay.size()));
        b.append("<h2>").append(t(lang, "issuedPerDay")).append("</h2><svg id=chart width=").append(Math.max(200, w * perDay.size())).append(" height=140 role=img>");
        int i = 0;
        for (Map.Entry<LocalDate, Long> d : perDay.entrySet()) {
            long h = d.getValue() * 120 / max;
            b.append("<rect x=").append(i * w).append(" y=").append(125 - h).append(" width=").append(Math.max(1, w - 2)).append(" height=").append(h)
                    .append(" fill='#1f6f8b'><title>").append(d.getKey()).append(": ").append(d.getValue()).append("</title></rect>");
            i++;
        }
        b.append("</svg>");
    }

    /** Cards issued per province (or regency) over the range, as horizontal bars. */
    private static void areaChart(StringBuilder b, String lang, Map<String, Map<String, Long>> areas, boolean provinces) {
        long max = Math.max(1, areas.values().stream().mapToLong(m -> m.getOrDefault("CARD_ISSUED", 0L)).max().orElse(1));
        b.append("<h2>").append(t(lang, provinces ? "issuedPerProvince" : "issuedPerRegency")).append("</h2><svg id=area-chart width=620 height=").append(Math.max(20, areas.size() * 18)).append(" role=img>");
        int i = 0;
        for (Map.Entry<String, Map<String, Long>> a : areas.entrySet()) {
            long n = a.getValue().getOrDefault("CARD_ISSUED", 0L);
            long w = n * 360 / max;
            b.append("<text x=0 y=").append(i * 18 + 13).append(" font-size=11>").append(esc(Regions.name(a.getKey()))).append("</text><rect x=230 y=").append(i * 18 + 3)
                    .append(" width=").append(Math.max(1, w)).append(" height=12 fill='#1f6f8b'></rect><text x=").append(236 + w).append(" y=").append(i * 18 + 13)
                    .append(" font-size=11>").append(n).append("</text>");
            i++;
        }
        b.append("</svg>");
    }

    private void alertsBox(StringBuilder b, String lang) throws java.sql.SQLException {
        List<Figures.Alert> alerts = figures.alerts(clock.instant(), Figures.Thresholds.DEFAULT);
        b.append("<section id=alerts><h2>").append(t(lang, "alerts")).append(" (").append(alerts.size()).append(")</h2><ul>");
        for (Figures.Alert a : alerts) b.append("<li class='alert ").append(a.kind()).append("'><b>").append(t(lang, a.kind())).append("</b> ").append(esc(a.station())).append(": ").append(esc(a.detail(lang))).append("</li>");
        b.append("</ul></section>");
    }

    private void stations(HttpExchange x, String lang, Session s) throws IOException, java.sql.SQLException {
        StringBuilder b = new StringBuilder(head(lang, t(lang, "stations"))).append(nav(lang, s)).append("<main><h1>").append(t(lang, "stations")).append("</h1>");
        alertsBox(b, lang);
        b.append("<table id=stations><tr>");
        for (String h : new String[] {"station", "state", "lastSeen", "lastHealth", "outbox", "blanks", "ribbon", "events", "gaps"}) b.append("<th>").append(t(lang, h)).append("</th>");
        b.append("</tr>");
        for (Figures.Station st : figures.stations()) {
            b.append("<tr id='st-").append(esc(st.id())).append("'><td>").append(esc(st.id())).append("</td><td>")
                    .append(st.online() == null ? "?" : t(lang, st.online() ? "online" : "offline")).append("</td><td>").append(st.lastSeen()).append("</td><td>")
                    .append(st.healthAt() == null ? "-" : st.healthAt()).append("</td><td class=n>").append(st.outbox() == null ? "-" : st.outbox()).append("</td><td class=n>")
                    .append(st.blanks() == null ? "-" : st.blanks()).append("</td><td class=n>").append(st.ribbon() == null ? "-" : st.ribbon()).append("</td><td class=n>")
                    .append(st.events()).append("</td><td class=n>").append(st.gaps()).append("</td></tr>");
        }
        b.append("</table></main></body></html>");
        send(x, 200, "text/html; charset=utf-8", b.toString());
    }

    private void commandsPage(HttpExchange x, String lang, Session s) throws IOException, java.sql.SQLException {
        if (commander == null) {
            send(x, 404, "text/plain; charset=utf-8", "this office sends no commands (no broker for them)");
            return;
        }
        String result = "";
        if (x.getRequestMethod().equals("POST")) {
            Map<String, String> f = query(new String(x.getRequestBody().readNBytes(8192), StandardCharsets.UTF_8));
            if (!java.security.MessageDigest.isEqual(s.csrf().getBytes(StandardCharsets.US_ASCII), f.getOrDefault("csrf", "").getBytes(StandardCharsets.US_ASCII))) {
                send(x, 403, "text/plain; charset=utf-8", "the form's token does not match this session; load the page again");
                return;
            }
            if (s.user().role() != OfficeUsers.Role.SUPERVISOR) {
                send(x, 403, "text/plain; charset=utf-8", "only a supervisor sends commands; " + s.user().name() + " is a " + s.user().role().name().toLowerCase(java.util.Locale.ROOT));
                return;
            }
            String station = f.getOrDefault("station", "");
            if (!station.matches("[A-Za-z0-9_-]{1,64}")) throw new IllegalArgumentException("station: '" + station + "' is not a station id");
            ktp.telemetry.TelemetryCodec.CommandKind kind;
            try {
                kind = ktp.telemetry.TelemetryCodec.CommandKind.valueOf(f.getOrDefault("command", ""));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("command: '" + f.get("command") + "' is not PAUSE, RESUME or AUTHORISE_REPRINT");
            }
            try {
                var sent = commander.send(station, kind, f.get("record"), f.get("reason"), s.user().name(), java.time.Duration.ofSeconds(15));
                result = "<p id=command-result>" + esc(kind + " " + station + ": " + (sent.ack() == null ? t(lang, "noAnswer")
                        : (sent.ack().accepted() ? t(lang, "accepted") : t(lang, "refused")) + " - " + sent.ack().detail() + " [" + sent.ackSigner() + "]")) + "</p>";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        StringBuilder b = new StringBuilder(head(lang, t(lang, "commands"))).append(nav(lang, s)).append("<main><h1>").append(t(lang, "commands")).append("</h1>").append(result);
        if (s.user().role() == OfficeUsers.Role.SUPERVISOR) {
            b.append("<form method=post action='/commands?lang=").append(lang).append("'><input type=hidden name=csrf value=").append(s.csrf()).append(">")
                    .append("<label>").append(t(lang, "station")).append(" <select name=station id=cmd-station>");
            for (Figures.Station st : figures.stations()) b.append("<option>").append(esc(st.id())).append("</option>");
            b.append("</select></label><label>").append(t(lang, "command")).append(" <select name=command id=cmd-kind><option>PAUSE</option><option>RESUME</option><option>AUTHORISE_REPRINT</option></select></label>")
                    .append("<label>").append(t(lang, "record")).append(" <input name=record id=cmd-record></label><label>").append(t(lang, "reason"))
                    .append(" <input name=reason id=cmd-reason required></label><button id=cmd-send>").append(t(lang, "send")).append("</button></form>");
        }
        b.append("<table id=commands><tr><th>").append(t(lang, "when")).append("</th><th>").append(t(lang, "station")).append("</th><th>").append(t(lang, "command"))
                .append("</th><th>").append(t(lang, "reason")).append("</th><th>").append(t(lang, "by")).append("</th><th>").append(t(lang, "answer")).append("</th></tr>");
        for (var e : commander.recent(50)) {
            b.append("<tr><td>").append(e.issuedAt()).append("</td><td>").append(esc(e.station())).append("</td><td>").append(esc(e.command() + (e.record() == null ? "" : " " + e.record())))
                    .append("</td><td>").append(esc(e.reason())).append("</td><td>").append(esc(e.issuedBy())).append("</td><td>")
                    .append(e.accepted() == null ? t(lang, "noAnswer") : esc((e.accepted() ? t(lang, "accepted") : t(lang, "refused")) + " - " + e.detail() + " [" + e.signer() + "]")).append("</td></tr>");
        }
        b.append("</table></main></body></html>");
        send(x, 200, "text/html; charset=utf-8", b.toString());
    }

    private void nikPage(HttpExchange x, String lang, Session s, String nik) throws IOException, java.sql.SQLException {
        StringBuilder b = new StringBuilder(head(lang, "NIK")).append(nav(lang, s)).append("<main><h1>").append(t(lang, "resident")).append("</h1>")
                .append("<form method=get action=/nik><input type=hidden name=lang value=").append(lang).append("><label>NIK <input name=nik id=nik value='")
                .append(esc(nik)).append("' pattern='[0-9]{16}'></label><button id=nik-search>").append(t(lang, "show")).append("</button></form>");
        if (!nik.isEmpty()) {
            LOG.info("dashboard: {} looked up a NIK's events", s.user().name());
            b.append("<table id=resident><tr><th>").append(t(lang, "when")).append("</th><th>").append(t(lang, "station")).append("</th><th>#</th><th>")
                    .append(t(lang, "event")).append("</th><th>").append(t(lang, "record")).append("</th><th>").append(t(lang, "blank")).append("</th><th>").append(t(lang, "reason")).append("</th></tr>");
            for (Figures.ResidentEvent e : figures.byNik(nik)) {
                b.append("<tr><td>").append(e.at()).append("</td><td>").append(esc(e.station())).append("</td><td>").append(e.sequence()).append("</td><td>").append(t(lang, e.type()))
                        .append("</td><td>").append(esc(e.record())).append("</td><td>").append(esc(e.blank())).append("</td><td>").append(esc(e.reason())).append("</td></tr>");
            }
            b.append("</table>");
        }
        b.append("</main></body></html>");
        send(x, 200, "text/html; charset=utf-8", b.toString());
    }

    private void alertsJson(HttpExchange x) throws IOException, java.sql.SQLException {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = m.createObjectNode();
        root.put("at", clock.instant().toString());
        ArrayNode a = root.putArray("alerts");
        for (Figures.Alert al : figures.alerts(clock.instant(), Figures.Thresholds.DEFAULT)) {
            var o = a.addObject().put("kind", al.kind()).put("station", al.station()).put("detail", al.detail());
            o.putObject("details").put("id", al.detail("id")).put("en", al.detail("en"));
        }
        send(x, 200, "application/json", m.writeValueAsString(root));
    }

    private void csv(HttpExchange x, Map<String, String> q) throws IOException, java.sql.SQLException {
        LocalDate[] r = range(q);
        String province = q.containsKey("code") ? code(q.get("code")) : null;
        String file = "ktp-office-" + (province == null ? "national" : province) + "-" + r[0] + "-" + r[1];
        if ("reasons".equals(q.get("table"))) {
            // Spoiled cards and rejected records by reason kind over the range and area.
            StringBuilder b = new StringBuilder("from,to,code,type,reason,count\r\n");
            for (Map.Entry<String, Map<String, Long>> ty : figures.reasons(r[0], r[1], province).entrySet()) {
                for (Map.Entry<String, Long> why : ty.getValue().entrySet()) {
                    b.append(r[0]).append(',').append(r[1]).append(',').append(province == null ? "" : province).append(',').append(ty.getKey()).append(",\"")
                            .append(why.getKey().replace("\"", "\"\"")).append("\",").append(why.getValue()).append("\r\n");
                }
            }
            x.getResponseHeaders().add("Content-Disposition", "attachment; filename=\"" + file + "-reasons.csv\"");
            send(x, 200, "text/csv; charset=utf-8", b.toString());
            return;
        }
        StringBuilder b = new StringBuilder("from,to,code,name");
        for (String ty : Figures.TYPES) b.append(',').append(ty);
        b.append("\r\n");
        for (Map.Entry<String, Map<String, Long>> a : figures.byArea(r[0], r[1], province).entrySet()) {
            b.append(r[0]).append(',').append(r[1]).append(',').append(a.getKey()).append(",\"").append(Regions.name(a.getKey()).replace("\"", "\"\"")).append('"');
            for (String ty : Figures.TYPES) b.append(',').append(a.getValue().getOrDefault(ty, 0L));
            b.append("\r\n");
        }
        x.getResponseHeaders().add("Content-Disposition", "attachment; filename=\"ktp-office-" + (province == null ? "national" : province) + "-" + r[0] + "-" + r[1] + ".csv\"");
        send(x, 200, "text/csv; charset=utf-8", b.toString());
    }

    /** The same table as a one-page PDF (PDFBox, a standard font: region names are plain ASCII capitals). */
    private void pdf(HttpExchange x, Map<String, String> q, String lang) throws IOException, java.sql.SQLException {
        LocalDate[] r = range(q);
        String province = q.containsKey("code") ? code(q.get("code")) : null;
        Map<String, Map<String, Long>> areas = figures.byArea(r[0], r[1], province);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (org.apache.pdfbox.pdmodel.PDDocument doc = new org.apache.pdfbox.pdmodel.PDDocument()) {
            org.apache.pdfbox.pdmodel.PDPage page = new org.apache.pdfbox.pdmodel.PDPage(new org.apache.pdfbox.pdmodel.common.PDRectangle(842, 595));
            doc.addPage(page);
            var font = new org.apache.pdfbox.pdmodel.font.PDType1Font(org.apache.pdfbox.pdmodel.font.Standard14Fonts.FontName.HELVETICA);
            var bold = new org.apache.pdfbox.pdmodel.font.PDType1Font(org.apache.pdfbox.pdmodel.font.Standard14Fonts.FontName.HELVETICA_BOLD);
            try (org.apache.pdfbox.pdmodel.PDPageContentStream c = new org.apache.pdfbox.pdmodel.PDPageContentStream(doc, page)) {
                float y = 550;
                line(c, bold, 14, 40, y, t(lang, "title") + " - " + (province == null ? t(lang, "national") : t(lang, "province") + " " + Regions.name(province) + " (" + province + ")"));
                y -= 20;
                line(c, font, 10, 40, y, r[0] + " - " + r[1]);
                y -= 24;
                line(c, bold, 8, 40, y, t(lang, province == null ? "province" : "regency"));
                for (int i = 0; i < Figures.TYPES.size(); i++) line(c, bold, 8, 250 + i * 95, y, t(lang, Figures.TYPES.get(i)));
                for (Map.Entry<String, Map<String, Long>> a : areas.entrySet()) {
                    y -= 14;
                    if (y < 40) break;
                    line(c, font, 8, 40, y, Regions.name(a.getKey()) + " (" + a.getKey() + ")");
                    for (int i = 0; i < Figures.TYPES.size(); i++) line(c, font, 8, 250 + i * 95, y, Long.toString(a.getValue().getOrDefault(Figures.TYPES.get(i), 0L)));
                }
                // Spoiled and rejected by reason, under the table (as far as the page goes).
                y -= 24;
                if (y >= 40) line(c, bold, 10, 40, y, t(lang, "reasons"));
                for (Map.Entry<String, Map<String, Long>> ty : figures.reasons(r[0], r[1], province).entrySet()) {
                    for (Map.Entry<String, Long> why : ty.getValue().entrySet()) {
                        y -= 12;
                        if (y < 40) break;
                        line(c, font, 8, 40, y, t(lang, ty.getKey()));
                        line(c, font, 8, 160, y, why.getKey().isEmpty() ? t(lang, "noReason") : why.getKey());
                        line(c, font, 8, 600, y, Long.toString(why.getValue()));
                    }
                }
            }
            doc.save(out);
        }
        x.getResponseHeaders().add("Content-Disposition", "attachment; filename=\"ktp-office-" + (province == null ? "national" : province) + "-" + r[0] + "-" + r[1] + ".pdf\"");
        byte[] b = out.toByteArray();
        x.getResponseHeaders().add("Content-Type", "application/pdf");
        x.getResponseHeaders().add("Cache-Control", "no-store");
        x.sendResponseHeaders(200, b.length);
        try (OutputStream o = x.getResponseBody()) {
            o.write(b);
        }
    }

    private static void line(org.apache.pdfbox.pdmodel.PDPageContentStream c, org.apache.pdfbox.pdmodel.font.PDFont f, float size, float x, float y, String text) throws IOException {
        c.beginText();
        c.setFont(f, size);
        c.newLineAtOffset(x, y);
        // The standard fonts cover Latin-1 only: anything else is shown as '?' rather than failing the export.
        c.showText(text.replaceAll("[^\\x20-\\x7e\\xa0-\\xff]", "?"));
        c.endText();
    }

    private static String nav(String lang, Session s) {
        return "<nav><a href='/?lang=" + lang + "'>" + t(lang, "national") + "</a> <a id=nav-stations href='/stations?lang=" + lang + "'>" + t(lang, "stations")
                + "</a> <a id=nav-nik href='/nik?lang=" + lang + "'>NIK</a> <a id=nav-commands href='/commands?lang=" + lang + "'>" + t(lang, "commands") + "</a> <a href='/alerts.json'>JSON</a> <span>" + esc(s.user().name()) + " (" + s.user().role().name().toLowerCase(java.util.Locale.ROOT) + ")</span> "
                + "<a id=logout href='/logout?lang=" + lang + "'>" + t(lang, "signOut") + "</a> " + langLinks(lang, "/") + "</nav>";
    }

    private static String langLinks(String lang, String path) {
        return "<span class=lang><a id=lang-id href='" + path + "?lang=id'>Bahasa Indonesia</a> | <a id=lang-en href='" + path + "?lang=en'>English</a></span>";
    }

    private static String head(String lang, String title) {
        return "<!doctype html><html lang=" + lang + "><head><meta charset=utf-8><title>" + esc(title) + "</title><style>"
                + "body{font-family:sans-serif;margin:1em}nav a,nav span{margin-right:1em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px}"
                + ".n{text-align:right}.total{font-weight:bold}.alert{color:#a00}.error{color:#a00}label{margin-right:1em}</style></head><body>";
    }

    private static final Map<String, String[]> TEXT = new HashMap<>();

    static {
        String[][] t = {
                {"title", "Kantor Pusat KTP-el", "KTP-el central office"}, {"signIn", "Masuk", "Sign in"}, {"signOut", "Keluar", "Sign out"},
                {"user", "Nama pengguna", "User name"}, {"password", "Kata sandi", "Password"}, {"badLogin", "Nama pengguna atau kata sandi salah.", "Wrong user name or password."},
                {"national", "Nasional", "National"}, {"province", "Provinsi", "Province"}, {"regency", "Kabupaten/Kota", "Regency/city"},
                {"from", "Dari", "From"}, {"to", "Sampai", "To"}, {"show", "Tampilkan", "Show"}, {"total", "Jumlah", "Total"},
                {"CARD_PRINTED", "Dicetak", "Printed"}, {"CARD_ISSUED", "Diserahkan", "Issued"}, {"CARD_SPOILED", "Rusak", "Spoiled"},
                {"RECORD_REJECTED", "Data ditolak", "Records rejected"}, {"ACTIVATION_FAILED", "Aktivasi gagal", "Activation failed"},
                {"SENT_FOR_CARD_PRINTING", "Dikirim untuk dicetak", "Sent for printing"}, {"issuedPerDay", "KTP-el diserahkan per hari", "Cards issued per day"},
                {"csv", "Unduh CSV", "Download CSV"}, {"alerts", "Peringatan", "Alerts"}, {"stations", "Stasiun", "Stations"}, {"station", "Stasiun", "Station"},
                {"state", "Status", "State"}, {"lastSeen", "Terakhir terlihat", "Last seen"}, {"lastHealth", "Kesehatan terakhir", "Last health"},
                {"outbox", "Antrean kirim", "Outbox"}, {"blanks", "Blangko", "Blanks"}, {"ribbon", "Pita", "Ribbon"}, {"events", "Peristiwa", "Events"},
                {"gaps", "Celah urutan", "Sequence gaps"}, {"online", "daring", "online"}, {"offline", "luring", "offline"},
                {"OFFLINE", "Stasiun luring", "Station offline"}, {"SILENT", "Stasiun diam", "Station silent"}, {"HEALTH_STALE", "Kesehatan usang", "Health stale"},
                {"OUTBOX_GROWING", "Antrean kirim bertambah", "Outbox growing"}, {"BLANKS_LOW", "Blangko menipis", "Blanks low"}, {"RIBBON_LOW", "Pita menipis", "Ribbon low"},
                {"SEQUENCE_GAP", "Celah urutan", "Sequence gap"}, {"commands", "Perintah", "Commands"}, {"command", "Perintah", "Command"},
                {"record", "Rekaman", "Record"}, {"reason", "Alasan", "Reason"}, {"send", "Kirim", "Send"}, {"when", "Waktu", "When"}, {"by", "Oleh", "By"},
                {"answer", "Jawaban stasiun", "Station's answer"}, {"accepted", "diterima", "accepted"}, {"refused", "ditolak", "refused"},
                {"noAnswer", "belum ada jawaban", "no answer yet"}, {"resident", "Peristiwa penduduk menurut NIK", "A resident's events by NIK"},
                {"event", "Peristiwa", "Event"}, {"issuedPerProvince", "KTP-el diserahkan per provinsi", "Cards issued per province"},
                {"issuedPerRegency", "KTP-el diserahkan per kabupaten/kota", "Cards issued per regency"}, {"blank", "Blangko", "Blank"}, {"REFUSED", "Pesan ditolak", "Messages refused"}, {"PRINTED_TWICE", "Dicetak dua kali", "Printed twice"},
                {"reasons", "Rusak dan ditolak menurut alasan", "Spoiled and rejected by reason"}, {"count", "Jumlah", "Count"},
                {"noReason", "(tanpa alasan)", "(no reason given)"}, {"csvReasons", "Unduh CSV alasan", "Download reasons CSV"},
        };
        for (String[] r : t) TEXT.put(r[0], new String[] {r[1], r[2]});
    }

    static String t(String lang, String key) {
        String[] v = TEXT.get(key);
        return v == null ? key : v["en".equals(lang) ? 1 : 0];
    }

    private static String esc(String s) {
        if (s == null) return "";
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;").replace("'", "&#39;");
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null || raw.isEmpty()) return out;
        for (String kv : raw.split("&")) {
            String[] p = kv.split("=", 2);
            out.put(URLDecoder.decode(p[0], StandardCharsets.UTF_8), p.length > 1 ? URLDecoder.decode(p[1], StandardCharsets.UTF_8) : "");
        }
        return out;
    }

    private static void redirect(HttpExchange x, String to) throws IOException {
        x.getResponseHeaders().add("Location", to);
        x.sendResponseHeaders(303, -1);
        x.close();
    }

    private static void send(HttpExchange x, int status, String type, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().add("Content-Type", type);
        x.getResponseHeaders().add("Cache-Control", "no-store");
        x.getResponseHeaders().add("X-Content-Type-Options", "nosniff");
        x.getResponseHeaders().add("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'");
        x.sendResponseHeaders(status, b.length);
        try (OutputStream o = x.getResponseBody()) {
            o.write(b);
        }
    }

    public Instant now() { return clock.instant(); }

    @Override
    public void close() { server.stop(0); }
}
