package ktp.card;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import ktp.datafile.DataFile;
import ktp.datafile.DataFileException;

/**
 * A chip model (firmware-profiles/cards/ID.yaml), validated on load: which ATRs it answers with, its security
 * domain and KTP-el application AIDs, where each data group lives and how large it may be, the SCP03 key
 * version and how per-card keys are derived, and how much a command may carry (docs/card-profiles.md).
 *
 * <p>Groups are the logical names DG1..DG4 and SOD; {@link #fileOf} maps them to the chip's file numbers.
 */
public record CardProfile(String id, Pattern atr, byte[] securityDomainAid, byte[] applicationAid,
                          Map<Integer, FileSlot> files, int blockBytes, int maxCommandData,
                          int keyVersion, Diversification diversification) {

    /** Where one data group lives on the chip and the most it may hold. */
    public record FileSlot(int file, int maxBytes) {}

    /** How the station derives a card's static keys from the master key (docs/card-profiles.md). */
    public enum Diversification {
        /** The master key is every card's key: only for test cards. */
        NONE,
        /** GlobalPlatformPro's KDF3: NIST SP 800-108 AES-CMAC over the card's 10-byte key diversification data. */
        KDF3
    }

    /** The group key of the security object in {@link #files} (DG1..DG4 are 1..4). */
    public static final int SOD = KtpelApplet.SOD;

    public static CardProfile resolve(Path dir, String idOrFile) throws DataFileException {
        Path f = idOrFile.endsWith(".yaml") ? Path.of(idOrFile) : dir.resolve(idOrFile + ".yaml");
        if (!Files.isRegularFile(f)) throw new DataFileException(f.toString(), "", "no card profile '" + idOrFile + "'" + ktp.datafile.DataFile.knownIds(dir));
        return load(f);
    }

    public static CardProfile load(Path file) throws DataFileException {
        DataFile.Node root = DataFile.load(file);
        String id = root.text("id");
        if (!file.getFileName().toString().equals(id + ".yaml")) throw root.error("id", "is '" + id + "' but the file is " + file.getFileName());
        root.text("description", "");
        Pattern atr;
        try {
            atr = Pattern.compile(root.text("atr"), Pattern.CASE_INSENSITIVE);
        } catch (PatternSyntaxException e) {
            throw root.error("atr", "is not a regular expression: " + e.getDescription());
        }
        byte[] sd = aid(root, "security_domain_aid");
        byte[] app = aid(root, "application_aid");
        DataFile.Node apdu = root.object("apdu");
        int maxData = apdu.integer("max_command_data", 16, 255);
        if (apdu.bool("extended_length", false)) throw apdu.error("extended_length", "extended-length APDUs are not supported by this station yet; describe the card with short APDUs (max_command_data up to 255)");
        apdu.noOtherFields();
        int block = root.integer("block_bytes", 16, 255);
        // Level 33 pads each block to whole AES blocks (80 00..) and adds an 8-byte C-MAC: that must fit one command.
        int wrapped = (block / 16 + 1) * 16 + 8;
        if (wrapped > maxData) throw root.error("block_bytes", "is " + block + ": once padded, encrypted and MACed a block takes " + wrapped + " bytes, more than apdu.max_command_data " + maxData);
        Map<Integer, FileSlot> files = new LinkedHashMap<>();
        DataFile.Node layout = root.object("files");
        for (String group : List.of("DG1", "DG2", "DG3", "DG4", "SOD")) {
            DataFile.Node g = layout.object(group);
            int f = g.integer("file", 1, 30);
            int max = g.integer("max_bytes", 1, 256 * block);
            g.noOtherFields();
            int key = group.equals("SOD") ? SOD : group.charAt(2) - '0';
            for (Map.Entry<Integer, FileSlot> other : files.entrySet()) {
                if (other.getValue().file() == f) throw layout.error(group, "uses file " + f + ", already used by " + name(other.getKey()));
            }
            files.put(key, new FileSlot(f, max));
        }
        layout.noOtherFields();
        DataFile.Node scp = root.object("scp03");
        int version = scp.integer("key_version", 1, 0x7F);
        Diversification d = Diversification.valueOf(scp.oneOf("diversification", List.of("none", "kdf3"), null).toUpperCase());
        int level = scp.integer("security_level", 0x33, 0x33, 0x33);
        if (level != 0x33) throw scp.error("security_level", "must be 51 (0x33)");
        scp.noOtherFields();
        root.noOtherFields();
        return new CardProfile(id, atr, sd, app, Map.copyOf(files), block, maxData, version, d);
    }

    private static byte[] aid(DataFile.Node root, String field) throws DataFileException {
        String s = root.text(field).replace(" ", "");
        byte[] b;
        try {
            b = HexFormat.of().parseHex(s);
        } catch (IllegalArgumentException e) {
            throw root.error(field, "'" + s + "' is not hex");
        }
        if (b.length < 5 || b.length > 16) throw root.error(field, "is " + b.length + " bytes; an AID is 5 to 16");
        return b;
    }

    public static String name(int group) { return group == SOD ? "SOD" : "DG" + group; }

    public int fileOf(int group) {
        FileSlot s = files.get(group);
        if (s == null) throw new IllegalArgumentException("no such data group: " + group);
        return s.file();
    }

    /** True when the card's ATR (as read by the reader) is one this profile describes. */
    public boolean matchesAtr(byte[] atrBytes) { return atr.matcher(HexFormat.of().withUpperCase().formatHex(atrBytes)).matches(); }

    /** The groups in writing order: DG1..DG4, then the security object last so a half-written chip has none. */
    public List<Integer> groups() { return List.of(1, 2, 3, 4, SOD); }
}
