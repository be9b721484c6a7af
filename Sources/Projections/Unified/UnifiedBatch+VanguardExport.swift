import CanonicalJSON
import EventLog
import Foundation
import Postgres

/// Vanguard export accounts in the unified tables.
///
/// Each account block of a Client Transactions Listing (`vanguard.transaction.imported`
/// rows on `vanguard/<conn>/export/<title>`) is an investment account: its cash rows are its
/// transactions, its cash balance the running balance, and its holdings the units derived
/// from the investment rows, priced at the latest trade price in the export (with that
/// day in `holdings.price_date`). A block linked to a session sub-account
/// (`vanguard.export.linked`) is that sub-account's account instead: its rows become the
/// sub-account's transactions, and its holdings are used only while no session snapshot
/// of the sub-account's holdings exists (the snapshot's prices win).
///
/// Rows are kept in the private table `vanguard_export_rows`, and each block touched by a
/// batch is derived again from all of them (``VanguardExportAccountSummary``), so a row
/// imported later (an overlapping export) or a new link gives the same tables as a rebuild.
struct VanguardExportBatch {
    /// Rows of this batch by row id.
    var rows: [String: VanguardExportRowStore.Row] = [:]
    /// Links of this batch by export account id (later events win).
    var links: [String: (connection: String, account: String, hierarchyID: String?, at: String)] = [:]

    var isEmpty: Bool { rows.isEmpty && links.isEmpty }
}

extension UnifiedBatch {
    /// The unified account of an export block that is not linked to a session sub-account
    /// (also the key of the block's rows and transactions).
    static func vanguardExportAccount(connection: String, title: String) -> String { DeterministicID.string("vanguard", "export-account", connection, title) }

    /// The `provider_account_id` of an unlinked export block.
    static func vanguardExportProviderID(connection: String, title: String) -> String { "export:\(connection):\(title)" }

    /// The transaction key of an export cash row: `export:<export account id>:<row id>`.
    static func vanguardExportTransactionKey(exportAccount: String, rowID: String) -> String { "export:\(exportAccount):\(rowID)" }

    /// The unified projection's export rows.
    static let vanguardExportRows = VanguardExportRowStore(table: "vanguard_export_rows")

    /// Folds a `vanguard.transaction.imported` or `vanguard.export.linked` event.
    mutating func foldVanguardExport(_ e: ProjectedEvent) throws {
        let conn = StreamName.connection(of: e.event.streamID)
        if e.type == EventCatalog.vanguardExportLinked.name {
            let link: VanguardExportLink
            do { link = try VanguardExportLink(validating: e.json) } catch { throw ProjectionError.malformed(e, "export link: \(error)") }
            vanguardExport.links[Self.vanguardExportAccount(connection: conn, title: link.account)] = (conn, link.account, link.hierarchyID, e.recordedAtText)
            return
        }
        let x: VanguardExportEvent
        do { x = try VanguardExportEvent(validating: e.json) } catch { throw ProjectionError.malformed(e, "export row: \(error)") }
        let (id, row) = VanguardExportRowStore.row(x, e, exportAccount: Self.vanguardExportAccount(connection: conn, title: x.account))
        if vanguardExport.rows[id] == nil { vanguardExport.rows[id] = row }
        _ = investmentConnection(provider: "vanguard", stream: e.event.streamID)
    }

    /// Stores the batch's rows and links, then derives every touched block again.
    /// Returns the transactions it wrote and the accounts they are in (for ``AnnotationBatch``).
    func writeVanguardExport(in c: ProjectionContext) throws -> (ids: [String], accounts: [String]) {
        guard !vanguardExport.isEmpty else { return ([], []) }
        try Self.vanguardExportRows.store(vanguardExport.rows, in: c)
        var touched: [String: (connection: String, account: String)] = [:]
        for r in vanguardExport.rows.values { touched[r.exportAccount] = (r.connection, r.account) }
        for (id, l) in vanguardExport.links { touched[id] = (l.connection, l.account) }
        if !vanguardExport.links.isEmpty {
            var w = CopyTextWriter()
            for (id, l) in vanguardExport.links.sorted(by: { $0.key < $1.key }) { w.row(id, l.connection, l.account, l.hierarchyID, l.at) }
            try StagedUpsert(table: "vanguard_export_accounts", columns: ["export_account", "connection", "account", "hierarchy_id", "linked_at"], conflict: ["export_account"],
                             update: ["hierarchy_id", "linked_at"]).run(w, in: c)
        }
        var written: (ids: [String], accounts: [String]) = ([], [])
        for (id, block) in touched.sorted(by: { $0.key < $1.key }) {
            let w = try deriveVanguardExport(id, connection: block.connection, title: block.account, in: c)
            written.ids += w.ids
            written.accounts += w.accounts
        }
        return written
    }

    /// Derives one export block's account, transactions and holdings from all its stored rows;
    /// returns the transactions written and the accounts they were in or are in now.
    func deriveVanguardExport(_ exportAccount: String, connection: String, title: String, in c: ProjectionContext) throws -> (ids: [String], accounts: [String]) {
        let state = try c.session.query("SELECT hierarchy_id, target_account::text FROM \(c.table("vanguard_export_accounts")) WHERE export_account = $1::uuid", [.text(exportAccount)])
        let hierarchyID = state.count == 1 ? state[0].string(0) : nil
        let previousTarget = state.count == 1 ? state[0].string(1) : nil
        let target = hierarchyID.map(Self.vanguardAccount) ?? exportAccount

        let (rows, updated) = try Self.vanguardExportRows.load(exportAccount: exportAccount, title: title, in: c)
        var names = Set<String>()
        for (_, row) in rows {
            if case .investment(let i) = row { names.insert(i.investmentName); if case .nameChange(let from, let to)? = i.details { names.formUnion([from, to]) } }
        }
        let summary = VanguardExportAccountSummary(rows: rows)
        let keys = rows.map { Self.vanguardExportTransactionKey(exportAccount: exportAccount, rowID: $0.rowID) }
        let holdingIDs = names.sorted().map { DeterministicID.string("vanguard", "export-holding", exportAccount, $0) }

        // What an earlier derivation wrote goes first (from wherever it went).
        for old in Set([previousTarget ?? exportAccount, exportAccount, target]).sorted() {
            _ = try c.session.query("DELETE FROM \(c.table("transactions")) WHERE account_id = $1::uuid AND provider_transaction_key = ANY($2::text[])", [.text(old), .textArray(keys)])
            _ = try c.session.query("DELETE FROM \(c.table("holdings")) WHERE account_id = $1::uuid AND id = ANY($2::uuid[])", [.text(old), .textArray(holdingIDs)])
        }
        if target != exportAccount || rows.isEmpty {
            _ = try c.session.query("DELETE FROM \(c.table("accounts")) WHERE id = $1::uuid", [.text(exportAccount)])
        }
        _ = try c.session.query("""
            INSERT INTO \(c.table("vanguard_export_accounts")) (export_account, connection, account, target_account) VALUES ($1::uuid, $2, $3, $4::uuid)
            ON CONFLICT (export_account) DO UPDATE SET target_account = EXCLUDED.target_account
            """, [.text(exportAccount), .text(connection), .text(title), .text(target)])
        let accounts = Set([previousTarget ?? exportAccount, exportAccount, target]).sorted()
        guard !rows.isEmpty else { return ([], accounts) }

        var tx = CopyTextWriter()
        var ids: [String] = []
        for entry in summary.cash {
            let r = entry.row
            ids.append(DeterministicID.string("vanguard", "export-transaction", exportAccount, entry.rowID))
            tx.row(ids[ids.count - 1], target,
                   Self.vanguardExportTransactionKey(exportAccount: exportAccount, rowID: entry.rowID), "booked", r.date, r.date, "\(r.amount)", "GBP",
                   "Vanguard", r.detailsText, updated)
        }
        if !summary.cash.isEmpty {
            try StagedUpsert(table: "transactions", columns: Self.transactionColumns, conflict: ["account_id", "provider_transaction_key"]).run(tx, in: c)
        }

        // A session snapshot of the sub-account's holdings wins over units derived from the
        // export. The account's `unrealised_pnl` is set by (and only by) such a snapshot, and
        // is in the table before this runs, whichever batch the snapshot came in.
        let sessionHoldings = try target != exportAccount
            && c.session.query("SELECT 1 FROM \(c.table("accounts")) WHERE id = $1::uuid AND unrealised_pnl IS NOT NULL", [.text(target)]).count > 0
        if !sessionHoldings && !summary.positions.isEmpty {
            var w = CopyTextWriter()
            for p in summary.positions {
                let h = p.holding
                let price = p.lastPrice, current = p.currentValue
                w.row(DeterministicID.string("vanguard", "export-holding", exportAccount, h.investmentName), target, p.productCode, h.investmentName, nil, "\(h.quantity)",
                      h.quantity == 0 ? nil : "\(Self.rounded(h.bookCost / h.quantity, 6))", price.map { "\($0)" }, current.map { "\($0)" },
                      current.map { "\($0 - h.bookCost)" }, "GBP", updated, p.lastPriceDate)
            }
            try c.session.copyIn("COPY \(c.table("holdings")) (id, account_id, ticker, name, isin, quantity, average_cost, current_price, current_value, unrealised_pnl, currency, updated_at, price_date) FROM STDIN", text: w)
        }

        let connectionID = Self.connectionID(provider: "vanguard", connection: connection)
        let wrapper = VanguardWrapper.code(forName: title)
        if target == exportAccount {
            var w = CopyTextWriter()
            w.row(target, connectionID, "vanguard", Self.vanguardExportProviderID(connection: connection, title: title), "investment",
                  "Vanguard \(title) (\(wrapper))", "GBP", nil, summary.cashBalance.map { "\($0)" }, summary.cashBalance == nil ? nil : "cash",
                  summary.cashBalanceDate, "\(summary.valuation.total)", "\(summary.valuation.unrealised)", "active", updated)
            try StagedUpsert(table: "accounts", columns: ["id", "connection_id", "provider", "provider_account_id", "account_type", "name", "currency", "iban",
                                                          "balance_amount", "balance_type", "balance_date", "total_value", "unrealised_pnl", "status", "updated_at"],
                             conflict: ["id"]).run(w, in: c)
        } else if let hierarchyID {
            // The session's observations own the account's values; the row only has to exist.
            _ = try c.session.query("""
                INSERT INTO \(c.table("accounts")) (id, connection_id, provider, provider_account_id, account_type, name, currency, status, updated_at)
                VALUES ($1::uuid, $2::uuid, 'vanguard', $3, 'investment', $4, 'GBP', 'active', $5::timestamptz) ON CONFLICT (id) DO NOTHING
                """, [.text(target), .text(connectionID), .text(hierarchyID), .text("Vanguard \(title) (\(wrapper))"), .text(updated)])
        }
        return (ids, accounts)
    }

    static func rounded(_ value: Decimal, _ scale: Int) -> Decimal {
        var v = value, r = Decimal()
        NSDecimalRound(&r, &v, scale, .plain)
        return r
    }
}

extension UnifiedFold {
    static let vanguardExport = UnifiedFold("vanguard export", eventTypes: [EventCatalog.vanguardTransactionImported.name, EventCatalog.vanguardExportLinked.name]) {
        batch, e, _ in try batch.foldVanguardExport(e)
    }
}
