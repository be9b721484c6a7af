-- finsync ingestion: run records, per-step outcomes, provider quotas and sync cursors.
CREATE SCHEMA IF NOT EXISTS ingest;

-- One row per `finsync sync` (manual or scheduled). A run killed before it finished stays
-- 'running' until the next run takes the lock and marks it 'failed' (abandoned).
CREATE TABLE ingest.runs (
    run_id             uuid PRIMARY KEY,
    trigger            text NOT NULL CHECK (trigger IN ('manual', 'scheduled')),
    status             text NOT NULL CHECK (status IN ('running', 'succeeded', 'partially_failed', 'failed', 'skipped')),
    dry_run            boolean NOT NULL DEFAULT false,
    provider_filter    text,
    connection_filter  text,
    started_at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    finished_at        timestamptz,
    events_appended    integer NOT NULL DEFAULT 0,
    duplicates_skipped integer NOT NULL DEFAULT 0,
    message            text
);
CREATE INDEX runs_started ON ingest.runs (started_at DESC);

-- One row per step (a connection or one of its accounts) of a run.
CREATE TABLE ingest.run_steps (
    run_id             uuid NOT NULL REFERENCES ingest.runs (run_id),
    step_no            integer NOT NULL,
    provider           text NOT NULL,
    connection_id      text NOT NULL,
    step_key           text NOT NULL,
    label              text NOT NULL,
    status             text NOT NULL CHECK (status IN ('running', 'succeeded', 'partially_failed', 'failed', 'skipped')),
    started_at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    finished_at        timestamptz,
    events_appended    integer NOT NULL DEFAULT 0,
    duplicates_skipped integer NOT NULL DEFAULT 0,
    quota              jsonb NOT NULL DEFAULT '[]',
    notes              jsonb NOT NULL DEFAULT '[]',
    error              text,
    PRIMARY KEY (run_id, step_no)
);

-- What a provider lets us spend, per subject (e.g. a bank account) and scope
-- (e.g. details / balances / transactions). `next_allowed_at` is when a spent budget resets.
CREATE TABLE ingest.quotas (
    provider          text NOT NULL,
    subject           text NOT NULL,
    scope             text NOT NULL,
    quota_limit       integer,
    remaining         integer,
    next_allowed_at   timestamptz,
    last_success_at   timestamptz,
    updated_at        timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (provider, subject, scope)
);

-- Incremental-sync cursors (e.g. the last booked date seen per account). Only advanced
-- after the events they cover were appended, so a killed run re-fetches, never skips.
CREATE TABLE ingest.cursors (
    provider    text NOT NULL,
    subject     text NOT NULL,
    name        text NOT NULL,
    value       text NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (provider, subject, name)
);
