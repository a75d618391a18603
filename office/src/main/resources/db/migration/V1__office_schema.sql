-- The central office's store (docs/office.md). Every event once, whatever collector received it: the primary
-- key is the station's sequence, and the event id is unique too. The counts the dashboard reads are kept in
-- day_counts by the very transaction that stores the events, so a day's national or province figure is a
-- handful of rows whatever the size of the events table.

CREATE TABLE stations (
    station_id     text PRIMARY KEY,
    first_seen     timestamptz NOT NULL,
    last_seen      timestamptz NOT NULL,
    last_sequence  bigint NOT NULL DEFAULT 0,
    events         bigint NOT NULL DEFAULT 0,
    online         boolean,
    state_since    timestamptz,
    state_cause    text,
    health         jsonb,
    health_at      timestamptz
);

CREATE TABLE events (
    station_id   text NOT NULL,
    sequence     bigint NOT NULL,
    event_id     text NOT NULL,
    type         text NOT NULL,
    record_id    text NOT NULL,
    nik          text,
    region       text NOT NULL,         -- the NIK's first four digits (province, regency); '' when it had none
    blank_id     text,
    reason       text,
    occurred_at  timestamptz NOT NULL,
    day          date NOT NULL,         -- occurred_at's day in the office's zone (Asia/Jakarta)
    received_at  timestamptz NOT NULL,
    collector    text NOT NULL,
    body         text NOT NULL,         -- the event's JSON as the station signed it
    PRIMARY KEY (station_id, sequence),
    CONSTRAINT events_event_id_once UNIQUE (event_id)
);
CREATE INDEX events_by_nik ON events (nik) WHERE nik IS NOT NULL;
CREATE INDEX events_by_record ON events (record_id);

-- Figures per day, region and type, maintained in the ingest transaction (only for events newly stored).
CREATE TABLE day_counts (
    day     date NOT NULL,
    region  text NOT NULL,
    type    text NOT NULL,
    n       bigint NOT NULL,
    PRIMARY KEY (day, region, type)
);

-- Receipts to send: written in the transaction that stored the events, published after its commit, then
-- deleted. A collector that dies in between finds its own rows at its next start (a few, never the history).
CREATE TABLE receipts_due (
    id          bigserial PRIMARY KEY,
    collector   text NOT NULL,
    station_id  text NOT NULL,
    run         text NOT NULL,
    seq_from    bigint NOT NULL,
    seq_to      bigint NOT NULL,
    created_at  timestamptz NOT NULL
);
CREATE INDEX receipts_due_by_collector ON receipts_due (collector, id);

-- Every refused message with why (its first 4 KB), and the counts by kind.
CREATE TABLE refusals (
    id         bigserial PRIMARY KEY,
    at         timestamptz NOT NULL,
    collector  text NOT NULL,
    topic      text NOT NULL,
    kind       text NOT NULL,
    why        text NOT NULL,
    excerpt    text NOT NULL
);
CREATE INDEX refusals_by_at ON refusals (at);

CREATE TABLE refusal_counts (
    kind  text PRIMARY KEY,
    n     bigint NOT NULL
);
