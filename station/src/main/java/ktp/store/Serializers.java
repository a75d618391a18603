package ktp.store;

import java.io.IOException;
import java.time.Instant;
import ktp.job.EventType;
import ktp.job.JobState;
import org.mapdb.DataInput2;
import org.mapdb.DataOutput2;
import org.mapdb.serializer.GroupSerializerObjectArray;

/**
 * Explicit MapDB serializers for the store's values: a format byte, then each field in a fixed order. Enums
 * are stored by name, not ordinal, so adding a state never re-labels stored jobs. No Java or POJO
 * serialization is involved (MapDB's default Elsa serializer breaks on Java 16+ and reads class layouts).
 */
final class Serializers {
    private Serializers() {}

    private static void check(int format, int expected, String what) throws IOException {
        if (format != expected) throw new IOException(what + " record has format " + format + ", this station reads " + expected);
    }

    private static void instant(DataOutput2 out, Instant t) throws IOException { out.writeLong(t.getEpochSecond()); out.writeInt(t.getNano()); }

    private static Instant instant(DataInput2 in) throws IOException { return Instant.ofEpochSecond(in.readLong(), in.readInt()); }

    static final class JobSerializer extends GroupSerializerObjectArray<Job> {
        @Override
        public void serialize(DataOutput2 out, Job j) throws IOException {
            out.writeByte(1);
            out.writeUTF(j.recordId());
            out.writeInt(j.recordVersion());
            out.writeUTF(j.nik());
            out.writeUTF(j.state().name());
            out.writeUTF(j.blankId());
            out.writeUTF(j.reason());
            out.writeBoolean(j.reprintAuthorised());
            out.writeInt(j.spoiledBlanks());
            out.writeUTF(j.envelopeSha256());
            instant(out, j.createdAt());
            instant(out, j.updatedAt());
            out.writeLong(j.revision());
        }

        @Override
        public Job deserialize(DataInput2 in, int available) throws IOException {
            check(in.readByte(), 1, "job");
            return new Job(in.readUTF(), in.readInt(), in.readUTF(), JobState.valueOf(in.readUTF()), in.readUTF(),
                    in.readUTF(), in.readBoolean(), in.readInt(), in.readUTF(), instant(in), instant(in), in.readLong());
        }
    }

    static final class LedgerSerializer extends GroupSerializerObjectArray<LedgerEntry> {
        @Override
        public void serialize(DataOutput2 out, LedgerEntry e) throws IOException {
            out.writeByte(1);
            out.writeUTF(e.blankId());
            out.writeUTF(e.recordId());
            out.writeUTF(e.nik());
            instant(out, e.enteredAt());
            out.writeUTF(e.fate().name());
            out.writeUTF(e.reason());
            instant(out, e.updatedAt());
        }

        @Override
        public LedgerEntry deserialize(DataInput2 in, int available) throws IOException {
            check(in.readByte(), 1, "ledger");
            return new LedgerEntry(in.readUTF(), in.readUTF(), in.readUTF(), instant(in), BlankFate.valueOf(in.readUTF()),
                    in.readUTF(), instant(in));
        }
    }

    static final class OutboxSerializer extends GroupSerializerObjectArray<OutboxEvent> {
        @Override
        public void serialize(DataOutput2 out, OutboxEvent e) throws IOException {
            out.writeByte(1);
            out.writeLong(e.sequence());
            out.writeUTF(e.eventId());
            out.writeUTF(e.type().name());
            out.writeUTF(e.stationId());
            out.writeUTF(e.recordId());
            out.writeUTF(e.nik());
            out.writeUTF(e.blankId());
            out.writeUTF(e.reason());
            instant(out, e.occurredAt());
        }

        @Override
        public OutboxEvent deserialize(DataInput2 in, int available) throws IOException {
            check(in.readByte(), 1, "outbox");
            return new OutboxEvent(in.readLong(), in.readUTF(), EventType.valueOf(in.readUTF()), in.readUTF(), in.readUTF(),
                    in.readUTF(), in.readUTF(), in.readUTF(), instant(in));
        }
    }

    static final class AuditSerializer extends GroupSerializerObjectArray<AuditEntry> {
        @Override
        public void serialize(DataOutput2 out, AuditEntry e) throws IOException {
            out.writeByte(1);
            out.writeLong(e.sequence());
            out.writeLong(e.at().toEpochMilli());
            out.writeUTF(e.actor());
            out.writeUTF(e.action());
            out.writeUTF(e.detail());
            out.write(e.previousHash());
            out.write(e.hash());
        }

        @Override
        public AuditEntry deserialize(DataInput2 in, int available) throws IOException {
            check(in.readByte(), 1, "audit");
            long seq = in.readLong();
            Instant at = Instant.ofEpochMilli(in.readLong());
            String actor = in.readUTF();
            String action = in.readUTF();
            String detail = in.readUTF();
            byte[] prev = new byte[32];
            in.readFully(prev);
            byte[] hash = new byte[32];
            in.readFully(hash);
            return new AuditEntry(seq, at, actor, action, detail, prev, hash);
        }
    }
}
