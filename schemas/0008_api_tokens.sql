-- API tokens for `finsync serve` (`finsync token create|list|revoke`). Only a SHA-256 of
-- each token is stored: the token itself is printed once, when it is created, and cannot
-- be read back. A token's scope is `read` (every GET) or `write` (also the actions:
-- POST /v1/sync, POST /v1/connections). Revoking keeps the row (so `token list` still
-- names it) and stamps revoked_at; a revoked token is refused like an unknown one.
CREATE SCHEMA IF NOT EXISTS api;
GRANT USAGE ON SCHEMA api TO finsync_app;

CREATE TABLE api.tokens (
    token_id      uuid PRIMARY KEY,
    name          text NOT NULL,
    scope         text NOT NULL CHECK (scope IN ('read', 'write')),
    token_sha256  bytea NOT NULL UNIQUE CHECK (length(token_sha256) = 32),
    -- The token's first characters (its public prefix), so a person can tell tokens apart.
    prefix        text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz,
    revoked_at    timestamptz
);
CREATE UNIQUE INDEX tokens_live_name ON api.tokens (name) WHERE revoked_at IS NULL;

-- The runtime role creates, lists, checks and revokes tokens; it never deletes them.
GRANT SELECT, INSERT, UPDATE ON api.tokens TO finsync_app;
