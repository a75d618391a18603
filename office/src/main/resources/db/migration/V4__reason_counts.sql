-- Spoiled cards and rejected records by reason (issue 18, Deliver 3): (day, region, type, reason) -> n, kept by the
-- ingest transaction beside day_counts, so the dashboard reads the breakdown without scanning events.
-- The reason kept is the event's reason reduced to its kind (EventLedger.reasonKind): a leading code such as
-- BAD_SIGNATURE or JAM, else the text before its first ':', ';', ',', '(' or '[' (what follows names a card, a
-- printer or a count), at most 80 characters; '' when the event gave none.
CREATE TABLE reason_counts (
    day     date   NOT NULL,
    region  text   NOT NULL,
    type    text   NOT NULL,
    reason  text   NOT NULL,
    n       bigint NOT NULL,
    PRIMARY KEY (day, region, type, reason)
);

-- What was stored before this migration, by the same rule.
INSERT INTO reason_counts (day, region, type, reason, n)
SELECT day, region, type, reason_kind, count(*)
FROM (SELECT day, region, type,
             CASE WHEN reason IS NULL OR reason = '' THEN ''
                  WHEN reason ~ '^[A-Z][A-Z0-9_]{2,}' THEN substring(reason FROM '^[A-Z][A-Z0-9_]{2,}')
                  ELSE left(btrim(substring(reason FROM '^[^:;,(\[]*')), 80) END AS reason_kind
      FROM events WHERE type IN ('CARD_SPOILED', 'RECORD_REJECTED')) e
GROUP BY day, region, type, reason_kind;
