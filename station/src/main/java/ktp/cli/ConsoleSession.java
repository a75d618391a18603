package ktp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The command line signed in to the running daemon's console (its store is locked while it runs): the same
 * accounts, roles, CSRF tokens and audit lines as a person at the browser.
 */
final class ConsoleSession {
    private static final Pattern FORM_TOKEN = Pattern.compile("name=csrf value=\"([^\"]+)\"");
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String base;
    private final CookieManager cookies = new CookieManager();
    private final HttpClient http = HttpClient.newBuilder().cookieHandler(cookies).followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private String csrf;

    private ConsoleSession(String base) {
        this.base = base;
        // the console answers (its refusals, its sign-in messages) in the command line's language: the lang cookie
        // its language switch sets in a browser
        java.net.HttpCookie lang = new java.net.HttpCookie("lang", CliText.language().code());
        lang.setPath("/");
        lang.setVersion(0); // a plain "lang=en", not the quoted RFC 2965 form the console does not read
        cookies.getCookieStore().add(java.net.URI.create(base + "/"), lang);
    }

    /** Signs in as {@code user}; the password is asked on the terminal, or read from the first line of standard input. */
    static ConsoleSession signIn(String listen, String user) {
        ConsoleSession s = new ConsoleSession("http://" + listen);
        char[] pw;
        java.io.Console tty = System.console();
        try {
            if (tty != null) {
                pw = tty.readPassword("%s", CliText.t("console.password", user));
            } else {
                String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
                pw = line == null ? new char[0] : line.toCharArray();
            }
            HttpResponse<String> page = s.send("GET", "/login", null);
            Matcher m = FORM_TOKEN.matcher(page.body());
            if (!m.find()) throw new IOException("the console at " + s.base + " sent no sign-in form");
            HttpResponse<String> in = s.send("POST", "/login", Map.of("user", user, "password", new String(pw), "csrf", m.group(1)));
            java.util.Arrays.fill(pw, '\0');
            if (in.statusCode() != 303) {
                Matcher why = Pattern.compile("id=message>([^<]+)<").matcher(in.body());
                throw CliText.bad("err.console.signIn", user, why.find() ? why.group(1) : "HTTP " + in.statusCode());
            }
            s.csrf = JSON.readTree(s.send("GET", "/api/session", null).body()).path("csrf").asText();
            return s;
        } catch (IOException e) {
            throw CliText.bad("err.console.unreachable", s.base, e.getMessage());
        }
    }

    JsonNode get(String path) {
        return answer(send("GET", path, null));
    }

    /** A file the console serves (a report), as bytes; a refusal as a BadInputException. */
    byte[] download(String path) {
        try {
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(3)).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() == 403) throw CliText.bad("err.console.forbidden");
            if (r.statusCode() != 200 || !r.headers().firstValue("Content-Type").orElse("").equals("application/pdf")) {
                throw CliText.bad("err.console.noReport", r.statusCode());
            }
            return r.body();
        } catch (IOException e) {
            throw CliText.bad("err.console.failed", base, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliText.bad("err.interrupted");
        }
    }

    /** A POST with the session's CSRF token; the answer, or the console's error as a BadInputException (4xx). */
    JsonNode post(String path, Map<String, String> form) {
        Map<String, String> f = new java.util.LinkedHashMap<>(form);
        f.put("csrf", csrf);
        return answer(send("POST", path, f));
    }

    private JsonNode answer(HttpResponse<String> r) {
        // Refusals of the session or role come as the console's HTML pages, not JSON.
        if (r.statusCode() == 403) throw CliText.bad("err.console.forbiddenOrToken");
        if (r.statusCode() == 401 || r.statusCode() == 303) throw CliText.bad("err.console.ended");
        JsonNode body;
        try {
            body = JSON.readTree(r.body());
        } catch (IOException e) {
            throw CliText.bad("err.console.noJson", r.statusCode());
        }
        if (r.statusCode() >= 400) throw new ConsoleRefusal(r.statusCode(), body.path("error").asText("HTTP " + r.statusCode()));
        return body;
    }

    /** The console decided something could not be done (no such card, the reader empty...). */
    static final class ConsoleRefusal extends RuntimeException {
        final int status;

        ConsoleRefusal(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private HttpResponse<String> send(String method, String path, Map<String, String> form) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(3));
            if (form != null) {
                b.header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(ktp.http.FormBody.encode(form)));
            } else {
                b.GET();
            }
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw CliText.bad("err.console.failed", base, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliText.bad("err.interrupted");
        }
    }
}
