package ktp.sim.setup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A technician builds a station by hand from docs/station-config.md alone ("A station by hand against the
 * simulators"): `ktp station init`, every simulator started by its own command as a separate `ktp` process
 * (`ktp sim broker` included, on tcp://HOST:PORT addresses), the keys made with openssl as the page says, the YAML
 * edited key by key as the page says, then `check-config --probe`: with the printer and scanner ports swapped it
 * names both as swapped, with a wrong token it says the data center refuses the credentials (and a wrong broker
 * password that the broker does), and right it passes with each device answering as what it is. The old address
 * form (tcp:HOST:PORT) still loads, in station.yaml and on a simulator's command line, with a warning naming the new one.
 * Then the station runs by hand with the lab reader, prints the one resident's card, and an operator issues it
 * through the CLI's console path (`ktp issue --user`): the card put back into the reader on the printer
 * simulator's console, the holder's finger (another impression than the chip's) on the scanner simulator's. An
 * independent check reads the store afterwards: the job, the blank's fate in the ledger, the audit log's line by
 * the operator, and CARD_ISSUED in the outbox (kept there: no office collector listens in this lab).
 * Run alone: mvn -B -pl station,simulator -am test -Dtest=StationByHandTest -Dsurefire.failIfNoSpecifiedTests=false
 */
class StationByHandTest {
    private static final Path REPO = Path.of("").toAbsolutePath().getParent();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final String STATION = "ST-LAB-01";

    @TempDir
    Path lab;
    private final List<Process> started = new ArrayList<>();
    private final java.util.Map<String, Process> sims = new java.util.HashMap<>();

    @AfterEach
    void stopTheSimulators() throws InterruptedException {
        for (Process p : started) p.destroy();
        for (Process p : started) if (!p.waitFor(20, TimeUnit.SECONDS)) p.destroyForcibly();
    }

    private ProcessBuilder ktp(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC", "-Dktp.home=" + REPO, "-cp", System.getProperty("java.class.path"), "ktp.cli.Ktp"));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).directory(lab.toFile()).redirectErrorStream(true);
    }

    /** A command that ends: its exit code and output. */
    private record Run(int code, String out) {}

    private Run run(String... args) throws Exception { return runWith("", args); }

    /** A command that ends, given {@code input} on its standard input (a password, as a script gives it). */
    private Run runWith(String input, String... args) throws Exception {
        Process p = ktp(args).start();
        p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), "ktp " + String.join(" ", args) + " did not end");
        return new Run(p.exitValue(), out);
    }

    /** A simulator left running; returns the first match of {@code ready} in its output (its address). */
    private String start(Pattern ready, String... args) throws Exception {
        Path log = lab.resolve("sim-" + args[1] + ".log");
        Process p = ktp(args).redirectOutput(ProcessBuilder.Redirect.to(log.toFile())).start();
        started.add(p);
        sims.put(args[1], p);
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            Matcher m = ready.matcher(Files.readString(log));
            if (m.find()) return m.group(1);
            assertTrue(p.isAlive(), "ktp " + String.join(" ", args) + " ended: " + Files.readString(log));
            Thread.sleep(100);
        }
        throw new AssertionError("ktp " + String.join(" ", args) + " never said where it listens: " + Files.readString(log));
    }

    private static void sh(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + out);
    }

    @Test
    void aTechnicianBuildsAStationFromTheDocAndTheProbeTellsWhatAnswersAsWhat() throws Exception {
        Run init = run("station", "init", "--out", "station.yaml");
        assertEquals(0, init.code(), init.out());

        // The simulators, each by its command, each on a free port in the one address form.
        String broker = start(Pattern.compile("broker (tcp://127\\.0\\.0\\.1:\\d+)"), "sim", "broker", "--listen", "tcp://127.0.0.1:0",
                "--stations", STATION, "--credentials", "broker");
        String central = start(Pattern.compile("listening on (http://127\\.0\\.0\\.1:\\d+)"), "sim", "central", "--listen", "127.0.0.1:0",
                "--plain-http", "--station", STATION + ":lab-token-1", "--state", "central", "--population", "1", "--speed", "2000000", "--failure-rate", "0");
        int labPort;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            labPort = free.getLocalPort();
        }
        String printer = start(Pattern.compile("printer URI (tcp://127\\.0\\.0\\.1:\\d+)"), "sim", "printer", "--profile", "evolis-primacy-dual-ymcko",
                "--listen", "tcp://127.0.0.1:0", "--out", "cards", "--speed", "50", "--vpcd", "127.0.0.1:" + labPort);
        // The scanner on the old address form: it still listens, and says which form to write instead.
        String scanner = start(Pattern.compile("on (tcp://127\\.0\\.0\\.1:\\d+);"), "sim", "scanner", "--listen", "tcp:127.0.0.1:0");
        assertTrue(Files.readString(lab.resolve("sim-scanner.log")).contains("--listen tcp:127.0.0.1:0 is the old form; write tcp://127.0.0.1:0"),
                Files.readString(lab.resolve("sim-scanner.log")));
        assertTrue(Files.readString(lab.resolve("sim-broker.log")).contains(lab.resolve("broker/clients").toString()), "the broker says where its credentials are");
        String perms = PosixFilePermissions.toString(Files.getPosixFilePermissions(lab.resolve("broker/clients/" + STATION + ".password")));
        assertEquals("rw-------", perms, "a password readable by its owner only");

        // Keys and files as the page says.
        Files.createDirectories(lab.resolve("keys"));
        Files.createDirectories(lab.resolve("trusted-keys"));
        Files.createDirectories(lab.resolve("office-keys"));
        Files.writeString(lab.resolve("keys/token.txt"), "lab-token-1\n");
        Files.setPosixFilePermissions(lab.resolve("keys/token.txt"), PosixFilePermissions.fromString("rw-------"));
        try (var keys = Files.list(lab.resolve("central/trusted-keys"))) {
            for (Path k : keys.toList()) Files.copy(k, lab.resolve("trusted-keys").resolve(k.getFileName()));
        }
        sh(lab, "openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "keys/telemetry-signing.key");
        sh(lab, "chmod", "600", "keys/telemetry-signing.key");
        sh(lab, "openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "office.key");
        sh(lab, "openssl", "pkey", "-in", "office.key", "-pubout", "-out", "office-keys/office-1.pem");

        // The YAML edited key by key, as the page's lab section says.
        Path yaml = lab.resolve("station.yaml");
        ObjectNode c = (ObjectNode) YAML.readTree(yaml.toFile());
        ((ObjectNode) c.get("station")).put("id", STATION);
        ObjectNode dc = YAML.createObjectNode();
        dc.put("url", central).put("plain_http", true).put("token_file", "keys/token.txt");
        c.set("central", dc);
        ((ObjectNode) ((ArrayNode) c.get("printers")).get(0)).put("uri", printer);
        ((ObjectNode) c.get("scanner")).put("uri", scanner);
        ((ObjectNode) c.get("encoder")).remove("master_key");
        ((ObjectNode) c.get("encoder")).put("reader", "KTP Lab Reader").put("lab_reader", "tcp://127.0.0.1:" + labPort);
        ObjectNode t = YAML.createObjectNode();
        t.put("broker", broker).put("username", STATION).put("password_file", "broker/clients/" + STATION + ".password")
                .put("signing_key", "keys/telemetry-signing.key").put("office_keys", "office-keys");
        c.set("telemetry", t);
        int consolePort;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            consolePort = free.getLocalPort();
        }
        ((ObjectNode) c.get("console")).put("listen", "127.0.0.1:" + consolePort);
        Files.writeString(yaml, YAML.writeValueAsString(c));
        // The operator's account, its password given on standard input as a script does.
        Run user = runWith("sari-lab-password\n", "console", "user", "add", "--users", "console-users.json", "--name", "sari", "--role", "operator");
        assertEquals(0, user.code(), user.out());

        // The old address form in station.yaml loads, read as the new one, with a warning naming each key and the new form.
        ObjectNode old = c.deepCopy();
        ((ObjectNode) ((ArrayNode) old.get("printers")).get(0)).put("uri", printer.replace("tcp://", "tcp:"));
        ((ObjectNode) old.get("scanner")).put("uri", scanner.replace("tcp://", "tcp:"));
        ((ObjectNode) old.get("telemetry")).put("broker", broker.replace("tcp://", "tcp:"));
        ((ObjectNode) old.get("encoder")).put("lab_reader", "tcp:127.0.0.1:" + labPort);
        Files.writeString(lab.resolve("old-form.yaml"), YAML.writeValueAsString(old));
        Run oldForm = run("station", "check-config", "old-form.yaml", "--lang", "en");
        assertEquals(0, oldForm.code(), oldForm.out());
        for (String key : List.of("printers[0].uri", "scanner.uri", "telemetry.broker", "encoder.lab_reader")) {
            assertTrue(Pattern.compile("WARNING .*" + Pattern.quote(key) + ": 'tcp:[^']+' is the old address form; write tcp://").matcher(oldForm.out()).find(),
                    key + " warned about: " + oldForm.out());
        }
        assertTrue(oldForm.out().contains("printer    ") && oldForm.out().contains(printer + " (evolis"), "read as the new form: " + oldForm.out());

        // The lab reader outside a lab (an https data center) is refused, naming the key.
        ObjectNode production = c.deepCopy();
        ObjectNode https = YAML.createObjectNode();
        https.put("url", "https://127.0.0.1:8443").put("ca", "office-keys/office-1.pem").put("token_file", "keys/token.txt");
        production.set("central", https);
        Files.writeString(lab.resolve("production.yaml"), YAML.writeValueAsString(production));
        Run refused = run("station", "check-config", "production.yaml");
        assertEquals(2, refused.code(), refused.out());
        // In the operator's language by default (Indonesian), with the key's path as written.
        assertTrue(refused.out().contains("encoder.lab_reader: " + ktp.i18n.Catalogue.text(ktp.i18n.Language.ID, "config.station.labOnly")), refused.out());

        // Swapped printer and scanner ports: both named as swapped.
        ((ObjectNode) ((ArrayNode) c.get("printers")).get(0)).put("uri", scanner);
        ((ObjectNode) c.get("scanner")).put("uri", printer);
        Files.writeString(lab.resolve("swapped.yaml"), YAML.writeValueAsString(c));
        Run swapped = run("station", "check-config", "swapped.yaml", "--probe");
        assertEquals(2, swapped.code(), swapped.out());
        // In the operator's language by default (Indonesian): both named as swapped.
        assertTrue(swapped.out().contains("printers[0].uri " + scanner + ": GAGAL: pemindai sidik jari menjawab di sini"), swapped.out());
        assertTrue(swapped.out().contains("scanner.uri " + printer + ": GAGAL: printer kartu menjawab di sini"), swapped.out());
        assertTrue(swapped.out().contains("apakah port printer dan pemindai tertukar?"), swapped.out());
        ((ObjectNode) ((ArrayNode) c.get("printers")).get(0)).put("uri", printer);
        ((ObjectNode) c.get("scanner")).put("uri", scanner);

        // A wrong token and a wrong broker password: each server answers, and refuses.
        Files.writeString(lab.resolve("keys/wrong-token.txt"), "lab-token-2\n");
        Files.setPosixFilePermissions(lab.resolve("keys/wrong-token.txt"), PosixFilePermissions.fromString("rw-------"));
        Files.writeString(lab.resolve("keys/wrong-mqtt.txt"), "guessed\n");
        Files.setPosixFilePermissions(lab.resolve("keys/wrong-mqtt.txt"), PosixFilePermissions.fromString("rw-------"));
        dc.put("token_file", "keys/wrong-token.txt");
        t.put("password_file", "keys/wrong-mqtt.txt");
        Files.writeString(lab.resolve("wrong.yaml"), YAML.writeValueAsString(c));
        Run wrong = run("station", "check-config", "wrong.yaml", "--probe", "--lang", "en");
        assertEquals(2, wrong.code(), wrong.out());
        assertTrue(wrong.out().contains("central.url " + central + ": FAILED: the data center answers but refuses the station's credentials (HTTP 401"), wrong.out());
        assertTrue(wrong.out().contains("telemetry.broker " + broker + ": FAILED: the broker answers but its CONNACK refuses the station's credentials"), wrong.out());
        assertTrue(wrong.out().contains("printers[0].uri " + printer + ": answers as a card printer"), "the printer is still right: " + wrong.out());

        // Right: every device answers as what the configuration says it is.
        Run right = run("station", "check-config", "station.yaml", "--probe", "--lang", "en");
        assertTrue(right.out().contains("printers[0].uri " + printer + ": answers as a card printer: "), right.out());
        assertTrue(right.out().contains("scanner.uri " + scanner + ": answers as an R30x fingerprint module"), right.out());
        assertTrue(right.out().contains("central.url " + central + ": answers as the data center, which accepts station " + STATION), right.out());
        assertTrue(right.out().contains("telemetry.broker " + broker + ": answers as an MQTT broker: CONNACK accepted for user " + STATION), right.out());
        assertFalse(right.out().contains("lab-token-1"), "no secret in the output");
        assertTrue(right.out().contains("encoder.lab_reader tcp://127.0.0.1:" + labPort + ": answers"), right.out());
        assertEquals(0, right.code(), right.out());

        // The station runs by hand with the lab reader (no pcscd): the printer simulator's blanks carry virtual chips
        // that reach the station's reader over vpcd's protocol; a card is encoded and printed.
        Path log = lab.resolve("station.log");
        Process daemon = ktp("station", "run", "--config", "station.yaml").redirectOutput(ProcessBuilder.Redirect.to(log.toFile())).start();
        started.add(daemon);
        long deadline = System.nanoTime() + 120_000_000_000L;
        long cards = 0;
        while (System.nanoTime() < deadline && cards < 2) {
            assertTrue(daemon.isAlive(), "the daemon stopped: " + Files.readString(log));
            try (var files = Files.list(lab.resolve("cards"))) {
                cards = files.filter(f -> f.toString().endsWith(".png")).count();
            } catch (java.nio.file.NoSuchFileException none) {
                cards = 0;
            }
            Thread.sleep(200);
        }
        assertTrue(cards >= 2, "a card's front and back from the printer simulator: " + Files.readString(log));
        String daemonLog = Files.readString(log);
        assertTrue(daemonLog.contains("pembaca lab 'KTP Lab Reader'"), "in the operator's language by default: " + daemonLog);

        // At the counter. The operator finds the card waiting for its holder (the queue through the console).
        JsonNode waiting = null;
        for (int i = 0; i < 100 && (waiting == null || waiting.isEmpty()); i++) {
            Run queue = runWith("sari-lab-password\n", "queue", "--config", "station.yaml", "--user", "sari", "--state", "AWAITING_HOLDER", "--json");
            assertEquals(0, queue.code(), queue.out());
            waiting = YAML.readTree(queue.out().substring(queue.out().indexOf('[')));
            if (waiting.isEmpty()) Thread.sleep(300);
        }
        assertEquals(1, waiting.size(), "the one resident's card waits for its holder: " + waiting);
        String nik = waiting.get(0).get("nik").asText();
        String uid = waiting.get(0).get("blankId").asText();
        assertTrue(uid.matches("[0-9A-F]{14}"), uid);
        // The holder's fingers: the records simulator with the data center's seed says which real finger each chip template came from.
        Run holders = run("sim", "records", "--seed", "1", "--count", "1", "--out", "holders");
        assertEquals(0, holders.code(), holders.out());
        JsonNode resident = YAML.readTree(lab.resolve("holders/residents.json").toFile()).get("residents").get(0);
        assertEquals(nik, resident.get("nik").asText(), "the data center's resident 0");
        String finger = resident.get("fingers").get("2").asText();
        // The card back into the reader (the printer simulator's console), the holder's right index finger on the glass
        // (impression 2: the chip's template was made from impression 1).
        type(sims.get("printer"), "counter " + uid);
        type(sims.get("scanner"), "place " + finger + " 2");
        awaitLine(lab.resolve("sim-printer.log"), "counter: card " + uid + " is in the reader");
        awaitLine(lab.resolve("sim-scanner.log"), "ok: place " + finger + " 2");
        Run issue = runWith("sari-lab-password\n", "issue", "--config", "station.yaml", "--nik", nik, "--user", "sari");
        assertEquals(0, issue.code(), issue.out() + "\n" + Files.readString(log));
        assertTrue(issue.out().contains("rekaman " + waiting.get(0).get("recordId").asText() + ", kartu " + uid) && issue.out().contains("Diserahkan"),
                "the operator reads the outcome in Indonesian: " + issue.out());
        type(sims.get("printer"), "counter off");
        daemon.destroy();
        assertTrue(daemon.waitFor(60, TimeUnit.SECONDS), "the daemon stops on SIGTERM");
        Run ledger = run("ledger", "--config", "station.yaml", "--json");
        assertEquals(0, ledger.code(), ledger.out());
        var entries = YAML.readTree(ledger.out());
        assertTrue(entries.size() >= 1, ledger.out());
        boolean printedByUid = false;
        for (var e : entries) {
            // The blank's id is the virtual chip's UID as the station's encoder read it over the lab reader.
            if (e.get("fate").asText().equals("ISSUED") && e.get("blankId").asText().matches("[0-9A-F]{14}")) printedByUid = true;
        }
        assertTrue(printedByUid, "a card printed and issued, ledgered by its chip UID: " + ledger.out() + "\n" + daemonLog);

        // The independent check, from the store itself (not the daemon's summary): the job issued by the operator,
        // the blank's fate, the audit log's line for it; and the event on the broker, signed by this station.
        Path storeDir = lab.resolve(c.get("station").get("store").asText());
        try (ktp.store.StationStore store = ktp.store.StationStore.openReadOnly(storeDir, java.time.Clock.systemUTC())) {
            List<ktp.store.Job> jobs = store.jobsWithNik(nik);
            assertEquals(1, jobs.size(), jobs.toString());
            assertEquals(ktp.job.JobState.ISSUED, jobs.get(0).state(), jobs.toString());
            assertEquals(uid, jobs.get(0).blankId());
            assertEquals(ktp.store.BlankFate.ISSUED, store.ledgerEntry(uid).orElseThrow().fate(), "the blank's fate");
            assertEquals(1, store.ledger().size(), "one blank taken, one card: " + store.ledger());
            assertTrue(store.auditLog().stream().anyMatch(a -> a.actor().equals("operator:sari") && a.action().equals("JOB ACTIVATING -> ISSUED")
                    && a.detail().contains(jobs.get(0).recordId())), "the hand-over in the audit log by the operator: " + store.auditLog());
            assertTrue(store.verifyAudit().intact(), "the audit chain holds");
            // No office collector listens in this lab, so the station keeps its events in the outbox (they are
            // drained only while a collector says it is subscribed): CARD_PRINTED and CARD_ISSUED wait there.
            List<ktp.store.OutboxEvent> outbox = store.pendingEvents(100);
            assertTrue(outbox.stream().anyMatch(e -> e.type() == ktp.job.EventType.CARD_PRINTED && e.nik().equals(nik) && e.blankId().equals(uid)), outbox.toString());
            assertTrue(outbox.stream().anyMatch(e -> e.type() == ktp.job.EventType.CARD_ISSUED && e.nik().equals(nik) && e.blankId().equals(uid)
                    && e.recordId().equals(jobs.get(0).recordId())), "CARD_ISSUED in the outbox: " + outbox);
        }
    }

    /** A line typed on a simulator's console. */
    private static void type(Process sim, String line) throws IOException {
        sim.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        sim.getOutputStream().flush();
    }

    private static void awaitLine(Path log, String text) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (Files.readString(log).contains(text)) return;
            Thread.sleep(100);
        }
        throw new AssertionError("never said '" + text + "': " + Files.readString(log));
    }
}
