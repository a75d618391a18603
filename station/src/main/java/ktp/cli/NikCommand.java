package ktp.cli;

import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.Callable;
import ktp.record.Nik;
import ktp.record.Provinces;
import ktp.record.RecordRejectedException;
import ktp.record.Sex;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "nik", mixinStandardHelpOptions = true, description = "Nomor Induk Kependudukan tools.",
        subcommands = NikCommand.Check.class)
final class NikCommand extends CommandGroup {
    @Command(name = "check", mixinStandardHelpOptions = true,
            description = {"Explain a NIK (region codes, birth date, sex, serial) or say exactly why it is invalid.",
                    "With --sex and --birth, also check that the NIK agrees with them (exit 1 if not)."})
    static final class Check implements Callable<Integer> {
        @Parameters(paramLabel = "NIK", description = "16 digits")
        String nik;

        @Option(names = "--sex", paramLabel = "L|P", description = "the holder's sex as recorded: L (laki-laki) or P (perempuan)")
        Sex recordedSex;

        @Option(names = "--birth", paramLabel = "YYYY-MM-DD", description = "the holder's birth date as recorded")
        LocalDate recordedBirth;

        @Override
        public Integer call() {
            Nik parsed;
            try {
                parsed = Nik.parse(nik);
            } catch (RecordRejectedException e) {
                System.out.println("INVALID " + e.reason() + ": " + e.getMessage());
                return ExitCodes.FAILURE;
            }
            LocalDate today = LocalDate.now();
            System.out.println("NIK " + parsed);
            System.out.println("  province  " + parsed.provinceCode() + "  " + Provinces.name(parsed.provinceCode()).orElse("(not a province code)"));
            System.out.println("  regency   " + parsed.regencyCode() + (parsed.regencyCode().equals("00") ? "  (00 is not a regency)" : ""));
            System.out.println("  district  " + parsed.districtCode() + (parsed.districtCode().equals("00") ? "  (00 is not a district)" : ""));
            List<LocalDate> dates = parsed.possibleBirthDates(today);
            System.out.println("  DDMMYY    " + nik.substring(6, 12) + "  day " + parsed.rawDay()
                    + (parsed.rawDay() > 40 ? " = " + parsed.dayOfBirth() + " + 40" : ""));
            System.out.println("  born      " + (dates.isEmpty() ? "(not a real date)" : dates.get(0)
                    + (dates.size() > 1 ? " (or " + dates.get(1) + ": the NIK has a two-digit year)" : "")));
            System.out.println("  sex       " + parsed.encodedSex().printed() + " (" + parsed.encodedSex().letter() + ")");
            System.out.println("  serial    " + parsed.serial());

            // Without a recorded birth date, judge the date part in the century that makes it a past date.
            LocalDate birthForCheck = recordedBirth != null ? recordedBirth
                    : dates.isEmpty() ? LocalDate.of(2000 + parsed.twoDigitYear(), 1, 1) : dates.get(0);
            Sex sexForCheck = recordedSex != null ? recordedSex : parsed.encodedSex();
            List<RecordRejectedException> defects = parsed.check(parsed.digits().substring(0, 6), sexForCheck, birthForCheck);
            if (defects.isEmpty()) {
                System.out.println("VALID" + (recordedSex != null || recordedBirth != null ? " and consistent with the given sex/birth date" : ""));
                return ExitCodes.OK;
            }
            for (RecordRejectedException d : defects) System.out.println("INVALID " + d.reason() + ": " + d.getMessage());
            return ExitCodes.FAILURE;
        }
    }
}
