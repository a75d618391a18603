package ktp.office;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;

/**
 * Headless Chromium through Debian's chromedriver, spoken to in the W3C WebDriver protocol over HTTP (no
 * Selenium). A missing chromium or chromedriver fails the test (./ktp test installs them).
 */
final class Browser implements AutoCloseable {
    private static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Process driver;
    private final String base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Browser(Process driver, String base) {
        this.driver = driver;
        this.base = base;
    }

    static Browser start() throws Exception {
        Path chromedriver = Path.of("/usr/bin/chromedriver");
        Path chromium = Path.of("/usr/bin/chromium");
        if (!Files.isExecutable(chromedriver) || !Files.isExecutable(chromium)) fail("chromium and chromium-driver are not installed (Debian packages; ./ktp test installs them)");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Process p = new ProcessBuilder(chromedriver.toString(), "--port=" + port).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String url = "http://127.0.0.1:" + port;
        Browser b = new Browser(p, url);
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (true) {
            try {
                b.call("GET", url + "/status", null);
                break;
            } catch (java.io.IOException notYet) {
                if (System.nanoTime() > deadline) fail("chromedriver did not answer on " + url);
                Thread.sleep(100);
            }
        }
        ObjectNode caps = JSON.createObjectNode();
        ObjectNode opts = caps.putObject("capabilities").putObject("alwaysMatch");
        opts.put("browserName", "chrome");
        ObjectNode chrome = opts.putObject("goog:chromeOptions");
        chrome.put("binary", chromium.toString());
        var args = chrome.putArray("args");
        for (String a : new String[] {"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--window-size=1200,900",
                "--user-data-dir=" + Files.createTempDirectory("ktp-office-chromium")}) args.add(a);
        JsonNode r = b.call("POST", url + "/session", caps);
        String id = r.path("value").path("sessionId").asText();
        if (id.isEmpty()) fail("chromedriver did not open a session: " + r);
        return new Browser(p, url + "/session/" + id);
    }

    void open(String url) throws Exception { cmd("POST", "/url", JSON.createObjectNode().put("url", url)); }

    String find(String css) throws Exception {
        JsonNode r = cmd("POST", "/element", JSON.createObjectNode().put("using", "css selector").put("value", css));
        String id = r.path("value").path(ELEMENT).asText();
        if (id.isEmpty()) fail("no element " + css + " on the page: " + source().substring(0, Math.min(2000, source().length())));
        return id;
    }

    void type(String css, String text) throws Exception {
        String id = find(css);
        var body = JSON.createObjectNode().put("text", text);
        cmd("POST", "/element/" + id + "/value", body);
    }

    /**
     * Clicks a link or a form's button and waits, at most 15 s, until the next page has replaced this one and has
     * loaded: chromedriver's click returns before a form's POST and its redirect are done, and a CI run once read
     * the old page (no {@code #view} yet) right after signing in.
     */
    void click(String css) throws Exception {
        String id = find(css);
        script("window.__ktpOldPage = true; return true;");
        cmd("POST", "/element/" + id + "/click", JSON.createObjectNode());
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (!script("return window.__ktpOldPage === undefined && document.readyState === 'complete';").asBoolean()) {
            if (System.nanoTime() > deadline) fail("clicking " + css + " did not bring the next page within 15 s");
            Thread.sleep(50);
        }
    }

    private JsonNode script(String js) throws Exception {
        ObjectNode body = JSON.createObjectNode().put("script", js);
        body.putArray("args");
        return cmd("POST", "/execute/sync", body).path("value");
    }

    String source() throws Exception { return cmd("GET", "/source", null).path("value").asText(); }

    String text(String css) throws Exception { return cmd("GET", "/element/" + find(css) + "/text", null).path("value").asText(); }

    /** The value of a cookie of the page's site (to download what the signed-in page links to). */
    String cookie(String name) throws Exception { return cmd("GET", "/cookie/" + name, null).path("value").path("value").asText(); }

    void screenshot(Path file) throws Exception {
        Files.createDirectories(file.getParent());
        Files.write(file, Base64.getDecoder().decode(cmd("GET", "/screenshot", null).path("value").asText()));
    }

    private JsonNode cmd(String method, String path, JsonNode body) throws Exception { return call(method, base + path, body); }

    private JsonNode call(String method, String url, JsonNode body) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json");
        r.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        return JSON.readTree(http.send(r.build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    @Override
    public void close() {
        try {
            call("DELETE", base, null);
        } catch (Exception ignored) {
            // the driver goes anyway
        }
        driver.destroy();
    }
}
