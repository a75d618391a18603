package ktp.printer.link;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Writes the exact byte stream a printer would receive, for support and diagnosis. It never answers. */
final class FileLink implements PrinterLink {
    private final Path file;
    private final OutputStream out;

    FileLink(Path file) throws IOException {
        this.file = file;
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        this.out = Files.newOutputStream(file);
    }

    @Override
    public void send(byte[] bytes) throws IOException { out.write(bytes); }

    @Override
    public byte[] receive(Duration timeout) { throw new UnsupportedOperationException("file:" + file + " records the stream and never answers"); }

    @Override
    public boolean answers() { return false; }

    @Override
    public int baud() { return 0; }

    @Override
    public String describe() { return "file:" + file; }

    @Override
    public void close() throws IOException { out.close(); }
}
