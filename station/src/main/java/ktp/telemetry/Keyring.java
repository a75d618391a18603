package ktp.telemetry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import ktp.central.Pem;
import ktp.record.Signatures;
import ktp.telemetry.TelemetryCodec.Rejected;

/**
 * The public keys a reader of the telemetry contract trusts, and whose they are. On disk, a directory:
 * {@code OWNER.pem} files, each holding one or more PEM "CERTIFICATE" or "PUBLIC KEY" blocks of P-256 keys
 * (a station's registry entry is its client certificate, named after the station id; an office's key file is
 * named after the office or collector that signs with it), and an optional {@code revoked.txt}: one key id a
 * line, then why ({@code # comments} allowed). A certificate's common name must be its file's owner name, so
 * a certificate filed under the wrong station is refused on load rather than trusted for it. The directory is
 * read again when a file in it changes (checked at most once a second), so a revocation takes effect without a
 * restart. {@link #verify} refuses, cheapest check first, a key id not here, a key of another owner than the
 * one the topic names, a revoked key, and a signature that does not verify.
 */
public final class Keyring {
    private static final Pattern BLOCK = Pattern.compile("-----BEGIN (CERTIFICATE|PUBLIC KEY)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");
    public static final String REVOKED_FILE = "revoked.txt";

    /** Who signed a message that verified. */
    public record Signer(String owner, String kid) {
        @Override
        public String toString() { return owner + " (key " + kid.substring(0, 8) + ")"; }
    }

    private record Entry(String owner, PublicKey key) {}

    private record Snapshot(Map<String, Entry> byKid, Map<String, String> revoked, long stamp) {}

    private final Path dir;
    private volatile Snapshot snapshot;
    private volatile long checkedAt;

    private Keyring(Path dir, Snapshot s) {
        this.dir = dir;
        this.snapshot = s;
        this.checkedAt = System.nanoTime();
    }

    public static Keyring load(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) throw new IOException("key directory " + dir + " does not exist");
        Snapshot s = read(dir);
        if (s.byKid().isEmpty()) throw new IOException("key directory " + dir + " holds no OWNER.pem file with a P-256 key");
        return new Keyring(dir, s);
    }

    /**
     * A registry that may start empty (an office whose stations are registered while it runs): keys added to
     * the directory later are picked up like any change.
     */
    public static Keyring watch(Path dir) throws IOException {
        Files.createDirectories(dir);
        return new Keyring(dir, read(dir));
    }

    public Path directory() { return dir; }

    /** The owner of a key id, if the key is here (revoked or not). */
    public Optional<String> owner(String kid) {
        refresh();
        Entry e = snapshot.byKid().get(kid);
        return e == null ? Optional.empty() : Optional.of(e.owner());
    }

    public java.util.Set<String> owners() {
        refresh();
        java.util.Set<String> out = new java.util.TreeSet<>();
        snapshot.byKid().values().forEach(e -> out.add(e.owner()));
        return out;
    }

    /**
     * Checks who signed an opened message. {@code expectedOwner} is the one the topic names (a station's
     * events must be signed by that station), or null when any key here may sign (the office's keys).
     */
    public Signer verify(SignedMessage.Opened m, String expectedOwner) throws Rejected {
        refresh();
        Snapshot s = snapshot;
        String what = m.kind().name().toLowerCase(java.util.Locale.ROOT);
        Entry e = s.byKid().get(m.kid());
        if (e == null && System.nanoTime() - checkedAt > 200_000_000L) {
            // A station registered a moment ago: look again now rather than within the second (at most 5 times a second).
            checkedAt = 0;
            refresh();
            s = snapshot;
            e = s.byKid().get(m.kid());
        }
        if (e == null) throw new Rejected(Rejected.Kind.UNKNOWN_SIGNER, what + ": signed with key " + m.kid() + ", which is not in " + dir);
        if (expectedOwner != null && !e.owner().equals(expectedOwner)) {
            throw new Rejected(Rejected.Kind.WRONG_SIGNER, what + ": on " + expectedOwner + "'s topic but signed by " + e.owner() + " (key " + m.kid() + ")");
        }
        String why = s.revoked().get(m.kid());
        if (why != null) throw new Rejected(Rejected.Kind.REVOKED, what + ": signed by " + e.owner() + " with key " + m.kid() + ", revoked: " + why);
        if (!Signatures.verify(m.signingInput(), m.signature(), e.key())) {
            throw new Rejected(Rejected.Kind.BAD_SIGNATURE, what + ": the signature does not verify with " + e.owner() + "'s key " + m.kid());
        }
        return new Signer(e.owner(), m.kid());
    }

    /** A message whose signature verified: who signed it, and its body. */
    public record Verified(Signer signer, byte[] body) {}

    /** Opens the envelope and verifies it ({@link SignedMessage#open}, then {@link #verify}). */
    public Verified open(byte[] message, SignedMessage.Kind kind, String expectedOwner) throws Rejected {
        SignedMessage.Opened o = SignedMessage.open(message, kind);
        return new Verified(verify(o, expectedOwner), o.payload());
    }

    private void refresh() {
        long now = System.nanoTime();
        if (checkedAt != 0 && now - checkedAt < 1_000_000_000L) return;
        checkedAt = now;
        try {
            if (stamp(dir) == snapshot.stamp()) return;
            snapshot = read(dir);
        } catch (IOException e) {
            // A directory half-written by an administrator: keep the keys read last, and say so.
            org.slf4j.LoggerFactory.getLogger(Keyring.class).warn(ktp.i18n.StationLog.line("telemetry.keyringKept", dir, e.getMessage()));
        }
    }

    private static long stamp(Path dir) throws IOException {
        long h = Files.getLastModifiedTime(dir).toMillis();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) h = h * 31 + Files.getLastModifiedTime(f).toMillis() + f.getFileName().toString().hashCode() + Files.size(f);
        }
        return h;
    }

    private static Snapshot read(Path dir) throws IOException {
        long stamp = stamp(dir);
        Map<String, Entry> byKid = new HashMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.pem")) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                String owner = name.substring(0, name.length() - 4);
                for (PublicKey k : keys(file, owner)) byKid.put(TelemetryKey.kid(k), new Entry(owner, k));
            }
        }
        Map<String, String> revoked = new HashMap<>();
        Path r = dir.resolve(REVOKED_FILE);
        if (Files.exists(r)) {
            int n = 0;
            for (String line : Files.readAllLines(r, StandardCharsets.UTF_8)) {
                n++;
                String t = line.strip();
                if (t.isEmpty() || t.startsWith("#")) continue;
                String[] parts = t.split("\\s+", 2);
                if (!parts[0].matches("[0-9a-f]{32}")) throw new IOException(r + " line " + n + ": '" + parts[0] + "' is not a key id (32 hex digits)");
                revoked.put(parts[0], parts.length > 1 ? parts[1] : "(no reason given)");
            }
        }
        return new Snapshot(Map.copyOf(byKid), Map.copyOf(revoked), stamp);
    }

    private static List<PublicKey> keys(Path file, String owner) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        List<PublicKey> out = new java.util.ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        boolean firstCertificate = true;
        while (m.find()) {
            byte[] der = Base64.getMimeDecoder().decode(m.group(2));
            PublicKey k;
            if (m.group(1).equals("CERTIFICATE")) {
                // A chain file (the certificate, then its CA) names the owner in its first certificate only.
                if (!firstCertificate) continue;
                firstCertificate = false;
                X509Certificate c;
                try {
                    c = (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(new java.io.ByteArrayInputStream(der));
                } catch (java.security.cert.CertificateException e) {
                    throw new IOException(file + ": a certificate that cannot be read (" + e.getMessage() + ")", e);
                }
                String cn = commonName(c);
                if (!owner.equals(cn)) throw new IOException(file + ": the certificate is for '" + cn + "', not '" + owner + "' as the file name says");
                k = c.getPublicKey();
            } else {
                try {
                    k = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der));
                } catch (GeneralSecurityException e) {
                    throw new IOException(file + ": a PUBLIC KEY block that is not an EC key (" + e.getMessage() + ")", e);
                }
            }
            if (!TelemetryKey.isP256(k)) throw new IOException(file + ": the key is not a P-256 EC key (telemetry is signed with ES256)");
            out.add(k);
        }
        if (out.isEmpty()) throw new IOException(file + ": no CERTIFICATE or PUBLIC KEY block");
        return out;
    }

    private static String commonName(X509Certificate c) {
        for (String part : c.getSubjectX500Principal().getName(javax.security.auth.x500.X500Principal.RFC2253).split(",")) {
            if (part.startsWith("CN=")) return part.substring(3);
        }
        return "";
    }

    /** Files a public key under its owner (appending, so a station can have an old and a new key while it rotates). */
    public static void add(Path dir, String owner, PublicKey key) throws IOException {
        // Public keys are no secret, but the registry decides whom the office believes: only its owner may read or change it.
        ktp.datafile.PrivateFiles.createDirectories(dir);
        Path file = dir.resolve(owner + ".pem");
        if (!Files.exists(file)) Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(ktp.datafile.PrivateFiles.FILE));
        Files.writeString(file, Pem.encode("PUBLIC KEY", key.getEncoded()), StandardCharsets.US_ASCII, StandardOpenOption.APPEND);
    }

    /** Revokes a key id, with why (appended to revoked.txt; the readers pick it up within a second or two). */
    public static void revoke(Path dir, String kid, String reason) throws IOException {
        if (!kid.matches("[0-9a-f]{32}")) throw new IllegalArgumentException("'" + kid + "' is not a key id (32 hex digits)");
        Files.writeString(dir.resolve(REVOKED_FILE), kid + " " + reason.replaceAll("[\\r\\n]", " ") + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
