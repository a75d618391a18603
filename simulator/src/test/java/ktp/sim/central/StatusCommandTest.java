package ktp.sim.central;

import static org.junit.jupiter.api.Assertions.*;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import ktp.sim.KtpRun;
import ktp.sim.records.FingerprintLibrary;
import ktp.sim.records.RecordGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `ktp status NIK --central URL` against the running simulated data center, over HTTPS and plain HTTP. */
class StatusCommandTest {
    @TempDir
    Path dir;

    private static KtpRun ktp(String... args) { return KtpRun.of(args); }

    @Test
    void printsStatusPhaseAndBothExplanationsOverHttpsAndRefusesBadInput() throws Exception {
        TestPki pki = TestPki.create(dir.resolve("pki"));
        pki.issueStation("ST-DEMO-01");
        String nik = new RecordGenerator(41, FingerprintLibrary.embedded(), RecordGenerator.defaultIssueDate(41)).identity(3).nik();
        try (CentralServer server = CentralServer.start(new CentralServer.Options(new InetSocketAddress("127.0.0.1", 0), dir.resolve("central"),
                41, 10, 0.0, 1e7, Duration.ofMinutes(5), pki, Map.of("ST-DEMO-01", "")))) {
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (server.readyToLease() < 10 && System.nanoTime() < deadline) Thread.sleep(50);
            String[] tls = {"--central", server.uri().toString(), "--ca", pki.caFile().toString(),
                    "--cert", pki.certificate("ST-DEMO-01").toString(), "--key", pki.key("ST-DEMO-01").toString()};
            KtpRun ok = ktp(concat(new String[] {"status", nik}, tls));
            assertEquals(0, ok.exit(), ok.err());
            assertTrue(ok.out().contains("Status       PRINT_READY_RECORD"), ok.out());
            assertTrue(ok.out().contains("Fase/Phase   6 Fase pencetakan / Printing"), ok.out());
            assertTrue(ok.out().contains("Keterangan   Data siap dicetak"), ok.out());
            assertTrue(ok.out().contains("Explanation  Ready to print"), ok.out());

            KtpRun unknown = ktp(concat(new String[] {"status", "1111111111111111"}, tls));
            assertEquals(1, unknown.exit());
            assertTrue(unknown.out().contains("not known"), unknown.out());

            assertEquals(2, ktp(concat(new String[] {"status", "12345"}, tls)).exit());
            KtpRun noCentral = ktp("status", nik);
            assertEquals(2, noCentral.exit());
            assertTrue(noCentral.err().contains("--central"), noCentral.err());
            KtpRun noTrust = ktp("status", nik, "--central", server.uri().toString());
            assertEquals(2, noTrust.exit());
            assertTrue(noTrust.err().contains("--ca"), noTrust.err());
            KtpRun plain = ktp("status", nik, "--central", "http://127.0.0.1:" + server.port());
            assertEquals(2, plain.exit());
            assertTrue(plain.err().contains("plain HTTP"), plain.err());
        }
    }

    @Test
    void plainHttpWorksOnlyWhenAskedForWithAToken() throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "token-of-the-demo\n");
        String nik = new RecordGenerator(42, FingerprintLibrary.embedded(), RecordGenerator.defaultIssueDate(42)).identity(0).nik();
        try (CentralServer server = CentralServer.start(new CentralServer.Options(new InetSocketAddress("127.0.0.1", 0), dir.resolve("central"),
                42, 3, 0.0, 1e7, Duration.ofMinutes(5), null, Map.of("ST-DEMO-01", "token-of-the-demo")))) {
            KtpRun ok = ktp("status", nik, "--central", server.uri().toString(), "--plain-http", "--token-file", token.toString());
            assertEquals(0, ok.exit(), ok.err());
            assertTrue(ok.out().contains("NIK          " + nik), ok.out());
            KtpRun noToken = ktp("status", nik, "--central", server.uri().toString(), "--plain-http");
            assertEquals(1, noToken.exit());
            assertTrue(noToken.err().contains("UNAUTHENTICATED"), noToken.err());
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
