import CanonicalJSON
import EventLog
import FinsyncTestSupport
import Foundation
import Postgres
import Projections
import Replay
import Testing

@Suite struct InvestmentExplainTests {
    @Test func explainNamesExactlyTheEventsBehindInvestmentRows() async throws {
        try await TestDatabase.with { db in
            let conn = try await db.connect()
            let log = EventLog(connection: conn)
            func t212(_ stream: String, _ kind: EventKind, _ json: JSONValue) async throws -> Int64 {
                try await log.append([NewEvent(type: kind.latest, json: json)], to: stream).appended[0].position
            }
            func position(_ ticker: String, _ qty: String) -> JSONValue {
                ["ticker": .string(ticker), "quantity": .number(qty), "averagePrice": .number("402.1"), "currentPrice": .number("410.35"), "ppl": .number("0.83")]
            }
            let p1 = try await t212(StreamName.trading212("isa", .positions), EventCatalog.trading212PositionsObserved, ["api": "portfolio", "positions": [position("BPl_EQ", "10")]])
            let account = try await t212(StreamName.trading212("isa", .account), EventCatalog.trading212AccountObserved, ["api": "legacy", "cash": ["free": .number("10"), "total": .number("60"), "ppl": .number("1")], "info": ["currencyCode": "GBP", "id": 1]])
            let p2 = try await t212(StreamName.trading212("isa", .positions), EventCatalog.trading212PositionsObserved, ["api": "portfolio", "positions": [position("BPl_EQ", "12"), position("VUSAl_EQ", "3")]])
            let bp = try await t212(StreamName.trading212Instrument("BPl_EQ"), EventCatalog.trading212InstrumentObserved, ["ticker": "BPl_EQ", "currencyCode": "GBX", "name": "BP", "isin": "GB0007980591"])
            _ = try await t212(StreamName.trading212Instrument("VUSAl_EQ"), EventCatalog.trading212InstrumentObserved, ["ticker": "VUSAl_EQ", "currencyCode": "GBP", "name": "Vanguard S&P 500"])
            let dividend = try await t212(StreamName.trading212("isa", .dividends), EventCatalog.trading212DividendObserved, ["ticker": "BPl_EQ", "reference": "d-1", "amount": .number("1.20"), "paidOn": "2026-08-02T09:00:00.000Z", "type": "ORDINARY"])
            let results = try await ProjectionRunner(connection: conn).catchUp(ProjectionCatalog.liveTargets)
            #expect(results.allSatisfy { $0.outcome == .caughtUp })

            let explainer = Explainer(connection: conn)
            let holding = DeterministicID.string("trading212", "holding", "isa", "BPl_EQ")
            #expect(try await explainer.explain(table: "holdings", key: [holding]).events.map(\.position) == [p1, p2, bp])
            let dividendRow = DeterministicID.string("trading212", "transaction", "isa", "dividend:d-1")
            #expect(try await explainer.explain(table: "transactions", key: [dividendRow]).events.map(\.position) == [dividend])
            #expect(try await explainer.explain(table: "t212_positions", key: ["isa", "BPl_EQ"]).events.map(\.position) == [p1, p2])
            #expect(try await explainer.explain(table: "accounts", key: [DeterministicID.string("trading212", "account", "isa")]).events.map(\.position) == [p1, account, p2, dividend])
        }
    }
}
