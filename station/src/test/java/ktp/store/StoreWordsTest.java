package ktp.store;

import static ktp.store.StoreFixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import ktp.i18n.Catalogue;
import ktp.i18n.Language;
import ktp.job.JobState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store's own refusals are the catalogue's store area: said whole in Indonesian and in English (the English one
 * is getMessage(), word for word what the store said before), the path, id or number that is wrong in them as it is;
 * and no source builds a StoreException (or one of its kinds) from a text that bypasses the catalogue.
 * Run alone: mvn -q -B -o -pl station test -Dtest=StoreWordsTest
 */
class StoreWordsTest {
    @TempDir
    Path dir;

    private static void sayBoth(StoreException e, String indonesian, String english) {
        assertEquals(indonesian, e.message(Language.ID));
        assertEquals(english, e.message(Language.EN));
        assertEquals(english, e.getMessage(), "getMessage() stays the English text");
    }

    @Test
    void aStoreOfAnotherStationIsRefusedInBothLanguages() {
        Path store = dir.resolve("store");
        try (StationStore s = StationStore.open(store, "ST-A", CLOCK)) {
            s.jobCount();
        }
        StoreException e = assertThrows(StoreException.class, () -> StationStore.open(store, "ST-B", CLOCK));
        sayBoth(e, "penyimpanan stasiun " + store + " milik stasiun 'ST-A', bukan 'ST-B'; setiap stasiun menyimpan datanya sendiri",
                "the store " + store + " belongs to station 'ST-A', not 'ST-B'; each station keeps its own store");
    }

    @Test
    void blanksLoadedWithABadCountOrNoReferenceAreRefusedInBothLanguages() {
        try (StationStore s = StationStore.open(dir, "ST-01", CLOCK)) {
            sayBoth(assertThrows(StoreException.class, () -> s.blanksLoaded(100_001, "SJ-1", OPERATOR)),
                    "jumlah blanko yang dimuat harus 1..100000, diberikan 100001", "blanks loaded must be 1..100000, got 100001");
            sayBoth(assertThrows(StoreException.class, () -> s.blanksLoaded(5, "  ", OPERATOR)),
                    "blanko yang dimuat memerlukan referensi (surat jalan atau nomor batch), paling banyak 200 karakter",
                    "blanks loaded need a reference (the delivery note or batch), at most 200 characters");
            assertEquals(0, s.blanksLoadedTotal(), "nothing was loaded");
        }
    }

    @Test
    void aReadOnlyStoreChangedIsRefusedInBothLanguages() {
        try (StationStore s = StationStore.open(dir, "ST-01", CLOCK)) {
            s.jobCount();
        }
        try (StationStore s = StationStore.openReadOnly(dir, CLOCK)) {
            sayBoth(assertThrows(StoreException.class, () -> s.blanksLoaded(5, "SJ-1", OPERATOR)),
                    "penyimpanan stasiun " + dir + " dibuka hanya-baca; perintah ini tidak dapat mengubahnya",
                    "the store " + dir + " was opened read-only; this command cannot change it");
        }
    }

    @Test
    void aBlankAlreadyInTheLedgerIsRefusedInBothLanguages() {
        try (StationStore s = StationStore.open(dir, "ST-01", CLOCK)) {
            s.admit("R1", 1, "3273014506900001", envelope("a"), Actor.STATION);
            s.admit("R2", 1, "3273014506900002", envelope("b"), Actor.STATION);
            s.transition("R1", JobState.VALIDATED, Actor.STATION, "", null);
            s.transition("R1", JobState.ENCODING, Actor.STATION, "", "UID-01");
            s.transition("R2", JobState.VALIDATED, Actor.STATION, "", null);
            BlankFate fate = s.ledger().get(0).fate();
            sayBoth(assertThrows(StoreException.class, () -> s.transition("R2", JobState.ENCODING, Actor.STATION, "", "UID-01")),
                    "blanko UID-01 sudah ada di buku besar blanko (" + fate + "); satu blanko hanya boleh masuk printer satu kali",
                    "blank UID-01 is already in the ledger (" + fate + "); a blank can enter the printer only once");
            assertEquals(JobState.VALIDATED, s.job("R2").orElseThrow().state(), "the refused change was not made");
        }
    }

    @Test
    void aStoreOpenTwiceIsRefusedInBothLanguages() {
        try (StationStore s = StationStore.open(dir, "ST-01", CLOCK)) {
            StoreLockedException e = assertThrows(StoreLockedException.class, () -> StationStore.open(dir, "ST-01", CLOCK));
            assertTrue(e.message(Language.ID).startsWith("penyimpanan stasiun " + dir + " sudah dibuka di proses ini ("), e.message(Language.ID));
            assertTrue(e.getMessage().startsWith("the store " + dir + " is already open in this process ("), e.getMessage());
        }
    }

    // A StoreException (or StoreLockedException, StoreDamagedException) is built from a key of the store area, with
    // its arguments after it (and a cause before it): new StoreException("store.KEY", ...) or (cause, "store.KEY", ...).
    private static final Pattern BUILT = Pattern.compile("new (Store\\w*Exception)\\(");
    private static final Pattern KEYED = Pattern.compile("^\\s*(?:[A-Za-z_][\\w.()]*\\s*,\\s*)?\"(store\\.[\\w.]+)\"\\s*[,)]");

    @Test
    void everyStoreRefusalIsBuiltFromACatalogueKeyInBothLanguages() throws IOException {
        Path main = Path.of("src/main/java");
        assertTrue(Files.isDirectory(main.resolve("ktp/store")), "run from the station module");
        List<String> bad = new ArrayList<>();
        int built = 0;
        try (Stream<Path> files = Files.walk(main)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String src = Files.readString(f);
                Matcher m = BUILT.matcher(src);
                while (m.find()) {
                    if (m.group(1).equals("StoreFixtures")) continue;
                    built++;
                    int line = src.substring(0, m.start()).split("\n", -1).length;
                    String after = src.substring(m.end(), Math.min(src.length(), m.end() + 200));
                    Matcher k = KEYED.matcher(after);
                    if (!k.find()) {
                        bad.add(f + ":" + line + " builds a " + m.group(1) + " without a store.KEY first: " + after.lines().findFirst().orElse(""));
                        continue;
                    }
                    for (Language language : Language.values()) {
                        if (!Catalogue.keys(language).contains(k.group(1))) bad.add(f + ":" + line + " " + k.group(1) + " lacks " + language.code());
                    }
                }
            }
        }
        assertTrue(built >= 36, "the scan found the store's refusals (" + built + ")");
        assertEquals(List.of(), bad);
        // And the subclasses keep no constructor that takes a ready-made text.
        for (String kind : List.of("StoreException", "StoreLockedException", "StoreDamagedException")) {
            String src = Files.readString(main.resolve("ktp/store/" + kind + ".java"));
            assertFalse(src.contains("(String message"), kind + " takes a text that bypasses the catalogue");
        }
        // Every store key says the same placeholders in both languages.
        for (String key : Catalogue.keys(Language.EN)) {
            if (!key.startsWith("store.")) continue;
            assertTrue(Catalogue.keys(Language.ID).contains(key), key + " lacks id");
            Object[] marks = {"\u0001", "\u0002", "\u0003"};
            for (Object mark : marks) {
                assertEquals(Catalogue.text(Language.EN, key, marks).contains((String) mark), Catalogue.text(Language.ID, key, marks).contains((String) mark),
                        key + ": the same placeholders in both languages");
            }
        }
    }
}
