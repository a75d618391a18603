package ktp.card;

import java.util.Map;
import ktp.record.ChipData;
import ktp.record.ValidatedRecord;

/** What goes onto one holder's chip: DG1..DG4 and the security object the data center signed over their hashes. */
public record ChipPayload(Map<Integer, byte[]> dataGroups, byte[] securityObject) {
    public static ChipPayload of(ValidatedRecord v) {
        Map<Integer, byte[]> dgs = ChipData.dataGroups(v.record());
        return new ChipPayload(dgs, ChipData.securityObject(v.envelope().keyId(), ChipData.hashList(dgs), v.envelope().chipSeal()));
    }

    @Override
    public String toString() { return "ChipPayload[" + dataGroups.size() + " data groups, values hidden]"; }
}
