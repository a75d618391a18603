package ktp.printer.link;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

/** A printer (or its network adapter) on a TCP port. Nagle is off: commands are small and each waits for its reply. */
final class TcpLink implements PrinterLink {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final String name;

    private TcpLink(Socket socket, String name) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.name = name;
    }

    static TcpLink connect(String host, int port, Duration timeout) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            s.setTcpNoDelay(true);
        } catch (IOException e) {
            s.close();
            throw new IOException("tcp://" + host + ":" + port + ": cannot connect (" + e.getMessage() + ")", e);
        }
        return new TcpLink(s, "tcp://" + host + ":" + port);
    }

    @Override
    public void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    @Override
    public byte[] receive(Duration timeout) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) throw new PrinterTimeoutException(name, timeout.toMillis(), got.toByteArray());
            socket.setSoTimeout((int) Math.max(1, left));
            int b;
            try {
                b = in.read();
            } catch (SocketTimeoutException e) {
                throw new PrinterTimeoutException(name, timeout.toMillis(), got.toByteArray());
            }
            if (b < 0) throw new IOException(name + ": the printer closed the connection" + (got.size() == 0 ? "" : " after " + got.size() + " bytes of a reply"));
            got.write(b);
            if (b == 0x0D || b == 0x00) return got.toByteArray();
            if (got.size() > 4096) throw new IOException(name + ": a reply longer than 4096 bytes without a terminator: not this printer's protocol");
        }
    }

    @Override
    public boolean answers() { return true; }

    @Override
    public int baud() { return 0; }

    @Override
    public String describe() { return name; }

    @Override
    public void close() throws IOException { socket.close(); }
}
