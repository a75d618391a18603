package ktp.card;

import java.util.Map;
import ktp.record.ChipData;
import ktp.record.ValidatedRecord;

/** What goes onto one holder's chip: DG1..DG4 and the security object the data center signed over their hashes. */
public record ChipPayload(Map<Integer, byte[]> dataGroups, byte[] securityObject) {
    public static ChipPayload of(ValidatedRecord v) { return of(v.record(), v.envelope()); }

    /** From a record and the envelope it came in (the envelope's chip seal signs the data groups' hashes). */
    public static ChipPayload of(ktp.record.PrintRecord record, ktp.record.Envelope envelope) {
        Map<Integer, byte[]> dgs = ChipData.dataGroups(record);
        return new ChipPayload(dgs, ChipData.securityObject(envelope.keyId(), ChipData.hashList(dgs), envelope.chipSeal()));
    }

    @Override
    public String toString() { return "ChipPayload[" + dataGroups.size() + " data groups, values hidden]"; }
}
