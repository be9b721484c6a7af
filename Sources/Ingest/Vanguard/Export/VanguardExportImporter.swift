import Projections
import CanonicalJSON
import EventLog
import Foundation

/// Imports a "Client Transactions Listing" export as `vanguard.transaction.imported`
/// events, idempotently.
///
/// Entry point: ``importExport(_:runID:)`` (or ``importFile(at:runID:)``). Each row becomes
/// a ``VanguardExportEvent`` payload on stream `vanguard/<conn>/export/<account name>`,
/// where `occurrence` counts identical rows (same account, section and cells) earlier in
/// the file, so two identical purchases on one day stay two events while importing the
/// same file again appends nothing. Every row is validated first: a file with one bad
/// cell appends nothing.
public struct VanguardExportImporter: Sendable {
    public static let eventType = EventCatalog.vanguardTransactionImported.latest

    /// The connection name (`vanguard` unless configured otherwise).
    public let connection: String
    let sink: any EventSink

    public init(connection: String = "vanguard", sink: any EventSink) {
        self.connection = connection
        self.sink = sink
    }

    /// Reads and imports the file at `path` (.xlsx or UTF-8 CSV, ``VanguardExport/read(path:)``).
    public func importFile(at path: String, runID: UUID) async throws -> ExtractorOutcome {
        try await importExport(try VanguardExport.read(path: path), runID: runID)
    }

    /// The events for one parsed export, per stream, in file order.
    public func events(for export: VanguardExport, runID: UUID) -> [(stream: String, events: [NewEvent])] {
        export.accounts.map { account in
            var seen: [[UInt8]: Int] = [:]
            let events = account.rows.map { row -> NewEvent in
                let rowJSON = VanguardExportEvent.rowJSON(row.cells)
                let identity = [UInt8](row.section.rawValue.utf8) + [0] + rowJSON.canonicalBytes
                let occurrence = seen[identity, default: 0]
                seen[identity] = occurrence + 1
                let payload = VanguardExportEvent.payload(account: account.name, section: row.section, row: rowJSON, occurrence: occurrence)
                return RunStamp(runID: runID).event(Self.eventType, payload, endpoint: "export:client-transactions-listing",
                                                    occurredAt: row.cells["Date"].flatMap(VanguardExportValue.instant))
            }
            return (stream: StreamName.vanguardExport(connection, account: account.name), events: events)
        }
    }

    /// Validates every row of `export` (``VanguardExport/validate()``), then appends them
    /// all; rows already stored are counted as duplicates.
    /// - Throws: ``VanguardExportError`` for a bad cell, before anything is appended.
    public func importExport(_ export: VanguardExport, runID: UUID) async throws -> ExtractorOutcome {
        try export.validate()
        var outcome = ExtractorOutcome(step: "vanguard/\(connection)/export")
        outcome.warnings = export.warnings
        for (stream, events) in events(for: export, runID: runID) where !events.isEmpty {
            outcome.record(try await sink.append(events, to: stream))
        }
        return outcome
    }

    /// Units per fund per account, derived from the export's investment rows.
    public static func holdings(of export: VanguardExport) -> [String: [VanguardHoldings.Holding]] {
        var out: [String: [VanguardHoldings.Holding]] = [:]
        for account in export.accounts {
            let rows = account.rows.filter { $0.section == .investment }.compactMap { VanguardInvestmentRow(cells: $0.cells) }
            out[account.name] = VanguardHoldings.derive(from: rows)
        }
        return out
    }
}
