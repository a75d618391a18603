package ktp.store;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/** The journal's framing and its reading, with byte vectors: no file, no I/O. */
class JournalTest {
    private static List<Journal.Change> changes(String key) {
        return List.of(new Journal.Change("jobs", Journal.PUT, key.getBytes(), new byte[] {1, 2, 3}),
                new Journal.Change("outbox", Journal.REMOVE, new byte[] {0, 0, 0, 0, 0, 0, 0, 7}, null));
    }

    private static byte[] journal(int records) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 1; i <= records; i++) out.write(Journal.frame(i, changes("k" + i)));
        return out.toByteArray();
    }

    @Test
    void theFramingIsExactlyAsDocumented() throws Exception {
        byte[] payload = {0, 0, 0, 1, 0, 1, 't', 2, 0, 0, 0, 1, 9};
        ByteBuffer expected = ByteBuffer.allocate(20 + payload.length);
        expected.put(new byte[] {'K', 'T', 'J', '2'}).putInt(payload.length).putLong(1);
        CRC32C crc = new CRC32C();
        crc.update(expected.array(), 4, 12); // the length and the transaction number are covered too
        crc.update(payload);
        expected.putInt((int) crc.getValue()).put(payload);
        assertArrayEquals(expected.array(), Journal.frame(1, List.of(new Journal.Change("t", Journal.REMOVE, new byte[] {9}, null))));
    }

    @Test
    void recordsReadBackInOrderWithTheirOffsets() throws Exception {
        byte[] bytes = journal(2);
        Journal.Scan scan = Journal.scan(bytes);
        assertTrue(scan.clean());
        assertEquals(List.of(1L, 2L), scan.entries().stream().map(Journal.Entry::txNumber).toList());
        assertEquals(0, scan.entries().get(0).offset());
        assertEquals(bytes.length / 2, scan.entries().get(1).offset());
        assertEquals("k2", new String(scan.entries().get(1).changes().get(0).key()));
        assertArrayEquals(new byte[] {1, 2, 3}, scan.entries().get(1).changes().get(0).value());
        assertNull(scan.entries().get(1).changes().get(1).value());
    }

    @Test
    void aCutLastRecordIsATailNotDamage() throws Exception {
        byte[] full = journal(2);
        int first = full.length / 2;
        for (int cut = 1; cut < first; cut++) {
            Journal.Scan scan = Journal.scan(Arrays.copyOf(full, full.length - cut));
            assertEquals(1, scan.entries().size(), "cut " + cut);
            assertTrue(scan.damaged().isEmpty(), "cut " + cut);
            assertEquals(new Journal.Span(first, full.length - cut), scan.tail().orElseThrow());
            assertEquals(first, scan.intactEnd());
        }
    }

    @Test
    void aFlippedByteAnywhereIsFoundAndTheRecordsAfterItAreStillRead() throws Exception {
        byte[] full = journal(3);
        int size = full.length / 3;
        for (int at = 0; at < full.length; at++) {
            byte[] bytes = full.clone();
            bytes[at] ^= 0x40;
            Journal.Scan scan = Journal.scan(bytes);
            int record = at / size;
            assertFalse(scan.clean(), "byte " + at);
            assertEquals(2, scan.entries().size(), "byte " + at + ": the other two records are intact");
            assertTrue(scan.entries().stream().noneMatch(e -> e.txNumber() == record + 1), "byte " + at);
            if (record < 2) {
                assertEquals(List.of(new Journal.Span((long) record * size, (long) (record + 1) * size)), scan.damaged(), "byte " + at);
            } else {
                assertEquals(new Journal.Span(2L * size, full.length), scan.tail().orElseThrow(), "byte " + at);
            }
        }
    }

    @Test
    void formatOneRecordsAreStillRead() throws Exception {
        byte[] payload = {0, 0, 0, 1, 0, 1, 't', 2, 0, 0, 0, 1, 9};
        CRC32C crc = new CRC32C();
        crc.update(payload);
        ByteBuffer old = ByteBuffer.allocate(20 + payload.length);
        old.put(new byte[] {'K', 'T', 'J', '1'}).putInt(payload.length).putLong(5).putInt((int) crc.getValue()).put(payload);
        Journal.Scan scan = Journal.scan(old.array());
        assertTrue(scan.clean());
        assertEquals(5, scan.entries().get(0).txNumber());
        assertTrue(scan.entries().get(0).legacy());
    }
}
