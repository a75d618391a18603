package ktp.store;

import java.time.Instant;

/** One blank card: a state document that must be accounted for from the moment it enters the printer. */
public record LedgerEntry(String blankId, String recordId, String nik, Instant enteredAt, BlankFate fate,
                          String reason, Instant updatedAt) {}
