package ktp.cli;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import ktp.datafile.DataFileException;
import ktp.i18n.Catalogue;
import ktp.printer.PrintJob;
import ktp.printer.PrinterDriver;
import ktp.printer.PrinterProfile;
import ktp.printer.link.PrinterLink;
import ktp.station.StationConfig;
import ktp.store.Actor;
import ktp.store.Role;
import ktp.store.StationStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * `ktp station setup`: the checklist a technician goes through at a new station, one question at a time, each
 * answer checked at once with a clear error and asked again: who the station is, the data center and its
 * credentials, the keys (trusted data-center keys, the telemetry signing key, the office keys, the issuer master
 * key), the printer, encoder and scanner, the broker, the console's accounts, the blanks loaded, and a test print.
 * It writes a configuration that loads (checked by {@link StationConfig#load} before it is written), records the
 * blanks loaded in the store and accounts for the test print's blank in the ledger (spoiled: a test card is never
 * a KTP-el). Indonesian unless --lang en. Answers come from the terminal or, for a script, standard input.
 */
@Command(name = "setup", mixinStandardHelpOptions = true,
        description = {"An interactive checklist for a new station: keys, trusted keys, devices, broker, console accounts, blanks",
                "loaded and a test print; every answer checked at once. Writes a configuration that passes check-config",
                "(never over an existing file), records the blanks loaded, and ledgers the test print's blank as spoiled.",
                "Answers from the terminal or standard input (one a line; an empty line takes the default in brackets)."})
final class StationSetup implements Callable<Integer> {
    @Option(names = "--out", paramLabel = "FILE", defaultValue = "station.yaml", description = "the configuration to write (default ${DEFAULT-VALUE})")
    Path out;

    /** How many wrong answers to one question before setup gives up (a script that keeps answering wrong ends). */
    static final int TRIES = 5;

    private BufferedReader in;
    private Path base;
    private int step;
    private static final int STEPS = 8;

    @Override
    public Integer call() throws Exception {
        if (Files.exists(out)) throw new BadInputException(out + ": " + s("exists"));
        base = out.toAbsolutePath().getParent();
        Files.createDirectories(base);
        in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        Path profiles = Paths.home().resolve("firmware-profiles");
        System.out.println(s("intro", out.toString()));

        heading("step.station");
        String id = ask("q.id", null, a -> a.matches("[A-Za-z0-9_-]{1,64}") ? null : s("e.id"));
        String store = ask("q.store", "store", a -> a.isBlank() || a.contains("\n") ? s("e.path") : Files.exists(base.resolve(a)) && !Files.isDirectory(base.resolve(a)) ? s("e.notFolder") : null);

        heading("step.central");
        String url = ask("q.url", null, a -> a.matches("https?://[A-Za-z0-9.\\[\\]:-]+(:\\d{1,5})?(/.*)?") ? null : s("e.url"));
        boolean plain = url.startsWith("http://");
        Map<String, String> central = new LinkedHashMap<>();
        central.put("url", url);
        if (plain) {
            System.out.println(s("plainWarning"));
            central.put("plain_http", "true");
            central.put("token_file", ask("q.token", "keys/token.txt", this::privateFile));
        } else {
            central.put("ca", ask("q.ca", null, this::readableFile));
            central.put("certificate", ask("q.cert", null, this::readableFile));
            central.put("key", ask("q.certKey", null, this::privateFile));
        }

        heading("step.keys");
        String trusted = ask("q.trusted", "trusted-keys", a -> {
            try {
                return ktp.record.TrustedKeys.loadDirectory(base.resolve(a)).keyIds().isEmpty() ? s("e.noPem", base.resolve(a)) : null;
            } catch (IOException e) {
                return s("e.noPem", base.resolve(a)) + " (" + e.getMessage() + ")";
            }
        });
        String signing = ask("q.signing", "", a -> {
            if (a.isEmpty()) return null;
            String unreadable = privateFile(a);
            if (unreadable != null) return unreadable;
            try {
                ktp.telemetry.TelemetryKey.load(base.resolve(a));
                return null;
            } catch (IOException e) {
                return s("e.notP256", e.getMessage());
            }
        });
        if (signing.isEmpty()) {
            signing = "keys/telemetry-signing.key";
            if (Files.exists(base.resolve(signing))) throw new BadInputException(base.resolve(signing) + ": " + s("exists"));
            writeSigningKey(base.resolve(signing));
            System.out.println(s("made.signing", base.resolve(signing)));
        }
        String office = ask("q.office", "office-keys", a -> {
            try {
                ktp.telemetry.Keyring.load(base.resolve(a));
                return null;
            } catch (IOException e) {
                return s("e.officeKeys", e.getMessage());
            }
        });
        String master = ask("q.master", "", a -> a.isEmpty() ? null : privateFile(a));
        if (master.isEmpty()) System.out.println(s("testKeys"));

        heading("step.devices");
        String printerUri = askAddress("q.printer", true);
        String printerProfile = ask("q.printerProfile", "evolis-primacy-dual-ymcko", a -> profileError(() -> PrinterProfile.resolve(profiles.resolve("printers"), a)));
        String reader = ask("q.reader", "", a -> {
            try {
                java.util.regex.Pattern.compile(a);
                return null;
            } catch (java.util.regex.PatternSyntaxException e) {
                return s("e.regex", e.getDescription());
            }
        });
        String cardProfile = ask("q.cardProfile", "ktpel-virtual", a -> profileError(() -> ktp.card.CardProfile.resolve(profiles.resolve("cards"), a)));
        String labReader = plain ? ask("q.labReader", "", a -> a.isEmpty() || a.matches("tcp://(127\\.0\\.0\\.1|localhost):\\d{1,5}") ? null : s("e.labReader")) : "";
        String scannerUri = askAddress("q.scanner", false);
        String scannerProfile = ask("q.scannerProfile", "r307", a -> profileError(() -> ktp.biometric.ScannerProfile.resolve(profiles.resolve("scanners"), a)));

        heading("step.broker");
        String broker = ask("q.broker", null, a -> {
            String modern = modern(a);
            return modern.matches("(tcp|ssl)://[A-Za-z0-9.\\[\\]:-]+:\\d{1,5}") ? null : s("e.broker");
        });
        broker = warnOld(broker);
        String brokerUser = ask("q.brokerUser", id, a -> a.matches("[A-Za-z0-9_.-]{1,64}") ? null : s("e.id"));
        String brokerPassword = ask("q.brokerPassword", "broker/clients/" + id + ".password", this::privateFile);

        heading("step.users");
        String usersFile = ask("q.users", "console-users.json", a -> a.isBlank() ? s("e.path") : null);
        String listen = ask("q.listen", "127.0.0.1:8080", a -> a.matches("[A-Za-z0-9.:\\[\\]-]+:\\d{1,5}") ? null : s("e.listen"));
        ktp.console.Users users;
        try {
            users = ktp.console.Users.load(base.resolve(usersFile));
        } catch (IOException e) {
            throw new BadInputException(base.resolve(usersFile) + ": " + e.getMessage());
        }
        List<String> accounts = new ArrayList<>();
        while (true) {
            String name = ask(accounts.isEmpty() ? "q.supervisor" : "q.another", accounts.isEmpty() ? null : "", a -> {
                if (a.isEmpty()) return null;
                if (!ktp.console.Users.validName(a)) return s("e.userName");
                return users.find(a).isPresent() || accounts.contains(a) ? s("e.userExists", a) : null;
            });
            if (name.isEmpty()) break;
            // The first account is a supervisor: someone must be able to decide the exceptions.
            String role = accounts.isEmpty() ? "supervisor"
                    : ask("q.role", "operator", a -> List.of("operator", "supervisor", "technician").contains(a) ? null : s("e.role"));
            String password = ask("q.password", null, a -> a.length() < 10 ? s("e.password") : null, name);
            users.put(name, ktp.console.Users.role(role), new ktp.console.PasswordHasher().hash(password.toCharArray()));
            accounts.add(name + " (" + role + ")");
        }

        heading("step.blanks");
        int blanks = Integer.parseInt(ask("q.blanks", "0", a -> a.matches("\\d{1,6}") && Integer.parseInt(a) <= 100_000 ? null : s("e.blanks")));
        String reference = blanks == 0 ? "" : ask("q.reference", null, a -> a.isBlank() || a.length() > 200 ? s("e.reference") : null);

        heading("step.test");
        boolean testPrint = yes(ask("q.testPrint", s("yes"), a -> yes(a) || no(a) ? null : s("e.yesNo")));

        // The file, checked by the station's own loader before it is written: what setup writes loads.
        String yaml = yaml(id, store, central, trusted, printerUri, printerProfile, reader, cardProfile, master, labReader, scannerUri, scannerProfile,
                broker, brokerUser, brokerPassword, signing, office, listen, usersFile);
        Path draft = base.resolve("." + out.getFileName() + ".setup");
        Files.writeString(draft, yaml);
        StationConfig config;
        try {
            config = StationConfig.load(draft, profiles);
        } catch (DataFileException e) {
            Files.deleteIfExists(draft);
            throw new BadInputException(s("e.invalid", e.message(CliText.language())));
        }
        Files.move(draft, out);
        System.out.println(s("wrote", out.toString()));
        if (!accounts.isEmpty()) System.out.println(s("accounts", String.join(", ", accounts), base.resolve(usersFile).toString()));

        int exit = ExitCodes.OK;
        try (StationStore st = StationStore.open(config.store(), config.stationId(), Clock.systemUTC())) {
            Actor technician = new Actor("setup", Role.TECHNICIAN);
            if (blanks > 0) {
                st.blanksLoaded(blanks, reference, technician);
                System.out.println(s("blanksRecorded", blanks, reference.strip()));
            }
            if (testPrint) exit = testPrint(config.printers().get(0), st, technician);
        }
        System.out.println(s("next", out.toString()));
        return exit;
    }

    /**
     * One test card on the printer: its status asked first, then a card with "CETAK UJI / TEST PRINT" on the
     * black panel and no chip step. The blank it took is ledgered as spoiled, with the reason, so the blanks
     * loaded still balance (a test card is destroyed like any spoiled blank).
     */
    private int testPrint(StationConfig.Printer printer, StationStore st, Actor technician) {
        PrinterProfile p = printer.profile();
        // A test card has no chip to name it: its number comes from the store's counter, as the station's own chipless blanks do.
        PrinterDriver.BlankIds ids = serial -> "TEST-" + serial + "-" + st.stationId() + "-" + String.format("%07d", st.reserveBlankNumber());
        try (PrinterDriver driver = new PrinterDriver(p, () -> PrinterLink.open(printer.uri(), p.link()), ids)) {
            ktp.printer.PrinterStatus status = driver.status();
            System.out.println(s("printerAnswers", status.model(), status.serial(), String.valueOf(status.ribbonRemaining())));
            String[] blank = {null};
            PrinterDriver.Outcome o = driver.print(testCard(p), null, new PrinterDriver.CardEvents() {
                @Override
                public void inPrinter(String blankId) { blank[0] = blankId; }
                @Override
                public void encoded() { }
                @Override
                public void printing() { }
            });
            if (blank[0] != null) st.ledgerFoundBlank(blank[0], "test print at set-up (ktp station setup); the card is destroyed like a spoiled blank", technician);
            if (o instanceof PrinterDriver.Printed printed) {
                System.out.println(s("testPrinted", printed.blankId()));
                return ExitCodes.OK;
            }
            System.out.println(s("testFailed", o.toString()));
            return ExitCodes.FAILURE;
        } catch (ktp.printer.PrinterException e) {
            System.out.println(s("testFailed", PrinterCommands.Status.diagnose(printer.uri(), e)));
            return ExitCodes.FAILURE;
        }
    }

    private static PrintJob testCard(PrinterProfile p) {
        PrinterProfile.Raster r = p.raster();
        Map<String, BufferedImage> front = new LinkedHashMap<>();
        for (PrinterProfile.Panel panel : p.panels()) {
            BufferedImage img = new BufferedImage(r.width(), r.height(), BufferedImage.TYPE_BYTE_GRAY);
            Graphics2D g = img.createGraphics();
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, r.width(), r.height());
            if (panel.name().equalsIgnoreCase("k")) {
                g.setColor(Color.BLACK);
                g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, r.height() / 8));
                g.drawString("CETAK UJI / TEST PRINT", r.width() / 12, r.height() / 2);
                g.drawRect(r.width() / 24, r.height() / 24, r.width() - r.width() / 12, r.height() - r.height() / 12);
            }
            g.dispose();
            front.put(panel.name(), img);
        }
        return PrintJob.prepare("TEST-PRINT", p, front, Map.of(), false);
    }

    // ---------------------------------------------------------------- questions

    private void heading(String key) {
        step++;
        System.out.println();
        System.out.println("[" + step + "/" + STEPS + "] " + s(key));
    }

    /**
     * Asks until the answer passes {@code check} (null: fine; else the error to show), at most {@link #TRIES}
     * times; an empty answer takes {@code otherwise} when there is one. The end of the input is a clear error.
     */
    private String ask(String question, String otherwise, Function<String, String> check, Object... args) throws IOException {
        boolean secret = question.equals("q.password");
        for (int i = 0; i < TRIES; i++) {
            System.out.print(s(question, args) + (otherwise == null || otherwise.isEmpty() ? "" : " [" + otherwise + "]") + ": ");
            System.out.flush();
            // A password typed on a terminal is not echoed; a script gives it on standard input like any answer.
            java.io.Console tty = secret ? System.console() : null;
            char[] typed = tty == null ? null : tty.readPassword();
            String line = tty == null ? in.readLine() : typed == null ? null : new String(typed);
            if (line == null) {
                System.out.println();
                throw new BadInputException(s("e.eof", s(question, args)));
            }
            String a = line.strip();
            if (a.isEmpty() && otherwise != null) a = otherwise;
            String error = a.isEmpty() && otherwise == null ? s("e.empty") : check.apply(a);
            if (error == null) return a;
            System.out.println("  " + s("error", error));
        }
        throw new BadInputException(s("e.tries", TRIES, s(question, args)));
    }

    /** A device address: tcp://HOST:PORT or serial:/dev/X; the old tcp:HOST:PORT is taken as the new form, with a warning. */
    private String askAddress(String question, boolean fileAllowed) throws IOException {
        String a = ask(question, null, x -> {
            String m = modern(x);
            if (m.matches("tcp://[A-Za-z0-9.\\[\\]:-]+:\\d{1,5}") || m.matches("serial:/[^?]+(\\?baud=\\d{3,7})?")) return null;
            if (fileAllowed && m.startsWith("file:") && m.length() > 5) return null;
            return s("e.address");
        });
        return warnOld(a);
    }

    private String warnOld(String a) {
        String m = modern(a);
        if (!m.equals(a)) System.out.println("  " + s("oldForm", a, m));
        return m;
    }

    private static String modern(String a) { return a.startsWith("tcp:") && !a.startsWith("tcp://") ? "tcp://" + a.substring(4) : a; }

    private String readableFile(String a) {
        Path p = base.resolve(a);
        if (!Files.isRegularFile(p)) return s("e.noFile", p);
        if (!Files.isReadable(p)) return s("e.unreadable", p);
        return null;
    }

    /** A secret's file: it exists, and no other user can read it (the station refuses to keep secrets readable). */
    private String privateFile(String a) {
        String e = readableFile(a);
        if (e != null) return e;
        try {
            var perms = Files.getPosixFilePermissions(base.resolve(a));
            if (perms.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ) || perms.contains(java.nio.file.attribute.PosixFilePermission.GROUP_READ)) {
                return s("e.readableByOthers", base.resolve(a));
            }
        } catch (IOException | UnsupportedOperationException x) {
            // not a POSIX file system: nothing more to check
        }
        return null;
    }

    @FunctionalInterface
    private interface ProfileLoad {
        Object load() throws DataFileException;
    }

    private String profileError(ProfileLoad load) {
        try {
            load.load();
            return null;
        } catch (DataFileException e) {
            return e.message(CliText.language());
        }
    }

    private boolean yes(String a) { return a.equalsIgnoreCase(s("yes")) || a.equalsIgnoreCase("y") || a.equalsIgnoreCase("ya") || a.equalsIgnoreCase("yes"); }

    private boolean no(String a) { return a.equalsIgnoreCase(s("no")) || a.equalsIgnoreCase("n") || a.equalsIgnoreCase("tidak") || a.equalsIgnoreCase("no"); }

    private static String s(String key, Object... args) { return Catalogue.text(CliText.language(), "setup." + key, args); }

    // ---------------------------------------------------------------- the file

    private static void writeSigningKey(Path file) throws Exception {
        java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
        g.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
        byte[] pkcs8 = g.generateKeyPair().getPrivate().getEncoded();
        String pem = "-----BEGIN PRIVATE KEY-----\n" + java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pkcs8)
                + "\n-----END PRIVATE KEY-----\n";
        ktp.datafile.PrivateFiles.createDirectories(file.getParent());
        ktp.datafile.PrivateFiles.write(file, pem.getBytes(StandardCharsets.US_ASCII));
    }

    private static String q(String v) { return "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"") + "\""; }

    private static String yaml(String id, String store, Map<String, String> central, String trusted, String printerUri, String printerProfile, String reader,
                               String cardProfile, String master, String labReader, String scannerUri, String scannerProfile, String broker, String brokerUser,
                               String brokerPassword, String signing, String office, String listen, String usersFile) {
        StringBuilder y = new StringBuilder();
        y.append("# ktp-station: this station's configuration, written by 'ktp station setup' (every key: docs/station-config.md).\n");
        y.append("# Check it with: ktp station check-config FILE --probe\n");
        y.append("station:\n  id: ").append(q(id)).append("\n  store: ").append(q(store)).append("\n");
        y.append("central:\n");
        central.forEach((k, v) -> y.append("  ").append(k).append(": ").append(k.equals("plain_http") ? v : q(v)).append("\n"));
        y.append("trusted_keys: ").append(q(trusted)).append("\n");
        y.append("printers:\n  - name: P1\n    uri: ").append(q(printerUri)).append("\n    profile: ").append(q(printerProfile)).append("\n");
        y.append("encoder:\n");
        if (!reader.isEmpty()) y.append("  reader: ").append(q(reader)).append("\n"); // left out: any reader
        y.append("  card_profile: ").append(q(cardProfile)).append("\n");
        if (!master.isEmpty()) y.append("  master_key: ").append(q(master)).append("\n");
        if (!labReader.isEmpty()) y.append("  lab_reader: ").append(q(labReader)).append("\n");
        y.append("scanner:\n  uri: ").append(q(scannerUri)).append("\n  profile: ").append(q(scannerProfile)).append("\n");
        y.append("telemetry:\n  broker: ").append(q(broker)).append("\n  username: ").append(q(brokerUser)).append("\n  password_file: ").append(q(brokerPassword))
                .append("\n  signing_key: ").append(q(signing)).append("\n  office_keys: ").append(q(office)).append("\n");
        y.append("console:\n  listen: ").append(q(listen)).append("\n  users: ").append(q(usersFile)).append("\n");
        return y.toString();
    }
}
