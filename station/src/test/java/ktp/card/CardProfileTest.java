package ktp.card;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import ktp.datafile.DataFileException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Card profiles are validated on load, and every error names the file, the field and the problem. */
class CardProfileTest {
    static final Path SHIPPED = Path.of(System.getProperty("ktp.repo", "..")).toAbsolutePath().normalize().resolve("firmware-profiles/cards/ktpel-virtual.yaml");

    @TempDir
    Path dir;

    @Test
    void theShippedProfileDescribesTheVirtualCard() throws Exception {
        CardProfile p = CardProfile.load(SHIPPED);
        assertEquals("ktpel-virtual", p.id());
        assertEquals("A000000151000000", HexFormat.of().withUpperCase().formatHex(p.securityDomainAid()));
        assertEquals("D36000004B5450454C", HexFormat.of().withUpperCase().formatHex(p.applicationAid()));
        assertEquals(224, p.blockBytes());
        assertEquals(1, p.keyVersion());
        assertEquals(CardProfile.Diversification.KDF3, p.diversification());
        assertEquals(29, p.fileOf(CardProfile.SOD));
        assertTrue(p.matchesAtr(HexFormat.of().parseHex("3B8A80014B5450454C2D53494D0031")));
        assertFalse(p.matchesAtr(HexFormat.of().parseHex("3B8A80014B5450454C2D53494D0032")));
    }

    private Path variant(String from, String to) throws Exception {
        String yaml = Files.readString(SHIPPED);
        assertTrue(yaml.contains(from), "the shipped profile has '" + from + "'");
        Path f = dir.resolve("ktpel-virtual.yaml");
        Files.writeString(f, yaml.replace(from, to));
        return f;
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "block_bytes: 224|block_bytes: 240|block_bytes: is 240: once padded, encrypted and MACed a block takes 264 bytes, more than apdu.max_command_data 255",
            "DG2: { file: 2,|DG2: { file: 1,|files.DG2: uses file 1, already used by DG1",
            "application_aid: D36000004B5450454C|application_aid: D3600G|application_aid: 'D3600G' is not hex",
            "security_domain_aid: A000000151000000|security_domain_aid: A0000001|security_domain_aid: is 4 bytes; an AID is 5 to 16",
            "extended_length: false|extended_length: true|apdu.extended_length: extended-length APDUs are not supported by this station yet",
            "diversification: kdf3|diversification: emv|scp03.diversification: is 'emv'; must be one of [none, kdf3]",
            "key_version: 1|key_version: 200|scp03.key_version: is 200; must be between 1 and 127",
            "atr: \"3B8A80014B5450454C2D53494D0031\"|atr: \"3B8A(\"|atr: is not a regular expression",
            "SOD: { file: 29, max_bytes: 4096 }|SOD: { file: 29, max_bytes: 4096, sizee: 1 }|files.SOD.sizee: unknown field",
            "DG4: { file: 4, max_bytes: 12288 }|DG4: { file: 4, max_bytes: 90000 }|files.DG4.max_bytes: is 90000; must be between 1 and 57344",
    })
    void aBrokenProfileIsRefusedNamingTheFieldAndTheProblem(String from, String to, String expected) throws Exception {
        DataFileException e = assertThrows(DataFileException.class, () -> CardProfile.load(variant(from, to)));
        assertTrue(e.getMessage().contains("ktpel-virtual.yaml") && e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void aMasterKeyFileIsCheckedWithoutEverShowingTheKey() throws Exception {
        CardProfile p = CardProfile.load(SHIPPED);
        Path good = dir.resolve("master.hex");
        Files.writeString(good, "00112233 44556677\n8899AABB CCDDEEFF\n");
        CardKeys k = CardKeys.masterFile(p, good);
        assertEquals(1, k.version());
        assertFalse(k.toString().contains("0011"), k.toString());
        Path bad = dir.resolve("bad.hex");
        Files.writeString(bad, "00112233445566778899AABBCCDDEEZZ");
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> CardKeys.masterFile(p, bad));
        assertFalse(e.getMessage().contains("00112233"), "the key is never echoed: " + e.getMessage());
        Path shortKey = dir.resolve("short.hex");
        Files.writeString(shortKey, "0011223344556677");
        assertTrue(assertThrows(java.io.IOException.class, () -> CardKeys.masterFile(p, shortKey)).getMessage().contains("16, 24 or 32 bytes, got 8"));
    }
}
