package ktp.broker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The production Mosquitto set-up for the telemetry contract (deploy/mosquitto/, docs/telemetry.md "Brokers"),
 * made for a list of stations: a mosquitto.conf that states every limit the contract relies on and why, an ACL
 * file with one block per client (each station writes only its own events, state, health and acks and reads
 * only its own commands and receipts; collectors read events, state and health and write receipts and their
 * own heartbeat; the office alone writes commands; the data center reads events; a watcher reads everything),
 * a password file in Mosquitto's own hashed form (made with mosquitto_passwd -U) and each client's password
 * in clients/NAME.password, readable by its owner only. Client names that are not stations carry a dot
 * (collector.NAME, office.commands, datacenter.intake, watch.tail), which no station id can.
 */
public final class BrokerSetup {
    public static final String OFFICE = "office.commands";
    public static final String DATACENTER = "datacenter.intake";
    public static final String WATCHER = "watch.tail";

    /** What to set up: the stations, the collectors' names, where to listen (host:port, plain) and optionally TLS files. */
    public record Plan(List<String> stations, List<String> collectors, String listen, Path tlsCa, Path tlsCert, Path tlsKey, Path persistence) {}

    private BrokerSetup() {}

    /**
     * The same set-up without the rest of ktp on the class path, for `./ktp test`, which makes its shared test
     * broker before anything is built: {@code java station/src/main/java/ktp/broker/BrokerSetup.java --stations FILE
     * --collector A,B --listen HOST:PORT --out DIR} (this file uses the JDK only, so the java launcher runs it
     * from source). Operators use `ktp broker setup`, which has TLS, persistence and the checks of its options.
     */
    public static void main(String[] args) throws Exception {
        java.util.Map<String, String> o = new java.util.HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) o.put(args[i], args[i + 1]);
        if (!o.keySet().containsAll(List.of("--stations", "--collector", "--listen", "--out")) || o.size() != 4 || args.length != 8) {
            System.err.println("usage: BrokerSetup --stations FILE --collector A,B --listen HOST:PORT --out DIR");
            System.exit(2);
        }
        List<String> users = write(new Plan(readStations(Path.of(o.get("--stations"))), List.of(o.get("--collector").split(",")), o.get("--listen"), null, null, null, null),
                Path.of(o.get("--out")));
        System.out.println("wrote " + Path.of(o.get("--out"), "mosquitto.conf") + " for " + users.size() + " clients");
    }

    public static String collectorUser(String name) { return "collector." + name; }

    /** Reads a station list: one id a line, blank lines and # comments allowed; a bad or repeated id names its line. */
    public static List<String> readStations(Path file) throws IOException {
        Set<String> out = new LinkedHashSet<>();
        int n = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            n++;
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) continue;
            if (!t.matches("[A-Za-z0-9_-]{1,64}")) throw new IOException(file + " line " + n + ": '" + t + "' is not a station id (1 to 64 letters, digits, '_' or '-')");
            if (!out.add(t)) throw new IOException(file + " line " + n + ": station " + t + " is listed twice");
        }
        if (out.isEmpty()) throw new IOException(file + " lists no station");
        return List.copyOf(out);
    }

    /** Writes mosquitto.conf, acl, passwd and clients/*.password into {@code dir}; returns the client names. */
    public static List<String> write(Plan plan, Path dir) throws IOException, InterruptedException {
        for (String c : plan.collectors()) {
            if (!c.matches("[A-Za-z0-9_-]{1,64}")) throw new IllegalArgumentException("collector name '" + c + "' must be 1 to 64 letters, digits, '_' or '-'");
        }
        Files.createDirectories(dir.resolve("clients"));
        Files.writeString(dir.resolve("acl"), acl(plan));
        Files.writeString(dir.resolve("mosquitto.conf"), conf(plan, dir));
        List<String> users = new ArrayList<>(plan.stations());
        for (String c : plan.collectors()) users.add(collectorUser(c));
        users.add(OFFICE);
        users.add(DATACENTER);
        users.add(WATCHER);
        SecureRandom random = new SecureRandom();
        StringBuilder plain = new StringBuilder();
        for (String u : users) {
            byte[] b = new byte[18];
            random.nextBytes(b);
            String password = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b);
            Path f = dir.resolve("clients/" + u + ".password");
            Files.deleteIfExists(f);
            Files.createFile(f, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(f, password + "\n");
            plain.append(u).append(':').append(password).append('\n');
        }
        Path passwd = dir.resolve("passwd");
        Files.deleteIfExists(passwd);
        Files.createFile(passwd, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(passwd, plain);
        // Mosquitto's own tool hashes the file in place (PBKDF2-SHA512): the broker never holds a password in clear.
        Process p = new ProcessBuilder(mosquittoPasswd(), "-U", passwd.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException("mosquitto_passwd -U " + passwd + " failed: " + out.strip());
        return users;
    }

    private static String mosquittoPasswd() {
        return Files.isExecutable(Path.of("/usr/bin/mosquitto_passwd")) ? "/usr/bin/mosquitto_passwd" : "mosquitto_passwd";
    }

    static String acl(Plan plan) {
        String r = "ktpel/v2/";
        StringBuilder a = new StringBuilder();
        a.append("# Written by `ktp broker setup` (docs/telemetry.md, \"Brokers\"). With an acl_file, Mosquitto allows only what is listed.\n");
        a.append("# No pattern lines: every client gets exactly its own block, so no user name can borrow a station's topics.\n\n");
        for (String s : plan.stations()) {
            a.append("user ").append(s).append('\n');
            for (String k : List.of("events", "state", "health", "acks")) a.append("topic write ").append(r).append("stations/").append(s).append('/').append(k).append('\n');
            for (String k : List.of("commands", "receipts")) a.append("topic read ").append(r).append("stations/").append(s).append('/').append(k).append('\n');
            a.append("topic read ").append(r).append("collectors/+/heartbeat\n\n");
        }
        for (String c : plan.collectors()) {
            a.append("user ").append(collectorUser(c)).append('\n');
            for (String k : List.of("events", "state", "health")) a.append("topic read ").append(r).append("stations/+/").append(k).append('\n');
            a.append("topic write ").append(r).append("stations/+/receipts\n");
            a.append("topic write ").append(r).append("collectors/").append(c).append("/heartbeat\n");
            // Its own probe topic: at start a collector checks that the broker splits a shared subscription.
            a.append("topic readwrite ").append(r).append("collectors/").append(c).append("/probe/#\n\n");
        }
        a.append("user ").append(OFFICE).append('\n');
        a.append("topic write ").append(r).append("stations/+/commands\n");
        a.append("topic read ").append(r).append("stations/+/acks\n\n");
        a.append("user ").append(DATACENTER).append('\n');
        a.append("topic read ").append(r).append("stations/+/events\n\n");
        a.append("user ").append(WATCHER).append('\n');
        a.append("topic read ").append(r).append("#\n");
        return a.toString();
    }

    static String conf(Plan plan, Path dir) {
        StringBuilder c = new StringBuilder();
        c.append("# Written by `ktp broker setup` for ").append(plan.stations().size()).append(" station(s) and ").append(plan.collectors().size())
                .append(" collector(s) (docs/telemetry.md, \"Brokers\").\n");
        c.append("per_listener_settings false\n");
        c.append("# Every client logs in with its own name and password, and may do only what the ACL file lists.\n");
        c.append("allow_anonymous false\n");
        c.append("password_file ").append(dir.toAbsolutePath().resolve("passwd")).append('\n');
        c.append("acl_file ").append(dir.toAbsolutePath().resolve("acl")).append('\n');
        c.append("\n# The limits the telemetry contract relies on, and why:\n");
        c.append("# - a signed batch is at most 64 KiB (32 events); anything larger is refused by the broker, not just by the readers.\n");
        c.append("message_size_limit 65536\n");
        c.append("# - each station has at most 64 batches unreceipted (window) and 8 waiting for PUBACK; a collector's queue must hold\n");
        c.append("#   the burst of every station at once. 100 stations x 4 batches = 400 messages start a burst (the window grows on\n");
        c.append("#   receipts, halves on a loss), plus a retained state and health each: 10,000 leaves room for 1,000 stations' first windows.\n");
        c.append("#   A drop is never a loss (the outbox keeps every event until receipted), only a resend after 10 s with jittered back-off.\n");
        c.append("max_queued_messages 10000\n");
        c.append("# - Mosquitto's default of 20 messages in flight to a client: enough, as the collector acknowledges after one append.\n");
        c.append("max_inflight_messages 20\n");
        c.append("# - Nagle's algorithm off on the broker's sockets: with it, PUBACKs and deliveries wait for the peer's delayed ACK\n");
        c.append("#   (up to 40 ms on Linux), which held one station's outbox drain to a few thousand events/s (docs/telemetry.md).\n");
        c.append("set_tcp_nodelay true\n");
        c.append("# - sessions survive a broker restart (clean session off), so commands queued for a station wait for it. Shared\n");
        c.append("#   subscriptions are not restored by 2.0.11; the stations wait for a collector's heartbeat, which closes that hole.\n");
        if (plan.persistence() != null) {
            c.append("persistence true\npersistence_location ").append(plan.persistence().toAbsolutePath()).append("/\nautosave_interval 1\n");
        } else {
            c.append("persistence false\n");
        }
        String[] hp = plan.listen().split(":");
        c.append("\nlistener ").append(hp[1]).append(' ').append(hp[0]).append('\n');
        if (plan.tlsCert() != null) {
            c.append("cafile ").append(plan.tlsCa().toAbsolutePath()).append('\n');
            c.append("certfile ").append(plan.tlsCert().toAbsolutePath()).append('\n');
            c.append("keyfile ").append(plan.tlsKey().toAbsolutePath()).append('\n');
            c.append("tls_version tlsv1.2\n");
        } else {
            c.append("# No TLS on this listener: loopback tests and labs only. Production: give --tls-ca/--tls-cert/--tls-key.\n");
        }
        return c.toString();
    }

    /**
     * The same ACL as {@link #acl}, as a check (for the demo's embedded broker): may {@code user} write to, or
     * subscribe to, {@code topic} (a topic, or for reading a filter, which must lie inside one the user may read)?
     */
    public static boolean allowed(Plan plan, String user, String topic, boolean write) {
        if (user == null) return false; // no anonymous client may do anything
        String r = "ktpel/v2/";
        List<String> w = new ArrayList<>();
        List<String> rd = new ArrayList<>();
        if (plan.stations().contains(user)) {
            for (String k : List.of("events", "state", "health", "acks")) w.add(r + "stations/" + user + "/" + k);
            for (String k : List.of("commands", "receipts")) rd.add(r + "stations/" + user + "/" + k);
            rd.add(r + "collectors/+/heartbeat");
        } else if (user != null && user.startsWith("collector.") && plan.collectors().contains(user.substring(10))) {
            for (String k : List.of("events", "state", "health")) rd.add(r + "stations/+/" + k);
            w.add(r + "stations/+/receipts");
            w.add(r + "collectors/" + user.substring(10) + "/heartbeat");
            w.add(r + "collectors/" + user.substring(10) + "/probe/#");
            rd.add(r + "collectors/" + user.substring(10) + "/probe/#");
        } else if (OFFICE.equals(user)) {
            w.add(r + "stations/+/commands");
            rd.add(r + "stations/+/acks");
        } else if (DATACENTER.equals(user)) {
            rd.add(r + "stations/+/events");
        } else if (WATCHER.equals(user)) {
            rd.add(r + "#");
        }
        String t = topic.startsWith("$share/") ? topic.substring(topic.indexOf('/', 7) + 1) : topic;
        for (String rule : write ? w : rd) if (covers(rule, t)) return true;
        return false;
    }

    /** Whether every topic {@code filter} matches is matched by {@code rule} too (MQTT '+' and '#'). */
    static boolean covers(String rule, String filter) {
        String[] a = rule.split("/", -1);
        String[] b = filter.split("/", -1);
        for (int i = 0; i < a.length; i++) {
            if (a[i].equals("#")) return true;
            if (i >= b.length) return false;
            if (a[i].equals("+")) {
                if (b[i].equals("#")) return false;
                continue;
            }
            if (!a[i].equals(b[i])) return false;
        }
        return a.length == b.length;
    }
}
