package ktp.central;

/**
 * Where the central link hands each offered record: the station's intake implements it, so that this room
 * depends on nothing above it. The decision says what to tell the data center about the lease.
 */
@FunctionalInterface
public interface IntakePort {
    /** What became of an offered record, as far as the data center is concerned. */
    record Decision(Kind kind, String reasonCode, String detail) {
        public enum Kind {
            /** Stored and queued: keep the lease. */
            ACCEPTED,
            /** Refused for good with a reason code (stored as REJECTED): decline the lease. */
            REJECTED,
            /**
             * Not taken now, nothing stored against it (for example signed with a key the station does not trust
             * yet): decline with the reason so the data center can offer it again later.
             */
            HELD,
            /** Already known here (printed, rejected, its NIK printed): decline, the station keeps what it has. */
            NOT_ADMITTED
        }

        public static Decision accepted() { return new Decision(Kind.ACCEPTED, "", "validated"); }
    }

    /**
     * Offers the envelope leased as {@code leasedRecordId}. Must not throw for anything the record holds; an
     * exception from it is treated by the link as INTERNAL_CHECK_FAILED for that record alone.
     */
    Decision take(String leasedRecordId, byte[] envelope);
}
