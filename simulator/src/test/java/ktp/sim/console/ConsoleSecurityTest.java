package ktp.sim.console;

import static org.junit.jupiter.api.Assertions.*;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import ktp.console.PasswordHasher;
import ktp.console.Users;
import ktp.sim.demo.SimulatedStation;
import ktp.store.AuditEntry;
import ktp.store.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's defences against the real daemon and store: each refusal is a refusal (the action did not
 * happen) and is in the audit log; the same request done right succeeds, so the refusals are not an accident.
 */
class ConsoleSecurityTest {
    @TempDir
    Path dir;

    @Test
    void wrongPasswordsLockoutExpiredSessionsMissingCsrfAndRoleAreRefusedAndAudited() throws Exception {
        Path usersFile = dir.resolve("users.json");
        Users users = Users.load(usersFile);
        PasswordHasher hasher = new PasswordHasher();
        users.put("sari", Role.OPERATOR, hasher.hash("sari-password-1".toCharArray()));
        users.put("tono", Role.OPERATOR, hasher.hash("tono-password-1".toCharArray()));
        users.put("ani", Role.OPERATOR, hasher.hash("ani-password-12".toCharArray()));
        users.put("budi", Role.OPERATOR, hasher.hash("budi-password ".toCharArray()));
        users.put("tek", Role.TECHNICIAN, hasher.hash("tek-password-1".toCharArray()));
        users.put("super", Role.SUPERVISOR, hasher.hash("super-password".toCharArray()));
        // The station's one card jams and nobody clears it: the printer page must show the alert.
        SimulatedStation.Settings s = new SimulatedStation.Settings(dir.resolve("station"), 9, 1, 0, null, null, 200, 0, 1, false, usersFile, 2);
        try (SimulatedStation station = SimulatedStation.start(s)) {
            int port = station.console().orElseThrow().port();

            // A wrong password: refused, audited, no session.
            ConsoleClient eve = new ConsoleClient(port);
            HttpResponse<String> wrong = eve.signIn("sari", "not-her-password");
            assertEquals(401, wrong.statusCode());
            assertTrue(wrong.body().contains("kata sandi salah"), wrong.body());
            assertEquals(303, eve.get("/queue").statusCode(), "still not signed in");
            assertAudited(station, "CONSOLE_SIGN_IN_FAILED", "'sari'");
            assertTrue(station.daemon().store().auditLog().stream().noneMatch(e -> e.detail().contains("not-her-password")), "a password never reaches the log");

            // Five wrong passwords lock the account: even the right one is refused while it is locked.
            ConsoleClient guesser = new ConsoleClient(port);
            for (int i = 0; i < 5; i++) assertEquals(401, guesser.signIn("tono", "guess-" + i).statusCode());
            assertAudited(station, "CONSOLE_ACCOUNT_LOCKED", "'tono' locked until");
            HttpResponse<String> locked = new ConsoleClient(port).signIn("tono", "tono-password-1");
            assertEquals(403, locked.statusCode());
            assertTrue(locked.body().contains("terkunci"), locked.body());
            assertAudited(station, "CONSOLE_SIGN_IN_LOCKED", "locked until");

            // A sign-in posted without the form's token (a cross-site form) is refused.
            ConsoleClient forger = new ConsoleClient(port);
            assertEquals(403, forger.post("/login", ConsoleClient.form("user", "sari", "password", "sari-password-1")).statusCode());
            assertAudited(station, "CONSOLE_CSRF_REFUSED", "a sign-in form for 'sari'");

            // The right password: a session cookie that scripts cannot read and other sites cannot send.
            ConsoleClient sari = new ConsoleClient(port);
            HttpResponse<String> in = sari.signIn("sari", "sari-password-1");
            assertEquals(303, in.statusCode());
            String cookie = in.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("ktp_session=")).findFirst().orElseThrow();
            assertTrue(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), cookie);
            HttpResponse<String> queue = sari.get("/queue");
            assertEquals(200, queue.statusCode());
            assertTrue(queue.headers().firstValue("Content-Security-Policy").orElse("").contains("frame-ancestors 'none'"));
            assertAudited(station, "CONSOLE_SIGN_IN", "signed in");

            // The printer page shows what needs a person, in Indonesian, and how many blanks the records say are left.
            long until = System.nanoTime() + 30_000_000_000L;
            HttpResponse<String> printer = sari.get("/printer");
            while (!printer.body().contains("id=alert><strong>") && System.nanoTime() < until) {
                Thread.sleep(200);
                printer = sari.get("/printer");
            }
            assertTrue(printer.body().contains("Kartu macet: buka printer dan keluarkan kartu"), printer.body());
            assertTrue(printer.body().contains("Blangko di feeder menurut catatan</th><td>11</td>"), "12 loaded, one taken and spoiled: " + printer.body());

            // A form without the session's CSRF token changes nothing; with it, the same form works.
            HttpResponse<String> noToken = sari.post("/ledger/load", ConsoleClient.form("count", "7", "reference", "SJ-forged"));
            assertEquals(403, noToken.statusCode());
            HttpResponse<String> badToken = sari.post("/ledger/load", ConsoleClient.form("count", "7", "reference", "SJ-forged", "csrf", "x" + sari.csrf));
            assertEquals(403, badToken.statusCode());
            assertAudited(station, "CONSOLE_CSRF_REFUSED", "POST /ledger/load");
            assertTrue(station.daemon().store().auditLog().stream().noneMatch(e -> e.detail().contains("SJ-forged")), "nothing was loaded");
            sari.get("/ledger");
            assertEquals(200, sari.post("/ledger/load", sari.withCsrf("count", "7", "reference", "SJ-2026/001")).statusCode());
            assertAudited(station, "BLANKS_LOADED", "7 blanks; reference: SJ-2026/001");

            // An operator may not do a supervisor's override.
            sari.get("/issue");
            HttpResponse<String> override = sari.post("/issue/override", sari.withCsrf("record", "PRR-000009-000001", "reason", "fingers worn"));
            assertEquals(403, override.statusCode());
            assertAudited(station, "CONSOLE_FORBIDDEN", "POST /issue/override refused: needs [SUPERVISOR]");

            // Login CSRF: a pre-session cookie the client chose, equal to its form field, is not one the console issued.
            HttpResponse<String> planted = new ConsoleClient(port).postWith("/login", ConsoleClient.form("user", "sari", "password", "sari-password-1", "csrf", "chosen-by-the-attacker"),
                    "Cookie", "ktp_pre=chosen-by-the-attacker");
            assertEquals(403, planted.statusCode());
            assertFalse(planted.headers().allValues("Set-Cookie").stream().anyMatch(c -> c.startsWith("ktp_session=")), "no session for a planted token");
            assertAudited(station, "CONSOLE_CSRF_REFUSED", "without a token this console issued");
            // An issued token is good once: replayed after use it is refused.
            ConsoleClient once = new ConsoleClient(port);
            once.get("/login");
            String issued = once.csrf;
            assertEquals(401, once.post("/login", once.withCsrf("user", "sari", "password", "wrong-password")).statusCode());
            assertEquals(403, new ConsoleClient(port).postWith("/login", ConsoleClient.form("user", "sari", "password", "sari-password-1", "csrf", issued),
                    "Cookie", "ktp_pre=" + issued).statusCode(), "a used sign-in token is refused");
            // A form from another site or a sibling subdomain is refused even with the right token.
            ConsoleClient sari2 = new ConsoleClient(port);
            assertEquals(303, sari2.signIn("sari", "sari-password-1").statusCode());
            sari2.get("/ledger");
            assertEquals(403, sari2.postWith("/ledger/load", sari2.withCsrf("count", "3", "reference", "SJ-cross"), "Sec-Fetch-Site", "same-site").statusCode());
            assertEquals(403, sari2.postWith("/ledger/load", sari2.withCsrf("count", "3", "reference", "SJ-cross"), "Origin", "http://evil.example").statusCode());
            assertAudited(station, "CONSOLE_CROSS_SITE_REFUSED", "POST /ledger/load from http://evil.example");
            assertTrue(station.daemon().store().auditLog().stream().noneMatch(e -> e.detail().contains("SJ-cross")), "nothing was loaded");

            // Passwords exactly as typed: budi's ends in a space; without it the sign-in fails.
            assertEquals(401, new ConsoleClient(port).signIn("budi", "budi-password").statusCode());
            assertEquals(303, new ConsoleClient(port).signIn("budi", "budi-password ").statusCode());

            // Each role sees only its own pages and buttons.
            ConsoleClient tek = new ConsoleClient(port);
            HttpResponse<String> tekIn = tek.signIn("tek", "tek-password-1");
            assertEquals("/printer", tekIn.headers().firstValue("Location").orElse(""));
            String tekPage = tek.get("/printer").body();
            assertTrue(tekPage.contains("id=nav-printer") && tekPage.contains("id=nav-audit") && tekPage.contains("id=\"reloadkeys\""), tekPage);
            assertFalse(tekPage.contains("id=nav-issue") || tekPage.contains("id=nav-reports"), "a technician sees no issuance or reports: " + tekPage);
            assertFalse(tek.get("/ledger").body().contains("id=load"), "a technician does not load blanks");
            assertEquals(403, tek.get("/issue").statusCode());
            assertEquals(403, tek.post("/issue/read", tek.withCsrf()).statusCode());
            assertAudited(station, "CONSOLE_FORBIDDEN", "GET /issue refused");
            String sariPage = sari.get("/queue").body();
            assertTrue(sariPage.contains("id=nav-issue") && sariPage.contains("id=nav-reports"), sariPage);
            assertFalse(sariPage.contains("id=nav-audit"), "an operator does not read the audit log here");
            assertFalse(sari.get("/printer").body().contains("id=\"reloadkeys\""), "an operator does not reload keys");
            assertEquals(403, sari.get("/audit").statusCode());
            ConsoleClient sup = new ConsoleClient(port);
            assertEquals(303, sup.signIn("super", "super-password").statusCode());
            assertTrue(sup.get("/audit").body().contains("id=audit"));

            // Every page in both languages: no key that fails to resolve, and in Indonesian no raw state or fate
            // code and no English wire text outside the technical fold (the store holds printed, spoiled and
            // queued jobs, a jammed lane, refusals in the audit log).
            for (String[] account : new String[][] {{"super", "super-password"}, {"tek", "tek-password-1"}}) {
                // Sessions here time out after 2 s idle: each role signs in just before its pages are read.
                ConsoleClient who = new ConsoleClient(port);
                assertEquals(303, who.signIn(account[0], account[1]).statusCode());
                for (String lang : List.of("id", "en")) {
                    who.get("/lang?to=" + lang);
                    for (String page : List.of("/queue", "/printer", "/issue", "/reprint", "/uncollected", "/ledger", "/audit", "/reports", "/close", "/queue?state=SPOILED")) {
                        HttpResponse<String> p = who.get(page);
                        if (p.statusCode() == 403) continue;
                        String body = p.body();
                        assertFalse(body.contains("[console."), page + " (" + lang + ") has a key the catalogue lacks: " + body);
                        if (lang.equals("id")) {
                            String shown = visibleText(body);
                            for (Enum<?> code : codes()) {
                                assertFalse(java.util.regex.Pattern.compile("\\b" + code.name() + "\\b").matcher(shown).find(), page + " shows the raw code " + code + ": " + shown);
                            }
                            for (String english : List.of("Card jam", "answered", "matched", "waiting for", "Printer state", "Sign out")) {
                                assertFalse(shown.contains(english), page + " shows English '" + english + "': " + shown);
                            }
                        }
                    }
                }
                who.get("/lang?to=id");
            }

            // Signing out ends the session.
            assertEquals(303, sari.post("/logout", sari.withCsrf()).statusCode());
            assertEquals(303, sari.get("/queue").statusCode(), "back to the sign-in page");
            assertAudited(station, "CONSOLE_SIGN_OUT", "signed out");
            // A session idle longer than the configured time (2 s here) is over.
            ConsoleClient ani = new ConsoleClient(port);
            assertEquals(303, ani.signIn("ani", "ani-password-12").statusCode());
            assertEquals(200, ani.get("/queue").statusCode());
            Thread.sleep(3000);
            HttpResponse<String> late = ani.get("/queue");
            assertEquals(401, late.statusCode());
            assertTrue(late.body().contains("Sesi berakhir"), late.body());
            assertAudited(station, "CONSOLE_SESSION_EXPIRED", "timed out");

            assertTrue(station.daemon().store().verifyAudit().intact());
        }
    }

    /** What a person reads on a page: no tags, no attribute values, and not the technical fold (details.tech). */
    static String visibleText(String html) {
        String noTech = html.replaceAll("(?s)<details class=tech>.*?</details>", " ");
        String noHead = noTech.replaceAll("(?s)<head>.*?</head>", " ");
        return noHead.replaceAll("(?s)<[^>]*>", " ").replaceAll("\\s+", " ");
    }

    static List<Enum<?>> codes() {
        List<Enum<?>> all = new java.util.ArrayList<>();
        all.addAll(List.of(ktp.job.JobState.values()));
        all.addAll(List.of(ktp.store.BlankFate.values()));
        all.addAll(List.of(ktp.printer.PrinterError.values()));
        all.removeIf(e -> e.name().length() <= 3);
        return all;
    }

    private static void assertAudited(SimulatedStation station, String action, String detail) {
        List<AuditEntry> log = station.daemon().store().auditLog();
        assertTrue(log.stream().anyMatch(e -> e.action().equals(action) && e.detail().contains(detail)),
                "audit log has " + action + " with '" + detail + "': " + log.subList(Math.max(0, log.size() - 8), log.size()));
    }
}
