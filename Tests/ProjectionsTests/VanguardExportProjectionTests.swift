import CanonicalJSON
import EventLog
import FinsyncTestSupport
import Foundation
import Postgres
import Projections
import Testing

/// `vanguard.transaction.imported` events folded into `vg_transactions`: good rows as
/// before, a stored row with a bad cell (appended by an older importer) refused in Swift,
/// naming the event, before any SQL.
@Suite struct VanguardExportProjectionTests {
    static let stream = StreamName.vanguardExport("vanguard", account: "My ISA")
    static let type = EventCatalog.vanguardTransactionImported.latest

    static func event(_ section: VanguardExportSection, _ cells: [String: String], occurrence: Int = 0) -> (String, NewEvent) {
        (stream, NewEvent(type: type, json: VanguardExportEvent.payload(account: "My ISA", section: section, row: VanguardExportEvent.rowJSON(cells), occurrence: occurrence)))
    }

    static let deposit = ["Date": "01/02/2024", "Details": "Regular Deposit", "Amount": "1,100.00", "Balance": ""]
    static let purchase = ["Date": "05/02/2024", "InvestmentName": "Fund", "TransactionDetails": "Bought 2.0000 Fund (FND)", "Quantity": "2.0000", "Price": "198.0000", "Cost": "396.00"]

    /// Applies every stored event in one batch, as a fold would, and returns the
    /// `ProjectionError` it throws (any other error is thrown on).
    static func applyAll(_ h: ProjectionHarness) async throws -> ProjectionError? {
        let events = try await h.log.readBatch(after: 0).map { try ProjectedEvent(decoding: $0) }
        return try await h.connection.withSession { s in
            let c = ProjectionContext(session: s, schema: "public")
            try InvestmentsRawProjection().createTables(in: c)
            do { try InvestmentsRawProjection().apply(events, in: c) } catch let e as ProjectionError { return e }
            return nil
        }
    }

    @Test func goodRowsFoldIntoVgTransactions() async throws {
        try await TestDatabase.with { db in
            let h = try await ProjectionHarness.make(db)
            let positions = try await h.append([Self.event(.cash, Self.deposit), Self.event(.investment, Self.purchase), Self.event(.investment, Self.purchase, occurrence: 1)])
            #expect(try await Self.applyAll(h) == nil)
            // `finsync explain` finds the one event behind each row.
            let events = try await h.log.readBatch(after: 0).map { try ProjectedEvent(decoding: $0) }
            let ids = try await h.rows("SELECT id::text FROM vg_transactions ORDER BY section, occurrence").compactMap { $0[0] }
            let writers = try await h.connection.withSession { s in
                try ids.map { id in
                    try InvestmentsRawProjection().lineage(table: "vg_transactions", row: ["id": id], in: ProjectionContext(session: s, schema: "public"))?.select(events).map(\.position)
                }
            }
            #expect(writers == positions.map { Optional([$0]) })
            #expect(try await h.rows("SELECT account, section, date::text, details, amount::text, balance::text, investment_name, quantity::text, price::text, cost::text, occurrence::text FROM vg_transactions ORDER BY section, occurrence") == [
                ["My ISA", "cash", "2024-02-01", "Regular Deposit", "1100", nil, nil, nil, nil, nil, "0"],
                ["My ISA", "investment", "2024-02-05", "Bought 2.0000 Fund (FND)", nil, nil, "Fund", "2", "198", "396", "0"],
                ["My ISA", "investment", "2024-02-05", "Bought 2.0000 Fund (FND)", nil, nil, "Fund", "2", "198", "396", "1"],
            ])
        }
    }

    struct Bad: Sendable, CustomStringConvertible {
        var description: String
        var section: VanguardExportSection
        var cells: [String: String]
        var column: String
    }

    static let bad: [Bad] = [
        Bad(description: "an unreadable balance", section: .cash, cells: deposit.merging(["Balance": "abc"]) { $1 }, column: "Balance"),
        Bad(description: "a 200,000-digit amount", section: .cash, cells: deposit.merging(["Amount": String(repeating: "9", count: 200_000)]) { $1 }, column: "Amount"),
        Bad(description: "a NUL in the details", section: .cash, cells: deposit.merging(["Details": "Regular\u{0}Deposit"]) { $1 }, column: "Details"),
        Bad(description: "an impossible date", section: .cash, cells: deposit.merging(["Date": "31/02/2024"]) { $1 }, column: "Date"),
        Bad(description: "an unreadable price", section: .investment, cells: purchase.merging(["Price": "1.2.3"]) { $1 }, column: "Price"),
        Bad(description: "a bad quantity", section: .investment, cells: purchase.merging(["Quantity": "two"]) { $1 }, column: "Quantity"),
    ]

    /// The bad event is the older of the batch and a different row than the good one: it is
    /// refused, not skipped, and nothing of the batch is written.
    @Test(arguments: bad) func aStoredRowWithABadCellIsMalformedBeforeAnySQL(_ bad: Bad) async throws {
        try await TestDatabase.with { db in
            let h = try await ProjectionHarness.make(db)
            let positions = try await h.append([Self.event(bad.section, bad.cells), Self.event(.investment, Self.purchase)])
            let error = try #require(try await Self.applyAll(h))
            #expect(error.code == .malformedPayload)
            #expect(error.position == positions[0])
            #expect(error.eventType == EventCatalog.vanguardTransactionImported.name)
            #expect(error.message.contains("column \"\(bad.column)\""))
            #expect(error.message.count < 300)
            #expect(try await h.rows("SELECT count(*)::text FROM vg_transactions") == [["0"]])
        }
    }

    @Test func aPayloadWithoutTheImportersShapeIsMalformed() throws {
        let good = VanguardExportEvent.payload(account: "My ISA", section: .cash, row: VanguardExportEvent.rowJSON(Self.deposit), occurrence: 0)
        #expect(throws: Never.self) { _ = try VanguardExportEvent(validating: good) }
        var o = try #require(good.object)
        for (key, value) in [("section", JSONValue.string("savings")), ("occurrence", .string("0")), ("occurrence", .number("-1")), ("account", .string(" ")),
                             ("account", .string("My\u{0}ISA")), ("row", .array([])), ("row", ["Date": "01/02/2024", "Amount": .number("1")])] {
            let saved = o[key]
            o[key] = value
            #expect(throws: VanguardExportRowError.self, "\(key): \(value)") { _ = try VanguardExportEvent(validating: .object(o)) }
            o[key] = saved
        }
    }
}
