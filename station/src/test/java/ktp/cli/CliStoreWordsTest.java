package ktp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import ktp.store.Actor;
import ktp.store.Role;
import ktp.store.StationStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store's own refusals reach the operator on the command line in the language chosen (Indonesian by default,
 * English with --lang en), the technical detail behind them (the damaged file) as it is.
 * Run alone: mvn -q -B -o -pl station test -Dtest=CliStoreWordsTest
 */
class CliStoreWordsTest {
    @TempDir
    Path dir;

    @BeforeEach
    @AfterEach
    void noLanguageLeftBehind() { CliText.reset(); }

    @Test
    void aDamagedStoreIsRefusedInTheChosenLanguageWithItsDetailAsItIs() throws Exception {
        Path store = dir.resolve("store");
        try (StationStore s = StationStore.open(store, "ST-CLI-01", Clock.systemUTC())) {
            s.blanksLoaded(10, "SJ-1", new Actor("budi", Role.OPERATOR));
        }
        Files.delete(store.resolve("checkpoint.db")); // a clean close left everything there: the store no longer reaches its last commit

        KtpCommandLineTest.Result id = KtpCommandLineTest.run("queue", "--store", store.toString());
        KtpCommandLineTest.Result en = KtpCommandLineTest.run("queue", "--store", store.toString(), "--lang", "en");
        assertEquals(ExitCodes.FAILURE, id.exit(), id.err());
        assertEquals(ExitCodes.FAILURE, en.exit(), en.err());
        List<String> idLines = id.err().strip().lines().toList();
        List<String> enLines = en.err().strip().lines().toList();
        assertEquals("ktp: penyimpanan stasiun " + store + " rusak dan tidak dibuka (tidak ada isinya yang diubah):", idLines.get(0), id.err());
        assertEquals("ktp: the store " + store + " is damaged and was not opened (nothing in it was changed):", enLines.get(0), en.err());
        assertEquals("  `ktp store check --store " + store + "` menampilkan rinciannya; `ktp store repair --store " + store
                + " --out LAPORAN` menyimpan salinan berkas yang rusak, memulihkan setiap transaksi yang dapat dibuktikan dan mencatat apa yang hilang",
                idLines.get(idLines.size() - 1), id.err());
        assertEquals("  `ktp store check --store " + store + "` shows the details; `ktp store repair --store " + store
                + " --out REPORT` keeps a copy of the damaged files, recovers every transaction that can be proven and writes what was lost",
                enLines.get(enLines.size() - 1), en.err());
        // The damage itself (file, what is missing) is the technical detail: the same text in both languages.
        assertEquals(enLines.subList(1, enLines.size() - 1), idLines.subList(1, idLines.size() - 1));
        assertTrue(idLines.get(1).startsWith("  - ") && idLines.get(1).contains("store.hwm"), id.err());
        assertFalse(id.err().contains("is damaged") || id.err().contains("shows the details"), "no English frame in Indonesian: " + id.err());
    }

    @Test
    void aStoreInUseIsRefusedInTheChosenLanguage() {
        Path store = dir.resolve("store");
        try (StationStore s = StationStore.open(store, "ST-CLI-01", Clock.systemUTC())) {
            KtpCommandLineTest.Result id = KtpCommandLineTest.run("ledger", "load", "--store", store.toString(), "--count", "5", "--reference", "SJ-2", "--operator", "budi");
            KtpCommandLineTest.Result en = KtpCommandLineTest.run("ledger", "load", "--store", store.toString(), "--count", "5", "--reference", "SJ-2", "--operator", "budi", "--lang", "en");
            assertEquals(ExitCodes.BAD_INPUT, id.exit(), id.err());
            assertEquals(ExitCodes.BAD_INPUT, en.exit(), en.err());
            assertTrue(id.err().startsWith("ktp: penyimpanan stasiun " + store + " sudah dibuka di proses ini ("), id.err());
            assertTrue(id.err().strip().endsWith("); selama daemon berjalan pakai --config BERKAS --user NAMA (lewat konsolnya)"), id.err());
            assertFalse(id.err().contains("already open"), "no English in Indonesian: " + id.err());
            assertTrue(en.err().startsWith("ktp: the store " + store + " is already open in this process ("), en.err());
            assertEquals(0, s.blanksLoadedTotal(), "nothing was loaded");
        }
    }
}
