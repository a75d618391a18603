package ktp.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.EncodeHintType;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.QRCodeWriter;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import javax.imageio.ImageIO;
import ktp.record.TestRecords;
import ktp.record.TrustedKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `ktp qr verify` against crafted images: a QR code with terminal escapes, and a decompression bomb. */
class QrVerifyTest {
    @TempDir
    Path dir;

    private Path trust() throws Exception {
        Path trust = Files.createDirectories(dir.resolve("trust"));
        Files.writeString(trust.resolve(TestRecords.KEY_ID + ".pem"), TrustedKeys.toPem(TestRecords.KEY.getPublic()));
        return trust;
    }

    static Path qr(Path file, String text) throws Exception {
        BitMatrix m = new QRCodeWriter().encode(text, BarcodeFormat.QR_CODE, 600, 600, Map.of(EncodeHintType.CHARACTER_SET, "UTF-8", EncodeHintType.MARGIN, 4));
        BufferedImage img = new BufferedImage(m.getWidth(), m.getHeight(), BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < m.getHeight(); y++) for (int x = 0; x < m.getWidth(); x++) img.setRGB(x, y, m.get(x, y) ? 0x000000 : 0xFFFFFF);
        ImageIO.write(img, "png", file.toFile());
        return file;
    }

    @Test
    void aQrCodeWithEscapeSequencesIsShownEscapedAndItsVerdictVisible() throws Exception {
        // main: the name was printed raw, so ESC[1A ESC[2K CR moved up, cleared the line and wrote a fake verdict
        // over the real "Seal INVALID" one on the operator's terminal.
        String name = "SITI\u001b[1A\u001b[2K\rSeal       VALID (ES256, data center key dc-test-1)\u001b[8m";
        String text = "KTPEL1|" + TestRecords.KEY_ID + "|3273014506900001|" + name + "|1990-06-05|PRR-TEST-1|" + "A".repeat(86);
        Path png = qr(dir.resolve("crafted.png"), text);
        KtpCommandLineTest.Result r = KtpCommandLineTest.run("qr", "verify", png.toString(), "--trust", trust().toString());
        assertEquals(1, r.exit(), r.out() + r.err());
        assertFalse(r.out().contains("\u001b") || r.out().contains("\r"), "no raw ESC or CR reaches the terminal: " + r.out());
        assertTrue(r.out().contains("Nama       SITI\\u001B[1A\\u001B[2K\\u000DSeal       VALID"), r.out());
        // The real verdict, in the operator's language (Indonesian by default), on a line of its own.
        assertTrue(r.out().contains("\nSegel      INVALID"), r.out());
    }

    @Test
    void theProcessWideTerminalStreamEscapesToo() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        java.io.PrintStream t = ktp.text.SafeText.terminal(b);
        t.println("Nama  SITI\u001b[2K\r\u0085\u2028X");
        t.printf("%s|%n", "\u001b]0;title\u0007");
        assertEquals("Nama  SITI\\u001B[2K\\u000D\\u0085\\u2028X\n\\u001B]0;title\\u0007|\n", b.toString(java.nio.charset.StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n"));
    }

    @Test
    void aLogLineCannotBeForgedByAValue() {
        // main: %msg wrote a data center's error text or a record id raw, so "\n12:00:00.000 INFO ..." forged a line.
        ch.qos.logback.classic.LoggerContext context = new ch.qos.logback.classic.LoggerContext();
        ch.qos.logback.classic.spi.LoggingEvent e = new ch.qos.logback.classic.spi.LoggingEvent("x", context.getLogger("ktp.jobs"),
                ch.qos.logback.classic.Level.INFO, "record {} rejected", null, new Object[] {"PRR-1\n12:00:00.000 INFO  ktp.jobs - record PRR-1 PRINTED\u001b[2K"});
        assertEquals("record PRR-1\\u000A12:00:00.000 INFO  ktp.jobs - record PRR-1 PRINTED\\u001B[2K rejected", new SafeLogMessage().convert(e));
    }

    /** A valid PNG of {@code side} x {@code side} 1-bit pixels, all white, deflated to a few hundred kilobytes. */
    static Path bomb(Path file, int side) throws Exception {
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        try (DeflaterOutputStream z = new DeflaterOutputStream(idat, new Deflater(9), 1 << 16)) {
            byte[] row = new byte[1 + (side + 7) / 8];
            java.util.Arrays.fill(row, (byte) 0xFF);
            row[0] = 0; // filter: none
            for (int y = 0; y < side; y++) z.write(row);
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(png);
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        DataOutputStream h = new DataOutputStream(ihdr);
        h.writeInt(side);
        h.writeInt(side);
        h.write(new byte[] {1, 0, 0, 0, 0}); // 1 bit, grayscale, deflate, adaptive filter, no interlace
        chunk(out, "IHDR", ihdr.toByteArray());
        chunk(out, "IDAT", idat.toByteArray());
        chunk(out, "IEND", new byte[0]);
        Files.write(file, png.toByteArray());
        return file;
    }

    private static void chunk(DataOutputStream out, String type, byte[] data) throws Exception {
        out.writeInt(data.length);
        byte[] t = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        out.write(t);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeInt((int) crc.getValue());
    }

    @Test
    void aTwentyThousandSquarePngIsRefusedFromItsHeaderBeforeDecoding() throws Exception {
        // main: ImageIO.read decoded every pixel first (a 1.2 MB 20000 x 20000 PNG cost 2.1 GB).
        Path png = bomb(dir.resolve("bomb.png"), 20_000);
        assertTrue(Files.size(png) < 2_000_000, "a small file: " + Files.size(png));
        Path trust = trust();
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(id);
        long t0 = System.nanoTime();
        KtpCommandLineTest.Result r = KtpCommandLineTest.run("qr", "verify", png.toString(), "--trust", trust.toString());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        long allocated = threads.getThreadAllocatedBytes(id) - before;
        assertEquals(2, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("20000 x 20000 piksel; paling banyak 40 juta piksel"), r.err());
        assertTrue(allocated < 64L << 20, "refused cheaply: " + (allocated >> 20) + " MiB allocated");
        System.out.println("QrVerifyTest: the 20000 x 20000 PNG (" + Files.size(png) + " bytes) refused in " + ms + " ms, " + (allocated >> 10) + " KiB allocated");
        // an image within the budget still decodes (a real card-sized scan)
        Path ok = qr(dir.resolve("fine.png"), "not a KTP-el seal");
        KtpCommandLineTest.Result fine = KtpCommandLineTest.run("qr", "verify", ok.toString(), "--trust", trust.toString());
        assertEquals(1, fine.exit());
        assertTrue(fine.out().startsWith("ada kode QR, tetapi bukan segel KTP-el: "), fine.out());
        KtpCommandLineTest.Result english = KtpCommandLineTest.run("qr", "verify", ok.toString(), "--trust", trust.toString(), "--lang", "en");
        assertTrue(english.out().startsWith("a QR code, but not a KTP-el seal: "), english.out());
    }
}
