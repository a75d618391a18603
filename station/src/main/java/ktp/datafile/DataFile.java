package ktp.datafile;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A YAML data file a technician edits (a printer profile, a card template), read field by field so that every
 * problem names the file, the field's path and what is wrong, and a misspelt field is reported rather than
 * silently ignored.
 */
public final class DataFile {
    /** A key given twice in one mapping is an error (a second `station:` block must not silently replace the first). */
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final long MAX_BYTES = 1 << 20;

    private DataFile() {}

    /**
     * "; known: [a, b]" for the profiles (FILE.yaml) in {@code dir}, to end an "unknown profile" error with the
     * names a technician may write instead; empty when the folder holds none.
     */
    public static String knownIds(Path dir) {
        java.util.List<String> known = new ArrayList<>();
        try (var s = Files.list(dir)) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml")).map(n -> n.substring(0, n.length() - 5)).sorted().forEach(known::add);
        } catch (IOException e) {
            return "";
        }
        return known.isEmpty() ? "" : "; known: " + known;
    }

    public static Node load(Path file) throws DataFileException {
        String name = file.toString();
        byte[] bytes;
        try {
            if (!Files.isRegularFile(file)) throw new DataFileException(name, "", Words.of("file.none"), null);
            if (Files.size(file) > MAX_BYTES) throw new DataFileException(name, "", Words.of("file.large"), null);
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new DataFileException(name, "", Words.of("file.unreadable", e.getMessage()), null);
        }
        String text = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        try {
            JsonNode root = YAML.readTree(bytes);
            if (root == null || !root.isObject()) throw new DataFileException(name, "", Words.of("file.notMapping"), null);
            return new Node(name, "", root, YamlPlaces.of(text));
        } catch (JsonProcessingException e) {
            throw new DataFileException(name, "", YamlErrors.explain(e, text), null);
        } catch (IOException e) {
            throw new DataFileException(name, "", Words.of("file.unreadable", e.getMessage()), null);
        }
    }

    /** One mapping in the file, with the path that leads to it. */
    public static final class Node {
        private final String file;
        private final String path;
        private final JsonNode json;
        private final Set<String> read = new LinkedHashSet<>();
        private final YamlPlaces places;

        Node(String file, String path, JsonNode json, YamlPlaces places) {
            this.file = file;
            this.path = path;
            this.json = json;
            this.places = places;
        }

        public String file() { return file; }

        public String path() { return path; }

        private String at(String field) { return path.isEmpty() ? field : path + "." + field; }

        /** The problem at {@code field} of this mapping, with the line and column where a technician finds it. */
        public DataFileException error(String field, String problem) { return error(field, Words.raw(problem)); }

        /** The problem at {@code field} in the catalogue's words (config area), said in the reader's language. */
        public DataFileException error(String field, Words problem) {
            String key = field == null ? path : at(field);
            return new DataFileException(file, key, problem, places.describe(key));
        }

        /** A warning at {@code field}: the same words and place as {@link #error}, for a value that loads but should change. */
        public String warning(String field, String problem) { return error(field, problem).getMessage(); }

        /** A warning in the catalogue's words, as the exception that says it in either language. */
        public DataFileException warning(String field, Words problem) { return error(field, problem); }

        private JsonNode get(String field, boolean required) throws DataFileException {
            read.add(field);
            JsonNode v = json.get(field);
            if ((v == null || v.isNull()) && required) throw error(field, Words.of("missing"));
            return v == null || v.isNull() ? null : v;
        }

        public boolean has(String field) { return json.hasNonNull(field); }

        public String text(String field) throws DataFileException {
            JsonNode v = get(field, true);
            if (!v.isValueNode() || v.isBoolean()) throw error(field, Words.of("notText", v.getNodeType().name().toLowerCase(java.util.Locale.ROOT)));
            String s = v.asText();
            if (s.isBlank()) throw error(field, Words.of("empty"));
            return s;
        }

        public String text(String field, String otherwise) throws DataFileException { return has(field) ? text(field) : markRead(field, otherwise); }

        private <T> T markRead(String field, T value) {
            read.add(field);
            return value;
        }

        public String oneOf(String field, List<String> allowed, String otherwise) throws DataFileException {
            String v = otherwise == null ? text(field) : text(field, otherwise);
            if (!allowed.contains(v)) throw error(field, Words.of("notOneOf", v, allowed));
            return v;
        }

        public double number(String field, double min, double max) throws DataFileException {
            JsonNode v = get(field, true);
            if (!v.isNumber()) throw error(field, Words.of("notNumber", v.asText()));
            double d = v.asDouble();
            if (d < min || d > max) throw error(field, Words.of("outOfRange", v.asText(), fmt(min), fmt(max)));
            return d;
        }

        public double number(String field, double min, double max, double otherwise) throws DataFileException {
            return has(field) ? number(field, min, max) : markRead(field, otherwise);
        }

        public int integer(String field, int min, int max) throws DataFileException {
            double d = number(field, min, max);
            if (d != Math.rint(d)) throw error(field, Words.of("notWhole", Double.toString(d)));
            return (int) d;
        }

        public int integer(String field, int min, int max, int otherwise) throws DataFileException {
            return has(field) ? integer(field, min, max) : markRead(field, otherwise);
        }

        public boolean bool(String field, boolean otherwise) throws DataFileException {
            JsonNode v = get(field, false);
            if (v == null) return otherwise;
            if (!v.isBoolean()) throw error(field, Words.of("notBool", v.asText()));
            return v.asBoolean();
        }

        public Node object(String field) throws DataFileException {
            JsonNode v = get(field, true);
            if (!v.isObject()) throw error(field, Words.of("notMapping"));
            return new Node(file, at(field), v, places);
        }

        public List<Node> list(String field, boolean required) throws DataFileException {
            JsonNode v = get(field, required);
            List<Node> out = new ArrayList<>();
            if (v == null) return out;
            if (!v.isArray()) throw error(field, Words.of("notList"));
            for (int i = 0; i < v.size(); i++) {
                if (!v.get(i).isObject()) throw new Node(file, at(field) + "[" + i + "]", v.get(i), places).error(null, Words.of("notMapping"));
                out.add(new Node(file, at(field) + "[" + i + "]", v.get(i), places));
            }
            return out;
        }

        /** Every field of this mapping must have been read: anything else is a typo or a field of another version. */
        public void noOtherFields() throws DataFileException {
            Iterator<String> names = json.fieldNames();
            while (names.hasNext()) {
                String n = names.next();
                if (!read.contains(n)) throw error(n, Words.of("unknownField", String.join(", ", read)));
            }
        }

        private static String fmt(double d) { return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d); }
    }
}
