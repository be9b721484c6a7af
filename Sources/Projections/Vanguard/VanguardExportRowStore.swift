import EventLog
import CanonicalJSON
import Postgres

/// The private table of export rows that a projection deriving export blocks from all
/// their rows keeps (unified: `vanguard_export_rows`, for accounts, holdings and
/// transactions; analytics: `vanguard_export_value_rows`, for portfolio value): each row
/// once, with the position it was appended at, so a block touched by a batch can be derived
/// again from everything stored, in append order. Each projection names its own table (a
/// replay may put every projection in one schema).
struct VanguardExportRowStore {
    let table: String

    /// One stored row.
    struct Row {
        var exportAccount: String, connection: String, account: String, position: Int64, section: String, row: String, at: String
    }

    func createTable(in c: ProjectionContext) -> String {
        """
        CREATE TABLE IF NOT EXISTS \(c.table(table)) (
            id uuid PRIMARY KEY, export_account uuid NOT NULL, connection text NOT NULL, account text NOT NULL, position bigint NOT NULL,
            section text NOT NULL, row text NOT NULL, recorded_at timestamptz NOT NULL);
        CREATE INDEX IF NOT EXISTS \(table)_account ON \(c.table(table)) (export_account, position);
        """
    }

    /// The row of a validated `vanguard.transaction.imported` event, keyed by its row id.
    static func row(_ x: VanguardExportEvent, _ e: ProjectedEvent, exportAccount: String) -> (id: String, row: Row) {
        (x.rowID(stream: e.event.streamID), Row(exportAccount: exportAccount, connection: StreamName.connection(of: e.event.streamID), account: x.account,
                                                position: e.position, section: x.section.rawValue, row: x.rowJSON.canonicalString, at: e.recordedAtText))
    }

    func store(_ rows: [String: Row], in c: ProjectionContext) throws {
        guard !rows.isEmpty else { return }
        var w = CopyTextWriter()
        for (id, r) in rows.sorted(by: { $0.value.position < $1.value.position }) {
            w.row(id, r.exportAccount, r.connection, r.account, String(r.position), r.section, r.row, r.at)
        }
        try StagedUpsert(table: table, columns: ["id", "export_account", "connection", "account", "position", "section", "row", "recorded_at"], conflict: ["id"]).run(w, in: c)
    }

    /// Every stored row of a block, in append order, with the time of the latest.
    func load(exportAccount: String, title: String, in c: ProjectionContext) throws -> (rows: [(rowID: String, row: VanguardExportRow)], latest: String) {
        var rows: [(rowID: String, row: VanguardExportRow)] = [], latest = ""
        for r in try c.session.query("SELECT id::text, section, row, recorded_at::text FROM \(c.table(table)) WHERE export_account = $1::uuid ORDER BY position", [.text(exportAccount)]) {
            guard let id = r.string(0), let section = r.string(1).flatMap(VanguardExportSection.init(rawValue:)), let text = r.string(2),
                  let row = try? VanguardExportRow(validating: section, cells: VanguardExportEvent.cells(ofRow: JSONValue.parse(text))) else {
                throw ProjectionError(code: .applyFailed, message: "\(table) of \(title): a stored row cannot be read again")
            }
            rows.append((id, row))
            latest = max(latest, r.string(3) ?? "")
        }
        return (rows, latest)
    }
}
