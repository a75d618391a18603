package ktp.printer.link;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import jssc.SerialPort;
import jssc.SerialPortException;
import jssc.SerialPortTimeoutException;

/** A printer on a serial port (RS-232, a USB adapter, or a pty from socat), through jssc: 8 data bits, 1 stop bit, no parity. */
final class SerialLink implements PrinterLink {
    private final SerialPort port;
    private final int baud;

    private SerialLink(SerialPort port, int baud) {
        this.port = port;
        this.baud = baud;
    }

    static SerialLink open(String path, int baud) throws IOException {
        SerialPort p = new SerialPort(path);
        try {
            p.openPort();
            p.setParams(baud, SerialPort.DATABITS_8, SerialPort.STOPBITS_1, SerialPort.PARITY_NONE);
            p.purgePort(SerialPort.PURGE_RXCLEAR | SerialPort.PURGE_TXCLEAR);
        } catch (SerialPortException e) {
            try {
                if (p.isOpened()) p.closePort();
            } catch (SerialPortException ignored) {
                // already failing
            }
            throw new IOException("serial:" + path + ": cannot open (" + e.getExceptionType() + ")", e);
        }
        return new SerialLink(p, baud);
    }

    @Override
    public void send(byte[] bytes) throws IOException {
        try {
            if (!port.writeBytes(bytes)) throw new IOException(describe() + ": the write failed");
        } catch (SerialPortException e) {
            throw new IOException(describe() + ": " + e.getExceptionType(), e);
        }
    }

    @Override
    public byte[] receive(Duration timeout) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) throw new PrinterTimeoutException(describe(), timeout.toMillis(), got.toByteArray());
            byte[] b;
            try {
                b = port.readBytes(1, (int) Math.max(1, left));
            } catch (SerialPortTimeoutException e) {
                throw new PrinterTimeoutException(describe(), timeout.toMillis(), got.toByteArray());
            } catch (SerialPortException e) {
                throw new IOException(describe() + ": " + e.getExceptionType(), e);
            }
            got.write(b[0]);
            if (b[0] == 0x0D || b[0] == 0x00) return got.toByteArray();
            if (got.size() > 4096) throw new IOException(describe() + ": a reply longer than 4096 bytes without a terminator");
        }
    }

    @Override
    public boolean answers() { return true; }

    @Override
    public int baud() { return baud; }

    @Override
    public String describe() { return "serial:" + port.getPortName() + "?baud=" + baud; }

    @Override
    public void close() throws IOException {
        try {
            if (port.isOpened()) port.closePort();
        } catch (SerialPortException e) {
            throw new IOException(describe() + ": " + e.getExceptionType(), e);
        }
    }
}
