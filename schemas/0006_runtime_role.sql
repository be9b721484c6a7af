-- Two roles. The OWNER runs `finsync migrate` and owns the log; every other command runs as
-- a login role that is a member of `finsync_app` (the RUNTIME role), which may read the log
-- and append at its head, and nothing else: it cannot update, delete or truncate events,
-- disable triggers, drop the log, move eventlog.head or choose the position of an event.
--
-- Appends stay a single binary COPY. Instead of a per-row trigger, one statement-level
-- trigger (eventlog.advance_head) checks each INSERT/COPY statement as a whole against the
-- head and moves the head itself; the runtime role has no UPDATE on the head row and locks
-- it through eventlog.lock_head(). Both functions run as the owner (SECURITY DEFINER).
--
-- Idempotent, and harmless where no separate runtime role is used: a database whose
-- commands all run as the owner keeps working (the owner's appends pass the same check).

-- Appends serialise on the head row. SELECT … FOR UPDATE needs UPDATE privilege, which
-- the runtime role must not have, so the lock is taken here on its behalf.
CREATE OR REPLACE FUNCTION eventlog.lock_head(OUT last_position bigint, OUT last_recorded_at timestamptz)
    LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$ SELECT h.last_position, h.last_recorded_at FROM eventlog.head h FOR UPDATE $$;

-- Once per INSERT/COPY statement on eventlog.events (any role, superusers included unless
-- triggers are disabled): the statement's rows, in the order written, must take exactly the
-- next positions after the head, keep recorded_at non-decreasing (and not in the future),
-- and continue each stream's versions without a gap. Then the head moves to the last of
-- them. Positions are therefore never chosen by the appender: anything but "the next n"
-- is rejected, and with the head locked until commit they stay dense and in commit order.
-- The check reads the statement's rows (a transition table) in one pass without sorting
-- them: about 1 ms for 1000 events, where a per-row trigger would cost far more.
CREATE OR REPLACE FUNCTION eventlog.advance_head() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    head_position bigint;
    head_recorded timestamptz;
    s record;
    bad record;
BEGIN
    SELECT h.last_position, h.last_recorded_at INTO head_position, head_recorded FROM eventlog.head h FOR UPDATE;
    -- One pass over the statement's rows in the order they were written (no sort): each
    -- must take the position after the one before, at a recorded_at no earlier.
    SELECT count(*) AS n, min(x.position) AS lo, max(x.position) AS hi,
           min(x.recorded_at) AS first_recorded, max(x.recorded_at) AS last_recorded,
           bool_or(x.step <> 1 OR x.back_in_time) AS out_of_order,
           min(x.stream_id) AS stream_id, min(x.stream_id) = max(x.stream_id) AS one_stream,
           min(x.stream_version) AS first_version, bool_or(x.version_step <> 1) AS version_gap
        INTO s
    FROM (SELECT a.position, a.recorded_at, a.stream_id, a.stream_version,
                 a.position - lag(a.position) OVER () AS step,
                 a.recorded_at < lag(a.recorded_at) OVER () AS back_in_time,
                 a.stream_version - lag(a.stream_version) OVER () AS version_step
          FROM appended a) x;
    IF s.n = 0 THEN
        RETURN NULL;
    END IF;
    IF s.lo <> head_position + 1 OR s.hi <> head_position + s.n OR s.out_of_order THEN
        RAISE EXCEPTION 'eventlog.events: an append must take positions % to %, the ones after the head, in order; this one took % to %',
                head_position + 1, head_position + s.n, s.lo, s.hi
            USING ERRCODE = 'FS002', HINT = 'Positions are not chosen by the appender: append through finsync (EventLog.append).';
    END IF;
    IF s.first_recorded < head_recorded OR s.last_recorded > greatest(clock_timestamp(), head_recorded) THEN
        RAISE EXCEPTION 'eventlog.events: recorded_at of positions % to % must lie between the head''s (%) and now, never decreasing', s.lo, s.hi, head_recorded
            USING ERRCODE = 'FS002', HINT = 'recorded_at never decreases with position and is never in the future.';
    END IF;
    IF s.one_stream THEN
        -- The append path's case: one stream, its versions one apart in position order,
        -- continuing the stored version.
        IF s.version_gap OR (s.first_version <> 1 AND NOT EXISTS (
                SELECT 1 FROM eventlog.events e WHERE e.stream_id = s.stream_id AND e.stream_version = s.first_version - 1)) THEN
            RAISE EXCEPTION 'eventlog.events: stream % must continue from its stored version with consecutive versions (this append starts at %)', s.stream_id, s.first_version
                USING ERRCODE = 'FS002', HINT = 'Stream versions start at 1 and have no gaps: append through finsync (EventLog.append).';
        END IF;
    ELSE
        -- Several streams in one statement: the same, stream by stream.
        SELECT y.stream_id, y.first_version INTO bad FROM (
            SELECT a.stream_id, min(a.stream_version) OVER w AS first_version,
                   a.stream_version - lag(a.stream_version) OVER w AS version_step
            FROM appended a WINDOW w AS (PARTITION BY a.stream_id ORDER BY a.position)) y
        WHERE y.version_step <> 1 OR (y.version_step IS NULL AND y.first_version <> 1 AND NOT EXISTS (
            SELECT 1 FROM eventlog.events e WHERE e.stream_id = y.stream_id AND e.stream_version = y.first_version - 1))
        LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'eventlog.events: stream % must continue from its stored version with consecutive versions (this append starts at %)', bad.stream_id, bad.first_version
                USING ERRCODE = 'FS002', HINT = 'Stream versions start at 1 and have no gaps: append through finsync (EventLog.append).';
        END IF;
    END IF;
    UPDATE eventlog.head SET last_position = s.hi, last_recorded_at = s.last_recorded;
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS events_advance_head ON eventlog.events;
CREATE TRIGGER events_advance_head AFTER INSERT ON eventlog.events
    REFERENCING NEW TABLE AS appended
    FOR EACH STATEMENT EXECUTE FUNCTION eventlog.advance_head();

-- CONNECT, TEMPORARY and CREATE (projection, shadow, scratch and snapshot schemas are made
-- at run time) on the current database. Database privileges are not copied by CREATE
-- DATABASE … TEMPLATE, so whoever clones a migrated database (the test support) calls
-- this again, as the owner, in the clone.
CREATE OR REPLACE FUNCTION eventlog.grant_database_to_runtime() RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    EXECUTE format('GRANT CONNECT, TEMPORARY, CREATE ON DATABASE %I TO finsync_app', current_database());
END $$;

REVOKE ALL ON FUNCTION eventlog.lock_head(), eventlog.advance_head(), eventlog.grant_database_to_runtime() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION eventlog.lock_head() TO finsync_app;
SELECT eventlog.grant_database_to_runtime();

-- The log: read, append (checked above), no UPDATE on the head (0001 granted it).
REVOKE ALL ON eventlog.head FROM PUBLIC, finsync_app;
GRANT SELECT ON eventlog.head TO finsync_app;
REVOKE ALL ON eventlog.events, eventlog.compression_dictionaries FROM finsync_app;
GRANT SELECT, INSERT ON eventlog.events, eventlog.compression_dictionaries TO finsync_app;

-- Every command checks the applied migrations first.
GRANT SELECT ON finsync_schema_migrations TO finsync_app;

-- Run state, checkpoints and replay bookkeeping: plain read/write tables.
GRANT USAGE ON SCHEMA ingest, projections, replay TO finsync_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ingest, projections, replay TO finsync_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA ingest, projections, replay TO finsync_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA ingest, projections, replay GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO finsync_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA ingest, projections, replay GRANT USAGE ON SEQUENCES TO finsync_app;

-- The live projections' tables (public) are created, and owned, by the runtime role.
GRANT USAGE, CREATE ON SCHEMA public TO finsync_app;
