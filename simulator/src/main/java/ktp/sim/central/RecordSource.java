package ktp.sim.central;

import java.util.LinkedHashMap;
import java.util.Map;
import ktp.record.PrintRecord;
import ktp.record.RecordJson;
import ktp.sim.records.DataCenterKey;
import ktp.sim.records.RecordGenerator;

/**
 * The signed envelope of each resident's record, made on demand from the seed (so the data center stores no
 * biometrics of its own) and cached while stations are likely to ask for it again. A new capture after a
 * failure raises the record's version; the resident's data stays the same.
 */
final class RecordSource {
    static final int CACHE_SIZE = 1024;

    private final RecordGenerator generator;
    private final DataCenterKey key;
    private final Map<Long, byte[]> cache = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, byte[]> eldest) { return size() > CACHE_SIZE; }
    };

    RecordSource(RecordGenerator generator, DataCenterKey key) {
        this.generator = generator;
        this.key = key;
    }

    DataCenterKey key() { return key; }

    /** The resident's record id and NIK, without rendering photos or signing: what the population needs at start. */
    RecordGenerator.Identity identity(int index) { return generator.identity(index); }

    byte[] envelope(int index, int version) {
        long cacheKey = ((long) index << 20) | version;
        synchronized (cache) {
            byte[] hit = cache.get(cacheKey);
            if (hit != null) return hit;
        }
        PrintRecord r = generator.resident(index).record();
        PrintRecord versioned = new PrintRecord(r.recordId(), version, r.nik(), r.region(), r.front(), r.issue(),
                r.photoJpeg(), r.signaturePng(), r.fingerprints());
        byte[] bytes = key.signRecord(versioned).toJson();
        synchronized (cache) {
            cache.put(cacheKey, bytes);
        }
        return bytes;
    }
}
