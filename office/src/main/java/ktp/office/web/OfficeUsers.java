package ktp.office.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * The dashboard's accounts: a file of {@code NAME ROLE pbkdf2-sha256$ITERATIONS$SALT$HASH} lines, readable by
 * the office's user only. Roles: {@code viewer} (figures, stations, alerts, exports) and {@code supervisor}
 * (the same; commands from the page are to come). Passwords are never stored, logged or shown.
 */
public final class OfficeUsers {
    public enum Role { VIEWER, SUPERVISOR }

    public record User(String name, Role role, String hash) {}

    private static final int ITERATIONS = 210_000;
    private final Map<String, User> users;

    private OfficeUsers(Map<String, User> users) { this.users = users; }

    public static OfficeUsers load(Path file) throws IOException {
        Map<String, User> out = new LinkedHashMap<>();
        if (!Files.exists(file)) return new OfficeUsers(out);
        if (ktp.datafile.PrivateFiles.readableByOthers(file)) throw new IOException(file + ": the dashboard's users file is readable by others (chmod 600 it)");
        int n = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            n++;
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) continue;
            String[] p = t.split("\\s+");
            if (p.length != 3 || !p[2].startsWith("pbkdf2-sha256$")) throw new IOException(file + " line " + n + ": expected NAME ROLE pbkdf2-sha256$...");
            out.put(p[0], new User(p[0], role(file, n, p[1]), p[2]));
        }
        return new OfficeUsers(out);
    }

    private static Role role(Path file, int line, String r) throws IOException {
        try {
            return Role.valueOf(r.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + " line " + line + ": role '" + r + "' is not viewer or supervisor");
        }
    }

    /** Adds or replaces an account (the file written owner-only). */
    public static void put(Path file, String name, Role role, char[] password) throws IOException {
        if (!name.matches("[a-z0-9._-]{2,32}")) throw new IllegalArgumentException("a user name is 2 to 32 of a-z, 0-9, '.', '_', '-': '" + name + "'");
        if (password.length < 10) throw new IllegalArgumentException("a password has at least 10 characters");
        OfficeUsers u = load(file);
        u.users.put(name, new User(name, role, hash(password)));
        StringBuilder b = new StringBuilder("# ktp office dashboard users: NAME ROLE HASH (ktp office user add)\n");
        u.users.values().forEach(x -> b.append(x.name()).append(' ').append(x.role().name().toLowerCase(java.util.Locale.ROOT)).append(' ').append(x.hash()).append('\n'));
        ktp.datafile.PrivateFiles.writeString(file, b.toString());
    }

    /** The user, when the password is theirs (the same work is done for an unknown name). */
    public Optional<User> check(String name, char[] password) {
        User u = users.get(name);
        String hash = u != null ? u.hash() : "pbkdf2-sha256$" + ITERATIONS + "$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        boolean ok = verify(password, hash);
        return ok && u != null ? Optional.of(u) : Optional.empty();
    }

    public int size() { return users.size(); }

    static String hash(char[] password) {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        Base64.Encoder b = Base64.getEncoder().withoutPadding();
        return "pbkdf2-sha256$" + ITERATIONS + "$" + b.encodeToString(salt) + "$" + b.encodeToString(derive(password, salt, ITERATIONS));
    }

    static boolean verify(char[] password, String hash) {
        String[] p = hash.split("\\$");
        if (p.length != 4) return false;
        byte[] salt = Base64.getDecoder().decode(p[2]);
        byte[] want = Base64.getDecoder().decode(p[3]);
        return MessageDigest.isEqual(want, derive(password, salt, Integer.parseInt(p[1])));
    }

    private static byte[] derive(char[] password, byte[] salt, int iterations) {
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(new PBEKeySpec(password, salt, iterations, 256)).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
