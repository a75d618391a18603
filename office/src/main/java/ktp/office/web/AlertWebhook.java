package ktp.office.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Alerts to a webhook: every {@code tick} (30 s in {@code ktp office run}) the alerts are computed and those not
 * sent before (by kind, station and detail) are POSTed as one JSON object {@code {"at":..., "alerts":[...]}}. An
 * alert that ended and comes back is sent again. A webhook that fails is tried again at the next tick with the
 * same alerts.
 */
public final class AlertWebhook {
    private static final Logger LOG = LoggerFactory.getLogger(AlertWebhook.class);
    private final Figures figures;
    private final URI url;
    private final Clock clock;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Set<String> sent = new HashSet<>();

    public AlertWebhook(Figures figures, URI url, Clock clock) {
        if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) throw new IllegalArgumentException("dashboard.webhook: '" + url + "' is not an http(s) URL");
        this.figures = figures;
        this.url = url;
        this.clock = clock;
    }

    /** Sends the new alerts; returns how many were sent (0 when none were new or the webhook failed). */
    public synchronized int tick() {
        try {
            List<Figures.Alert> now = figures.alerts(clock.instant(), Figures.Thresholds.DEFAULT);
            Set<String> current = new HashSet<>();
            ObjectMapper m = new ObjectMapper();
            ObjectNode body = m.createObjectNode();
            body.put("at", clock.instant().toString());
            ArrayNode a = body.putArray("alerts");
            for (Figures.Alert al : now) {
                String k = al.kind() + "|" + al.station() + "|" + al.detail();
                current.add(k);
                if (!sent.contains(k)) {
                    var o = a.addObject().put("kind", al.kind()).put("station", al.station()).put("detail", al.detail());
                    o.putObject("details").put("id", al.detail("id")).put("en", al.detail("en"));
                }
            }
            if (a.isEmpty()) {
                sent = current;
                return 0;
            }
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(m.writeValueAsString(body))).build(), HttpResponse.BodyHandlers.discarding());
            if (r.statusCode() / 100 != 2) {
                LOG.warn("alert webhook {}: HTTP {}; trying again at the next tick", url, r.statusCode());
                return 0;
            }
            sent = current;
            return a.size();
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            LOG.warn("alert webhook {}: {}; trying again at the next tick", url, e.toString());
            return 0;
        }
    }
}
