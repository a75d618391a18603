package ktp.datafile;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A technician's YAML mistakes come back as line, column and key in plain words, never the parser's own text;
 * a wrong value names its key and the line where it is. Run alone: mvn -q -pl station test -Dtest=DataFileErrorsTest
 */
class DataFileErrorsTest {
    @TempDir
    Path dir;

    private String error(String yaml) throws Exception {
        Path f = dir.resolve("station.yaml");
        Files.writeString(f, yaml);
        DataFileException e = assertThrows(DataFileException.class, () -> {
            DataFile.Node root = DataFile.load(f);
            DataFile.Node s = root.object("scanner");
            s.integer("baud", 9600, 115200);
            s.text("uri");
        });
        String m = e.getMessage();
        for (String raw : new String[] {"mapping values are not allowed", "while parsing", "expected <block end>", "MarkedYAMLException", "in 'reader'"}) {
            assertFalse(m.contains(raw), "SnakeYAML's raw text leaks: " + m);
        }
        return m;
    }

    @Test
    void anIndentationMistakeIsALineAColumnAKeyAndWhatToDo() throws Exception {
        String m = error("station:\n  id: ST-01\nscanner:\n  uri: tcp://127.0.0.1:9200\n    profile: r307\n");
        assertTrue(m.contains("line 5") && m.contains("column") && m.contains("indented differently"), m);
        assertTrue(m.contains("profile: r307"), "the line itself: " + m);

        m = error("scanner:\n  uri: tcp://127.0.0.1:9200\n profile: r307\n");
        assertTrue(m.contains("line 3") && m.contains("indentation does not line up"), m);

        m = error("scanner:\n\turi: tcp://127.0.0.1:9200\n");
        assertTrue(m.contains("line 2") && m.contains("tab"), m);

        m = error("scanner:\n  uri: tcp://127.0.0.1:9200\n  uri: tcp://127.0.0.1:9201\n");
        assertTrue(m.contains("'uri' is given twice"), m);
    }

    @Test
    void aWrongOrMissingValueNamesItsKeyAndWhereItIs() throws Exception {
        String m = error("station:\n  id: ST-01\nscanner:\n  uri: tcp://127.0.0.1:9200\n  baud: fast\n");
        assertTrue(m.contains("scanner.baud") && m.contains("line 5, column 3"), m);
        m = error("scanner:\n  baud: 57600\n");
        assertTrue(m.contains("scanner.uri") && m.contains("is missing") && m.contains("line 1") && m.contains("the scanner it belongs in"), m);
    }

    @Test
    void anUnknownProfileListsTheKnownOnes() throws Exception {
        Files.writeString(dir.resolve("r307.yaml"), "id: r307\n");
        Files.writeString(dir.resolve("r503.yaml"), "id: r503\n");
        assertTrue(DataFile.knownIds(dir).equals("; known: [r307, r503]"), DataFile.knownIds(dir));
        DataFileException e = assertThrows(DataFileException.class, () -> ktp.biometric.ScannerProfile.resolve(dir, "r308"));
        assertTrue(e.getMessage().contains("no scanner profile 'r308'; known: [r307, r503]"), e.getMessage());
    }
}
