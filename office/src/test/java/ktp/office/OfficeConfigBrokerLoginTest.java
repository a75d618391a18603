package ktp.office;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import ktp.telemetry.BrokerSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * office.yaml's broker.passwords: on a broker set up by `ktp broker setup` each collector logs in as collector.NAME
 * and the dashboard's commands as office.commands, with the passwords from that folder; none when it is empty; a
 * missing or world-readable password file stops the start with the file named.
 */
class OfficeConfigBrokerLoginTest {
    @TempDir Path dir;

    @Test
    void theCollectorsAndTheCommandsLogInWithThePasswordsOfKtpBrokerSetup() throws Exception {
        Path yaml = dir.resolve("office.yaml");
        assertEquals(0, new picocli.CommandLine(new OfficeCli()).execute("init", yaml.toString()));
        OfficeConfig plain = OfficeConfig.load(yaml);
        BrokerSettings anonymous = plain.broker("collector.office-1");
        assertNull(anonymous.username(), "the template's broker has no logins");

        Path clients = Files.createDirectories(dir.resolve("clients"));
        Path pw = Files.writeString(clients.resolve("collector.office-1.password"), "s3cret-collector\n");
        Files.setPosixFilePermissions(pw, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(yaml, Files.readString(yaml).replace("passwords: \"\"", "passwords: clients"));
        OfficeConfig c = OfficeConfig.load(yaml);
        BrokerSettings login = c.broker("collector.office-1");
        assertEquals("collector.office-1", login.username());
        assertArrayEquals("s3cret-collector".toCharArray(), login.password());
        java.io.IOException missing = assertThrows(java.io.IOException.class, () -> c.broker("office.commands"));
        assertTrue(missing.getMessage().contains("office.commands.password") && missing.getMessage().contains("broker.passwords"), missing.getMessage());
        Files.setPosixFilePermissions(pw, PosixFilePermissions.fromString("rw-r--r--"));
        java.io.IOException open = assertThrows(java.io.IOException.class, () -> c.broker("collector.office-1"));
        assertTrue(open.getMessage().contains("readable by others") && open.getMessage().contains("collector.office-1.password"), open.getMessage());
    }
}
