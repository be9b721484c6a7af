-- Replay: snapshots of projection state by position, and the scratch schemas built by
-- point-in-time replays. Shadow rebuild schemas need no table of their own: their
-- progress is their checkpoint row in projections.checkpoints (target_schema = the shadow).
CREATE SCHEMA IF NOT EXISTS replay;

-- One row per snapshot: a copy of every table of `projection` (built by code `version`)
-- as of `position`, held in schema `schema_name` under the tables' own names.
CREATE TABLE replay.snapshots (
    projection   text NOT NULL,
    version      integer NOT NULL,
    position     bigint NOT NULL CHECK (position > 0),
    schema_name  text NOT NULL UNIQUE,
    row_count    bigint NOT NULL,
    taken_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (projection, version, position)
);

-- Scratch schemas made by `finsync replay`, so `replay drop` only ever drops one of these.
CREATE TABLE replay.scratch_schemas (
    schema_name  text PRIMARY KEY,
    position     bigint NOT NULL,
    projections  text[] NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);

GRANT USAGE ON SCHEMA replay TO finsync_app;
GRANT SELECT ON replay.snapshots, replay.scratch_schemas TO finsync_app;
