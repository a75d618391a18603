package ktp.datafile;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A key given twice in a YAML file the station reads is an error naming the file, the key and the line. On main
 * the last one won silently: a second `station:` block in station.yaml replaced the first, so the store path
 * an operator read at the top of the file was not the one used.
 */
class DuplicateKeyTest {
    static final Path REPO = Path.of(System.getProperty("ktp.repo", "..")).toAbsolutePath().normalize();

    @TempDir
    Path dir;

    interface Loader { Object load(Path file) throws DataFileException; }

    private void assertDuplicateRefused(Loader loader, Path file, String key) {
        DataFileException e = assertThrows(DataFileException.class, () -> loader.load(file), file + " with '" + key + "' twice");
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("the key '" + key + "' is given twice"), e.getMessage());
        assertTrue(e.getMessage().contains("line "), e.getMessage());
    }

    @Test
    void aSecondStationBlockInStationYamlIsRefused() throws Exception {
        Path yaml = dir.resolve("station.yaml");
        Files.writeString(yaml, String.join("\n",
                "station:", "  id: PONTIANAK-01", "  store: /var/lib/ktp/station",
                "central:", "  url: http://127.0.0.1:8080", "  plain_http: true",
                "station:", "  id: PONTIANAK-01", "  store: /tmp/elsewhere", ""));
        assertDuplicateRefused(f -> ktp.station.StationConfig.load(f, REPO.resolve("firmware-profiles")), yaml, "station");
    }

    @Test
    void aKeyTwiceInsideAMappingIsRefused() throws Exception {
        Path yaml = dir.resolve("nested.yaml");
        Files.writeString(yaml, "a:\n  b: 1\n  c: 2\n  b: 3\n");
        assertDuplicateRefused(DataFile::load, yaml, "b");
    }

    @Test
    void everyShippedProfileAndTemplateWithAKeyRepeatedIsRefused() throws Exception {
        record Shipped(String path, Loader loader) {}
        List<Shipped> shipped = List.of(
                new Shipped("firmware-profiles/cards/ktpel-virtual.yaml", ktp.card.CardProfile::load),
                new Shipped("firmware-profiles/printers/evolis-primacy-dual-ymcko.yaml", ktp.printer.PrinterProfile::load),
                new Shipped("firmware-profiles/printers/evolis-zenius-mono.yaml", ktp.printer.PrinterProfile::load),
                new Shipped("firmware-profiles/scanners/r307.yaml", ktp.biometric.ScannerProfile::load),
                new Shipped("firmware-profiles/scanners/image-500dpi.yaml", ktp.biometric.ScannerProfile::load),
                new Shipped("templates/ktpel.yaml", ktp.render.CardTemplate::load));
        for (Shipped s : shipped) {
            Path original = REPO.resolve(s.path());
            assertDoesNotThrow(() -> s.loader().load(original), s.path() + " as shipped");
            String text = Files.readString(original);
            String first = text.lines().filter(l -> l.matches("[a-z_]+:.*")).findFirst().orElseThrow();
            String key = first.substring(0, first.indexOf(':'));
            Path copy = dir.resolve(original.getFileName());
            Files.writeString(copy, text + (text.endsWith("\n") ? "" : "\n") + first + "\n");
            assertDuplicateRefused(s.loader(), copy, key);
        }
    }
}
