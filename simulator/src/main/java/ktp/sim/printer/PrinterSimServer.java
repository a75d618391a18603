package ktp.sim.printer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import jssc.SerialPort;
import jssc.SerialPortException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Puts a simulated printer on a transport: a TCP port (one host at a time, as a printer's network adapter) or a serial device. */
public final class PrinterSimServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PrinterSimServer.class);

    private final ServerSocket server;
    private final SerialPort serialPort;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Socket current;

    private PrinterSimServer(ServerSocket server, SerialPort serialPort, Runnable loop, String name) {
        this.server = server;
        this.serialPort = serialPort;
        this.thread = new Thread(loop, name);
        this.thread.setDaemon(true);
    }

    public static PrinterSimServer tcp(SimulatedPrinter printer, InetSocketAddress address) throws IOException {
        ServerSocket ss = new ServerSocket();
        ss.setReuseAddress(true);
        ss.bind(address);
        PrinterSimServer[] self = new PrinterSimServer[1];
        self[0] = new PrinterSimServer(ss, null, () -> self[0].acceptLoop(printer), "printer-sim-tcp");
        self[0].thread.start();
        return self[0];
    }

    public static PrinterSimServer serial(SimulatedPrinter printer, String device, int baud) throws IOException {
        SerialPort port = new SerialPort(device);
        try {
            port.openPort();
            port.setParams(baud, SerialPort.DATABITS_8, SerialPort.STOPBITS_1, SerialPort.PARITY_NONE);
        } catch (SerialPortException e) {
            throw new IOException(device + ": cannot open (" + e.getExceptionType() + ")", e);
        }
        PrinterSimServer[] self = new PrinterSimServer[1];
        self[0] = new PrinterSimServer(null, port, () -> self[0].serialLoop(printer), "printer-sim-serial");
        self[0].thread.start();
        return self[0];
    }

    public int port() { return server == null ? -1 : server.getLocalPort(); }

    private void acceptLoop(SimulatedPrinter printer) {
        while (running) {
            try (Socket s = server.accept()) {
                current = s;
                s.setTcpNoDelay(true);
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                byte[] buf = new byte[65536];
                int n;
                while ((n = in.read(buf)) > 0) {
                    for (byte[] reply : printer.receive(buf, n)) out.write(reply);
                    out.flush();
                }
            } catch (IOException e) {
                if (running) LOG.debug("printer simulator connection ended: {}", e.getMessage());
            } finally {
                current = null;
            }
        }
    }

    private void serialLoop(SimulatedPrinter printer) {
        while (running) {
            try {
                int available = serialPort.getInputBufferBytesCount();
                if (available <= 0) {
                    Thread.sleep(2);
                    continue;
                }
                byte[] chunk = serialPort.readBytes(available);
                for (byte[] reply : printer.receive(chunk, chunk.length)) serialPort.writeBytes(reply);
            } catch (SerialPortException e) {
                if (running) LOG.warn("printer simulator serial port: {}", e.getExceptionType());
                return;
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() throws IOException {
        running = false;
        if (server != null) {
            server.close();
            Socket s = current;
            if (s != null) s.close();
        }
        if (serialPort != null) {
            try {
                serialPort.closePort();
            } catch (SerialPortException e) {
                throw new IOException(e.getExceptionType(), e);
            }
        }
        thread.interrupt();
    }
}
