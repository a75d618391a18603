package ktp.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.smartcardio.TerminalFactory;
import ktp.card.ApduTransport;
import ktp.card.KtpelApplet;
import ktp.card.Personalizer;
import ktp.card.SmartcardioTransport;
import ktp.card.scp03.Scp03;
import ktp.record.ChipData;
import ktp.record.RecordRejectedException;
import ktp.record.RecordValidator;
import ktp.record.TrustedKeys;
import ktp.record.ValidatedRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "card", mixinStandardHelpOptions = true,
        description = {"The chip in a PC/SC reader (javax.smartcardio). Without --reader, the first reader with a card present.",
                "Keys: the GlobalPlatform test keys (key version 0), as a virtual card has by default; card profiles come later."},
        subcommands = {CardCommand.Info.class, CardCommand.Personalize.class, CardCommand.Read.class})
final class CardCommand extends CommandGroup {
    static SmartcardioTransport connect(String reader) {
        try {
            return SmartcardioTransport.connect(TerminalFactory.getDefault(), reader == null ? "" : reader);
        } catch (ApduTransport.CardException e) {
            throw new BadInputException(e.getMessage());
        }
    }

    @Command(name = "info", mixinStandardHelpOptions = true, description = "Reader, ATR, chip UID and lifecycle state.")
    static final class Info implements Callable<Integer> {
        @Option(names = "--reader", paramLabel = "PATTERN", description = "reader name pattern (a regular expression)") String reader;

        @Override
        public Integer call() {
            try (SmartcardioTransport t = connect(reader)) {
                Personalizer p = new Personalizer(t, Scp03.StaticKeys.globalPlatformTestKeys(), new SecureRandom());
                System.out.println("Reader     " + t.readerName());
                System.out.println("ATR        " + HexFormat.of().withUpperCase().formatHex(t.atr()));
                System.out.println("UID        " + p.readUid());
                System.out.println("Lifecycle  " + p.state());
                return ExitCodes.OK;
            } catch (ApduTransport.CardException | Personalizer.PersonalizationException e) {
                System.err.println("ktp: " + e.getMessage());
                return ExitCodes.FAILURE;
            }
        }
    }

    @Command(name = "personalize", mixinStandardHelpOptions = true,
            description = "Validate a signed record and write its data groups and security object to the chip through SCP03 (level 33), then read back.")
    static final class Personalize implements Callable<Integer> {
        @Option(names = "--record", required = true, paramLabel = "FILE") Path record;
        @Option(names = "--trust", paramLabel = "DIR", description = "the data center's keys (default: trusted-keys/ beside the record's folder)") Path trust;
        @Option(names = "--reader", paramLabel = "PATTERN") String reader;

        @Override
        public Integer call() throws IOException {
            if (trust == null) trust = Templates.trustBeside(record);
            ValidatedRecord v;
            try {
                v = new RecordValidator(TrustedKeys.loadDirectory(trust), Clock.systemUTC()).validate(Files.readAllBytes(record));
            } catch (RecordRejectedException e) {
                System.err.println("ktp: " + record + " REJECTED " + e.reason() + ": " + e.getMessage());
                return ExitCodes.FAILURE;
            }
            Map<Integer, byte[]> dgs = ChipData.dataGroups(v.record());
            byte[] sod = ChipData.securityObject(v.envelope().keyId(), ChipData.hashList(dgs), v.envelope().chipSeal());
            try (SmartcardioTransport t = connect(reader)) {
                Personalizer.Result r = new Personalizer(t, Scp03.StaticKeys.globalPlatformTestKeys(), new SecureRandom()).personalize(dgs, sod);
                System.out.println("personalized chip " + r.uid() + " with " + v.record().recordId() + ": " + r.apdus() + " APDUs, "
                        + r.bytesSent() + " bytes sent, " + r.bytesReceived() + " received; read back and compared");
                return ExitCodes.OK;
            } catch (ApduTransport.CardException | Personalizer.PersonalizationException e) {
                System.err.println("ktp: " + e.getMessage() + " (the card must go to the reject box)");
                return ExitCodes.FAILURE;
            }
        }
    }

    @Command(name = "read", mixinStandardHelpOptions = true, description = "Read the chip's data groups and check them by passive authentication.")
    static final class Read implements Callable<Integer> {
        @Option(names = "--trust", required = true, paramLabel = "DIR", description = "the data center's keys") Path trust;
        @Option(names = "--reader", paramLabel = "PATTERN") String reader;

        @Override
        public Integer call() throws IOException {
            TrustedKeys keys = TrustedKeys.loadDirectory(trust);
            try (SmartcardioTransport t = connect(reader)) {
                Personalizer p = new Personalizer(t, Scp03.StaticKeys.globalPlatformTestKeys(), new SecureRandom());
                KtpelApplet.State state = p.state();
                Map<Integer, byte[]> back = p.readBack();
                System.out.println("Lifecycle  " + state);
                back.forEach((f, b) -> System.out.println((f == KtpelApplet.SOD ? "SOD " : "DG" + f + "  ") + "     " + b.length + " bytes"));
                if (!back.containsKey(KtpelApplet.SOD)) {
                    System.out.println("Passive authentication  FAILED: no security object on the chip");
                    return ExitCodes.FAILURE;
                }
                ChipData.Verdict verdict = ChipData.passiveAuthentication(back, back.get(KtpelApplet.SOD), keys::get);
                System.out.println("Passive authentication  " + (verdict.valid() ? "VALID" : "FAILED") + ": " + verdict.detail());
                return verdict.valid() && state != KtpelApplet.State.PERSONALIZING ? ExitCodes.OK : ExitCodes.FAILURE;
            } catch (ApduTransport.CardException | Personalizer.PersonalizationException e) {
                System.err.println("ktp: " + e.getMessage());
                return ExitCodes.FAILURE;
            }
        }
    }
}
