package ktp.cli;

import java.time.Duration;
import java.util.concurrent.Callable;
import javax.smartcardio.CardTerminal;
import javax.smartcardio.TerminalFactory;
import ktp.biometric.HolderMatcher;
import ktp.biometric.RetryPolicy;
import ktp.biometric.ScannerSource;
import ktp.biometric.r30x.R30xScanner;
import ktp.card.ApduTransport;
import ktp.card.CardKeys;
import ktp.card.SmartcardioTransport;
import ktp.job.JobState;
import ktp.record.TrustedKeys;
import ktp.counter.HolderActivation;
import ktp.station.StationConfig;
import ktp.store.Actor;
import ktp.store.Job;
import ktp.store.Role;
import ktp.store.StationStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "issue", mixinStandardHelpOptions = true,
        description = {"Issue a printed card to its holder at a headless station: finds the NIK's card in the queue, asks for the card",
                "in the counter's reader, checks the chip (passive authentication), asks for the finger on the scanner, matches",
                "it against the chip and activates the card (ISSUED, CARD_ISSUED in the outbox). Uses the configuration's reader,",
                "scanner, keys and store while the daemon is stopped (--operator NAME); while it runs, through its console with",
                "--user NAME. Exit 0 when issued, 1 when not (ACTIVATION_FAILED: a supervisor decides), 2 for bad input."})
final class IssueCommand implements Callable<Integer> {
    @Mixin
    ConfigOnly config;

    @Option(names = "--nik", paramLabel = "NIK", required = true, description = "the holder's NIK")
    String nik;

    @Option(names = "--operator", paramLabel = "NAME", description = "who hands the card over (in the audit log), when the daemon is stopped")
    String operator;

    @Option(names = "--user", paramLabel = "NAME", description = "while the daemon runs: issue through its console as this account (the password is asked)")
    String user;

    @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "60", description = "how long to wait for the card in the reader (default ${DEFAULT-VALUE})")
    int waitSeconds;

    /** This command needs the whole configuration (reader, scanner, keys), not only a store. */
    static final class ConfigOnly {
        @Option(names = "--config", paramLabel = "FILE", required = true, description = "the station configuration")
        java.nio.file.Path file;
    }

    @Override
    public Integer call() throws Exception {
        CliText.config(config.file);
        if (!nik.matches("\\d{16}")) throw CliText.bad("err.nik", nik);
        if (operator != null && !operator.matches("[A-Za-z0-9._-]{1,64}")) throw CliText.bad("err.operator", operator);
        if (waitSeconds < 1 || waitSeconds > 600) throw CliText.bad("err.issue.wait");
        StoreChoice choice = new StoreChoice();
        choice.config = config.file;
        StationConfig cfg = choice.configuration();
        try (StoreChoice.Access access = choice.access(user)) {
            if (access.console() != null) return throughConsole(access.console());
            if (operator == null) throw CliText.bad("err.issue.operator");
            return here(cfg, access.store());
        }
    }

    /** The daemon runs: its console reads the card and the finger with the station's own reader and scanner. */
    private int throughConsole(ConsoleSession console) {
        System.out.println(CliText.t("issue.askConsole"));
        try {
            var r = console.post("/api/issue", java.util.Map.of("nik", nik));
            System.out.println(CliText.t("issue.card", r.path("recordId").asText(), r.path("blankId").asText()));
            // The state in the operator's words; the detail (finger, score) stays as the counter wrote it.
            System.out.println(CliText.t("issue.result", CliText.state(r.path("state").asText()), r.path("detail").asText()));
            return "ISSUED".equals(r.path("state").asText()) ? ExitCodes.OK : ExitCodes.FAILURE;
        } catch (ConsoleSession.ConsoleRefusal e) {
            if (e.status == 404) throw CliText.bad("err.issue.refused", e.getMessage());
            System.out.println(CliText.t("issue.notIssued", e.getMessage()));
            return ExitCodes.FAILURE;
        }
    }

    private static final java.util.regex.Pattern PLACE = java.util.regex.Pattern.compile("place finger (\\d+) \\(.*\\) on the scanner");

    /**
     * A step of the fingerprint verification in the operator's words, as the console says it (its finger names and
     * its explanations of a poor capture); the verification's own text of a poor capture stays beside it as the detail.
     */
    static String step(String text) {
        java.util.regex.Matcher m = PLACE.matcher(text);
        if (m.matches()) return CliText.t("issue.place", fingerName(Integer.parseInt(m.group(1))));
        ktp.counter.Visit.Progress poor = new ktp.counter.Visit.Progress(0, "", null, 0, 0, 0, text, null, "");
        String why = ktp.i18n.Catalogue.text(CliText.language(), "console.visit.poor." + poor.poor().name(), String.valueOf(poor.minutiae()));
        return CliText.t("issue.retake", why, text);
    }

    private static String fingerName(int position) {
        String key = "console.finger." + position;
        return ktp.i18n.Catalogue.has(key) ? ktp.i18n.Catalogue.text(CliText.language(), key) : CliText.t("issue.finger", String.valueOf(position));
    }

    private int here(StationConfig cfg, StationStore store) throws Exception {
        CardKeys keys = cfg.encoder().masterKey() == null ? CardKeys.globalPlatformTestKeys() : CardKeys.masterFile(cfg.encoder().profile(), cfg.encoder().masterKey());
        TrustedKeys trust = TrustedKeys.loadDirectory(cfg.trustedKeys());
        Job job = store.jobsWithNik(nik).stream().filter(j -> j.state() != JobState.REJECTED && j.state() != JobState.RELEASED)
                .findFirst().orElseThrow(() -> CliText.bad("err.issue.noCard", nik));
        switch (job.state()) {
            case AWAITING_HOLDER, ACTIVATING -> { }
            case ISSUED -> throw CliText.bad("err.issue.issued", nik, job.blankId(), job.updatedAt().toString());
            case ACTIVATION_FAILED -> throw CliText.bad("err.issue.failedBefore", nik, job.reason());
            default -> throw CliText.bad("err.issue.notPrinted", nik, CliText.state(job.state().name()));
        }
        System.out.println(CliText.t("issue.card", job.recordId(), job.blankId()));
        HolderActivation activation = new HolderActivation(store, cfg.encoder().profile(), keys, trust, new HolderMatcher(HolderMatcher.DEFAULT_THRESHOLD), RetryPolicy.STATION);
        CardTerminal reader = SmartcardioTransport.reader(TerminalFactory.getDefault(), cfg.encoder().readerPattern());
        if (!reader.isCardPresent()) System.out.println(CliText.t("issue.insert", reader.getName()));
        if (!reader.waitForCardPresent(waitSeconds * 1000L)) {
            System.out.println(CliText.t("issue.noCard", reader.getName(), waitSeconds));
            return ExitCodes.FAILURE;
        }
        HolderActivation.Result r;
        try (SmartcardioTransport card = SmartcardioTransport.open(reader);
             R30xScanner scanner = R30xScanner.open(cfg.scanner().uri(), cfg.scanner().profile())) {
            ScannerSource glass = new ScannerSource(scanner, Duration.ofSeconds(cfg.scanner().profile().captureWaitSeconds()));
            r = activation.activate(job.recordId(), card, glass, cfg.scanner().profile().dpi(), new Actor(operator, Role.OPERATOR), text -> System.out.println(step(text)));
        } catch (HolderActivation.ActivationException | ApduTransport.CardException | R30xScanner.ScannerException e) {
            System.out.println(CliText.t("issue.notIssued", e.getMessage()));
            return ExitCodes.FAILURE;
        }
        System.out.println(CliText.t("issue.result", CliText.state(r.state().name()), r.detail()));
        return r.state() == JobState.ISSUED ? ExitCodes.OK : ExitCodes.FAILURE;
    }
}
