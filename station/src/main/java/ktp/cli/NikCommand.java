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
                System.out.println(CliText.t("nik.invalid", e.reason().name(), e.getMessage()));
                return ExitCodes.FAILURE;
            }
            LocalDate today = LocalDate.now();
            // In the operator's language; the codes, the province's name and the sex as printed on the card stay as they are.
            String indent = "  ";
            System.out.println(CliText.t("nik.head", parsed.toString()));
            System.out.println(indent + CliText.t("nik.province", parsed.provinceCode(), Provinces.name(parsed.provinceCode()).orElse(CliText.t("nik.notProvince"))));
            System.out.println(indent + CliText.t(parsed.regencyCode().equals("00") ? "nik.regency00" : "nik.regency", parsed.regencyCode()));
            System.out.println(indent + CliText.t(parsed.districtCode().equals("00") ? "nik.district00" : "nik.district", parsed.districtCode()));
            List<LocalDate> dates = parsed.possibleBirthDates(today);
            System.out.println(indent + (parsed.rawDay() > 40 ? CliText.t("nik.dayFemale", nik.substring(6, 12), String.valueOf(parsed.rawDay()), String.valueOf(parsed.dayOfBirth()))
                    : CliText.t("nik.day", nik.substring(6, 12), String.valueOf(parsed.rawDay()))));
            System.out.println(indent + (dates.isEmpty() ? CliText.t("nik.bornNone")
                    : dates.size() > 1 ? CliText.t("nik.bornEither", dates.get(0).toString(), dates.get(1).toString()) : CliText.t("nik.born", dates.get(0).toString())));
            System.out.println(indent + CliText.t("nik.sex", parsed.encodedSex().printed(), parsed.encodedSex().letter()));
            System.out.println(indent + CliText.t("nik.serial", parsed.serial()));

            // Without a recorded birth date, judge the date part in the century that makes it a past date.
            LocalDate birthForCheck = recordedBirth != null ? recordedBirth
                    : dates.isEmpty() ? LocalDate.of(2000 + parsed.twoDigitYear(), 1, 1) : dates.get(0);
            Sex sexForCheck = recordedSex != null ? recordedSex : parsed.encodedSex();
            List<RecordRejectedException> defects = parsed.check(parsed.digits().substring(0, 6), sexForCheck, birthForCheck);
            if (defects.isEmpty()) {
                System.out.println(CliText.t(recordedSex != null || recordedBirth != null ? "nik.validConsistent" : "nik.valid"));
                return ExitCodes.OK;
            }
            for (RecordRejectedException d : defects) System.out.println(CliText.t("nik.invalid", d.reason().name(), d.getMessage()));
            return ExitCodes.FAILURE;
        }
    }
}
