package ktp.sim.central;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ktp.record.PrintRecord;
import ktp.record.RecordJson;
import ktp.sim.records.DataCenterKey;
import ktp.sim.records.Defect;
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

    private final int defectEvery;

    /**
     * {@code defectEvery} > 0: the record of every so many residents (the defectEvery-th, the 2*defectEvery-th...)
     * is served with one of the {@link Defect}s in turn, so stations and demos meet records they must refuse.
     */
    RecordSource(RecordGenerator generator, DataCenterKey key, int defectEvery) {
        this.generator = generator;
        this.key = key;
        this.defectEvery = defectEvery;
    }

    /**
     * The defects a record can carry through the API: the envelope travels inside the print-ready answer as a
     * JSON object, so an envelope that is not JSON at all (malformed, truncated: what a damaged record file on a
     * USB stick looks like, tested at the file intake) cannot be served without breaking the whole answer. A key
     * the station does not trust is not a defect of the record: the station holds such a record (declines it to be
     * offered again once its keys are updated) rather than rejecting it, so it is not served as a defect either.
     */
    static final List<Defect> SERVABLE_DEFECTS = java.util.Arrays.stream(Defect.values())
            .filter(d -> d != Defect.MALFORMED_JSON && d != Defect.TRUNCATED_FILE && d != Defect.UNKNOWN_KEY).toList();

    /** The defect served for this resident's record, if any. */
    Defect defect(int index) {
        if (defectEvery <= 0 || (index + 1) % defectEvery != 0) return null;
        return SERVABLE_DEFECTS.get(((index + 1) / defectEvery - 1) % SERVABLE_DEFECTS.size());
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
        Defect d = defect(index);
        byte[] bytes = d == null ? key.signRecord(versioned).toJson() : d.apply(versioned, key, DataCenterKey.fromSeed(~index));
        synchronized (cache) {
            cache.put(cacheKey, bytes);
        }
        return bytes;
    }
}
