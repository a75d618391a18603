package ktp.record;

/** A record that passed every check, with the envelope it came in (kept to prove its origin later). */
public record ValidatedRecord(PrintRecord record, Envelope envelope) {}
