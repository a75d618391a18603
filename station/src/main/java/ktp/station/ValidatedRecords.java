package ktp.station;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import ktp.record.RecordValidator;
import ktp.record.ValidatedRecord;

/**
 * The records the intake has just validated, handed down to the card's preparation so that a record is validated
 * once on its way to the printer, not twice. An entry is used only with the very validator that checked it (the
 * trusted keys not reloaded since: a key withdrawn meanwhile is then caught by a fresh check) and for the envelope
 * the job holds; anything else (a restart, a reload, an entry pushed out) is validated again from the store. Held in
 * memory only, a bounded number, and each entry is taken out when its card is prepared.
 */
final class ValidatedRecords {
    private record Entry(ValidatedRecord record, RecordValidator by, String envelopeSha256) {}

    private final int capacity;
    private final Map<String, Entry> entries;

    ValidatedRecords(int capacity) {
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) { return size() > ValidatedRecords.this.capacity; }
        };
    }

    synchronized void put(ValidatedRecord v, RecordValidator by, String envelopeSha256) {
        entries.put(v.record().recordId(), new Entry(v, by, envelopeSha256));
    }

    /** The record as validated at intake, if it was validated by {@code current} for the envelope {@code envelopeSha256}. */
    synchronized Optional<ValidatedRecord> take(String recordId, RecordValidator current, String envelopeSha256) {
        Entry e = entries.remove(recordId);
        if (e == null || e.by() != current || !e.envelopeSha256().equals(envelopeSha256)) return Optional.empty();
        return Optional.of(e.record());
    }

    synchronized int size() { return entries.size(); }
}
