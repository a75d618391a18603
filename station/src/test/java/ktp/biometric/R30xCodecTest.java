package ktp.biometric;

import static org.junit.jupiter.api.Assertions.*;

import java.util.HexFormat;
import java.util.List;
import ktp.biometric.r30x.R30xCodec;
import org.junit.jupiter.api.Test;

/** Byte vectors of the R30x UART packet format (the reference's GenImg example; Adafruit's and pyfingerprint's framing). */
class R30xCodecTest {
    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    @Test
    void genImgAndItsAcknowledgementAreTheDocumentedBytes() throws Exception {
        assertEquals("EF01FFFFFFFF010003010005", HEX.formatHex(R30xCodec.command(R30xCodec.GEN_IMG)));
        assertEquals("EF01FFFFFFFF0100030A000E", HEX.formatHex(R30xCodec.command(R30xCodec.UP_IMAGE)));
        byte[] ack = R30xCodec.ack(0x02); // no finger
        assertEquals("EF01FFFFFFFF07000302000C", HEX.formatHex(ack));
        List<R30xCodec.Packet> p = new R30xCodec.Reader().feed(ack, 0, ack.length);
        assertEquals(1, p.size());
        assertEquals(R30xCodec.PID_ACK, p.get(0).pid());
        assertEquals(0x02, p.get(0).confirmation());
        assertEquals(0xFFFFFFFFL, p.get(0).address());
    }

    @Test
    void packetsArriveInAnyChunkingAndBadOnesAreNamed() throws Exception {
        byte[] two = HEX.parseHex("EF01FFFFFFFF07000300000A" + "EF01FFFFFFFF080004ABCD0184");
        R30xCodec.Reader r = new R30xCodec.Reader();
        int got = 0;
        for (byte b : two) got += r.feed(new byte[] {b}, 0, 1).size();
        assertEquals(2, got);
        R30xCodec.PacketException sum = assertThrows(R30xCodec.PacketException.class,
                () -> new R30xCodec.Reader().feed(HEX.parseHex("EF01FFFFFFFF07000300000B"), 0, 12));
        assertTrue(sum.getMessage().contains("bad checksum: the packet says 000B, its bytes sum to 000A"), sum.getMessage());
        assertTrue(assertThrows(R30xCodec.PacketException.class, () -> new R30xCodec.Reader().feed(HEX.parseHex("AA55FFFFFFFF07000300000A"), 0, 12))
                .getMessage().contains("expected EF 01"));
    }

    @Test
    void imagesTravelAtFourBitsAPixelInDataPacketsEndingWithPid08() throws Exception {
        int[] grey = {0, 17, 34, 255, 128, 64};
        byte[] packed = R30xCodec.packNibbles(grey, 3, 2);
        assertEquals("012F84", HEX.formatHex(packed));
        assertArrayEquals(new int[] {0, 17, 34, 255, 136, 68}, R30xCodec.unpackNibbles(packed, 3, 2));
        List<byte[]> data = R30xCodec.dataPackets(new byte[300], 128);
        assertEquals(3, data.size());
        assertEquals(R30xCodec.PID_DATA, data.get(0)[6]);
        assertEquals(R30xCodec.PID_END, data.get(2)[6]);
        assertThrows(R30xCodec.PacketException.class, () -> R30xCodec.unpackNibbles(new byte[5], 3, 2));
    }
}
