package ktp.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.NavigableMap;
import org.mapdb.DB;
import org.mapdb.DataInput2;
import org.mapdb.DataOutput2;
import org.mapdb.Serializer;
import org.mapdb.serializer.GroupSerializer;

/**
 * One MapDB map of the store whose every write is also recorded, serialized, for the journal. Writes go
 * through here and nowhere else, so nothing reaches MapDB without reaching the journal too.
 */
final class Table<K, V> {
    final String name;
    final NavigableMap<K, V> map;
    private final GroupSerializer<K> keys;
    private final GroupSerializer<V> values;
    private final List<Journal.Change> pending;

    Table(String name, NavigableMap<K, V> map, GroupSerializer<K> keys, GroupSerializer<V> values, List<Journal.Change> pending) {
        this.name = name;
        this.map = map;
        this.keys = keys;
        this.values = values;
        this.pending = pending;
    }

    V get(K key) { return map.get(key); }

    void put(K key, V value) {
        map.put(key, value);
        pending.add(new Journal.Change(name, Journal.PUT, bytes(keys, key), bytes(values, value)));
    }

    void remove(K key) {
        if (map.remove(key) != null) pending.add(new Journal.Change(name, Journal.REMOVE, bytes(keys, key), null));
    }

    /** Applies a change read back from the journal (replay after a crash), without journaling it again. */
    void replay(Journal.Change change) {
        K key = read(keys, change.key());
        if (change.op() == Journal.PUT) map.put(key, read(values, change.value()));
        else map.remove(key);
    }

    /** Opens this table in {@code db} (same name, same serializers). */
    static <K, V> org.mapdb.BTreeMap<K, V> open(DB db, String name, GroupSerializer<K> keys, GroupSerializer<V> values) {
        return db.treeMap(name, keys, values).valuesOutsideNodesEnable().createOrOpen();
    }

    /** The same table (name, serializers) in another DB, for bringing a checkpoint's copy up to date. */
    Table<K, V> in(DB other) {
        return new Table<>(name, open(other, name, keys, values), keys, values, new java.util.ArrayList<>());
    }

    /** Copies every entry into the same table of another DB, committing every {@code batch} entries. */
    void copyInto(DB target, int batch) {
        org.mapdb.BTreeMap<K, V> copy = open(target, name, keys, values);
        int n = 0;
        for (java.util.Map.Entry<K, V> e : map.entrySet()) {
            copy.put(e.getKey(), e.getValue());
            if (++n % batch == 0) target.commit();
        }
        target.commit();
    }

    private static <T> byte[] bytes(Serializer<T> s, T value) {
        DataOutput2 out = new DataOutput2();
        try {
            s.serialize(out, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.copyBytes();
    }

    /** A key or value of a String table as the journal holds it (MapDB's STRING serializer). */
    static String string(byte[] data) { return read(Serializer.STRING, data); }

    private static <T> T read(Serializer<T> s, byte[] data) {
        try {
            return s.deserialize(new DataInput2.ByteArray(data), data.length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
