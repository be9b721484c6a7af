-- Projection checkpoints: one row per projection and target schema (live, a rebuild's
-- shadow, a replay's scratch). Written in the same transaction as the projection's rows.
CREATE SCHEMA IF NOT EXISTS projections;

CREATE TABLE projections.checkpoints (
    projection        text NOT NULL,
    target_schema     text NOT NULL,
    version           integer NOT NULL,             -- the projection's code version that built it
    position          bigint NOT NULL DEFAULT 0,    -- last event position applied
    updated_at        timestamptz NOT NULL DEFAULT now(),
    last_error        text,                         -- why it stopped, if it did
    error_position    bigint,
    error_event_type  text,
    PRIMARY KEY (projection, target_schema)
);
GRANT USAGE ON SCHEMA projections TO finsync_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON projections.checkpoints TO finsync_app;
