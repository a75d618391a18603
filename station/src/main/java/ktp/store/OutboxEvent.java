package ktp.store;

import java.time.Instant;
import ktp.job.EventType;

/**
 * A telemetry event waiting to be published, written in the same transaction as the change it reports.
 *
 * @param sequence per-station, gap-free, in commit order
 * @param blankId the card's chip UID or serial, or "" when the event concerns no card
 */
public record OutboxEvent(long sequence, String eventId, EventType type, String stationId, String recordId,
                          String nik, String blankId, String reason, Instant occurredAt) {}
