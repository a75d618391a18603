package ktp.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import ktp.record.PrintRecord;
import ktp.record.RecordRejectedException;
import ktp.record.RecordValidator;
import ktp.record.TrustedKeys;
import ktp.record.ValidatedRecord;
import ktp.text.SafeText;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "record", mixinStandardHelpOptions = true, description = "PRINT_READY record tools.",
        subcommands = RecordCommand.Check.class)
final class RecordCommand extends CommandGroup {
    @Command(name = "check", mixinStandardHelpOptions = true,
            description = {"Validate signed record envelopes exactly as the station does before printing: envelope, signature,",
                    "schema, NIK rules, dates, images, fingerprint templates and the fit of every printed field.",
                    "Prints one verdict line per file, every file checked whatever happens to another; exits 0 only when",
                    "every file is valid, 1 when any is rejected, 2 when any cannot be read."})
    static final class Check implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", arity = "1..*", description = "signed record envelopes (JSON)")
        List<Path> files;

        @Option(names = "--template", paramLabel = "NAME|FILE", defaultValue = "ktpel",
                description = "card template whose boxes and fonts decide whether each printed field fits (default ${DEFAULT-VALUE})")
        String template;

        @Option(names = "--trust", paramLabel = "DIR", required = true,
                description = "directory of trusted data-center keys, one KEYID.pem each (ktp sim records writes DIR/trusted-keys)")
        Path trust;

        @Override
        public Integer call() {
            TrustedKeys keys;
            try {
                keys = TrustedKeys.loadDirectory(trust);
            } catch (IOException e) {
                throw CliText.bad("err.record.trust", String.valueOf(e.getMessage()));
            }
            RecordValidator validator = new RecordValidator(keys, Clock.systemDefaultZone(), Templates.fitCheck(template));
            // Every file gets its verdict whatever happens to another: a missing file, a damaged one or an
            // unexpected failure is reported on its own line and counted, and the next file is checked.
            int rejected = 0;
            int unreadable = 0;
            for (Path file : files) {
                String name = SafeText.of(file);
                byte[] bytes;
                try {
                    bytes = Files.readAllBytes(file);
                } catch (NoSuchFileException e) {
                    unreadable++;
                    System.out.println(CliText.t("record.noFile", name));
                    continue;
                } catch (IOException | RuntimeException e) {
                    unreadable++;
                    System.out.println(CliText.t("record.unreadable", name, SafeText.of(e.getMessage())));
                    continue;
                }
                try {
                    ValidatedRecord v = validator.validate(bytes);
                    PrintRecord r = v.record();
                    System.out.println(CliText.t("record.valid", name, SafeText.escape(r.recordId()), String.valueOf(r.recordVersion()), SafeText.escape(r.nik()),
                            SafeText.escape(r.front().nama()), SafeText.escape(v.envelope().keyId())));
                } catch (RecordRejectedException e) {
                    rejected++;
                    // The reason's code and the validator's detail stay as they are (docs/records.md names the codes).
                    System.out.println(e.field().isEmpty() ? CliText.t("record.rejected", name, e.reason().name(), SafeText.escape(e.getMessage()))
                            : CliText.t("record.rejectedField", name, e.reason().name(), SafeText.escape(e.field()), SafeText.escape(e.getMessage())));
                }
            }
            if (files.size() > 1) {
                String valid = String.valueOf(files.size() - rejected - unreadable);
                System.out.println(unreadable > 0 ? CliText.t("record.countsUnreadable", valid, String.valueOf(rejected), String.valueOf(unreadable))
                        : CliText.t("record.counts", valid, String.valueOf(rejected)));
            }
            if (unreadable > 0) return ExitCodes.BAD_INPUT;
            return rejected == 0 ? ExitCodes.OK : ExitCodes.FAILURE;
        }
    }
}
