import ArgumentParser
import EventLog
import Foundation
import Ingest
import Postgres

/// `finsync import <provider> FILE`: imports files downloaded from a provider.
/// Register in the root command's subcommands.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import files downloaded from a provider.",
        subcommands: [ImportVanguardCommand.self])
}

/// `finsync import vanguard FILE`: a Vanguard "Client Transactions Listing" export (.xlsx,
/// every sheet, or CSV).
///
/// Appends one `vanguard.transaction.imported` event per row; importing the same file
/// (or an overlapping one) again appends only the rows not yet stored.
struct ImportVanguardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vanguard",
        abstract: "Import a Vanguard Client Transactions Listing (.xlsx or CSV).",
        discussion: "Download it from vanguardinvestor.co.uk: Documents → Report generator → Client Transactions Listing – Excel. Every sheet (one per account) is read; a sheet saved as CSV works too.")

    @OptionGroup var database: SettingsOptions
    @Argument(help: "The export file (.xlsx or CSV).") var file: String
    @Option(name: .long, help: "The connection name (streams are vanguard/<name>/export/<account>).") var connection = "vanguard"
    @Flag(name: .long, help: "Parse and report without writing.") var dryRun = false

    func validate() throws {
        guard !connection.isEmpty, connection.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw ValidationError("--connection may only contain letters, digits, '-' and '_' (it becomes part of stream ids)")
        }
    }

    func run() async throws {
        let export: VanguardExport
        do { export = try VanguardExport.read(path: file) } catch let e as VanguardExportError {
            throw ValidationError(e.description)
        }
        for w in export.warnings { print("warning: \(w)") }
        let runID = UUIDv7.make()
        if dryRun {
            let importer = VanguardExportImporter(connection: connection, sink: NoSink())
            for (stream, events) in importer.events(for: export, runID: runID) { print("would offer \(events.count) rows to \(stream)") }
        } else {
            let settings = try database.resolve()
            let conn = try await settings.connect()
            defer { conn.close() }
            let outcome = try await VanguardExportImporter(connection: connection, sink: EventLog(connection: conn)).importExport(export, runID: runID)
            print("import vanguard: \(outcome.eventsAppended) new rows, \(outcome.duplicates) already stored (run \(runID.uuidString.lowercased()))")
            // Blocks that a registered session's sub-account is, by name, are paired with it.
            let linker = VanguardExportLinker(connection: conn, exportConnection: connection)
            try await linker.record(accounts: export.accounts.map(\.name))
            for link in try await linker.linkByNames() { print("paired \"\(link.account)\" with session sub-account \(link.hierarchyID ?? "-") (by names)") }
        }
        for (account, holdings) in VanguardExportImporter.holdings(of: export).sorted(by: { $0.key < $1.key }) {
            print("\(account):" + (holdings.isEmpty ? " no units held" : ""))
            for h in holdings { print("  \(h.quantity) units  \(h.investmentName)  (book cost \(h.bookCost))") }
        }
    }

    /// A dry run never appends.
    struct NoSink: EventSink {
        func append(_ events: [NewEvent], to stream: String) async throws -> AppendResult { throw ValidationError("dry run") }
        func appendSnapshot(_ event: NewEvent, to stream: String, ignoring: Set<String>) async throws -> AppendResult { throw ValidationError("dry run") }
    }
}
