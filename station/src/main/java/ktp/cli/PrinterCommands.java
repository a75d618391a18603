package ktp.cli;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import ktp.datafile.DataFileException;
import ktp.job.JobState;
import ktp.printer.PrintJob;
import ktp.printer.PrinterDriver;
import ktp.printer.PrinterException;
import ktp.printer.PrinterProfile;
import ktp.printer.PrinterStatus;
import ktp.printer.link.PrinterLink;
import ktp.record.RecordRejectedException;
import ktp.record.RecordValidator;
import ktp.record.TrustedKeys;
import ktp.render.CardRenderer;
import ktp.render.RenderException;
import ktp.station.PrintRunner;
import ktp.station.RecordIntake;
import ktp.store.Actor;
import ktp.store.StationStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `ktp print` and `ktp printer status`. */
final class PrinterCommands {
    private PrinterCommands() {}

    static PrinterProfile profile(String idOrFile) {
        try {
            return PrinterProfile.resolve(Paths.printerProfiles(), idOrFile);
        } catch (DataFileException e) {
            throw CliText.bad("err.printer.profile", e.message(CliText.language()));
        }
    }

    @Command(name = "print", mixinStandardHelpOptions = true,
            description = {"Print one signed record: validate it, render it for the printer's profile, and send the job over the link.",
                    "With --printer file:PATH the exact byte stream is written to PATH (for support). The blank is recorded in",
                    "the ledger of --store. Until the chip issue lands, cards are printed without encoding the chip."})
    static final class Print implements Callable<Integer> {
        @Option(names = "--record", paramLabel = "FILE", required = true, description = "a signed record envelope")
        Path record;

        @Option(names = "--profile", paramLabel = "ID|FILE", required = true, description = "printer profile")
        String profile;

        @Option(names = "--printer", paramLabel = "URI", required = true, description = "serial:/dev/ttyUSB0?baud=115200, tcp://HOST:PORT or file:PATH")
        String printer;

        @Option(names = "--trust", paramLabel = "DIR", description = "the data center's keys (default: trusted-keys/ beside the record's folder)")
        Path trust;

        @Option(names = "--store", paramLabel = "DIR", description = "station store for the job and the blank-card ledger (default: a new one in ./ktp-print-store)")
        Path store;

        @Option(names = "--no-compression", description = "send panels with Db even when the profile allows Dbc")
        boolean noCompression;

        @Override
        public Integer call() throws IOException {
            PrinterProfile p = profile(profile);
            if (trust == null) trust = Templates.trustBeside(record);
            byte[] envelope;
            TrustedKeys keys;
            try {
                envelope = Files.readAllBytes(record);
                keys = TrustedKeys.loadDirectory(trust);
            } catch (IOException e) {
                throw CliText.bad("err.print.read", String.valueOf(e.getMessage()));
            }
            CardRenderer renderer;
            try {
                renderer = Templates.renderer("ktpel");
            } catch (DataFileException e) {
                throw CliText.bad("err.print.template", e.message(CliText.language()));
            }
            Path storeDir = store == null ? Path.of("ktp-print-store") : store;
            try (StationStore s = StationStore.open(storeDir, "ST-PRINT", Clock.systemUTC())) {
                RecordIntake intake = new RecordIntake(new RecordValidator(keys, Clock.systemUTC(), renderer.fitCheck()), s, Actor.STATION);
                RecordIntake.Outcome o;
                try {
                    o = intake.offer(ktp.record.Envelope.claimedRecordId(envelope).orElse(record.getFileName().toString()), envelope);
                } catch (RuntimeException e) {
                    throw CliText.bad("err.print.intake", String.valueOf(e.getMessage()));
                }
                if (o.kind() != RecordIntake.Outcome.Kind.VALIDATED) {
                    // The outcome's code and the validator's detail as they are.
                    String why = o.detail() + o.rejection().map(r -> " " + r.getMessage()).orElse("");
                    System.err.println("ktp: " + CliText.t("print.not", o.kind().name(), why));
                    return ExitCodes.FAILURE;
                }
                // Validated by the intake just now: the record comes from its outcome, the seals from the envelope as parsed.
                ktp.record.PrintRecord rec = o.record().orElseThrow();
                ktp.record.Envelope env = ktp.record.Envelope.parse(envelope);
                PrintJob job = ktp.station.CardPreparation.printJob(renderer, rec, env.keyId(), env.cardSeal(), p, !noCompression);
                try (PrinterDriver driver = new PrinterDriver(p, () -> PrinterLink.open(printer, p.link()))) {
                    PrintRunner runner = new PrintRunner(s, driver, null, Actor.STATION, Duration.ofSeconds(1),
                            (error, message) -> System.err.println(CliText.t("print.told", CliText.pick(error.operatorMessage(), error.operatorMessageId()), error.name(), message)));
                    PrintRunner.Result r = runner.print(job, () -> false);
                    String state = CliText.state(r.state().name()) + " (" + r.state().name() + ")";
                    String blank = r.blankId().isEmpty() ? "" : CliText.t("print.onBlank", r.blankId());
                    String spoiled = r.spoiled() > 0 ? CliText.t("print.spoiled", String.valueOf(r.spoiled())) : "";
                    System.out.println(CliText.t("print.done", rec.recordId(), state, blank, spoiled, String.valueOf(job.wireBytes()),
                            String.valueOf(job.uncompressedBytes()), storeDir.toString()));
                    return r.state() == JobState.AWAITING_HOLDER ? ExitCodes.OK : ExitCodes.FAILURE;
                }
            } catch (RecordRejectedException e) {
                System.err.println("ktp: " + e.getMessage());
                return ExitCodes.FAILURE;
            } catch (RenderException e) {
                System.err.println("ktp: " + CliText.t("print.render", String.valueOf(e.getMessage())));
                return ExitCodes.FAILURE;
            }
        }
    }

    @Command(name = "printer", mixinStandardHelpOptions = true, description = "Card printers.", subcommands = Status.class)
    static final class Printer extends CommandGroup {}

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Ask a printer for its model, firmware, serial number, ribbon left, feeder, reject box and counters.")
    static final class Status implements Callable<Integer> {
        @Option(names = "--printer", paramLabel = "URI", required = true, description = "serial:/dev/ttyUSB0?baud=115200 or tcp://HOST:PORT")
        String printer;

        @Option(names = "--profile", paramLabel = "ID|FILE", defaultValue = "evolis-primacy-dual-ymcko", description = "printer profile (default ${DEFAULT-VALUE})")
        String profile;

        @Override
        public Integer call() {
            PrinterProfile p = profile(profile);
            if (printer.startsWith("file:")) throw CliText.bad("err.printer.file", printer);
            try (PrinterDriver d = new PrinterDriver(p, () -> PrinterLink.open(printer, p.link()))) {
                PrinterStatus s = d.status();
                System.out.println(CliText.t("printer.model", s.model()));
                System.out.println(CliText.t("printer.firmware", s.firmware()));
                System.out.println(CliText.t("printer.serial", s.serial()));
                System.out.println(CliText.t("printer.ribbon", String.valueOf(s.ribbonRemaining())));
                System.out.println(CliText.t("printer.feeder", CliText.t(s.feederHasCards() ? "printer.cardsPresent" : "printer.empty")));
                System.out.println(CliText.t("printer.rejectBox", CliText.t(s.rejectBoxFull() ? "printer.full" : "printer.ok")));
                System.out.println(CliText.t("printer.printed", String.valueOf(s.cardsPrinted())));
                return ExitCodes.OK;
            } catch (PrinterException e) {
                System.err.println("ktp: " + diagnose(printer, e));
                return ExitCodes.FAILURE;
            } catch (IllegalArgumentException e) {
                throw CliText.bad("err.printer.uri", e.getMessage());
            }
        }

        /**
         * Why a printer did not answer, in the technician's terms: DEAD (nothing listens or the device is gone) or
         * BUSY (it is there but another program holds it: a printer's network port and a serial port serve one host
         * at a time, and the station daemon keeps its printers open).
         */
        static String diagnose(String uri, PrinterException e) {
            String detail = String.valueOf(e.getMessage());
            if (uri.startsWith("tcp://")) {
                URI u = URI.create(uri);
                try (java.net.Socket probe = new java.net.Socket()) {
                    probe.connect(new java.net.InetSocketAddress(u.getHost(), u.getPort()), 2000);
                } catch (IOException refused) {
                    return CliText.error("err.printer.dead", uri, refused.getMessage());
                }
                if (e.error() == ktp.printer.PrinterError.NO_ANSWER && !detail.contains("garbage")) {
                    return CliText.error("err.printer.busy", uri, detail);
                }
            } else if (uri.startsWith("serial:")) {
                String dev = uri.substring("serial:".length()).replaceAll("\\?.*", "");
                if (!java.nio.file.Files.exists(java.nio.file.Path.of(dev))) {
                    return CliText.error("err.printer.noDevice", dev);
                }
                if (detail.toLowerCase(java.util.Locale.ROOT).contains("busy")) {
                    return CliText.error("err.printer.held", dev, detail);
                }
            }
            return CliText.error("err.printer.other", e.error().name(), detail);
        }
    }
}
