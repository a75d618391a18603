package ktp.sim;

import static org.junit.jupiter.api.Assertions.*;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import ktp.sim.records.DataCenterKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** `ktp station init` and `ktp station check-config [--probe]`: a bad configuration is named by key, exit 2. */
class StationConfigTest {
    @TempDir
    Path dir;

    private String valid(int printerPort, int scannerPort, int centralPort) throws Exception {
        DataCenterKey.fromSeed(5).writePublicKey(dir.resolve("trusted-keys"));
        Files.createDirectories(dir.resolve("keys"));
        Files.writeString(dir.resolve("keys/token.txt"), "demo-token-123\n");
        Files.writeString(dir.resolve("keys/issuer-master.hex"), "00112233445566778899AABBCCDDEEFF\n");
        new TelemetryTestKeys(dir.resolve("office")).stationFiles(dir, "ST-CFG-01");
        return """
                station:
                  id: ST-CFG-01
                  store: store
                central:
                  url: http://127.0.0.1:%d
                  plain_http: true
                  token_file: keys/token.txt
                trusted_keys: trusted-keys
                printers:
                  - name: P1
                    uri: tcp://127.0.0.1:%d
                    profile: evolis-primacy-dual-ymcko
                encoder:
                  reader: "Virtual PCD"
                  card_profile: ktpel-virtual
                  master_key: keys/issuer-master.hex
                scanner:
                  uri: tcp://127.0.0.1:%d
                  profile: r307
                telemetry:
                  broker: %s
                  signing_key: keys/telemetry-signing.key
                  office_keys: office-keys
                console:
                  listen: 127.0.0.1:8080
                """.formatted(centralPort, printerPort, scannerPort, SharedBroker.url());
    }

    private Path write(String yaml) throws Exception {
        Path f = dir.resolve("station.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    @Test
    void initWritesACommentedExampleThatNamesWhatIsStillMissing() throws Exception {
        Path out = dir.resolve("station.yaml");
        KtpRun init = KtpRun.of("station", "init", "--out", out.toString());
        assertEquals(0, init.exit(), init.err());
        assertTrue(Files.readString(out).contains("# ktp-station: one print station's configuration"));
        KtpRun again = KtpRun.of("station", "init", "--out", out.toString());
        assertEquals(2, again.exit());
        assertTrue(again.err().contains("sudah ada"), "in the operator's language by default: " + again.err());
        KtpRun check = KtpRun.of("station", "check-config", "--lang", "en", out.toString());
        assertEquals(2, check.exit());
        assertTrue(check.err().contains("central.ca") && check.err().contains("does not exist"), "the first thing to fix is named: " + check.err());
    }

    @Test
    void aValidConfigurationIsSummedUpAndProbedDeviceByDevice() throws Exception {
        try (ServerSocket printer = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
             ServerSocket scanner = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
             ServerSocket central = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            Path f = write(valid(printer.getLocalPort(), scanner.getLocalPort(), central.getLocalPort()));
            KtpRun ok = KtpRun.of("station", "check-config", "--lang", "en", f.toString());
            assertEquals(0, ok.exit(), ok.err());
            assertTrue(ok.out().contains("station    ST-CFG-01") && ok.out().contains("(evolis-primacy-dual-ymcko)") && ok.out().contains("KDF3 per card"), ok.out());
            assertTrue(ok.out().contains("(plain HTTP: demo only)"), ok.out());
            // Ports that take a connection and say nothing are not devices: the probe asks each in its protocol
            // (StationByHandTest shows real simulators answering, swapped ones and refused credentials).
            KtpRun probed = KtpRun.of("station", "check-config", "--lang", "en", f.toString(), "--probe");
            assertEquals(2, probed.exit(), probed.out() + probed.err());
            assertTrue(probed.out().contains("probe      encoder.reader /Virtual PCD/: answers"), "pcscd's vpcd reader is found: " + probed.out());
            assertTrue(probed.out().contains("printers[0].uri tcp://127.0.0.1:" + printer.getLocalPort() + ": FAILED: BUSY"), probed.out());
            assertTrue(probed.out().contains("scanner.uri tcp://127.0.0.1:" + scanner.getLocalPort() + ": FAILED: no R30x handshake"), probed.out());
            int closed = printer.getLocalPort();
            printer.close();
            KtpRun down = KtpRun.of("station", "check-config", "--lang", "en", f.toString(), "--probe");
            assertEquals(2, down.exit());
            assertTrue(down.err().contains("printers[0].uri tcp://127.0.0.1:" + closed + " DEAD: nothing answers"), down.err());
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "  id: ST-CFG-01|  idd: ST-CFG-01|station.id: is missing",
            "  id: ST-CFG-01|  id: ST/CFG|station.id: 'ST/CFG' must be 1 to 64 letters",
            "profile: evolis-primacy-dual-ymcko|profile: evolis-imaginary|printers[0].profile: ",
            "card_profile: ktpel-virtual|card_profile: no-such-card|encoder.card_profile: ",
            "profile: r307|profile: r999|scanner.profile: ",
            "  plain_http: true|  plain_http: false|central.url: is plain http://",
            "keys/issuer-master.hex|keys/token.txt|encoder.master_key: ",
            "trusted_keys: trusted-keys|trusted_keys: keys|trusted_keys: ",
            "    uri: tcp://127.0.0.1|    uri: lpt1://127.0.0.1|printers[0].uri: ",
            "  reader: \"Virtual PCD\"|  reader: \"Virtual (PCD\"|encoder.reader: is not a regular expression",
            "console:|consol:|unknown field",
            "  listen: 127.0.0.1:8080|  listen: everywhere|console.listen: must be HOST:PORT",
    })
    void eachMistakeIsNamedByItsKeyWithExitTwo(String from, String to, String expected) throws Exception {
        String yaml = valid(9100, 5001, 8480);
        assertTrue(yaml.contains(from), from);
        KtpRun r = KtpRun.of("station", "check-config", "--lang", "en", write(yaml.replace(from, to)).toString());
        assertEquals(2, r.exit(), r.out());
        assertTrue(r.err().contains(expected), "expected '" + expected + "' in: " + r.err());
        assertTrue(r.err().contains("station.yaml"), "the file is named: " + r.err());
    }

    @Test
    void eachPrinterMayNameTheReaderAtItsOwnChipStation() throws Exception {
        String yaml = valid(9100, 5001, 8480);
        String withReader = yaml.replace("    profile: evolis-primacy-dual-ymcko\n", "    profile: evolis-primacy-dual-ymcko\n    reader: \"OMNIKEY 5422\"\n");
        assertNotEquals(yaml, withReader);
        KtpRun ok = KtpRun.of("station", "check-config", "--lang", "en", write(withReader).toString());
        assertEquals(0, ok.exit(), ok.err());
        assertTrue(ok.out().contains("chip station reader /OMNIKEY 5422/"), ok.out());
        KtpRun bad = KtpRun.of("station", "check-config", "--lang", "en", write(withReader.replace("OMNIKEY 5422", "OMNIKEY (")).toString());
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains("printers[0].reader: is not a regular expression"), bad.err());
    }

    private static final Path PROFILES = Path.of(System.getProperty("ktp.repo", "..")).toAbsolutePath().normalize().resolve("firmware-profiles");

    @Test
    void theBiometricRetentionIsReadFromTheStationSectionAndNonsenseIsRefusedByName() throws Exception {
        String yaml = valid(9100, 5001, 8480);
        Path dflt = write(yaml);
        assertEquals(ktp.station.StationConfig.DEFAULT_BIOMETRIC_RETENTION_DAYS, ktp.station.StationConfig.load(dflt, PROFILES).biometricRetentionDays());
        String seven = yaml.replace("  store: store\n", "  store: store\n  biometric_retention_days: 7\n");
        assertNotEquals(yaml, seven);
        assertEquals(7, ktp.station.StationConfig.load(write(seven), PROFILES).biometricRetentionDays());
        for (String bad : new String[] {"0", "366", "2.5", "\"a month\""}) {
            KtpRun r = KtpRun.of("station", "check-config", "--lang", "en", write(yaml.replace("  store: store\n", "  store: store\n  biometric_retention_days: " + bad + "\n")).toString());
            assertEquals(2, r.exit(), bad + ": " + r.out());
            assertTrue(r.err().contains("station.biometric_retention_days"), bad + ": the field is named: " + r.err());
        }
    }
}
