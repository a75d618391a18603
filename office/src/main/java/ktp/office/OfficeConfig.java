package ktp.office;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The office's configuration, {@code office.yaml} (written, commented, by {@code ktp office init}). Paths are
 * relative to the file's folder. An unknown key, a missing one or a wrong value stops the start with the file,
 * the key and what is wrong.
 */
public record OfficeConfig(Path file, Path dataDir, String databaseUrl, String databaseUser, Path databasePasswordFile,
                           String brokerUrl, Path brokerPasswords, Path officeKey, Path stationRegistry, List<String> collectors, String group, boolean share,
                           java.net.InetSocketAddress dashboard, Path users, java.net.URI webhook) {

    private static final Set<String> TOP = Set.of("data", "database", "broker", "office_key", "station_registry", "collectors", "dashboard");

    /** The commented file {@code ktp office init} writes. */
    public static String template() {
        return """
                # The central office (docs/office.md). Paths are relative to this file's folder.

                # The office's data folder: the embedded PostgreSQL's cluster (when no database url is set below) lives in DATA/pg.
                data: office-data

                database:
                  # Empty: an embedded PostgreSQL in the data folder (a first try, the demo). Production: a PostgreSQL server,
                  # for example jdbc:postgresql://db.office.local:5432/ktp_office (docs/office.md, "PostgreSQL set-up").
                  url: ""
                  user: ktp_office
                  # A file holding the database password, readable by the office's user only; empty for none (trust or peer).
                  password_file: ""

                broker:
                  # The MQTT broker the stations publish to: tcp://host:port or ssl://host:port.
                  url: tcp://127.0.0.1:1883
                  # On a broker set up by `ktp broker setup`: its folder of passwords (clients/, USER.password each,
                  # owner-only). Each collector logs in as collector.NAME, the dashboard's commands as office.commands.
                  # Empty for a broker without logins.
                  passwords: ""

                # The office's P-256 key that signs receipts and heartbeats (its public half in every station's office_keys).
                office_key: office.key
                # The station registry: STATION.pem for every station whose signed events are believed.
                station_registry: station-registry

                collectors:
                  # One collector per name runs in this process; more can run on other machines with the same group and database.
                  names: [office-1]
                  # The shared-subscription group: the collectors of one group split the events between them.
                  group: ktp-office
                  # true: $share/GROUP/... (Mosquitto, EMQX, HiveMQ). false: every collector receives every event (a broker
                  # without shared subscriptions, such as Moquette 0.17); the database still stores each event once.
                  share: true

                dashboard:
                  # Where the web dashboard listens (HOST:PORT); loopback unless a TLS proxy stands in front. Empty: no dashboard.
                  listen: 127.0.0.1:8090
                  # Its accounts, owner-only: ktp office user add --users office-users --name NAME --role viewer|supervisor
                  users: office-users
                  # Optional: new alerts POSTed as JSON to this URL every 30 s (empty: none).
                  webhook: ""
                """;
    }

    public static OfficeConfig load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException(file + ": no such file (write one with: ktp office init " + file + ")");
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException(file + ": not YAML: " + e.getMessage().lines().findFirst().orElse(""), e);
        }
        if (root == null || !root.isObject()) throw new IOException(file + ": expected a mapping of keys (data, database, broker, ...)");
        root.fieldNames().forEachRemaining(k -> { if (!TOP.contains(k)) throw new IllegalArgumentException(file + ": unknown key '" + k + "' (known: " + new java.util.TreeSet<>(TOP) + ")"); });
        Path dir = file.toAbsolutePath().getParent();
        JsonNode db = root.path("database");
        JsonNode c = root.path("collectors");
        List<String> names = new ArrayList<>();
        for (JsonNode n : c.path("names")) {
            String name = n.asText();
            if (!name.matches("[A-Za-z0-9_-]{1,64}")) throw new IOException(file + ": collectors.names: '" + name + "' is not 1 to 64 letters, digits, '_' or '-'");
            names.add(name);
        }
        if (names.isEmpty()) throw new IOException(file + ": collectors.names: give at least one collector name");
        String group = c.path("group").asText("ktp-office");
        if (!group.matches("[A-Za-z0-9_-]{1,64}")) throw new IOException(file + ": collectors.group: '" + group + "' is not 1 to 64 letters, digits, '_' or '-'");
        JsonNode share = c.path("share");
        if (!share.isMissingNode() && !share.isBoolean()) throw new IOException(file + ": collectors.share: '" + share.asText() + "' is not true or false");
        String url = db.path("url").asText("");
        if (!url.isEmpty() && !url.startsWith("jdbc:postgresql://")) throw new IOException(file + ": database.url: '" + url + "' must start with jdbc:postgresql:// (or be empty for the embedded database)");
        String broker = root.path("broker").path("url").asText("");
        if (broker.isEmpty()) throw new IOException(file + ": broker.url is missing (tcp://host:port or ssl://host:port)");
        return new OfficeConfig(file, dir.resolve(root.path("data").asText("office-data")), url.isEmpty() ? null : url,
                db.path("user").asText("ktp_office"), path(dir, db.path("password_file").asText("")), broker,
                path(dir, root.path("broker").path("passwords").asText("")),
                required(file, dir, root, "office_key"), required(file, dir, root, "station_registry"), List.copyOf(names), group, share.asBoolean(true),
                listen(file, root.path("dashboard").path("listen").asText("")), dir.resolve(root.path("dashboard").path("users").asText("office-users")),
                webhook(file, root.path("dashboard").path("webhook").asText("")));
    }

    /**
     * The broker's URL with {@code user}'s login (collector.NAME for a collector, office.commands for the commands),
     * its password from {@code broker.passwords/USER.password} (refused if others can read it); no login when
     * broker.passwords is empty.
     */
    public ktp.telemetry.BrokerSettings broker(String user) throws IOException {
        char[] password = null;
        if (brokerPasswords != null) {
            Path f = brokerPasswords.resolve(user + ".password");
            if (!java.nio.file.Files.isRegularFile(f)) throw new IOException(file + ": broker.passwords: no " + f + " for the login " + user + " (ktp broker setup writes one per login)");
            try {
                password = ktp.office.db.OfficeDatabase.password(f).toCharArray();
            } catch (IOException e) {
                throw new IOException(file + ": broker.passwords: " + e.getMessage(), e);
            }
        }
        try {
            return new ktp.telemetry.BrokerSettings(brokerUrl, brokerPasswords == null ? null : user, password, null, null, null);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": broker.url: " + e.getMessage(), e);
        }
    }

    private static java.net.URI webhook(Path file, String u) throws IOException {
        if (u.isEmpty()) return null;
        try {
            java.net.URI uri = new java.net.URI(u);
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) throw new java.net.URISyntaxException(u, "not http or https");
            return uri;
        } catch (java.net.URISyntaxException e) {
            throw new IOException(file + ": dashboard.webhook: '" + u + "' is not an http(s) URL");
        }
    }

    private static java.net.InetSocketAddress listen(Path file, String hp) throws IOException {
        if (hp.isEmpty()) return null;
        int colon = hp.lastIndexOf(':');
        try {
            if (colon < 1) throw new NumberFormatException();
            int port = Integer.parseInt(hp.substring(colon + 1));
            if (port < 0 || port > 65535) throw new NumberFormatException();
            return new java.net.InetSocketAddress(hp.substring(0, colon), port);
        } catch (NumberFormatException e) {
            throw new IOException(file + ": dashboard.listen: '" + hp + "' is not HOST:PORT");
        }
    }

    private static Path path(Path dir, String p) { return p.isEmpty() ? null : dir.resolve(p); }

    private static Path required(Path file, Path dir, JsonNode root, String key) throws IOException {
        String p = root.path(key).asText("");
        if (p.isEmpty()) throw new IOException(file + ": " + key + " is missing");
        return dir.resolve(p);
    }
}
