package ktp.lab;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import javax.smartcardio.TerminalFactory;
import ktp.card.ApduTransport;
import ktp.card.SmartcardioTransport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lab's unplugged reader (the fault campaign's READER_UNPLUGGED): not listed while the flag file exists, back when it is gone. */
class LabReaderUnplugTest {
    @TempDir
    Path dir;

    @Test
    void theReaderIsNotListedWhileUnpluggedAndComesBack() throws Exception {
        try (LabReader reader = LabReader.listen("127.0.0.1", 0)) {
            Path flag = dir.resolve("lab-reader.unplugged");
            reader.unpluggedWhileExists(flag);
            TerminalFactory f = reader.factory();
            assertEquals(LabReader.NAME, SmartcardioTransport.reader(f, "KTP Lab").getName());
            Files.writeString(flag, "");
            ApduTransport.CardException e = assertThrows(ApduTransport.CardException.class, () -> SmartcardioTransport.reader(f, "KTP Lab"));
            assertTrue(e.getMessage().contains("no PC/SC reader found"), e.getMessage());
            Files.delete(flag);
            assertEquals(LabReader.NAME, SmartcardioTransport.reader(f, "KTP Lab").getName());
        }
    }
}
