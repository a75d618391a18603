package ktp.sim.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
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
 * Headless Chromium through chromedriver's W3C WebDriver protocol (plain HTTP and JSON): the few commands a
 * console test needs. chromedriver and chromium are Debian's (installed by ./ktp test); when either is missing
 * the test fails saying so.
 */
final class WebDriver implements AutoCloseable {
    private static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Process driver;
    private final String base;
    private final String session;
    private final HttpClient http = HttpClient.newHttpClient();

    private WebDriver(Process driver, String base, String session) {
        this.driver = driver;
        this.base = base;
        this.session = session;
    }

    static WebDriver start() throws Exception {
        Path chromedriver = Path.of("/usr/bin/chromedriver");
        Path chromium = Path.of("/usr/bin/chromium");
        if (!Files.isExecutable(chromedriver) || !Files.isExecutable(chromium)) {
            throw new AssertionError("the browser tests need Debian's chromium and chromium-driver (./ktp test installs them)");
        }
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Process p = new ProcessBuilder(chromedriver.toString(), "--port=" + port, "--allowed-ips=127.0.0.1").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String base = "http://127.0.0.1:" + port;
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (true) {
            try {
                http.send(HttpRequest.newBuilder(URI.create(base + "/status")).build(), HttpResponse.BodyHandlers.ofString());
                break;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    p.destroyForcibly();
                    throw new AssertionError("chromedriver did not start on port " + port);
                }
                Thread.sleep(100);
            }
        }
        ObjectNode caps = JSON.createObjectNode();
        ObjectNode always = caps.putObject("capabilities").putObject("alwaysMatch");
        always.put("browserName", "chrome");
        ObjectNode chrome = always.putObject("goog:chromeOptions");
        chrome.put("binary", chromium.toString());
        var args = chrome.putArray("args");
        for (String a : new String[] {"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                "--disable-dev-shm-usage", "--window-size=1280,1000", "--user-data-dir=" + Files.createTempDirectory("ktp-chromium")}) args.add(a);
        JsonNode r = call(http, "POST", base + "/session", caps);
        String id = r.path("value").path("sessionId").asText();
        if (id.isEmpty()) {
            p.destroyForcibly();
            throw new AssertionError("chromedriver gave no session: " + r);
        }
        return new WebDriver(p, base, id);
    }

    void open(String url) throws Exception { cmd("POST", "/url", JSON.createObjectNode().put("url", url)); }

    String find(String css) throws Exception {
        JsonNode v = cmd("POST", "/element", JSON.createObjectNode().put("using", "css selector").put("value", css)).path("value");
        if (!v.has(ELEMENT)) throw new AssertionError("no element '" + css + "' on " + url() + ": " + v);
        return v.get(ELEMENT).asText();
    }

    boolean has(String css) throws Exception {
        return cmd("POST", "/elements", JSON.createObjectNode().put("using", "css selector").put("value", css)).path("value").size() > 0;
    }

    /**
     * Until an element matching {@code css} is on the page, at most {@code seconds}: a click that submits a form
     * returns before the next page has loaded (a clean-clone run caught the test looking at the old page).
     */
    void await(String css, int seconds) throws Exception {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (!has(css)) {
            if (System.nanoTime() > deadline) throw new AssertionError("no element '" + css + "' on " + url() + " after " + seconds + " s");
            Thread.sleep(100);
        }
    }

    void type(String css, String text) throws Exception {
        var body = JSON.createObjectNode().put("text", text);
        cmd("POST", "/element/" + find(css) + "/value", body);
    }

    void click(String css) throws Exception { cmd("POST", "/element/" + find(css) + "/click", JSON.createObjectNode()); }

    String text(String css) throws Exception { return cmd("GET", "/element/" + find(css) + "/text", null).path("value").asText(); }

    String url() throws Exception { return cmd("GET", "/url", null).path("value").asText(); }

    String cookie(String name) throws Exception { return cmd("GET", "/cookie/" + name, null).path("value").path("value").asText(); }

    /** A PNG of the page as the browser shows it, kept as test output. */
    void screenshot(Path file) throws Exception {
        Files.createDirectories(file.getParent());
        Files.write(file, Base64.getDecoder().decode(cmd("GET", "/screenshot", null).path("value").asText()));
    }

    private JsonNode cmd(String method, String path, JsonNode body) throws Exception {
        JsonNode r = call(http, method, base + "/session/" + session + path, body);
        JsonNode v = r.path("value");
        if (v.isObject() && v.has("error") && !path.equals("/elements")) throw new AssertionError("WebDriver " + path + ": " + v.path("error").asText() + ": " + v.path("message").asText());
        return r;
    }

    private static JsonNode call(HttpClient http, String method, String url, JsonNode body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(120));
        if (method.equals("POST")) b.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        else if (method.equals("DELETE")) b.DELETE();
        else b.GET();
        return JSON.readTree(http.send(b.build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    @Override
    public void close() {
        try {
            call(http, "DELETE", base + "/session/" + session, null);
        } catch (Exception e) {
            // the driver goes anyway
        }
        driver.destroy();
        try {
            if (!driver.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) driver.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            driver.destroyForcibly();
        }
    }
}
