package ktp.printer;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import ktp.printer.evolis.EvolisCodec;
import ktp.printer.evolis.EvolisStreamDecoder;
import org.junit.jupiter.api.Test;

/** Byte vectors built from the Evolis programming guide's framing and the public drivers' conventions. */
class EvolisCodecTest {
    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    @Test
    void commandsAreEscTextCr() {
        assertEquals("1B53730D", HEX.formatHex(EvolisCodec.command("Ss")));                       // ESC Ss CR
        assertEquals("1B50723B796D636B6F0D", HEX.formatHex(EvolisCodec.command("Pr;ymcko")));     // ESC Pr;ymcko CR
        assertEquals("1B50656D3B320D", HEX.formatHex(EvolisCodec.command("Pem;2")));             // host-managed errors
        assertThrows(IllegalArgumentException.class, () -> EvolisCodec.command("Ss\rSe"));
        assertThrows(IllegalArgumentException.class, () -> EvolisCodec.command(""));
    }

    @Test
    void depthCodesAreTheGuides() {
        assertEquals(List.of(2, 32, 64, 128), List.of(EvolisCodec.depthCode(1), EvolisCodec.depthCode(5), EvolisCodec.depthCode(6), EvolisCodec.depthCode(7)));
        assertThrows(IllegalArgumentException.class, () -> EvolisCodec.depthCode(8));
        assertEquals(6, EvolisCodec.bitsOf(64));
    }

    private static BufferedImage blank(int type) {
        BufferedImage img = new BufferedImage(1016, 648, type);
        var g = img.createGraphics();
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(0, 0, 1016, 648);
        g.dispose();
        return img;
    }

    @Test
    void aOneBitPanelIs81BytesALineFor1016LinesTurnedToPortrait() {
        BufferedImage k = blank(BufferedImage.TYPE_BYTE_BINARY);
        k.setRGB(1015, 0, 0xff000000);   // top-right corner of the card
        k.setRGB(0, 647, 0xff000000);    // bottom-left corner
        byte[] packed = EvolisCodec.pack(k, 1);
        assertEquals(81 * 1016, packed.length, "the drivers' 82,296 bytes");
        // Printer line 0 is the card's last column: its first pixel (card row 0) is ink, MSB first.
        assertEquals((byte) 0x80, packed[0]);
        // Printer line 1015 is the card's first column: its last pixel (row 647) is the low bit of its last byte.
        assertEquals((byte) 0x01, packed[1015 * 81 + 80]);
        int ones = 0;
        for (byte b : packed) ones += Integer.bitCount(b & 0xff);
        assertEquals(2, ones);
        BufferedImage back = EvolisCodec.unpack(packed, 1, 1016, 648);
        assertEquals(0xff000000, back.getRGB(1015, 0));
        assertEquals(0xff000000, back.getRGB(0, 647));
        assertEquals(0xffffffff, back.getRGB(500, 300));
        byte[] frame = EvolisCodec.download('k', 1, packed);
        assertEquals("1B44623B6B3B323B", HEX.formatHex(frame, 0, 8));                            // ESC Db;k;2;
        assertEquals(0x0D, frame[frame.length - 1]);
        assertEquals(8 + packed.length + 1, frame.length);
        assertEquals(frame.length, EvolisCodec.downloadSize('k', 1, packed.length));
    }

    @Test
    void aSixBitPanelPacksLevelsBackToBackAndRoundTrips() {
        BufferedImage y = blank(BufferedImage.TYPE_BYTE_GRAY);
        y.getRaster().setSample(1015, 0, 0, 0);            // full ink: level 63 = 111111
        y.getRaster().setSample(1015, 1, 0, 255 - 4 * 255 / 63); // level 4 = 000100
        byte[] packed = EvolisCodec.pack(y, 6);
        assertEquals(648 * 1016 * 6 / 8, packed.length);
        // 111111 000100 0000... -> 1111 1100 | 0100 0000
        assertEquals("FC40", HEX.formatHex(packed, 0, 2));
        BufferedImage back = EvolisCodec.unpack(packed, 6, 1016, 648);
        assertEquals(0, back.getRaster().getSample(1015, 0, 0));
        assertEquals(255 - 4 * 255 / 63, back.getRaster().getSample(1015, 1, 0));
    }

    @Test
    void lineCompressionVectors() {
        byte[] lines = new byte[3 * 4];
        lines[4] = (byte) 0xA0;                       // line 1: one useful byte, then white
        lines[9] = 0x0F;                              // line 2: two useful bytes (the second is the last non-white)
        byte[] c = EvolisCodec.compressLines(lines, 4);
        assertEquals("00" + "01A0" + "02000F", HEX.formatHex(c));
        byte[] black = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF};
        assertEquals("FF", HEX.formatHex(EvolisCodec.compressLines(black, 4)));
        assertArrayEquals(lines, EvolisCodec.decompressLines(c, 4, 3));
        assertThrows(IllegalArgumentException.class, () -> EvolisCodec.decompressLines(HEX.parseHex("0005"), 4, 2));
        assertThrows(IllegalArgumentException.class, () -> EvolisCodec.decompressLines(HEX.parseHex("00"), 4, 2));
    }

    @Test
    void runLengthCompressionVectorsAndRoundTrip() {
        byte[] data = HEX.parseHex("0000000000" + "0102" + "0303");
        // 5 x 00 -> 84 00; literals 01 02 03 03 (a pair is not worth a run) -> 03 01 02 03 03
        assertEquals("8400" + "0301020303", HEX.formatHex(EvolisCodec.compressRuns(data)));
        byte[] big = new byte[300];
        assertEquals("FF00" + "FF00" + "AB00", HEX.formatHex(EvolisCodec.compressRuns(big)));  // 128 + 128 + 44
        Random r = new Random(3);
        for (int n = 0; n < 50; n++) {
            byte[] any = new byte[r.nextInt(2000)];
            for (int i = 0; i < any.length; i++) any[i] = (byte) (r.nextInt(4) == 0 ? r.nextInt(256) : 0x20);
            assertArrayEquals(any, EvolisCodec.decompressRuns(EvolisCodec.compressRuns(any), any.length));
        }
        assertThrows(IllegalArgumentException.class, () -> EvolisCodec.decompressRuns(HEX.parseHex("8500"), 3));
    }

    @Test
    void theStreamDecoderFindsCommandsAndPanelsInAnyChunking() {
        BufferedImage k = blank(BufferedImage.TYPE_BYTE_BINARY);
        for (int x = 100; x < 300; x++) k.setRGB(x, 50, 0xff000000);
        byte[] packed = EvolisCodec.pack(k, 1);
        byte[] dbc = EvolisCodec.downloadCompressed('k', 1, EvolisCodec.compressLines(packed, 81));
        byte[] db = EvolisCodec.download('o', 1, packed);
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        for (byte[] b : List.of(EvolisCodec.command("Ss"), EvolisCodec.command("Sr"), dbc, db, EvolisCodec.command("Se"))) all.writeBytes(b);
        byte[] stream = all.toByteArray();
        for (int chunk : new int[] {1, 7, 4096, stream.length}) {
            EvolisStreamDecoder d = new EvolisStreamDecoder(1016, 648);
            java.util.List<EvolisStreamDecoder.Frame> frames = new java.util.ArrayList<>();
            for (int off = 0; off < stream.length; off += chunk) frames.addAll(d.feed(stream, off, Math.min(chunk, stream.length - off)));
            assertEquals(5, frames.size(), "chunks of " + chunk);
            assertEquals(new EvolisStreamDecoder.Command("Ss"), frames.get(0));
            EvolisStreamDecoder.Download c = (EvolisStreamDecoder.Download) frames.get(2);
            assertTrue(c.compressed());
            assertArrayEquals(packed, EvolisCodec.decompressLines(c.data(), 81, 1016));
            EvolisStreamDecoder.Download plain = (EvolisStreamDecoder.Download) frames.get(3);
            assertEquals('o', plain.panel());
            assertArrayEquals(packed, plain.data());
            assertEquals(new EvolisStreamDecoder.Command("Se"), frames.get(4));
        }
    }

    @Test
    void repliesEndAtCrOrNulAndHexShowsWhatCame() {
        assertEquals("FEEDER EMPTY", EvolisCodec.replyText("FEEDER EMPTY\r".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("OK", EvolisCodec.replyText(new byte[] {'O', 'K', 0}));
        assertEquals("81 FE 0D", EvolisCodec.hex(new byte[] {(byte) 0x81, (byte) 0xFE, 0x0D}, 16));
    }
}
