package ktp.job;

/** The telemetry events a job change writes to the outbox (the contract is docs/telemetry.md). */
public enum EventType {
    SENT_FOR_CARD_PRINTING,
    CARD_PRINTED,
    CARD_ISSUED,
    CARD_SPOILED,
    RECORD_REJECTED,
    ACTIVATION_FAILED
}
