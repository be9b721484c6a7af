import CanonicalJSON
import EventLog
import Postgres

/// Vanguard export blocks in analytics: their cash rows in `monthly_cashflow`, counted for
/// the unified account their block is (``UnifiedBatch/vanguardExportAccount(connection:title:)``,
/// or the linked sub-account's), keyed as in the unified `transactions`; and, for a block
/// that is an account of its own, its value in `portfolio_value_daily` on each day its rows
/// have (``VanguardExportAccountSummary/dailyValues(rows:)``, from the rows kept in
/// `vanguard_export_value_rows`). A linked block's value is its session's.
///
/// Which account a block is can change later (`vanguard.export.linked`): the private table
/// `vanguard_export_links` keeps each block's current account, and a link that changes it
/// moves the block's entries and their monthly sums to the new account. Links are applied
/// before the batch's rows, which then go straight to the final account: the same tables
/// whatever the batch boundaries.
struct AnalyticsVanguardExport {
    /// The analytics projection's export rows.
    static let rowStore = VanguardExportRowStore(table: "vanguard_export_value_rows")

    struct CashRow { var exportAccount: String, key: String, month: String, amount: String }
    var rows: [CashRow] = []
    /// Every row of this batch, for `vanguard_export_value_rows`.
    var stored: [String: VanguardExportRowStore.Row] = [:]
    /// Export account id → its linked sub-account (nil: unlinked), later events winning.
    var links: [String: String?] = [:]
    /// The blocks' connection and title, for new rows of `vanguard_export_links`.
    var blocks: [String: (connection: String, title: String)] = [:]

    mutating func fold(_ e: ProjectedEvent) throws {
        let conn = StreamName.connection(of: e.event.streamID)
        if e.type == EventCatalog.vanguardExportLinked.name {
            let link: VanguardExportLink
            do { link = try VanguardExportLink(validating: e.json) } catch { throw ProjectionError.malformed(e, "export link: \(error)") }
            let id = UnifiedBatch.vanguardExportAccount(connection: conn, title: link.account)
            links[id] = .some(link.hierarchyID)
            blocks[id] = (conn, link.account)
            return
        }
        let x: VanguardExportEvent
        do { x = try VanguardExportEvent(validating: e.json) } catch { throw ProjectionError.malformed(e, "export row: \(error)") }
        let id = UnifiedBatch.vanguardExportAccount(connection: conn, title: x.account)
        blocks[id] = (conn, x.account)
        let (rowID, row) = VanguardExportRowStore.row(x, e, exportAccount: id)
        if stored[rowID] == nil { stored[rowID] = row }
        guard case .cash(let r) = x.row else { return }
        rows.append(CashRow(exportAccount: id, key: UnifiedBatch.vanguardExportTransactionKey(exportAccount: id, rowID: x.rowID(stream: e.event.streamID)),
                            month: String(r.date.prefix(7)) + "-01", amount: "\(r.amount)"))
    }

    /// What the batch changes: cash-flow entries for the blocks' accounts, portfolio
    /// observations of the blocks that are accounts of their own, and the days whose
    /// portfolio rows were cleared.
    struct Changes {
        var entries: [(account: String, key: String, month: String, currency: String, amount: String)] = []
        var observations: [DailySeries.Observation] = []
        var cleared: ClosedRange<Int>?
    }

    /// Applies the links (moving what changed account), stores the rows, and derives the
    /// touched blocks' cash flow and portfolio value.
    func apply(in c: ProjectionContext) throws -> Changes {
        guard !blocks.isEmpty else { return Changes() }
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
        try Self.rowStore.store(stored, in: c)
        var changes = Changes()
        changes.entries = rows.map { (current[$0.exportAccount] ?? $0.exportAccount, $0.key, $0.month, "GBP", $0.amount) }
        var lo = Int.max, hi = Int.min
        for id in ids {
            // The block's series is derived anew from all its rows (none when it is linked).
            for r in try c.session.query("DELETE FROM \(c.table("portfolio_value_daily")) WHERE account_id = $1::uuid RETURNING date - DATE '1970-01-01'", [.text(id)]) {
                let day = Int(try r.decode(Int64.self, 0))
                lo = min(lo, day); hi = max(hi, day)
            }
            guard current[id] == id, let title = blocks[id]?.title else { continue }
            let stored = try Self.rowStore.load(exportAccount: id, title: title, in: c)
            for v in VanguardExportAccountSummary.dailyValues(rows: stored.rows) {
                guard let day = CalendarDay.day(v.date) else { continue }
                changes.observations.append(.init(account: id, day: day, values: ["\(v.total)", "\(v.unrealised)"], currency: "GBP"))
            }
        }
        changes.cleared = lo <= hi ? lo...hi : nil
        return changes
    }
}
