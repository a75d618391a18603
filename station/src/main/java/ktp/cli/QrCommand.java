package ktp.cli;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Optional;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import ktp.record.CardSeal;
import ktp.record.Signatures;
import ktp.record.TrustedKeys;
import ktp.render.QrDecoder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "qr", mixinStandardHelpOptions = true, description = "The signed QR code on the back of the card.",
        subcommands = QrCommand.Verify.class)
final class QrCommand extends CommandGroup {
    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Decode the QR code in a photo or scan of a card (PNG, JPEG...) and check the data center's seal:",
                    "prints what the card says and VALID or INVALID. Exit 0 when the seal is valid, 1 when it is not or no",
                    "KTP-el QR code is found, 2 when the image cannot be read."})
    static final class Verify implements Callable<Integer> {
        @Parameters(paramLabel = "IMAGE", description = "photo or scan of the card's back")
        Path image;

        @Option(names = "--trust", paramLabel = "DIR", description = "the data center's public keys (KEYID.pem files); default ./trusted-keys")
        Path trust;

        @Override
        public Integer call() {
            BufferedImage img;
            try {
                img = ImageIO.read(image.toFile());
            } catch (IOException e) {
                throw new BadInputException(image + ": cannot read it (" + e.getMessage() + ")");
            }
            if (img == null) throw new BadInputException(image + ": not an image this station can read (PNG, JPEG, GIF, BMP)");
            if (trust == null) trust = Path.of("trusted-keys");
            if (!java.nio.file.Files.isDirectory(trust)) throw new BadInputException("--trust DIR is needed to check the seal: no folder " + trust);
            TrustedKeys keys;
            try {
                keys = TrustedKeys.loadDirectory(trust);
            } catch (IOException e) {
                throw new BadInputException("--trust " + trust + ": " + e.getMessage());
            }
            Optional<String> text = QrDecoder.decode(img);
            if (text.isEmpty()) {
                System.out.println("no QR code found in " + image);
                return ExitCodes.FAILURE;
            }
            CardSeal.Parsed parsed;
            try {
                parsed = CardSeal.parse(text.get());
            } catch (IllegalArgumentException e) {
                System.out.println("a QR code, but not a KTP-el seal: " + e.getMessage());
                return ExitCodes.FAILURE;
            }
            CardSeal.Contents c = parsed.contents();
            System.out.println("NIK        " + c.nik());
            System.out.println("Nama       " + c.nama());
            System.out.println("Tgl Lahir  " + c.birthDate());
            System.out.println("Record     " + c.recordId());
            System.out.println("Key        " + c.keyId());
            Optional<PublicKey> key = keys.get(c.keyId());
            if (key.isEmpty()) {
                System.out.println("Seal       INVALID: key " + c.keyId() + " is not among the trusted keys in " + trust);
                return ExitCodes.FAILURE;
            }
            if (!Signatures.verify(c.signedBytes(), parsed.signature(), key.get())) {
                System.out.println("Seal       INVALID: the signature does not match what the card says");
                return ExitCodes.FAILURE;
            }
            System.out.println("Seal       VALID (ES256, data center key " + c.keyId() + ")");
            return ExitCodes.OK;
        }
    }
}
