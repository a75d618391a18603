package ktp.station;

import ktp.dinas.ReportSettings;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import ktp.biometric.ScannerProfile;
import ktp.card.CardKeys;
import ktp.card.CardProfile;
import ktp.datafile.DataFile;
import ktp.datafile.DataFileException;
import ktp.printer.PrinterProfile;
import ktp.record.TrustedKeys;
import ktp.telemetry.BrokerSettings;

/**
 * One print station's configuration (a YAML file; docs/station-config.md): who it is, where its store is,
 * the data center and the keys it trusts, its printers, chip encoder, fingerprint scanner, MQTT broker and
 * console. Validated on load: every error names the file, the key and what to fix; relative paths are read
 * from the configuration file's folder; profiles are looked up in firmware-profiles/ unless a path is given.
 * Secrets stay in the files the configuration names (keys, tokens, passwords), never in it.
 *
 * <p>{@code warnings}: what loads but should change (the old address form), each with the file, key, line and column
 * like an error, so that the command line says it in the operator's language ({@link DataFileException#message});
 * {@code language}: station.language, the language of the command line and of the station log's operator lines.
 */
public record StationConfig(Path file, String stationId, Path store, Central central, Path trustedKeys, List<Printer> printers,
                            Encoder encoder, Scanner scanner, Telemetry telemetry, Console console, int biometricRetentionDays,
                            List<DataFileException> warnings, ktp.i18n.Language language) {

    /** How long an uncollected card's biometrics are kept when station.yaml does not say (days). */
    public static final int DEFAULT_BIOMETRIC_RETENTION_DAYS = 30;

    /** The data center: HTTPS with a pinned CA and a client certificate, or plain HTTP with a token (demos only). */
    public record Central(URI url, Path ca, Path certificate, Path key, Path tokenFile, boolean plainHttp) {}

    /**
     * {@code reader}: the PC/SC reader at this printer's chip station (null: the encoder's pattern). {@code chipless}:
     * the station says explicitly that this printer makes cards without a chip (a profile with no encoder is refused
     * for KTP-el otherwise), and every such card is flagged.
     */
    public record Printer(String name, String uri, PrinterProfile profile, String reader, boolean chipless) {
        public Printer(String name, String uri, PrinterProfile profile, String reader) { this(name, uri, profile, reader, false); }
    }

    /** {@code masterKey} null: the GlobalPlatform test keys (test cards only). */
    public record Encoder(String readerPattern, CardProfile profile, Path masterKey, int insertWaitSeconds) {}

    public record Scanner(String uri, ScannerProfile profile) {}

    /**
     * {@code signingKey}: the P-256 key the station signs its telemetry with (its data-center client certificate's
     * key unless the configuration names a dedicated one); {@code officeKeys}: the directory of office public keys
     * whose commands, receipts and heartbeats it acts on (docs/telemetry.md).
     */
    public record Telemetry(BrokerSettings broker, int healthEverySeconds, Path signingKey, Path officeKeys) {}

    /**
     * The operator console: its address, the users file ({@code ktp console user add}; null: no console), how long
     * a session may stay idle, and after how many wrong passwords an account is locked, for how long.
     */
    public record Console(String listen, Path users, int sessionIdleSeconds, int lockoutAfter, int lockoutMinutes, boolean behindTls) {
        /** {@code behindTls}: the console is reached through a TLS proxy (behind_tls: true), so its session cookie is marked Secure. */
        public Console(String listen, Path users, int sessionIdleSeconds, int lockoutAfter, int lockoutMinutes) {
            this(listen, users, sessionIdleSeconds, lockoutAfter, lockoutMinutes, false);
        }
    }

    public static StationConfig load(Path file, Path profilesHome) throws DataFileException {
        DataFile.Node root = DataFile.load(file);
        List<DataFileException> warnings = new ArrayList<>();
        Path base = file.toAbsolutePath().getParent();

        DataFile.Node station = root.object("station");
        String id = station.text("id");
        if (!id.matches("[A-Za-z0-9_-]{1,64}")) throw station.error("id", ktp.datafile.Words.of("station.id", id));
        Path store = base.resolve(station.text("store"));
        // Whole days, 1 to 365: a card nobody collected keeps its photo and templates no longer than this (docs/store.md).
        int retentionDays = station.integer("biometric_retention_days", 1, 365, DEFAULT_BIOMETRIC_RETENTION_DAYS);
        // The language the operator reads this station in: the command line's human output (ktp.cli.CliText; --lang
        // overrides it) and the station log's operator lines (ktp.i18n.StationLog).
        ktp.i18n.Language language = ktp.i18n.Language.of(station.oneOf("language", List.of("id", "en"), "id"));
        station.noOtherFields();

        DataFile.Node c = root.object("central");
        URI url;
        try {
            url = new URI(c.text("url"));
        } catch (URISyntaxException e) {
            throw c.error("url", ktp.datafile.Words.of("station.notUrl", e.getReason()));
        }
        if (!"https".equals(url.getScheme()) && !"http".equals(url.getScheme())) throw c.error("url", ktp.datafile.Words.of("station.urlScheme"));
        if (url.getHost() == null) throw c.error("url", ktp.datafile.Words.of("station.noHost"));
        boolean plain = c.bool("plain_http", false);
        Path ca = optionalFile(c, "ca", base);
        Path cert = optionalFile(c, "certificate", base);
        Path key = optionalFile(c, "key", base);
        Path token = optionalFile(c, "token_file", base);
        if ("http".equals(url.getScheme())) {
            if (!plain) throw c.error("url", ktp.datafile.Words.of("station.plainHttp"));
            if (token == null) throw c.error("token_file", ktp.datafile.Words.of("station.tokenMissing"));
        } else {
            if (ca == null) throw c.error("ca", ktp.datafile.Words.of("station.caMissing"));
            if ((cert == null) != (key == null)) throw c.error(cert == null ? "certificate" : "key", ktp.datafile.Words.of("station.pairMissing"));
            if (cert == null && token == null) throw c.error("certificate", ktp.datafile.Words.of("station.credentialsMissing"));
        }
        Central central = new Central(url, ca, cert, key, token, plain);
        c.noOtherFields();

        Path trust = base.resolve(root.text("trusted_keys"));
        try {
            if (TrustedKeys.loadDirectory(trust).keyIds().isEmpty()) throw root.error("trusted_keys", ktp.datafile.Words.of("station.noTrustedKey", trust));
        } catch (IOException e) {
            throw root.error("trusted_keys", e.getMessage());
        }

        List<Printer> printers = new ArrayList<>();
        Set<String> names = new HashSet<>();
        List<DataFile.Node> ps = root.list("printers", true);
        if (ps.isEmpty()) throw root.error("printers", ktp.datafile.Words.of("station.noPrinter"));
        for (DataFile.Node p : ps) {
            String name = p.text("name");
            if (!names.add(name)) throw p.error("name", ktp.datafile.Words.of("station.printerTwice", name));
            String uri = modernTcp(p, "uri", p.text("uri"), warnings);
            checkDeviceUri(p, "uri", uri, true);
            PrinterProfile profile = profile(p, "profile", () -> PrinterProfile.resolve(profilesHome.resolve("printers"), p.text("profile")));
            String reader = p.has("reader") ? p.text("reader") : p.text("reader", null);
            if (reader != null) {
                try {
                    java.util.regex.Pattern.compile(reader);
                } catch (java.util.regex.PatternSyntaxException x) {
                    throw p.error("reader", ktp.datafile.Words.of("station.notRegex", x.getDescription()));
                }
            }
            boolean chipless = p.bool("chipless", false);
            if (profile.encoderStation().equals("none") && !chipless) {
                throw p.error("profile", ktp.datafile.Words.of("station.noEncoder", profile.id()));
            }
            p.noOtherFields();
            printers.add(new Printer(name, uri, profile, reader, chipless));
        }

        DataFile.Node e = root.object("encoder");
        String reader = e.text("reader", "");
        try {
            java.util.regex.Pattern.compile(reader);
        } catch (java.util.regex.PatternSyntaxException x) {
            throw e.error("reader", ktp.datafile.Words.of("station.notRegex", x.getDescription()));
        }
        CardProfile cardProfile = profile(e, "card_profile", () -> CardProfile.resolve(profilesHome.resolve("cards"), e.text("card_profile")));
        Path master = optionalFile(e, "master_key", base);
        if (master != null) {
            try {
                CardKeys.masterFile(cardProfile, master);
            } catch (IOException x) {
                throw e.error("master_key", x.getMessage());
            }
        }
        int insertWait = e.integer("insert_wait_s", 1, 120, 10);
        // The lab reader (ktp.lab.LabReader, read by `ktp station run`): virtual cards without pcscd, for a lab only.
        String labReader = e.has("lab_reader") ? modernTcp(e, "lab_reader", e.text("lab_reader"), warnings) : e.text("lab_reader", null);
        if (labReader != null) {
            if (!plain) throw e.error("lab_reader", ktp.datafile.Words.of("station.labOnly"));
            if (!labReader.matches("tcp://(127\\.0\\.0\\.1|localhost):\\d{1,5}")) throw e.error("lab_reader", ktp.datafile.Words.of("station.labLoopback", labReader));
        }
        e.noOtherFields();
        Encoder encoder = new Encoder(reader, cardProfile, master, insertWait);

        DataFile.Node s = root.object("scanner");
        String scannerUri = modernTcp(s, "uri", s.text("uri"), warnings);
        checkDeviceUri(s, "uri", scannerUri, false);
        ScannerProfile scannerProfile = profile(s, "profile", () -> ScannerProfile.resolve(profilesHome.resolve("scanners"), s.text("profile")));
        s.noOtherFields();

        DataFile.Node t = root.object("telemetry");
        Path password = optionalFile(t, "password_file", base);
        char[] pw = null;
        if (password != null) {
            try {
                pw = Files.readString(password).strip().toCharArray();
            } catch (IOException x) {
                throw t.error("password_file", ktp.datafile.Words.of("station.unreadable", x.getMessage()));
            }
        }
        BrokerSettings broker;
        try {
            broker = new BrokerSettings(modernTcp(t, "broker", t.text("broker"), warnings), t.has("username") ? t.text("username") : markRead(t, "username"), pw,
                    optionalFile(t, "ca", base), optionalFile(t, "certificate", base), optionalFile(t, "key", base));
        } catch (IllegalArgumentException x) {
            throw t.error("broker", x.getMessage());
        }
        int health = t.integer("health_every_s", 5, 3600, 30);
        Path signingKey = optionalFile(t, "signing_key", base);
        if (signingKey == null) signingKey = central.key();
        if (signingKey == null) throw t.error("signing_key", ktp.datafile.Words.of("station.signingMissing"));
        try {
            ktp.telemetry.TelemetryKey.load(signingKey);
        } catch (IOException x) {
            throw t.error(t.has("signing_key") ? "signing_key" : "signing_key", x.getMessage());
        }
        if (!t.has("office_keys")) throw t.error("office_keys", ktp.datafile.Words.of("station.officeKeysMissing"));
        Path officeKeys = base.resolve(t.text("office_keys"));
        try {
            ktp.telemetry.Keyring.load(officeKeys);
        } catch (IOException x) {
            throw t.error("office_keys", x.getMessage());
        }
        t.noOtherFields();

        // The console section may be left out: no console then (a headless station uses ktp queue, issue, ledger).
        Console console = new Console("127.0.0.1:8080", null, 900, 5, 15);
        if (root.has("console")) {
            DataFile.Node cn = root.object("console");
            String listen = cn.text("listen", console.listen());
            if (!listen.matches("[A-Za-z0-9.:\\[\\]-]+:\\d{1,5}")) throw cn.error("listen", ktp.datafile.Words.of("station.hostPort", listen));
            Path users = cn.has("users") ? base.resolve(cn.text("users")) : markReadPath(cn, "users");
            console = new Console(listen, users, cn.integer("session_idle_s", 1, 28_800, 900), cn.integer("lockout_after", 3, 20, 5),
                    cn.integer("lockout_minutes", 1, 1440, 15), cn.bool("behind_tls", false));
            cn.noOtherFields();
        } else {
            root.text("console", "");
        }
        // The report section (letterhead, document number, officers) is the reports' own: ktp.dinas.ReportSettings
        // reads and checks it from this same file; here it is only allowed.
        if (root.has("report")) root.object("report");
        else root.text("report", "");
        root.noOtherFields();
        return new StationConfig(file, id, store, central, trust, List.copyOf(printers), encoder, new Scanner(scannerUri, scannerProfile),
                new Telemetry(broker, health, signingKey, officeKeys), console, retentionDays, List.copyOf(warnings), language);
    }

    private static Path markReadPath(DataFile.Node n, String field) throws DataFileException {
        n.text(field, "");
        return null;
    }

    private static String markRead(DataFile.Node n, String field) throws DataFileException {
        n.text(field, "");
        return null;
    }

    @FunctionalInterface
    private interface ProfileLoader<T> {
        T load() throws DataFileException;
    }

    /** Loads a profile; an unknown one is reported at this configuration key, with the profile's own error. */
    private static <T> T profile(DataFile.Node n, String field, ProfileLoader<T> loader) throws DataFileException {
        try {
            return loader.load();
        } catch (DataFileException e) {
            if (e.getMessage().contains("no ") && e.getMessage().contains("profile")) throw n.error(field, ktp.datafile.Words.of("station.nested", e));
            throw n.error(field, ktp.datafile.Words.of("station.profileBroken", e));
        }
    }

    private static Path optionalFile(DataFile.Node n, String field, Path base) throws DataFileException {
        if (!n.has(field)) {
            n.text(field, "");
            return null;
        }
        Path p = base.resolve(n.text(field));
        if (!Files.isRegularFile(p)) throw n.error(field, ktp.datafile.Words.of("station.noFile", p));
        if (!Files.isReadable(p)) throw n.error(field, ktp.datafile.Words.of("station.noPermission", p));
        return p;
    }

    /**
     * The one address form is tcp://HOST:PORT. The older tcp:HOST:PORT (what the simulators once took) still loads, as
     * tcp://HOST:PORT, with a warning naming the key and the new form, so that a station written for it keeps running
     * while its file is changed; {@code ktp station check-config} and {@code station run} show the warning.
     */
    static String modernTcp(DataFile.Node n, String field, String value, List<DataFileException> warnings) {
        if (value.startsWith("tcp:") && !value.startsWith("tcp://") && value.length() > 4) {
            String modern = "tcp://" + value.substring(4);
            warnings.add(n.warning(field, ktp.datafile.Words.of("station.oldForm", value, modern)));
            return modern;
        }
        return value;
    }

    /** tcp://HOST:PORT, serial:/dev/X[?baud=N], and for printers file:PATH. */
    private static void checkDeviceUri(DataFile.Node n, String field, String uri, boolean fileAllowed) throws DataFileException {
        if (uri.startsWith("tcp://")) {
            try {
                URI u = new URI(uri);
                if (u.getHost() == null || u.getPort() < 1) throw n.error(field, ktp.datafile.Words.of("station.tcpForm", uri));
            } catch (URISyntaxException e) {
                throw n.error(field, ktp.datafile.Words.of("station.notUri", uri, e.getReason()));
            }
        } else if (uri.startsWith("serial:")) {
            if (!uri.matches("serial:/[^?]+(\\?baud=\\d{3,7})?")) throw n.error(field, ktp.datafile.Words.of("station.serialForm", uri));
        } else if (!(fileAllowed && uri.startsWith("file:") && uri.length() > 5)) {
            throw n.error(field, ktp.datafile.Words.of(fileAllowed ? "station.deviceFormFile" : "station.deviceForm", uri));
        }
    }
}
