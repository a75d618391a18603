package ktp.sim.net;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class LoopbackPortsTest {
    @Test
    void aFreePortIsBelowTheEphemeralRangeAndBindableAndAHeldOneIsNot() throws Exception {
        int low = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim().split("\\s+")[0]);
        InetAddress lo = InetAddress.getLoopbackAddress();
        for (int i = 0; i < 20; i++) {
            int port = LoopbackPorts.free();
            assertTrue(port >= 10_000 && port < low, "port " + port + " below the ephemeral range starting at " + low);
            assertTrue(LoopbackPorts.bindable(lo, port));
            try (ServerSocket held = new ServerSocket()) {
                held.bind(new InetSocketAddress(lo, port), 1);
                assertFalse(LoopbackPorts.bindable(lo, port), "a held port is not bindable");
            }
        }
    }
}
