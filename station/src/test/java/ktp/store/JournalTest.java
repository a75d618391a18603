package ktp.store;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {
    @TempDir
    Path dir;

    private static List<Journal.Change> changes(String key) {
        return List.of(new Journal.Change("jobs", Journal.PUT, key.getBytes(), new byte[] {1, 2, 3}),
                new Journal.Change("outbox", Journal.REMOVE, new byte[] {0, 0, 0, 0, 0, 0, 0, 7}, null));
    }

    @Test
    void theFramingIsExactlyAsDocumented() throws Exception {
        Path file = dir.resolve("j");
        try (Journal j = Journal.open(file, new ArrayList<>())) {
            j.append(1, List.of(new Journal.Change("t", Journal.REMOVE, new byte[] {9}, null)));
        }
        byte[] payload = {0, 0, 0, 1, 0, 1, 't', 2, 0, 0, 0, 1, 9};
        CRC32C crc = new CRC32C();
        crc.update(payload);
        ByteBuffer expected = ByteBuffer.allocate(20 + payload.length);
        expected.put(new byte[] {'K', 'T', 'J', '1'}).putInt(payload.length).putLong(1).putInt((int) crc.getValue()).put(payload);
        assertArrayEquals(expected.array(), Files.readAllBytes(file));
    }

    @Test
    void recordsReadBackInOrder() throws Exception {
        Path file = dir.resolve("j");
        try (Journal j = Journal.open(file, new ArrayList<>())) {
            j.append(1, changes("a"));
            j.append(2, changes("b"));
        }
        List<Journal.Entry> read = new ArrayList<>();
        try (Journal j = Journal.open(file, read)) {
            assertEquals(List.of(1L, 2L), read.stream().map(Journal.Entry::txNumber).toList());
            assertEquals("b", new String(read.get(1).changes().get(0).key()));
            assertArrayEquals(new byte[] {1, 2, 3}, read.get(1).changes().get(0).value());
            assertNull(read.get(1).changes().get(1).value());
        }
    }

    @Test
    void aTornTailIsDroppedAndCutOff() throws Exception {
        Path file = dir.resolve("j");
        try (Journal j = Journal.open(file, new ArrayList<>())) {
            j.append(1, changes("a"));
            j.append(2, changes("b"));
        }
        byte[] full = Files.readAllBytes(file);
        long firstLength = full.length / 2; // both records have the same size
        for (int cut = 1; cut < firstLength; cut += 7) {
            Files.write(file, Arrays.copyOf(full, (int) (full.length - cut)));
            List<Journal.Entry> read = new ArrayList<>();
            try (Journal j = Journal.open(file, read)) {
                assertEquals(1, read.size(), "cut " + cut);
                assertEquals(firstLength, j.size(), "the torn record is cut off");
                j.append(2, changes("c"));
            }
            List<Journal.Entry> again = new ArrayList<>();
            try (Journal j = Journal.open(file, again)) {
                assertEquals("c", new String(again.get(1).changes().get(0).key()));
            }
        }
    }

    @Test
    void aCorruptedRecordEndsTheJournalThere() throws Exception {
        Path file = dir.resolve("j");
        try (Journal j = Journal.open(file, new ArrayList<>())) {
            for (int i = 1; i <= 3; i++) j.append(i, changes("k" + i));
        }
        byte[] bytes = Files.readAllBytes(file);
        int recordSize = bytes.length / 3;
        bytes[recordSize + 25] ^= 0x01; // a payload byte of record 2
        Files.write(file, bytes);
        List<Journal.Entry> read = new ArrayList<>();
        try (Journal j = Journal.open(file, read)) {
            assertEquals(1, read.size());
        }
    }
}
