import CanonicalJSON
import EventLog
import FinsyncTestSupport
import Foundation
import Postgres
import Projections
import Replay
import Testing

/// A small hand-written log whose effects on each row are known exactly.
struct KnownLog {
    static let runA = UUID(uuidString: "0190a000-0000-7000-8000-00000000000a")!
    static let runB = UUID(uuidString: "0190b000-0000-7000-8000-00000000000b")!

    static func balance(_ type: String, _ amount: String, _ date: String) -> JSONValue {
        ["balanceType": .string(type), "balanceAmount": ["amount": .string(amount), "currency": "GBP"], "referenceDate": .string(date)]
    }

    static func booked(_ account: String, _ tid: String, _ amount: String, _ date: String) -> JSONValue {
        ["account_id": .string(account), "occurrence": .number("0"),
         "transaction": ["transactionId": .string(tid), "bookingDate": .string(date), "transactionAmount": ["amount": .string(amount), "currency": "GBP"], "creditorName": "Cafe"]]
    }

    /// Appends the twelve events, one append each (positions 1…12).
    static func append(to log: EventLog) async throws {
        let events: [(String, String, JSONValue, UUID)] = [
            (StreamName.gocardlessInstitution("A"), EventCatalog.gocardlessInstitutionObserved.name, ["id": "A", "name": "Alpha"], runA),                                  // 1
            (StreamName.gocardlessInstitution("B"), EventCatalog.gocardlessInstitutionObserved.name, ["id": "B", "name": "Beta"], runA),                                   // 2
            (StreamName.gocardlessInstitution("A"), EventCatalog.gocardlessInstitutionObserved.name, ["id": "A", "name": "Alpha Bank"], runB),                             // 3
            (StreamName.gocardlessAccount("acc1", .balances), EventCatalog.gocardlessBalancesObserved.name,
             ["account_id": "acc1", "balances": [balance("interimBooked", "100.00", "2024-03-01"), balance("closingBooked", "90.00", "2024-02-29")]], runA), // 4
            (StreamName.gocardlessAccount("acc1", .transactions), EventCatalog.gocardlessTransactionBooked.name, booked("acc1", "t1", "-12.50", "2024-03-01"), runA),     // 5
            (StreamName.gocardlessAccount("acc1", .transactions), EventCatalog.gocardlessTransactionBooked.name, booked("acc1", "t2", "-5.00", "2024-03-02"), runA),      // 6
            (StreamName.gocardlessAccount("acc1", .balances), EventCatalog.gocardlessBalancesObserved.name,
             ["account_id": "acc1", "balances": [balance("interimBooked", "110.00", "2024-03-02")]], runB),                                        // 7
            (StreamName.gocardlessAccount("acc1", .transactions), EventCatalog.gocardlessTransactionBooked.name, booked("acc1", "t1", "-13.50", "2024-03-01"), runB),     // 8
            (StreamName.gocardlessAccount("acc2", .transactions), EventCatalog.gocardlessTransactionBooked.name, booked("acc2", "t9", "-1.00", "2024-03-01"), runB),      // 9
            (StreamName.connectionHealth(provider: "trading212", "isa"), EventCatalog.connectionHealthObserved.name,
             ["provider": "trading212", "connection_id": "isa", "status": "expired", "message": "token expired"], runB),                           // 10
            (StreamName.gocardlessRequisition("R1"), EventCatalog.gocardlessRequisitionObserved.name, ["id": "R1", "status": "LN", "institution_id": "A", "accounts": ["acc1"]], runB), // 11
            (StreamName.gocardlessAccount("acc1", .balances), EventCatalog.gocardlessBalancesObserved.name,
             ["account_id": "acc1", "balances": [balance("interimBooked", "111.00", "2024-03-02")]], runB),                                        // 12
        ]
        try await ReplayFixture.append(known: events, to: log)
    }
}

@Suite struct DiffExplainTests {
    @Test func diffReportsExactlyTheRowsAddedRemovedAndChanged() async throws {
        try await TestDatabase.with { db in
            let conn = try await db.connect()
            defer { conn.close() }
            try await KnownLog.append(to: EventLog(connection: conn))
            let diff = ReplayDiff(replay: PointInTimeReplay(connection: conn))

            let inst = try await diff.diff(from: .position(1), to: .position(3), table: "gc_institutions")
            #expect(inst.tables.count == 1)
            let t = inst.tables[0]
            #expect(t.added.map(\.keyText) == ["id=B"])
            #expect(t.removed.isEmpty)
            #expect(t.changed.map(\.keyText) == ["id=A"])
            let nameChange = t.changed.first?.columns.first { $0.column == "name" }
            #expect(nameChange == ColumnChange(column: "name", from: "Alpha", to: "Alpha Bank"))
            #expect(Set(t.changed.first?.columns.map(\.column) ?? []) == ["name", "raw", "observed_at"])

            let bal = try await diff.diff(from: .position(4), to: .position(7), table: "gc_balances").tables[0]
            #expect(bal.added.isEmpty)
            #expect(bal.removed.map(\.keyText) == ["account_id=acc1, balance_type=closingBooked, ordinal=0"])
            #expect(bal.changed.map(\.keyText) == ["account_id=acc1, balance_type=interimBooked, ordinal=0"])
            let cols = Dictionary(uniqueKeysWithValues: (bal.changed.first?.columns ?? []).map { ($0.column, $0) })
            #expect(Set(cols.keys) == ["amount", "reference_date", "observed_at"])
            #expect(cols["amount"]?.from == "100.00" && cols["amount"]?.to == "110.00")
            #expect(cols["reference_date"]?.from == "2024-03-01" && cols["reference_date"]?.to == "2024-03-02")

            // Every table of every projection, 6 → 8: only the re-observed t1 and what follows from it.
            let all = try await diff.diff(from: .position(6), to: .position(8))
            let touched = Dictionary(uniqueKeysWithValues: all.tables.filter { !$0.differences.isEmpty }.map { ($0.table, $0) })
            #expect(Set(touched.keys) == ["gc_balances", "gc_transactions", "transactions", "accounts", "daily_balances", "monthly_cashflow", "cashflow_entries", "net_worth_daily"])
            #expect(touched["gc_transactions"]?.changed.count == 1)
            #expect(Set(touched["gc_transactions"]?.changed.first?.columns.map(\.column) ?? []) == ["transaction_amount", "extracted_at", "raw"])
            #expect(touched["transactions"]?.changed.first?.columns.first { $0.column == "amount" } == ColumnChange(column: "amount", from: "-12.50", to: "-13.50"))
            #expect(touched["monthly_cashflow"]?.changed.first?.columns.first { $0.column == "money_out" } == ColumnChange(column: "money_out", from: "17.50", to: "18.50"))
            // The scratch schemas are gone.
            let left = try await conn.withSession { s in try s.query("SELECT count(*) FROM replay.scratch_schemas")[0].int64(0) }
            #expect(left == 0)
        }
    }

    @Test func explainListsExactlyTheEventsThatWroteTheRow() async throws {
        try await TestDatabase.with { db in
            let conn = try await db.connect()
            defer { conn.close() }
            try await KnownLog.append(to: EventLog(connection: conn))
            try await ReplayFixture.catchUpLive(conn)
            let explainer = Explainer(connection: conn)
            func positions(_ table: String, _ key: [String], schema: String? = nil) async throws -> [Int64] {
                try await explainer.explain(table: table, key: key, schema: schema).events.map(\.position)
            }
            let acc1 = DeterministicID.string("gocardless", "account", "acc1")
            let t1 = DeterministicID.string("gocardless", "transaction", "acc1", "tid:t1")

            let inst = try await explainer.explain(table: "gc_institutions", key: ["A"])
            #expect(inst.events.map(\.position) == [1, 3])
            #expect(inst.events.map(\.run) == [KnownLog.runA, KnownLog.runB])
            #expect(inst.events.map(\.stream) == [StreamName.gocardlessInstitution("A"), StreamName.gocardlessInstitution("A")])
            #expect(inst.events.allSatisfy { $0.type == EventCatalog.gocardlessInstitutionObserved.name })
            #expect(inst.events[1].excerpt.contains("Alpha Bank"))
            #expect(inst.row["name"] == "Alpha Bank")

            #expect(try await positions("gc_balances", ["acc1", "interimBooked", "0"]) == [4, 7, 12])
            #expect(try await positions("gc_transactions", [t1]) == [5, 8])
            #expect(try await positions("transactions", [t1]) == [5, 8])
            #expect(try await positions("public.accounts", [acc1]) == [4, 5, 6, 7, 8, 11, 12])
            #expect(try await positions("institutions", [DeterministicID.string("gocardless", "institution", "A")]) == [1, 3, 11])
            // The requisition, then only the activity after it tied acc1 to the connection.
            #expect(try await positions("connections", [DeterministicID.string("gocardless", "connection", "R1")]) == [11, 12])
            let health = try await explainer.explain(table: "connections", key: [DeterministicID.string("trading212", "connection", "isa")])
            #expect(health.events.map(\.position) == [10])
            #expect(health.row["last_error"] == "token expired")
            #expect(try await positions("institutions", [DeterministicID.string("gocardless", "institution", "B")]) == [2])
            #expect(try await positions("analytics.cashflow_entries", [acc1, "tid:t1"]) == [5, 8])
            #expect(try await positions("monthly_cashflow", [acc1, "2024-03-01", "GBP"]) == [5, 6, 8])
            #expect(try await positions("daily_balances", [acc1, "2024-03-01"]) == [4])
            #expect(try await positions("daily_balances", [acc1, "2024-03-02"]) == [7, 12])
            #expect(try await positions("net_worth_daily", ["2024-03-02", "GBP"]) == [7, 12])

            // In a replay's scratch schema, only the events up to its point.
            _ = try await PointInTimeReplay(connection: conn).replay(at: .position(6), into: "at6")
            #expect(try await positions("gc_transactions", [t1], schema: "at6") == [5])

            await #expect(throws: ReplayError.self) { _ = try await explainer.explain(table: "gc_balances", key: ["acc1", "closingBooked", "0"]) }
            await #expect(throws: ReplayError.self) { _ = try await explainer.explain(table: "nope", key: ["x"]) }
            await #expect(throws: ReplayError.self) { _ = try await explainer.explain(table: "gc_balances", key: ["acc1"]) }
        }
    }
}
