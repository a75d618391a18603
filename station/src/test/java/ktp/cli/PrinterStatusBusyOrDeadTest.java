package ktp.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * `ktp printer status` tells a printer another host holds (its one-host network port takes the connection and
 * stays silent, as the simulator and real adapters do while the daemon is connected) from a dead one (nothing
 * listens). Run alone: mvn -q -pl station test -Dtest=PrinterStatusBusyOrDeadTest
 */
class PrinterStatusBusyOrDeadTest {
    private static String status(String uri) {
        PrintStream err = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setErr(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            new picocli.CommandLine(new PrinterCommands.Status()).execute("--printer", uri);
        } finally {
            System.setErr(err);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aHeldPrinterIsBusyAndAnAbsentOneIsDead() throws Exception {
        CliText.reset(); // no language left over from another test in this JVM
        try (ServerSocket held = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             Socket daemon = new Socket(InetAddress.getLoopbackAddress(), held.getLocalPort());
             Socket accepted = held.accept()) {
            // One host is served (the "daemon" above); the next connection waits in the backlog, unanswered.
            String busy = status("tcp://127.0.0.1:" + held.getLocalPort());
            // In the operator's language (Indonesian unless --lang en); the code BUSY stays, for a search in the docs.
            assertTrue(busy.contains("BUSY") && busy.contains("melayani satu host saja"), busy);
        }
        int free;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            free = s.getLocalPort();
        }
        String dead = status("tcp://127.0.0.1:" + free);
        assertTrue(dead.contains("DEAD") && dead.contains("tidak ada yang menjawab"), dead);
        CliText.choose("en");
        try {
            String english = status("tcp://127.0.0.1:" + free);
            assertTrue(english.contains("DEAD") && english.contains("nothing answers"), english);
        } finally {
            CliText.reset();
        }
    }
}
