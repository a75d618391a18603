package ktp.printer.link;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import ktp.printer.PrinterProfile;

/**
 * Moves bytes to and from a printer; knows nothing of commands. Named by URI: {@code serial:/dev/ttyUSB0?baud=115200}
 * (jssc), {@code tcp://host:port}, or {@code file:PATH} (writes the exact byte stream, for support; it never answers).
 */
public interface PrinterLink extends AutoCloseable {
    void send(byte[] bytes) throws IOException;

    /** One reply, up to and including its terminator (CR, or NUL as over USB). */
    byte[] receive(Duration timeout) throws IOException;

    /** False for a link that only records (file:): the driver then assumes every command succeeded. */
    boolean answers();

    /** Bits per second on the wire, when known (serial), else 0. */
    int baud();

    String describe();

    @Override
    void close() throws IOException;

    static PrinterLink open(String uri, PrinterProfile.Link defaults) throws IOException {
        if (uri.startsWith("file:")) return new FileLink(Path.of(uri.substring("file:".length())));
        if (uri.startsWith("tcp://")) {
            URI u = URI.create(uri);
            if (u.getHost() == null || u.getPort() < 1) throw new IllegalArgumentException("a TCP printer is tcp://HOST:PORT, got " + uri);
            return TcpLink.connect(u.getHost(), u.getPort(), Duration.ofSeconds(3));
        }
        if (uri.startsWith("serial:")) {
            String rest = uri.substring("serial:".length());
            int q = rest.indexOf('?');
            String path = q < 0 ? rest : rest.substring(0, q);
            int baud = defaults.baud();
            if (q >= 0) {
                for (String kv : rest.substring(q + 1).split("&")) {
                    String[] p = kv.split("=", 2);
                    if (p[0].equals("baud") && p.length == 2) {
                        try {
                            baud = Integer.parseInt(p[1]);
                        } catch (NumberFormatException e) {
                            throw new IllegalArgumentException("baud must be a number in " + uri);
                        }
                    } else throw new IllegalArgumentException("unknown serial option '" + p[0] + "' in " + uri + " (known: baud)");
                }
            }
            if (path.isEmpty()) throw new IllegalArgumentException("a serial printer is serial:/dev/ttyXXX[?baud=N], got " + uri);
            return SerialLink.open(path, baud);
        }
        throw new IllegalArgumentException("unknown printer link '" + uri + "'; use serial:/dev/ttyUSB0?baud=115200, tcp://host:port or file:PATH");
    }
}
