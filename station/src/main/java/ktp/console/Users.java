package ktp.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import ktp.datafile.AtomicFile;
import ktp.store.Role;

/**
 * The console's accounts: a JSON file of {name, role, hash} (Argon2id, {@link PasswordHasher}), readable by
 * the station's service user only (0600). Written to a temporary file and moved into place, so an interrupted
 * change never leaves a half-written file.
 */
public final class Users {
    public record User(String name, Role role, String hash) {}

    private final Path file;
    private final Map<String, User> users;

    private Users(Path file, Map<String, User> users) {
        this.file = file;
        this.users = users;
    }

    /** The accounts in {@code file}; an absent file has none (an IOException names a damaged one). */
    public static Users load(Path file) throws IOException {
        Map<String, User> m = new LinkedHashMap<>();
        if (Files.exists(file)) {
            JsonNode root;
            try {
                root = new ObjectMapper().enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION).readTree(file.toFile());
            } catch (IOException e) {
                throw new IOException(file + ": not a users file: " + e.getMessage(), e);
            }
            if (root == null || !root.isArray()) throw new IOException(file + ": not a users file (expected a JSON array)");
            for (JsonNode u : root) {
                String name = u.path("name").asText();
                String role = u.path("role").asText();
                String hash = u.path("hash").asText();
                if (!validName(name) || !hash.startsWith("$argon2id$")) throw new IOException(file + ": a damaged entry (" + name + ")");
                m.put(name, new User(name, role(role), hash));
            }
        }
        return new Users(file, m);
    }

    public static boolean validName(String name) { return name != null && name.matches("[a-z0-9._-]{2,32}"); }

    /** operator, supervisor or technician (the console's roles). */
    public static Role role(String text) throws IOException {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "operator" -> Role.OPERATOR;
            case "supervisor" -> Role.SUPERVISOR;
            case "technician" -> Role.TECHNICIAN;
            default -> throw new IOException("role must be operator, supervisor or technician, got '" + text + "'");
        };
    }

    public Optional<User> find(String name) { return Optional.ofNullable(users.get(name)); }

    public int size() { return users.size(); }

    /** Adds or replaces an account and writes the file. */
    public void put(String name, Role role, String hash) throws IOException {
        if (!validName(name)) throw new IOException("a user name is 2 to 32 of a-z, 0-9, '.', '_', '-'; got '" + name + "'");
        users.put(name, new User(name, role, hash));
        ObjectMapper json = new ObjectMapper();
        ArrayNode a = json.createArrayNode();
        for (User u : users.values()) {
            ObjectNode n = a.addObject();
            n.put("name", u.name());
            n.put("role", u.role().name().toLowerCase(Locale.ROOT));
            n.put("hash", u.hash());
        }
        AtomicFile.write(file, json.writerWithDefaultPrettyPrinter().writeValueAsBytes(a), true);
    }
}
