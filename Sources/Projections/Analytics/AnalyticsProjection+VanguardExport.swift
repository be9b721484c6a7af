import CanonicalJSON
import EventLog
import Postgres

/// Vanguard export cash rows in `monthly_cashflow`, counted for the unified account their
/// block is (``UnifiedBatch/vanguardExportAccount(connection:title:)``, or the linked
/// sub-account's), keyed as in the unified `transactions`.
///
/// Which account a block is can change later (`vanguard.export.linked`): the private table
/// `vanguard_export_links` keeps each block's current account, and a link that changes it
/// moves the block's entries and their monthly sums to the new account. Links are applied
/// before the batch's rows, which then go straight to the final account: the same tables
/// whatever the batch boundaries.
struct AnalyticsVanguardExport {
    struct CashRow { var exportAccount: String, key: String, month: String, amount: String }
    var rows: [CashRow] = []
    /// Export account id → its linked sub-account (nil: unlinked), later events winning.
    var links: [String: String?] = [:]
    /// The blocks' connection and title, for new rows of `vanguard_export_links`.
    var blocks: [String: (connection: String, title: String)] = [:]

    mutating func fold(_ e: ProjectedEvent) throws {
        let conn = VanguardExportEvent.connection(ofStream: e.event.streamID)
        if e.type == EventCatalog.vanguardExportLinked {
            let link: VanguardExportLink
            do { link = try VanguardExportLink(validating: e.json) } catch { throw ProjectionError.malformed(e, "export link: \(error)") }
            let id = UnifiedBatch.vanguardExportAccount(connection: conn, title: link.account)
            links[id] = .some(link.hierarchyID)
            blocks[id] = (conn, link.account)
            return
        }
        let x: VanguardExportEvent
        do { x = try VanguardExportEvent(validating: e.json) } catch { throw ProjectionError.malformed(e, "export row: \(error)") }
        guard case .cash(let r) = x.row else { return }
        let id = UnifiedBatch.vanguardExportAccount(connection: conn, title: x.account)
        blocks[id] = (conn, x.account)
        rows.append(CashRow(exportAccount: id, key: UnifiedBatch.vanguardExportTransactionKey(exportAccount: id, rowID: x.rowID(stream: e.event.streamID)),
                            month: String(r.date.prefix(7)) + "-01", amount: "\(r.amount)"))
    }

    /// Applies the links (moving what changed account), then returns the batch's rows as
    /// cash-flow entries for their blocks' accounts.
    func entries(in c: ProjectionContext) throws -> [(account: String, key: String, month: String, currency: String, amount: String)] {
        guard !rows.isEmpty || !links.isEmpty else { return [] }
        let ids = Array(blocks.keys).sorted()
        var current: [String: String] = [:]
        for r in try c.session.query("SELECT export_account::text, target_account::text FROM \(c.table("vanguard_export_links")) WHERE export_account = ANY($1::uuid[])", [.textArray(ids)]) {
            if let id = r.string(0), let target = r.string(1) { current[id] = target }
        }
        let monthly = c.table("monthly_cashflow"), entriesTable = c.table("cashflow_entries")
        for id in ids {
            let old = current[id] ?? id
            let new = links[id].map { $0.map(UnifiedBatch.vanguardAccount) ?? id } ?? old
            if new != old {
                _ = try c.session.query("""
                    WITH moved AS (DELETE FROM \(entriesTable) WHERE account_id = $1::uuid AND transaction_key LIKE $3 RETURNING *),
                    added AS (INSERT INTO \(entriesTable) (account_id, transaction_key, month, currency, amount) SELECT $2::uuid, transaction_key, month, currency, amount FROM moved),
                    deltas AS (SELECT $1::uuid AS account_id, month, currency, amount, -1 AS sign FROM moved
                               UNION ALL SELECT $2::uuid, month, currency, amount, 1 FROM moved)
                    \(AnalyticsProjection.monthlyDeltaUpsert(monthly))
                    """, [.text(old), .text(new), .text("export:\(id):%")])
                _ = try c.session.query("DELETE FROM \(monthly) WHERE transaction_count = 0")
            }
            current[id] = new
        }
        var w = CopyTextWriter()
        for id in ids { if let b = blocks[id] { w.row(id, b.connection, b.title, current[id]) } }
        try StagedUpsert(table: "vanguard_export_links", columns: ["export_account", "connection", "account", "target_account"], conflict: ["export_account"]).run(w, in: c)
        return rows.map { (current[$0.exportAccount] ?? $0.exportAccount, $0.key, $0.month, "GBP", $0.amount) }
    }
}
