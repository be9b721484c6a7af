-- Enable Banking links: one row per connection made with `finsync connect enablebanking`.
-- A link is a session (a consent at one bank, ASPSP name + country) and the accounts it
-- gave. Re-authorising the same bank replaces the session and the accounts' uids (they
-- change every time); each account keeps its finsync key, matched on identification_hash,
-- then IBAN, so its history stays one account. Not an observation, so not an event: the
-- sessions themselves are observed as `enablebanking.session.observed`.
CREATE TABLE ingest.enablebanking_links (
    connection     text PRIMARY KEY,                 -- the name given to connect (lower-case)
    application    text NOT NULL,                    -- the [[enablebanking]] entry's name
    aspsp_name     text NOT NULL,
    aspsp_country  text NOT NULL,
    session_id     text NOT NULL,
    valid_until    timestamptz,
    linked_at      timestamptz NOT NULL,
    status         text NOT NULL CHECK (status IN ('active', 'reconnect')),
    message        text NOT NULL DEFAULT '',
    accounts       jsonb NOT NULL DEFAULT '[]'      -- [{key, uid, identification_hash, iban, account}]
);
GRANT SELECT, INSERT, UPDATE, DELETE ON ingest.enablebanking_links TO finsync_app;
