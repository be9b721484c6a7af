-- Trading212 and Vanguard ingest state that is not an observation (so not an event).
CREATE SCHEMA IF NOT EXISTS ingest;

-- Trading212 instrument metadata (~5 MB, limited to 1 request / 50 s) cached for a day,
-- one row per API environment: the list is the same for every key of that environment,
-- so all connections and processes (sync, schedule) share one copy that survives restarts.
CREATE TABLE ingest.t212_instrument_cache (
    base_url    text PRIMARY KEY,
    fetched_at  timestamptz NOT NULL,
    body        bytea NOT NULL          -- the canonical JSON array as Trading212 sent it
);

-- Vanguard session connections. The session file stays where the person put it (it holds
-- cookies); finsync remembers only its path and SHA-256, and whether Vanguard rejected it.
-- A connection in 'auth_required' is not called again until a session with another
-- fingerprint is handed over (`finsync connect vanguard --session FILE`): retrying a
-- rejected session risks locking the person's account.
CREATE TABLE ingest.vanguard_connections (
    name                  text PRIMARY KEY,
    session_path          text NOT NULL,
    session_sha256        text NOT NULL,
    status                text NOT NULL CHECK (status IN ('active', 'auth_required')),
    rejected_sha256       text,
    message               text NOT NULL DEFAULT '',
    updated_at            timestamptz NOT NULL DEFAULT now()
);

-- Which Trading212 history lists (orders, dividends, transactions) of a connection have been
-- walked to their end once. Until then a run walks the whole list (already stored items are
-- skipped by content key), so a first run killed halfway is completed by the next one; after
-- that, runs stop at the first page holding an already stored item.
CREATE TABLE ingest.t212_history_state (
    connection   text NOT NULL,
    list         text NOT NULL CHECK (list IN ('orders', 'dividends', 'transactions')),
    complete_at  timestamptz NOT NULL,
    PRIMARY KEY (connection, list)
);
