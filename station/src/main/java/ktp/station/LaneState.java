package ktp.station;

import java.time.Instant;

/**
 * Where one printer's lane stands, the one fact that health, {@code ktp station status} and the console's printer
 * page are all derived from. READY and PRINTING are the only states in which the lane can take a blank; PAUSED
 * waits for a cause that clears by itself or by an operator's hand (cover, feeder, reader); FAULTED met an error
 * nobody planned for and waits (with back-off) or for a technician.
 *
 * @param code      a stable upper-case code for the cause (COVER_OPEN, ENCODER_NOT_READY, LANE_FAULTED, ...)
 * @param messageEn what the operator should do, in English
 * @param messageId the same in Indonesian
 * @param detail    the technical detail (the printer's reply, the exception), for the technician
 * @param recordId  the record the lane holds now ("" when none)
 */
public record LaneState(String printer, Kind kind, String code, String messageEn, String messageId, String detail, String recordId, Instant since) {
    public enum Kind { STARTING, READY, PRINTING, PAUSED, FAULTED, STOPPED }

    /** Whether the lane can put a blank through its printer now. */
    public boolean canPrint() { return kind == Kind.READY || kind == Kind.PRINTING; }

    static LaneState starting(String printer, Instant now) {
        return new LaneState(printer, Kind.STARTING, "STARTING", "Starting: checking the printer", "Memulai: memeriksa printer", "", "", now);
    }

    LaneState with(Kind k, String code, String en, String id, String detail, String recordId, Instant now) {
        // "since" says how long the lane has been in this kind of state for this cause: kept while nothing changes.
        Instant from = k == kind && code.equals(this.code) ? since : now;
        return new LaneState(printer, k, code, en, id, detail == null ? "" : detail, recordId == null ? "" : recordId, from);
    }
}
