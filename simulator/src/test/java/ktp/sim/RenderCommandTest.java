package ktp.sim;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `ktp render` and `ktp qr verify` on records from the simulator, as a technician runs them. */
class RenderCommandTest {
    @TempDir
    Path dir;

    private static KtpRun ktp(String... args) { return KtpRun.of(args); }

    @Test
    void rendersEveryFileAndTheQrOfTheBackVerifiesEvenFromAPhoto() throws Exception {
        assertEquals(0, ktp("sim", "records", "--count", "1", "--seed", "3", "--out", dir.resolve("recs").toString()).exit());
        Path record;
        try (var s = Files.list(dir.resolve("recs/records"))) {
            record = s.findFirst().orElseThrow();
        }
        String trust = dir.resolve("recs/trusted-keys").toString();
        Path out = dir.resolve("card");
        // As the issue writes it: no --trust, the keys beside the records are found.
        KtpRun r = ktp("render", "--record", record.toString(), "--profile", "evolis-primacy-dual-ymcko", "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        // In the operator's language by default: the record, the printer and the folder as they are.
        assertTrue(r.out().contains(" dirender untuk evolis-primacy-dual-ymcko (") && r.out().strip().endsWith(" ke " + out), r.out());
        for (String f : List.of("front.pdf", "back.pdf", "front-preview.png", "back-preview.png", "front-Y.png", "front-M.png", "front-C.png",
                "front-K.png", "front-O.png", "back-K.png", "back-O.png")) {
            assertTrue(Files.size(out.resolve(f)) > 100, f); // a full overlay panel compresses to a few hundred bytes
        }
        KtpRun ok = ktp("qr", "verify", out.resolve("back-K.png").toString(), "--trust", trust);
        assertEquals(0, ok.exit(), ok.out());
        assertTrue(ok.out().contains("Segel      VALID"), "in the operator's language by default: " + ok.out());

        // A "photo" of the card: the preview shrunk, turned by 4 degrees, with noise, saved as JPEG.
        BufferedImage preview = ImageIO.read(out.resolve("back-preview.png").toFile());
        BufferedImage photo = new BufferedImage(900, 620, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = photo.createGraphics();
        g.setColor(java.awt.Color.DARK_GRAY);
        g.fillRect(0, 0, 900, 620);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        AffineTransform t = new AffineTransform();
        t.translate(60, 40);
        t.rotate(Math.toRadians(4));
        t.scale(0.75, 0.75);
        g.drawImage(preview, t, null);
        g.dispose();
        Random noise = new Random(1);
        for (int i = 0; i < 20_000; i++) photo.setRGB(noise.nextInt(900), noise.nextInt(620), noise.nextInt(0xffffff));
        Path jpeg = dir.resolve("photo.jpg");
        ImageIO.write(photo, "jpeg", jpeg.toFile());
        KtpRun fromPhoto = ktp("qr", "verify", jpeg.toString(), "--trust", trust);
        assertEquals(0, fromPhoto.exit(), fromPhoto.out());

        Path strangers = dir.resolve("strangers");
        assertEquals(0, ktp("sim", "records", "--count", "0", "--seed", "4", "--out", strangers.toString()).exit());
        KtpRun unknownKey = ktp("qr", "verify", out.resolve("back-K.png").toString(), "--trust", strangers.resolve("trusted-keys").toString());
        assertEquals(1, unknownKey.exit());
        assertTrue(unknownKey.out().contains("INVALID"), unknownKey.out());
        KtpRun noQr = ktp("qr", "verify", out.resolve("front-K.png").toString(), "--trust", trust);
        assertEquals(1, noQr.exit());
        assertTrue(noQr.out().contains("tidak ada kode QR"), noQr.out());
        assertEquals(2, ktp("qr", "verify", record.toString(), "--trust", trust).exit(), "a JSON file is not an image");
    }

    @Test
    void aMonochromeSingleSidedProfileGetsOneFrontPanelAndBadInputIsNamed() throws Exception {
        assertEquals(0, ktp("sim", "records", "--count", "1", "--seed", "5", "--out", dir.resolve("recs").toString()).exit());
        Path record;
        try (var s = Files.list(dir.resolve("recs/records"))) {
            record = s.findFirst().orElseThrow();
        }
        String trust = dir.resolve("recs/trusted-keys").toString();
        Path out = dir.resolve("mono");
        KtpRun r = ktp("render", "--record", record.toString(), "--trust", trust, "--profile", "evolis-zenius-mono", "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("evolis-zenius-mono hanya mencetak satu sisi"), "in the operator's language by default: " + r.out());
        assertTrue(Files.exists(out.resolve("front-K.png")));
        assertFalse(Files.exists(out.resolve("front-Y.png")));
        assertFalse(Files.exists(out.resolve("back-K.png")));

        KtpRun unknown = ktp("render", "--record", record.toString(), "--trust", trust, "--profile", "no-such-printer", "--out", out.toString());
        assertEquals(2, unknown.exit());
        assertTrue(unknown.err().contains("no printer profile 'no-such-printer'"), unknown.err());

        byte[] tampered = new String(Files.readAllBytes(record), StandardCharsets.UTF_8).replaceFirst("\"cardSeal\" : \"[A-Za-z0-9+/]", "\"cardSeal\" : \"A")
                .getBytes(StandardCharsets.UTF_8);
        Path bad = dir.resolve("tampered.json");
        Files.write(bad, tampered);
        KtpRun rejected = ktp("render", "--record", bad.toString(), "--trust", trust, "--profile", "evolis-zenius-mono", "--out", out.toString());
        assertEquals(1, rejected.exit(), rejected.err());
        assertTrue(rejected.err().contains("CARD_SEAL"), rejected.err());
    }
}
