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
-- triggers are disabled): the statement's rows must take exactly the next positions after
-- the head, keep recorded_at non-decreasing (and not in the future), and continue each
-- stream's versions without a gap. Then the head moves to the last of them. Positions are
-- therefore never chosen by the appender: anything but "the next n" is rejected, and with
-- the head locked until commit they stay dense and in commit order.
CREATE OR REPLACE FUNCTION eventlog.advance_head() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    head_position bigint;
    head_recorded timestamptz;
    lo bigint; hi bigint; n bigint;
    first_recorded timestamptz; last_recorded timestamptz;
    bad record;
BEGIN
    SELECT h.last_position, h.last_recorded_at INTO head_position, head_recorded FROM eventlog.head h FOR UPDATE;
    SELECT min(a.position), max(a.position), count(*), min(a.recorded_at), max(a.recorded_at)
        INTO lo, hi, n, first_recorded, last_recorded FROM appended a;
    IF n = 0 THEN
        RETURN NULL;
    END IF;
    IF lo <> head_position + 1 OR hi <> head_position + n THEN
        RAISE EXCEPTION 'eventlog.events: an append must take positions % to %, the ones after the head; this one took % to %',
                head_position + 1, head_position + n, lo, hi
            USING ERRCODE = 'FS002', HINT = 'Positions are not chosen by the appender: append through finsync (EventLog.append).';
    END IF;
    IF first_recorded < head_recorded OR last_recorded > greatest(clock_timestamp(), head_recorded) THEN
        RAISE EXCEPTION 'eventlog.events: recorded_at of positions % to % must lie between the head''s (%) and now', lo, hi, head_recorded
            USING ERRCODE = 'FS002', HINT = 'recorded_at never decreases with position and is never in the future.';
    END IF;
    -- Within the statement: recorded_at non-decreasing with position, and each stream's
    -- versions consecutive in position order.
    SELECT x.position, x.stream_id INTO bad FROM (
        SELECT a.position, a.stream_id,
               a.recorded_at < lag(a.recorded_at) OVER (ORDER BY a.position) AS back_in_time,
               a.stream_version <> lag(a.stream_version) OVER (PARTITION BY a.stream_id ORDER BY a.position) + 1 AS version_skip
        FROM appended a) x
    WHERE x.back_in_time OR x.version_skip LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'eventlog.events: position % (stream %) breaks the order of recorded_at or of its stream''s versions', bad.position, bad.stream_id
            USING ERRCODE = 'FS002', HINT = 'Append through finsync (EventLog.append).';
    END IF;
    -- Each stream continues from its stored version (the unique (stream_id, stream_version)
    -- index rules out overlaps; this rules out gaps).
    SELECT s.stream_id, s.first_version INTO bad FROM (
        SELECT a.stream_id, min(a.stream_version) AS first_version FROM appended a GROUP BY a.stream_id) s
    WHERE s.first_version <> 1 AND NOT EXISTS (
        SELECT 1 FROM eventlog.events e WHERE e.stream_id = s.stream_id AND e.stream_version = s.first_version - 1)
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'eventlog.events: stream % has no version % to continue from with version %', bad.stream_id, bad.first_version - 1, bad.first_version
            USING ERRCODE = 'FS002', HINT = 'Stream versions start at 1 and have no gaps: append through finsync (EventLog.append).';
    END IF;
    UPDATE eventlog.head SET last_position = hi, last_recorded_at = last_recorded;
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
