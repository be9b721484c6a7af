-- Parked events: an event a projection cannot apply (a value it cannot normalise, a
-- payload it cannot decode) is set aside for that projection and target schema, and the
-- fold goes on past it. The row commits in the same transaction as the checkpoint that
-- moves past the event, so "parked" and "applied" never disagree. A rebuild folds from 0
-- into a shadow target, parks again what its (possibly fixed) code still cannot apply, and
-- its parked rows replace the live ones at the swap.
CREATE TABLE projections.parked_events (
    projection     text NOT NULL,
    target_schema  text NOT NULL,
    position       bigint NOT NULL,
    event_type     text NOT NULL,
    code           text NOT NULL,       -- e.g. malformed-payload, undecodable
    message        text NOT NULL,       -- what could not be normalised, and where in the payload
    parked_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (projection, target_schema, position)
);
GRANT SELECT, INSERT, UPDATE, DELETE ON projections.parked_events TO finsync_app;

-- A snapshot carries the events its projection had parked up to its position, so a replay
-- that starts from it reports the same parked events as a fold from 0.
ALTER TABLE replay.snapshots ADD COLUMN parked jsonb NOT NULL DEFAULT '[]';
