package ktp.cli;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import ktp.text.SafeText;
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
            BufferedImage img = read(image);
            if (trust == null) trust = Path.of("trusted-keys");
            if (!java.nio.file.Files.isDirectory(trust)) throw CliText.bad("err.qr.noTrust", trust.toString());
            TrustedKeys keys;
            try {
                keys = TrustedKeys.loadDirectory(trust);
            } catch (IOException e) {
                throw CliText.bad("err.qr.trust", trust.toString(), String.valueOf(e.getMessage()));
            }
            Optional<String> text = QrDecoder.decode(img);
            if (text.isEmpty()) {
                System.out.println(CliText.t("qr.none", SafeText.of(image)));
                return ExitCodes.FAILURE;
            }
            CardSeal.Parsed parsed;
            try {
                parsed = CardSeal.parse(text.get());
            } catch (IllegalArgumentException e) {
                System.out.println(CliText.t("qr.notSeal", SafeText.escape(e.getMessage())));
                return ExitCodes.FAILURE;
            }
            CardSeal.Contents c = parsed.contents();
            // every field is what the QR code says, chosen by whoever printed it: shown escaped, so an ESC or CR
            // cannot rewrite the lines above or hide the verdict below
            // (NIK, Nama and Tgl Lahir are the card's own labels, the same in both languages.)
            System.out.println(CliText.t("qr.nik", SafeText.escape(c.nik())));
            System.out.println(CliText.t("qr.nama", SafeText.escape(c.nama())));
            System.out.println(CliText.t("qr.birth", c.birthDate().toString()));
            System.out.println(CliText.t("qr.record", SafeText.escape(c.recordId())));
            System.out.println(CliText.t("qr.key", SafeText.escape(c.keyId())));
            Optional<PublicKey> key = keys.get(c.keyId());
            if (key.isEmpty()) {
                System.out.println(CliText.t("qr.untrusted", SafeText.escape(c.keyId()), trust.toString()));
                return ExitCodes.FAILURE;
            }
            if (!Signatures.verify(c.signedBytes(), parsed.signature(), key.get())) {
                System.out.println(CliText.t("qr.forged"));
                return ExitCodes.FAILURE;
            }
            System.out.println(CliText.t("qr.valid", SafeText.escape(c.keyId())));
            return ExitCodes.OK;
        }

        /**
         * The image, decoded only if its header's size is within {@link #MAX_PIXELS}: a 1.2 MB PNG of 20000 x 20000
         * pixels cost 2.1 GB to decode on main. The size is read from the header (PNG IHDR, JPEG SOF...) first.
         */
        static BufferedImage read(Path image) {
            String name = SafeText.of(image);
            try (ImageInputStream in = ImageIO.createImageInputStream(image.toFile())) {
                if (in == null) throw CliText.bad("err.qr.unreadable", name);
                Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
                if (!readers.hasNext()) throw CliText.bad("err.qr.notImage", name);
                ImageReader reader = readers.next();
                try {
                    reader.setInput(in, true, true);
                    long w = reader.getWidth(0), h = reader.getHeight(0);
                    if (w <= 0 || h <= 0 || w > MAX_SIDE || h > MAX_SIDE || w * h > MAX_PIXELS) {
                        throw CliText.bad("err.qr.tooLarge", name, String.valueOf(w), String.valueOf(h), String.valueOf(MAX_PIXELS / 1_000_000), String.valueOf(MAX_SIDE));
                    }
                    BufferedImage img = reader.read(0);
                    if (img == null) throw CliText.bad("err.qr.notImage", name);
                    return img;
                } finally {
                    reader.dispose();
                }
            } catch (java.nio.file.NoSuchFileException | java.io.FileNotFoundException e) {
                throw CliText.bad("err.qr.noFile", name);
            } catch (IOException | RuntimeException e) {
                if (e instanceof BadInputException b) throw b;
                throw CliText.bad("err.qr.cannotRead", name, SafeText.of(e.getMessage()));
            }
        }
    }

    /** The pixel budget of `qr verify` (docs/card-qr.md): 40 million pixels (about 160 MB decoded), 16384 on a side. */
    static final long MAX_PIXELS = 40_000_000L;
    static final long MAX_SIDE = 16_384;
}
