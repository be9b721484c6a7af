-- The account blocks of imported Vanguard exports (Client Transactions Listing), so that
-- `finsync connect vanguard` can pair them with a session's sub-accounts by name and
-- `finsync connections` can list them. The pairings themselves are events
-- (`vanguard.export.linked`): they survive rebuilds.
CREATE TABLE ingest.vanguard_export_accounts (
    connection        text NOT NULL,          -- the import's --connection (streams vanguard/<connection>/export/<account>)
    account           text NOT NULL,          -- the block's title as Vanguard writes it
    first_imported_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (connection, account)
);
GRANT SELECT, INSERT, UPDATE, DELETE ON ingest.vanguard_export_accounts TO finsync_app;
