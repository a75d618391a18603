package ktp.sim.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import ktp.sim.card.VirtualCard;
import ktp.sim.card.VpcdBlankStock;
import ktp.sim.card.VpcdClient;
import ktp.sim.records.FingerprintLibrary;
import ktp.sim.records.RecordGenerator;
import ktp.sim.scanner.SimulatedScanner;

/**
 * The holders come to the counter once the printing has settled: an operator signs in to the running daemon's
 * console and issues cards through its API ({@code POST /api/issue}, the path of {@code ktp issue --user}): the
 * printed card goes into the station's reader (the lab reader, over vpcd's protocol), the holder's own finger
 * (another impression than the chip's template was made from) onto the scanner simulator, which the daemon reads
 * over R30x/TCP. The schedule's scanner faults (silent, garbled, no finger) start at their seeded moment
 * in a visit; the technician clears them and the operator tries once more. What happened is kept for the checker.
 */
final class CounterVisits {
    /** One holder's visit: the fault met (or null), each attempt's answer, the job's state and reason after the faulted attempt. */
    record Visit(String recordId, String nik, String blankId, FaultSchedule.CounterFault fault, List<String> answers, String stateAfterFault,
                 String reasonAfterFault, String finalState, boolean ownFingerServed) {
        @Override
        public String toString() {
            return recordId + " (" + (fault == null ? "no fault" : fault) + "): " + String.join(" | ", answers) + " -> " + finalState;
        }
    }

    static final String OPERATOR = "soak-operator";
    static final String PASSWORD = "soak-operator-password";
    private static final Pattern FORM_TOKEN = Pattern.compile("name=csrf value=\"([^\"]+)\"");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().cookieHandler(new CookieManager()).followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private String csrf;

    private CounterVisits(int consolePort) { this.base = "http://127.0.0.1:" + consolePort; }

    /** Signs in (the console may still be starting after the daemon's last restart). */
    static CounterVisits signIn(int consolePort) throws IOException, InterruptedException {
        CounterVisits c = new CounterVisits(consolePort);
        IOException last = null;
        for (int i = 0; i < 100; i++) {
            try {
                HttpResponse<String> page = c.send("GET", "/login", null);
                Matcher m = FORM_TOKEN.matcher(page.body());
                if (!m.find()) throw new IOException("the console sent no sign-in form");
                HttpResponse<String> in = c.send("POST", "/login", Map.of("user", OPERATOR, "password", PASSWORD, "csrf", m.group(1)));
                if (in.statusCode() != 303) throw new IOException("the console refused the sign-in: HTTP " + in.statusCode());
                c.csrf = JSON.readTree(c.send("GET", "/api/session", null).body()).path("csrf").asText();
                return c;
            } catch (IOException e) {
                last = e;
                Thread.sleep(200);
            }
        }
        throw last;
    }

    /**
     * Visits of the schedule's holders: the first {@code faults.size()} meet a scanner fault each, up to {@code clean}
     * more come with nothing going wrong. Cards ledgered without their chip's UID (a mute chip) cannot be found by UID and are left.
     */
    List<Visit> run(List<FaultSchedule.CounterFault> faults, int clean, VpcdBlankStock stock, int labPort, SimulatedScanner scanner, FingerprintLibrary fingers,
                    RecordGenerator generator, int population, PrintStream progress) throws IOException, InterruptedException {
        Map<String, Integer> indexOf = new HashMap<>();
        for (int i = 0; i < population; i++) indexOf.put(generator.identity(i).recordId(), i);
        List<Visit> visits = new ArrayList<>();
        int n = 0;
        for (JsonNode j : get("/api/queue?state=AWAITING_HOLDER")) {
            if (n >= faults.size() + clean) break;
            String recordId = j.path("recordId").asText();
            String blankId = j.path("blankId").asText();
            VirtualCard card = stock.issued().stream().filter(c -> java.util.HexFormat.of().withUpperCase().formatHex(c.uid()).equals(blankId)).findFirst().orElse(null);
            Integer index = indexOf.get(recordId);
            if (card == null || index == null) continue;
            FaultSchedule.CounterFault fault = n < faults.size() ? faults.get(n) : null;
            n++;
            visits.add(visit(recordId, j.path("nik").asText(), blankId, card, fault, labPort, scanner, fingers, generator.resident(index)));
            progress.println("soak: counter: " + visits.get(visits.size() - 1));
        }
        return visits;
    }

    private Visit visit(String recordId, String nik, String blankId, VirtualCard card, FaultSchedule.CounterFault fault, int labPort, SimulatedScanner scanner,
                        FingerprintLibrary fingers, RecordGenerator.Resident resident) throws IOException, InterruptedException {
        List<Integer> impressions = fingers.impressions(resident.rightIndexFinger());
        byte[] own = fingers.image(resident.rightIndexFinger(), impressions.get(1 % impressions.size()));
        List<String> answers = new ArrayList<>();
        String stateAfterFault = null;
        String reasonAfterFault = null;
        boolean served = false;
        // The card into the reader; the lane sees it there and waits (one reader for the encoder and the counter).
        try (VpcdClient inReader = VpcdClient.connect("127.0.0.1", labPort, card)) {
            scanner.place(own);
            if (fault != null) {
                switch (fault.kind()) {
                    case SCANNER_SILENT -> scanner.faultAfter(SimulatedScanner.Fault.SILENT, fault.afterCommands());
                    case SCANNER_GARBLED -> scanner.faultAfter(SimulatedScanner.Fault.BAD_CHECKSUM, fault.afterCommands());
                    // The holder does not put the finger on the glass (the daemon waits the profile's capture_wait_s, then stops).
                    case SCANNER_NO_FINGER -> scanner.lift();
                    default -> throw new IllegalArgumentException("not a scanner fault: " + fault);
                }
                long before = scanner.imagesSent();
                answers.add(issue(nik));
                served |= scanner.imagesSent() > before;
                JsonNode after = job(nik, recordId);
                stateAfterFault = after.path("state").asText();
                reasonAfterFault = after.path("reason").asText();
                // The technician clears the scanner (power-cycles it); the operator asks for the finger again.
                scanner.fault(SimulatedScanner.Fault.NONE);
                scanner.place(own);
            }
            String state = job(nik, recordId).path("state").asText();
            if (state.equals("AWAITING_HOLDER") || state.equals("ACTIVATING")) {
                long before = scanner.imagesSent();
                answers.add(issue(nik));
                served |= scanner.imagesSent() > before;
            }
        } finally {
            scanner.fault(SimulatedScanner.Fault.NONE);
            scanner.lift();
        }
        // The card is out of the reader again before the next holder's goes in.
        Thread.sleep(300);
        return new Visit(recordId, nik, blankId, fault, answers, stateAfterFault, reasonAfterFault, job(nik, recordId).path("state").asText(), served);
    }

    /** The answer to one issuance: the state the console reported, or its refusal. */
    private String issue(String nik) throws IOException {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("nik", nik);
        form.put("csrf", csrf);
        HttpResponse<String> r = send("POST", "/api/issue", form);
        JsonNode body;
        try {
            body = JSON.readTree(r.body());
        } catch (IOException e) {
            return "HTTP " + r.statusCode();
        }
        return r.statusCode() == 200 ? body.path("state").asText() + " (" + body.path("detail").asText() + ")" : "HTTP " + r.statusCode() + " " + body.path("error").asText();
    }

    private JsonNode job(String nik, String recordId) throws IOException {
        for (JsonNode j : get("/api/queue?nik=" + nik)) {
            if (j.path("recordId").asText().equals(recordId)) return j;
        }
        throw new IOException("record " + recordId + " is not in the station's queue");
    }

    private JsonNode get(String path) throws IOException {
        HttpResponse<String> r = send("GET", path, null);
        if (r.statusCode() != 200) throw new IOException("the console answered " + path + " with HTTP " + r.statusCode());
        return JSON.readTree(r.body());
    }

    private HttpResponse<String> send(String method, String path, Map<String, String> form) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(2));
        if (form != null) {
            b.header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(ktp.http.FormBody.encode(form)));
        } else {
            b.GET();
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
