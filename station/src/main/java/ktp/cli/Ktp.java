package ktp.cli;

import java.util.ServiceLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "ktp", mixinStandardHelpOptions = true, versionProvider = Ktp.Version.class,
        description = {"ktp-station: controller for KTP-el print and issuance stations.", ""},
        subcommands = {StatusCommand.class, NikCommand.class, RecordCommand.class, RenderCommand.class, QrCommand.class, PrinterCommands.Print.class, PrinterCommands.Printer.class, FingerCommand.class, CardCommand.class, AuditCommand.class, StoreCommand.class, ReportCommand.class, QueueCommand.class, LedgerCommand.class, IssueCommand.class, ConsoleCommand.class, CentralOfficeCommand.class, TelemetryCommand.class, BrokerCommand.class, ReprintCommand.class, StationCommand.class,
                CommandLine.HelpCommand.class},
        footerHeading = "%nExit codes:%n",
        footer = {"  0  done; the answer is yes (valid, verified, completed)",
                "  1  the answer is no (invalid, refused), or a failure (device, store, network)",
                "  2  bad input: unknown option, missing or unreadable file, malformed argument",
                "", "Run 'ktp COMMAND --help' for a command's options."})
public final class Ktp implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** On every command (inherited): the language of the human output; JSON is never translated. */
    @CommandLine.Option(names = "--lang", paramLabel = "id|en", scope = CommandLine.ScopeType.INHERIT,
            description = "language of the output: id (Bahasa Indonesia, the default) or en (English); else station.language of the configuration")
    void lang(String code) { CliText.choose(code); }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static CommandLine commandLine() {
        CliText.reset();
        CommandLine cl = new CommandLine(new Ktp());
        for (CommandProvider provider : ServiceLoader.load(CommandProvider.class)) {
            for (Object command : provider.commands()) cl.addSubcommand(command);
        }
        // Typed options are parsed once, here, after every command is added (picocli applies a converter
        // only to the commands present when it is registered): a bad value is a usage error (exit 2) naming the option.
        cl.registerConverter(java.time.LocalDate.class, text -> {
            try {
                return java.time.LocalDate.parse(text);
            } catch (java.time.format.DateTimeParseException e) {
                throw new CommandLine.TypeConversionException("'" + text + "' is not a date in the form YYYY-MM-DD");
            }
        });
        cl.registerConverter(ktp.record.Sex.class, text -> {
            try {
                return ktp.record.Sex.parse(text);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        });
        HelpLayout.apply(cl);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof BadInputException) {
                commandLine.getErr().println("ktp: " + ex.getMessage());
                return ExitCodes.BAD_INPUT;
            }
            if (ex instanceof ktp.store.StoreException refused) {
                // The store's own words, from the catalogue's store area, in the language of the command line.
                commandLine.getErr().println("ktp: " + CliText.error("err.store.failed", refused.message(CliText.language())));
                return ExitCodes.FAILURE;
            }
            commandLine.getErr().println("ktp: " + CliText.error("err.failed", ex.toString()));
            if (System.getenv("KTP_DEBUG") != null) ex.printStackTrace(commandLine.getErr());
            else commandLine.getErr().println(CliText.error("err.debugHint"));
            return ExitCodes.FAILURE;
        });
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            // Parsing stops at a value it refuses, maybe before a --lang further on: that choice still holds.
            if (CliText.explicitCode() == null) {
                for (int i = 0; i < args.length; i++) {
                    String lang = args[i].startsWith("--lang=") ? args[i].substring(7) : args[i].equals("--lang") && i + 1 < args.length ? args[i + 1] : null;
                    if (lang != null && (lang.equals("id") || lang.equals("en"))) CliText.choose(lang);
                }
            }
            c.getErr().println("ktp: " + usageError(ex));
            c.getErr().println(CliText.error("err.usage", c.getCommandSpec().qualifiedName()));
            return ExitCodes.BAD_INPUT;
        });
        return cl;
    }

    /**
     * A usage error in the operator's language: a missing option and an unknown one are said from the catalogue;
     * any other (a value a converter refused, options that exclude each other) keeps picocli's or the converter's
     * text as the detail, after the catalogue's words.
     */
    static String usageError(CommandLine.ParameterException ex) {
        if (ex instanceof CommandLine.MissingParameterException m && !m.getMissing().isEmpty()) {
            java.util.List<String> names = new java.util.ArrayList<>();
            for (CommandLine.Model.ArgSpec a : m.getMissing()) {
                if (a instanceof CommandLine.Model.OptionSpec o) names.add("'" + o.longestName() + (o.arity().max() > 0 ? "=" + o.paramLabel() : "") + "'");
                else names.add("'" + a.paramLabel() + "'");
            }
            return CliText.error("err.usage.missing", String.join(", ", names));
        }
        if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            return CliText.error("err.usage.unknown", "'" + String.join("', '", u.getUnmatched()) + "'");
        }
        if (ex instanceof CommandLine.OverwrittenOptionException w && w.getOverwritten() instanceof CommandLine.Model.OptionSpec o) {
            return CliText.error("err.usage.twice", "'" + o.longestName() + "'");
        }
        // A value a converter refused: the option, the value as typed, and what the option takes in the operator's words.
        if (ex.getArgSpec() != null && ex.getValue() != null) {
            CommandLine.Model.ArgSpec a = ex.getArgSpec();
            String name = a instanceof CommandLine.Model.OptionSpec o ? o.longestName() : a.paramLabel();
            Class<?> type = a.type();
            if (type == int.class || type == Integer.class || type == long.class || type == Long.class) return CliText.error("err.usage.whole", name, ex.getValue());
            if (type == double.class || type == Double.class || type == float.class || type == Float.class) return CliText.error("err.usage.number", name, ex.getValue());
            return CliText.error("err.usage.value", name, ex.getValue(), ex.getMessage());
        }
        return CliText.error("err.usage.other", ex.getMessage());
    }

    public static void main(String[] args) {
        // Nothing from a record, a QR code, a card or the network reaches the terminal raw (ktp.text.SafeText):
        // every command's text output goes through streams that escape control characters but line feeds.
        System.setOut(ktp.text.SafeText.terminal(new java.io.FileOutputStream(java.io.FileDescriptor.out)));
        System.setErr(ktp.text.SafeText.terminal(new java.io.FileOutputStream(java.io.FileDescriptor.err)));
        System.exit(commandLine().execute(args));
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Ktp.class.getPackage().getImplementationVersion();
            return new String[] {"ktp-station " + (v == null ? "development build" : v), "Java " + System.getProperty("java.version")};
        }
    }
}
