package ktp.biometric;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import ktp.datafile.DataFile;
import ktp.datafile.DataFileException;

/** A fingerprint scanner model (firmware-profiles/scanners/ID.yaml), validated on load like every profile. */
public record ScannerProfile(String id, String protocol, int width, int height, int bits, double dpi, int baud, int replyTimeoutMs, int captureWaitSeconds) {

    public static ScannerProfile resolve(Path dir, String idOrFile) throws DataFileException {
        Path f = idOrFile.endsWith(".yaml") ? Path.of(idOrFile) : dir.resolve(idOrFile + ".yaml");
        if (!Files.isRegularFile(f)) throw new DataFileException(f.toString(), "", "no scanner profile '" + idOrFile + "'" + ktp.datafile.DataFile.knownIds(dir));
        return load(f);
    }

    public static ScannerProfile load(Path file) throws DataFileException {
        DataFile.Node root = DataFile.load(file);
        String id = root.text("id");
        if (!file.getFileName().toString().equals(id + ".yaml")) throw root.error("id", "is '" + id + "' but the file is " + file.getFileName());
        String protocol = root.oneOf("protocol", List.of("r30x", "image"), null);
        DataFile.Node img = root.object("image");
        int w = img.integer("width", 64, 2000);
        int h = img.integer("height", 64, 2000);
        int bits = img.integer("bits", 4, 8);
        if (bits != 4 && bits != 8) throw img.error("bits", "must be 4 (R30x modules) or 8");
        if (protocol.equals("r30x") && bits != 4) throw img.error("bits", "R30x modules send 4 bits a pixel");
        double dpi = img.number("dpi", 250, 1500);
        img.noOtherFields();
        DataFile.Node link = root.object("link");
        int baud = link.integer("baud", 0, 921600);
        int timeout = link.integer("reply_timeout_ms", 100, 60000);
        link.noOtherFields();
        int wait = root.integer("capture_wait_s", 1, 120);
        root.noOtherFields();
        return new ScannerProfile(id, protocol, w, h, bits, dpi, baud, timeout, wait);
    }
}
