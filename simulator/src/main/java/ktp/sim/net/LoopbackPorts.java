package ktp.sim.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free ports for servers that must be told their port before they bind it (Moquette, Mosquitto, the daemon's
 * console and data center in a configuration file). A port the kernel hands out for bind(0) comes from its
 * ephemeral range, the same range outgoing connections take their local ports from: between choosing it and the
 * server binding it, a connection of this or another process (test JVMs run side by side) may take it, and the
 * server then fails to bind or, worse, its clients meet another server. So the port is chosen below that range,
 * where outgoing connections never land, and checked free just before it is handed out. A server that cannot bind
 * port 0 itself should still check {@link #bindable} after its start, since another process may choose the same.
 */
public final class LoopbackPorts {
    private LoopbackPorts() {}

    /** A port on {@code host} that could be bound just now, below the kernel's ephemeral range when there is room. */
    public static int free(InetAddress host) throws IOException {
        int low = ephemeralLow();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < 200 && low > 11_000; i++) {
            int candidate = random.nextInt(10_000, low);
            if (bindable(host, candidate)) return candidate;
        }
        try (ServerSocket s = new ServerSocket(0, 1, host)) {
            return s.getLocalPort();
        }
    }

    /** A free port on the loopback address. */
    public static int free() throws IOException { return free(InetAddress.getLoopbackAddress()); }

    /** Whether {@code port} on {@code host} can be bound now (false: somebody holds it). */
    public static boolean bindable(InetAddress host, int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(host, port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int ephemeralLow() {
        // Read by lines: Files.readString reads only the first byte of this /proc file ("3"), since /proc reports a
        // size that is not the text's.
        try {
            return Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32768; // not Linux, or unreadable: the usual default
        }
    }
}
