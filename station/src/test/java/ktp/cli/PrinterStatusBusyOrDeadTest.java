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
        try (ServerSocket held = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             Socket daemon = new Socket(InetAddress.getLoopbackAddress(), held.getLocalPort());
             Socket accepted = held.accept()) {
            // One host is served (the "daemon" above); the next connection waits in the backlog, unanswered.
            String busy = status("tcp://127.0.0.1:" + held.getLocalPort());
            assertTrue(busy.contains("BUSY") && busy.contains("one host at a time"), busy);
        }
        int free;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            free = s.getLocalPort();
        }
        String dead = status("tcp://127.0.0.1:" + free);
        assertTrue(dead.contains("DEAD") && dead.contains("nothing answers"), dead);
    }
}
