package ktp.datafile;

import java.io.StringReader;
import java.util.HashMap;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Where each key of a YAML file is (line and column, from 1), by the same paths DataFile's errors name
 * ("printers[0].uri"), so that an error can send the technician to the line to fix. Built once per file from
 * SnakeYAML's node tree (the parser Jackson's YAML reader uses); a file it cannot compose has no places.
 */
final class YamlPlaces {
    record Place(int line, int column) {}

    private final Map<String, Place> places = new HashMap<>();

    static YamlPlaces of(String text) {
        YamlPlaces p = new YamlPlaces();
        try {
            Node root = new Yaml(new LoaderOptions()).compose(new StringReader(text));
            if (root != null) p.walk("", root);
        } catch (RuntimeException unreadable) {
            // The file is read by Jackson too, which reports its syntax error; no places then.
        }
        return p;
    }

    private void walk(String path, Node node) {
        places.putIfAbsent(path, place(node));
        if (node instanceof MappingNode m) {
            for (NodeTuple t : m.getValue()) {
                if (!(t.getKeyNode() instanceof ScalarNode k)) continue;
                String at = path.isEmpty() ? k.getValue() : path + "." + k.getValue();
                places.putIfAbsent(at, place(k));
                walkValue(at, t.getValueNode());
            }
        } else if (node instanceof SequenceNode s) {
            for (int i = 0; i < s.getValue().size(); i++) {
                String at = path + "[" + i + "]";
                places.putIfAbsent(at, place(s.getValue().get(i)));
                walkValue(at, s.getValue().get(i));
            }
        }
    }

    private void walkValue(String at, Node value) {
        if (value instanceof MappingNode || value instanceof SequenceNode) {
            // The key's own place stays the entry's; its children are found under it.
            Place keep = places.get(at);
            walk(at, value);
            if (keep != null) places.put(at, keep);
        }
    }

    private static Place place(Node n) {
        return new Place(n.getStartMark().getLine() + 1, n.getStartMark().getColumn() + 1);
    }

    /**
     * The place of {@code path}, or of the nearest mapping above it that is in the file (a missing key is
     * reported where its mapping is), with a word saying which; null when nothing is known.
     */
    Words describe(String path) {
        String p = path;
        boolean exact = true;
        while (true) {
            Place at = places.get(p);
            if (at != null) {
                if (exact) return Words.of("place.at", at.line(), at.column());
                return p.isEmpty() ? null : Words.of("place.in", at.line(), at.column(), p);
            }
            if (p.isEmpty()) return null;
            exact = false;
            int dot = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
            p = dot < 0 ? "" : p.substring(0, dot);
        }
    }
}
