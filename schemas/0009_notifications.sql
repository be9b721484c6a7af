-- Notifications (`[notify]` webhooks): what was told about a connection, per UTC day, so a
-- consent expiring in 7 days (or expired, or a connection that needs the person) is told
-- once a day, not after every run. A row is claimed before sending (INSERT ... ON CONFLICT
-- DO NOTHING, so two runs never both send) and removed again when no webhook took it, so
-- the next run tries again. Run failures are told every time and are not recorded here.
CREATE TABLE ingest.notifications_sent (
    kind           text NOT NULL,          -- consent_expiring, consent_expired, connection_needs_attention
    provider       text NOT NULL,
    connection_id  text NOT NULL,
    day            date NOT NULL,          -- the UTC day it was told
    sent_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, provider, connection_id, day)
);
GRANT SELECT, INSERT, DELETE ON ingest.notifications_sent TO finsync_app;
