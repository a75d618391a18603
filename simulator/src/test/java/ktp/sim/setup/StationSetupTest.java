package ktp.sim.setup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import ktp.printer.PrinterProfile;
import ktp.sim.KtpRun;
import ktp.sim.printer.PrinterSimServer;
import ktp.sim.printer.SimulatedPrinter;
import ktp.sim.records.DataCenterKey;
import ktp.store.BlankFate;
import ktp.store.LedgerEntry;
import ktp.store.StationStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `ktp station setup` driven through standard input as a technician answers it, wrong answers included: each is
 * refused with its reason in Indonesian (the default) and asked again; the configuration it writes passes
 * `check-config`; the blanks loaded are in the store's audit log and the test print went to the printer simulator,
 * its blank ledgered as spoiled (checked in the store and the simulator's own counter, not setup's words). In
 * English with --lang en; the input ending early is a clear error and writes nothing.
 * Run alone: mvn -B -o -pl station,simulator -am test -Dtest=StationSetupTest -Dsurefire.failIfNoSpecifiedTests=false
 */
class StationSetupTest {
    @TempDir
    Path lab;

    private static KtpRun withInput(String input, String... args) {
        InputStream old = System.in;
        try {
            System.setIn(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
            return KtpRun.of(args);
        } finally {
            System.setIn(old);
        }
    }

    private void secret(String name, String text) throws Exception {
        Path f = lab.resolve(name);
        Files.createDirectories(f.getParent());
        Files.writeString(f, text);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void aTechnicianAnswersTheChecklistAndGetsAWorkingStation() throws Exception {
        // What the technician brings: the data center's key, the office's key, the token and the broker password.
        DataCenterKey.fromSeed(7).writePublicKey(lab.resolve("trusted-keys"));
        java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
        g.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
        Files.createDirectories(lab.resolve("office-keys"));
        Files.writeString(lab.resolve("office-keys/office-1.pem"), "-----BEGIN PUBLIC KEY-----\n"
                + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(g.generateKeyPair().getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n");
        secret("keys/token.txt", "lab-token-1\n");
        Files.writeString(lab.resolve("keys/open-token.txt"), "lab-token-1\n");
        Files.setPosixFilePermissions(lab.resolve("keys/open-token.txt"), PosixFilePermissions.fromString("rw-r--r--"));
        secret("broker/clients/ST-SETUP-01.password", "broker-pw\n");

        PrinterProfile profile = PrinterProfile.resolve(ktp.cli.Paths.printerProfiles(), "evolis-primacy-dual-ymcko");
        SimulatedPrinter printer = new SimulatedPrinter(profile, 1000, lab.resolve("cards"));
        try (PrinterSimServer server = PrinterSimServer.tcp(printer, new InetSocketAddress("127.0.0.1", 0))) {
            String answers = String.join("\n", List.of(
                    "ST 01", "ST-SETUP-01", "",                                    // 1: a bad id, then a good one; the store's default
                    "ftp://dc", "http://127.0.0.1:8480", "keys/open-token.txt", "", // 2: a bad URL; a token others can read, then the default
                    "", "", "", "",                                                 // 3: trusted keys, a new signing key, office keys, test keys
                    "tcp:127.0.0.1:" + server.port(), "evolis-x", "", "", "", "", "tcp://127.0.0.1:9200", "", // 4: old address form, unknown profile
                    "tcp://127.0.0.1:1883", "", "",                                 // 5: the broker, its user and password file by default
                    "", "", "Budi!", "budi", "short", "budi-password-1", "sari", "", "sari-password-1", "", // 6: accounts
                    "lots", "50", "SJ-2026-001",                                    // 7: blanks loaded
                    "mungkin", "ya")) + "\n";                                       // 8: the test print
            KtpRun setup = withInput(answers, "station", "setup", "--out", lab.resolve("station.yaml").toString());
            String out = setup.out();
            assertEquals(0, setup.exit(), out + setup.err());

            // Indonesian by default; every wrong answer refused with its reason and asked again.
            assertTrue(out.contains("[1/8] Stasiun: ID dan tempat penyimpanannya") && out.contains("[8/8] Cetak uji"), out);
            assertTrue(out.contains("tidak diterima: 1 sampai 64 huruf, angka, '_' atau '-'"), out);
            assertTrue(out.contains("tidak diterima: bukan URL berbentuk https://"), out);
            assertTrue(out.contains("open-token.txt dapat dibaca pengguna lain: jadikan hanya pemilik (chmod 600)"), out);
            assertTrue(out.contains("no printer profile 'evolis-x'") && out.contains("known: [") && out.contains("evolis-primacy-dual-ymcko"), out);
            assertTrue(out.contains("tcp:127.0.0.1:" + server.port() + " adalah bentuk alamat lama; ditulis sebagai tcp://127.0.0.1:" + server.port()), out);
            assertTrue(out.contains("tidak diterima: 2 sampai 32 karakter") && out.contains("tidak diterima: paling sedikit 10 karakter"), out);
            assertTrue(out.contains("tidak diterima: angka dari 0 sampai 100000") && out.contains("tidak diterima: jawab ya atau tidak"), out);
            assertTrue(out.contains("kartu uji tercetak"), out);
            assertTrue(!out.contains("budi-password-1") && !out.contains("lab-token-1"), "no secret echoed");

            // What it wrote loads, as the station's own check says.
            KtpRun check = KtpRun.of("station", "check-config", lab.resolve("station.yaml").toString(), "--lang", "en");
            assertEquals(0, check.exit(), check.out() + check.err());
            assertTrue(check.out().contains("printer    P1 tcp://127.0.0.1:" + server.port() + " (evolis-primacy-dual-ymcko)"), check.out());
            assertTrue(check.out().contains("console    http://127.0.0.1:8080"), check.out());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(lab.resolve("keys/telemetry-signing.key"))));
            ktp.console.Users users = ktp.console.Users.load(lab.resolve("console-users.json"));
            assertEquals(ktp.store.Role.SUPERVISOR, users.find("budi").orElseThrow().role());
            assertEquals(ktp.store.Role.OPERATOR, users.find("sari").orElseThrow().role());

            // The store and the printer, read for themselves: 50 blanks in with their reference, one out on the test print, spoiled.
            assertEquals(1, printer.printed(), "the printer simulator printed the test card");
            try (StationStore st = StationStore.openReadOnly(lab.resolve("store"), Clock.systemUTC())) {
                assertEquals(50, st.blanksLoadedTotal());
                assertTrue(st.auditLog().stream().anyMatch(a -> a.action().equals(StationStore.BLANKS_LOADED) && a.actor().equals("technician:setup")
                        && a.detail().contains("SJ-2026-001")), st.auditLog().toString());
                List<LedgerEntry> ledger = st.ledger();
                assertEquals(1, ledger.size(), ledger.toString());
                assertEquals(BlankFate.SPOILED, ledger.get(0).fate());
                assertTrue(ledger.get(0).reason().contains("test print") && ledger.get(0).blankId().startsWith("TEST-"), ledger.toString());
            }
        }

        // English when asked; the input ending early is an error naming the question, and nothing is written.
        KtpRun en = withInput("ST 01\n", "station", "setup", "--out", lab.resolve("en.yaml").toString(), "--lang", "en");
        assertEquals(2, en.exit(), en.out() + en.err());
        assertTrue(en.out().contains("[1/8] The station: its id and its store") && en.out().contains("not taken: 1 to 64 letters"), en.out());
        assertTrue(en.err().contains("the input ended before an answer to: Station id"), en.err());
        assertTrue(!Files.exists(lab.resolve("en.yaml")), "nothing written");
        KtpRun again = withInput("", "station", "setup", "--out", lab.resolve("station.yaml").toString(), "--lang", "en");
        assertEquals(2, again.exit());
        assertTrue(again.err().contains("exists already"), again.err());
    }
}
