-- finsync event log: an append-only, compressed record of every provider observation.
CREATE SCHEMA IF NOT EXISTS eventlog;

-- The single row every append locks: it serialises appenders, so positions are dense
-- and handed out in commit order (readers never skip an event committed late).
CREATE TABLE eventlog.head (
    singleton        boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    last_position    bigint NOT NULL,
    last_recorded_at timestamptz NOT NULL
);
INSERT INTO eventlog.head VALUES (true, 0, '-infinity');

-- Preset LZ4 dictionaries, one or more per event type; immutable once written.
CREATE TABLE eventlog.compression_dictionaries (
    dictionary_id  serial PRIMARY KEY,
    event_type     text NOT NULL,
    sample_count   integer NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    dictionary     bytea NOT NULL
);
CREATE INDEX compression_dictionaries_type ON eventlog.compression_dictionaries (event_type, dictionary_id);

-- Payloads gathered for types that have no dictionary yet (a work area, not part of the log).
CREATE TABLE eventlog.compression_samples (
    sample_id   bigserial PRIMARY KEY,
    event_type  text NOT NULL,
    sample      bytea NOT NULL
);
CREATE INDEX compression_samples_type ON eventlog.compression_samples (event_type);

CREATE TABLE eventlog.events (
    position        bigint PRIMARY KEY,          -- global, dense, commit order
    stream_id       text NOT NULL,               -- e.g. gocardless/account/<id>
    stream_version  bigint NOT NULL,             -- 1, 2, … within the stream
    event_id        uuid NOT NULL,
    content_key     bytea NOT NULL,              -- 16 bytes of SHA-256: idempotency
    event_type      text NOT NULL,               -- e.g. gocardless.transactions.observed
    schema_version  smallint NOT NULL,
    causation_id    uuid,
    correlation_id  uuid,                        -- the ingestion run
    occurred_at     timestamptz,                 -- provider time, when stated
    recorded_at     timestamptz NOT NULL,        -- never decreases with position
    metadata        jsonb NOT NULL,
    codec           smallint NOT NULL,           -- 0 identity, 1 lz4, 2 lz4 with dictionary
    dictionary_id   integer,                     -- eventlog.compression_dictionaries (codec 2)
    raw_size        integer NOT NULL,            -- bytes of the canonical JSON
    payload         bytea NOT NULL,
    CONSTRAINT events_stream_version_key UNIQUE (stream_id, stream_version),
    CONSTRAINT events_event_id_key UNIQUE (event_id),
    CONSTRAINT events_content_key_key UNIQUE (content_key),
    CONSTRAINT events_codec_check CHECK (codec IN (0, 1, 2) AND (codec = 2) = (dictionary_id IS NOT NULL))
);
-- Payloads are already compressed: do not let TOAST try again.
ALTER TABLE eventlog.events ALTER COLUMN payload SET STORAGE EXTERNAL;
CREATE INDEX events_recorded_at ON eventlog.events USING brin (recorded_at);
CREATE INDEX events_correlation ON eventlog.events (correlation_id) WHERE correlation_id IS NOT NULL;

-- Immutability, enforced for every role (superusers included) by statement triggers...
CREATE FUNCTION eventlog.reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'eventlog.% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'FS001', HINT = 'Events are immutable; append a correcting event instead.';
END $$;
CREATE TRIGGER events_no_update_delete BEFORE UPDATE OR DELETE ON eventlog.events
    FOR EACH STATEMENT EXECUTE FUNCTION eventlog.reject_change();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON eventlog.events
    FOR EACH STATEMENT EXECUTE FUNCTION eventlog.reject_change();
CREATE TRIGGER dictionaries_no_update_delete BEFORE UPDATE OR DELETE ON eventlog.compression_dictionaries
    FOR EACH STATEMENT EXECUTE FUNCTION eventlog.reject_change();
CREATE TRIGGER dictionaries_no_truncate BEFORE TRUNCATE ON eventlog.compression_dictionaries
    FOR EACH STATEMENT EXECUTE FUNCTION eventlog.reject_change();

-- ...and by privileges for the application role.
DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'finsync_app') THEN
        CREATE ROLE finsync_app NOLOGIN;
    END IF;
END $$;
REVOKE ALL ON eventlog.events, eventlog.compression_dictionaries FROM PUBLIC;
GRANT USAGE ON SCHEMA eventlog TO finsync_app;
GRANT SELECT, INSERT ON eventlog.events, eventlog.compression_dictionaries TO finsync_app;
GRANT SELECT, UPDATE ON eventlog.head TO finsync_app;
GRANT SELECT, INSERT, DELETE ON eventlog.compression_samples TO finsync_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA eventlog TO finsync_app;
