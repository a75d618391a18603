package ktp.telemetry;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import javax.net.SocketFactory;
import javax.net.ssl.SSLSocketFactory;

/**
 * Socket factories for Paho that turn Nagle's algorithm off (TCP_NODELAY). Paho leaves it on; a station
 * publishing several signed batches in a row then had each batch after the first held back until the broker
 * acknowledged the previous segment, which Linux delays by up to 40 ms: the outbox drain stood still for 40 ms
 * every few batches (measured with `ktp bench telemetry`, docs/telemetry.md). Paho creates the socket unconnected
 * ({@code createSocket()}) and connects it itself, so only that method needs the option; the others do it too.
 */
final class NoDelaySockets {
    private NoDelaySockets() {}

    private static <S extends Socket> S noDelay(S s) throws IOException {
        s.setTcpNoDelay(true);
        return s;
    }

    /** Plain TCP ({@code tcp://}). */
    static SocketFactory plain() {
        SocketFactory d = SocketFactory.getDefault();
        return new SocketFactory() {
            @Override
            public Socket createSocket() throws IOException { return noDelay(d.createSocket()); }

            @Override
            public Socket createSocket(String host, int port) throws IOException { return noDelay(d.createSocket(host, port)); }

            @Override
            public Socket createSocket(String host, int port, InetAddress local, int localPort) throws IOException {
                return noDelay(d.createSocket(host, port, local, localPort));
            }

            @Override
            public Socket createSocket(InetAddress host, int port) throws IOException { return noDelay(d.createSocket(host, port)); }

            @Override
            public Socket createSocket(InetAddress host, int port, InetAddress local, int localPort) throws IOException {
                return noDelay(d.createSocket(host, port, local, localPort));
            }
        };
    }

    /** TLS ({@code ssl://}): Paho requires an {@link SSLSocketFactory} there. */
    static SSLSocketFactory tls(SSLSocketFactory d) {
        return new SSLSocketFactory() {
            @Override
            public String[] getDefaultCipherSuites() { return d.getDefaultCipherSuites(); }

            @Override
            public String[] getSupportedCipherSuites() { return d.getSupportedCipherSuites(); }

            @Override
            public Socket createSocket() throws IOException { return noDelay(d.createSocket()); }

            @Override
            public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
                s.setTcpNoDelay(true);
                return d.createSocket(s, host, port, autoClose);
            }

            @Override
            public Socket createSocket(String host, int port) throws IOException { return noDelay(d.createSocket(host, port)); }

            @Override
            public Socket createSocket(String host, int port, InetAddress local, int localPort) throws IOException {
                return noDelay(d.createSocket(host, port, local, localPort));
            }

            @Override
            public Socket createSocket(InetAddress host, int port) throws IOException { return noDelay(d.createSocket(host, port)); }

            @Override
            public Socket createSocket(InetAddress host, int port, InetAddress local, int localPort) throws IOException {
                return noDelay(d.createSocket(host, port, local, localPort));
            }
        };
    }
}
