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
import ktp.card.CardKeys;
import ktp.card.CardProfile;
import ktp.card.ChipPayload;
import ktp.card.KtpelApplet;
import ktp.card.Personalizer;
import ktp.card.SmartcardioTransport;
import ktp.record.ChipData;
import ktp.record.RecordRejectedException;
import ktp.record.RecordValidator;
import ktp.record.TrustedKeys;
import ktp.record.ValidatedRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "card", mixinStandardHelpOptions = true,
        description = {"The chip in a PC/SC reader (javax.smartcardio). Without --reader, the first reader with a card present.",
                "Keys: with --master-key, the issuer master key diversified per card as the card profile says; without it the",
                "GlobalPlatform test keys at key version 0, which only a test card (a virtual card by default) accepts."},
        subcommands = {CardCommand.Info.class, CardCommand.Personalize.class, CardCommand.Read.class})
final class CardCommand extends CommandGroup {
    /** Reader, card profile and keys: shared by every card command. */
    static final class CardOptions {
        @Option(names = "--reader", paramLabel = "PATTERN", description = "reader name pattern (a regular expression; default: the first reader with a card)") String reader;
        @Option(names = "--profile", paramLabel = "ID|FILE", defaultValue = "ktpel-virtual", description = "card profile in firmware-profiles/cards (default ${DEFAULT-VALUE})") String profile;
        @Option(names = "--master-key", paramLabel = "FILE", description = "issuer master key (hex); without it the GlobalPlatform test keys, key version 0") Path masterKey;

        CardProfile profile() {
            try {
                return CardProfile.resolve(Paths.cardProfiles(), profile);
            } catch (ktp.datafile.DataFileException e) {
                throw CliText.bad("err.card.profile", e.message(CliText.language()));
            }
        }

        CardKeys keys(CardProfile p) {
            if (masterKey == null) return CardKeys.globalPlatformTestKeys();
            try {
                return CardKeys.masterFile(p, masterKey);
            } catch (IOException e) {
                throw CliText.bad("err.card.masterKey", String.valueOf(e.getMessage()));
            }
        }
    }

    static SmartcardioTransport connect(String reader) {
        try {
            return SmartcardioTransport.connect(TerminalFactory.getDefault(), reader == null ? "" : reader);
        } catch (ApduTransport.CardException e) {
            throw CliText.bad("err.card.reader", String.valueOf(e.getMessage()));
        }
    }

    @Command(name = "info", mixinStandardHelpOptions = true, description = "Reader, ATR, chip UID and lifecycle state.")
    static final class Info implements Callable<Integer> {
        @picocli.CommandLine.Mixin CardOptions card;

        @Override
        public Integer call() {
            CardProfile profile = card.profile();
            try (SmartcardioTransport t = connect(card.reader)) {
                Personalizer p = new Personalizer(t, profile, card.keys(profile), new SecureRandom());
                // The reader's name, the ATR, the UID and the lifecycle state's name as they are; the words around them the operator's.
                System.out.println(CliText.t("card.reader", t.readerName()));
                String atr = HexFormat.of().withUpperCase().formatHex(t.atr());
                System.out.println(CliText.t(profile.matchesAtr(t.atr()) ? "card.atr" : "card.atrOther", atr, profile.id()));
                System.out.println(CliText.t("card.uid", p.readUid()));
                KtpelApplet.State state = p.state();
                System.out.println(CliText.t(state == KtpelApplet.State.PERSONALIZING ? "card.halfWritten" : "card.lifecycle", state.name()));
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
        @picocli.CommandLine.Mixin CardOptions card;

        @Override
        public Integer call() throws IOException {
            if (trust == null) trust = Templates.trustBeside(record);
            ValidatedRecord v;
            try {
                v = new RecordValidator(TrustedKeys.loadDirectory(trust), Clock.systemUTC()).validate(Files.readAllBytes(record));
            } catch (RecordRejectedException e) {
                System.err.println("ktp: " + CliText.t("card.rejected", record.toString(), e.reason().name(), e.getMessage()));
                return ExitCodes.FAILURE;
            }
            ChipPayload payload = ChipPayload.of(v);
            CardProfile profile = card.profile();
            CardKeys keys = card.keys(profile);
            try (SmartcardioTransport t = connect(card.reader)) {
                if (!profile.matchesAtr(t.atr())) throw new Personalizer.PersonalizationException("the card's ATR " + HexFormat.of().withUpperCase().formatHex(t.atr()) + " is not a " + profile.id() + " card");
                Personalizer.Result r = new Personalizer(t, profile, keys, new SecureRandom()).personalize(payload.dataGroups(), payload.securityObject());
                System.out.println(CliText.t("card.personalized", r.uid(), v.record().recordId(), String.valueOf(r.apdus()), String.valueOf(r.bytesSent()),
                        String.valueOf(r.bytesReceived())));
                return ExitCodes.OK;
            } catch (ApduTransport.CardException | Personalizer.PersonalizationException e) {
                System.err.println("ktp: " + CliText.t("card.toReject", String.valueOf(e.getMessage())));
                return ExitCodes.FAILURE;
            }
        }
    }

    @Command(name = "read", mixinStandardHelpOptions = true, description = "Read the chip's data groups and check them by passive authentication.")
    static final class Read implements Callable<Integer> {
        @Option(names = "--trust", required = true, paramLabel = "DIR", description = "the data center's keys") Path trust;
        @picocli.CommandLine.Mixin CardOptions card;

        @Override
        public Integer call() throws IOException {
            TrustedKeys keys = TrustedKeys.loadDirectory(trust);
            CardProfile profile = card.profile();
            try (SmartcardioTransport t = connect(card.reader)) {
                // Reading needs no keys: any reader may check a chip by passive authentication.
                Personalizer p = new Personalizer(t, profile, CardKeys.globalPlatformTestKeys(), new SecureRandom());
                KtpelApplet.State state = p.state();
                Map<Integer, byte[]> back = p.readBack();
                System.out.println(CliText.t("card.lifecycle", state.name()));
                back.forEach((f, b) -> System.out.println(CliText.t("card.file", String.format("%-10s", CardProfile.name(f)), String.valueOf(b.length))));
                if (!back.containsKey(KtpelApplet.SOD)) {
                    System.out.println(CliText.t("card.noSod"));
                    return ExitCodes.FAILURE;
                }
                ChipData.Verdict verdict = ChipData.passiveAuthentication(back, back.get(KtpelApplet.SOD), keys::get);
                String code = verdict.valid() ? "VALID" : "FAILED"; // a code, the same in both languages; the detail is the verifier's
                System.out.println(CliText.t("card.passive", code, verdict.detail()));
                return verdict.valid() && state != KtpelApplet.State.PERSONALIZING ? ExitCodes.OK : ExitCodes.FAILURE;
            } catch (ApduTransport.CardException | Personalizer.PersonalizationException e) {
                System.err.println("ktp: " + e.getMessage());
                return ExitCodes.FAILURE;
            }
        }
    }
}
