-- Every command the office sent from the dashboard: who, why, the signed message as sent, and the station's
-- signed answer (null until it came). Written before the command is published, so none goes out unaudited.
CREATE TABLE commands (
    command_id    text PRIMARY KEY,
    station_id    text NOT NULL,
    command       text NOT NULL,
    record_id     text,
    reason        text NOT NULL,
    issued_by     text NOT NULL,
    issued_at     timestamptz NOT NULL,
    signed        text NOT NULL,
    ack_accepted  boolean,
    ack_detail    text,
    ack_at        timestamptz,
    ack_signer    text
);
CREATE INDEX commands_by_time ON commands (issued_at DESC);
