package ktp.sim.records;

import com.machinezoo.fingerprintio.TemplateFormat;
import com.machinezoo.sourceafis.FingerprintCompatibility;
import com.machinezoo.sourceafis.FingerprintImage;
import com.machinezoo.sourceafis.FingerprintImageOptions;
import com.machinezoo.sourceafis.FingerprintTemplate;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Real fingerprint images named FINGER_IMPRESSION.(tif|png), as in the FVC databases, and the ISO/IEC
 * 19794-2:2005 templates SourceAFIS 3.18.1 extracts from them at the library's dpi. The synthetic resident's
 * chip template comes from impression 1 of a finger; later impressions of the same finger stand for the
 * holder's live finger at issuance.
 */
public final class FingerprintLibrary {
    private static final Pattern NAME = Pattern.compile("([0-9A-Za-z]+)_([0-9]+)\\.(tif|tiff|png)");
    private static final String EMBEDDED = "/ktp/sim/fingerprints/";

    private final String source;
    private final double dpi;
    private final Map<String, Map<Integer, Loader>> images;
    private final Map<String, FingerprintTemplate> templates = new HashMap<>();

    private interface Loader { byte[] load() throws IOException; }

    private FingerprintLibrary(String source, double dpi, Map<String, Map<Integer, Loader>> images) {
        if (images.isEmpty()) throw new IllegalArgumentException(source + " holds no image named FINGER_IMPRESSION.tif or .png");
        this.source = source;
        this.dpi = dpi;
        this.images = images;
    }

    /** The 24 FVC2002 DB1_B images shipped inside the simulator (500 dpi); see their README for source and licence. */
    public static FingerprintLibrary embedded() {
        Map<String, Map<Integer, Loader>> found = new TreeMap<>();
        try (InputStream index = FingerprintLibrary.class.getResourceAsStream(EMBEDDED + "index.txt")) {
            if (index == null) throw new IllegalStateException("the simulator's embedded fingerprint index is missing");
            for (String name : new String(index.readAllBytes(), StandardCharsets.US_ASCII).split("\\s+")) {
                if (name.isEmpty()) continue;
                add(found, name, () -> {
                    try (InputStream in = FingerprintLibrary.class.getResourceAsStream(EMBEDDED + name)) {
                        if (in == null) throw new IOException("embedded image " + name + " is missing");
                        return in.readAllBytes();
                    }
                });
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new FingerprintLibrary("the embedded FVC2002 DB1_B subset", 500, found);
    }

    /** Images in a folder, for example shared/data/fingerprints/fvc2002-db1b, at the given dpi. */
    public static FingerprintLibrary directory(Path dir, double dpi) throws IOException {
        if (!Files.isDirectory(dir)) throw new IOException("fingerprint folder " + dir + " does not exist");
        Map<String, Map<Integer, Loader>> found = new TreeMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) add(found, f.getFileName().toString(), () -> Files.readAllBytes(f));
        }
        return new FingerprintLibrary(dir.toString(), dpi, found);
    }

    private static void add(Map<String, Map<Integer, Loader>> found, String name, Loader loader) {
        Matcher m = NAME.matcher(name);
        if (m.matches()) found.computeIfAbsent(m.group(1), k -> new TreeMap<>()).put(Integer.parseInt(m.group(2)), loader);
    }

    public String source() { return source; }

    public double dpi() { return dpi; }

    public List<String> fingers() { return new ArrayList<>(images.keySet()); }

    public List<Integer> impressions(String finger) { return new ArrayList<>(new TreeSet<>(fingerImages(finger).keySet())); }

    private Map<Integer, Loader> fingerImages(String finger) {
        Map<Integer, Loader> m = images.get(finger);
        if (m == null) throw new IllegalArgumentException("no finger '" + finger + "' in " + source);
        return m;
    }

    /** The encoded image file (TIFF or PNG) of one impression. */
    public byte[] image(String finger, int impression) {
        Loader l = fingerImages(finger).get(impression);
        if (l == null) throw new IllegalArgumentException("finger " + finger + " has no impression " + impression + " in " + source);
        try {
            return l.load();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SourceAFIS's own template of one impression (extraction is costly, so it is cached). */
    public synchronized FingerprintTemplate template(String finger, int impression) {
        return templates.computeIfAbsent(finger + "_" + impression, k ->
                new FingerprintTemplate(new FingerprintImage(image(finger, impression), new FingerprintImageOptions().dpi(dpi))));
    }

    /**
     * The impression's template as an ISO/IEC 19794-2:2005 record, with the finger position set (SourceAFIS
     * writes 0, "unknown"; the chip needs to say which finger it is).
     */
    public byte[] isoTemplate(String finger, int impression, int fingerPosition) {
        byte[] iso = FingerprintCompatibility.exportTemplates(TemplateFormat.ISO_19794_2_2005, template(finger, impression));
        iso[24] = (byte) fingerPosition;
        return iso;
    }
}
