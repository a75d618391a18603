-- A record printed twice anywhere: every NIK with a CARD_PRINTED event, how many, and the first station and
-- record. Kept by the ingest transaction (new events only), so the alert reads a handful of rows.
CREATE TABLE printed_niks (
    nik            text PRIMARY KEY,
    printed        bigint NOT NULL,
    first_station  text NOT NULL,
    first_record   text NOT NULL,
    last_station   text NOT NULL,
    last_record    text NOT NULL,
    last_at        timestamptz NOT NULL
);
CREATE INDEX printed_niks_twice ON printed_niks (printed) WHERE printed > 1;
