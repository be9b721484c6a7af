import CanonicalJSON
import EventLog
import FinsyncTestSupport
import Foundation
import Postgres
import Projections
import Replay
import Testing

/// A hand-written Enable Banking log whose effect on each row is known exactly, and
/// `finsync explain` of its `eb_*` and unified rows.
struct EnableBankingKnownLog {
    static let runA = UUID(uuidString: "0190a000-0000-7000-8000-0000000000ea")!
    static let runB = UUID(uuidString: "0190b000-0000-7000-8000-0000000000eb")!
    static let aspsp: JSONValue = ["name": "Nordea", "country": "FI"]

    static func item(_ ref: String, _ amount: String, _ indicator: String, _ status: String = "BOOK", _ date: String? = "2024-03-01") -> JSONValue {
        var o: [String: JSONValue] = ["entry_reference": .string(ref), "transaction_amount": ["currency": "EUR", "amount": .string(amount)],
                                      "credit_debit_indicator": .string(indicator), "status": .string(status), "creditor": ["name": "Cafe"]]
        if let date { o["booking_date"] = .string(date) }
        return .object(o)
    }

    static func booked(_ ref: String, _ amount: String, _ indicator: String) -> JSONValue {
        ["account_key": "k1", "occurrence": .number("0"), "transaction": item(ref, amount, indicator)]
    }

    static func balance(_ type: String, _ amount: String) -> JSONValue {
        ["name": .string(type), "balance_type": .string(type), "balance_amount": ["currency": "EUR", "amount": .string(amount)], "reference_date": "2024-03-01"]
    }

    static func session(_ id: String) -> JSONValue {
        ["connection": "nordea-fi", "session_id": .string(id), "aspsp": aspsp,
         "session": ["status": "AUTHORIZED", "access": ["valid_until": "2024-09-01T00:00:00.000000+00:00"], "created": "2024-03-01T00:00:00.000000+00:00"]]
    }

    static func account(_ uid: String) -> JSONValue {
        ["account_key": "k1", "connection": "nordea-fi", "uid": .string(uid), "aspsp": aspsp,
         "account": ["uid": .string(uid), "identification_hash": "H1", "account_id": ["iban": "FI0455231152453547"], "name": "Current", "currency": "EUR", "cash_account_type": "CACC"]]
    }

    /// Twelve events, one append each (positions 1…12).
    static func append(to log: EventLog) async throws {
        let accountStream = StreamName.enablebankingAccount("k1")
        let events: [(String, String, JSONValue, UUID)] = [
            (StreamName.enablebankingASPSP(country: "FI", name: "Nordea"), EventCatalog.enablebankingAspspObserved.name,
             ["name": "Nordea", "country": "FI", "maximum_consent_validity": .number("15552000")], runA),                                                   // 1
            (StreamName.enablebankingSession("nordea-fi"), EventCatalog.enablebankingSessionObserved.name, session("s1"), runA),                             // 2
            (accountStream, EventCatalog.enablebankingAccountObserved.name, account("u1"), runA),                                                                   // 3
            (StreamName.enablebankingAccount("k1", .balances), EventCatalog.enablebankingBalancesObserved.name,
             ["account_key": "k1", "balances": [balance("CLBD", "10.00"), balance("ITAV", "12.00")]], runA),                                                  // 4
            (StreamName.enablebankingAccount("k1", .transactions), EventCatalog.enablebankingTransactionBooked.name, booked("e1", "12.50", "DBIT"), runA),   // 5
            (StreamName.enablebankingAccount("k1", .pending), EventCatalog.enablebankingPendingObserved.name,
             ["account_key": "k1", "pending": [item("p1", "7.50", "DBIT", "PDNG", nil)]], runA),                                                              // 6
            (StreamName.enablebankingAccount("k1", .transactions), EventCatalog.enablebankingTransactionBooked.name, booked("e2", "100", "CRDT"), runB),     // 7
            (StreamName.enablebankingAccount("k1", .balances), EventCatalog.enablebankingBalancesObserved.name,
             ["account_key": "k1", "balances": [balance("CLBD", "97.50")]], runB),                                                                            // 8
            (StreamName.enablebankingAccount("k1", .pending), EventCatalog.enablebankingPendingObserved.name,
             ["account_key": "k1", "pending": [item("p1", "7.50", "DBIT", "PDNG", nil), item("p2", "3.00", "DBIT", "PDNG", nil)]], runB),                     // 9
            (StreamName.enablebankingAccount("k1", .transactions), EventCatalog.enablebankingTransactionBooked.name, booked("p1", "7.50", "DBIT"), runB),    // 10
            (accountStream, EventCatalog.enablebankingAccountObserved.name, account("u2"), runB),                                                                   // 11
            (StreamName.enablebankingSession("nordea-fi"), EventCatalog.enablebankingSessionObserved.name, session("s2"), runB),                             // 12
        ]
        try await ReplayFixture.append(known: events, to: log)
    }
}

@Suite struct EnableBankingExplainTests {
    @Test func explainNamesExactlyTheEnableBankingEventsThatWroteEachRow() async throws {
        try await TestDatabase.with { db in
            let conn = try await db.connect()
            defer { conn.close() }
            try await EnableBankingKnownLog.append(to: EventLog(connection: conn))
            try await ReplayFixture.catchUpLive(conn)
            let explainer = Explainer(connection: conn)
            func positions(_ table: String, _ key: [String]) async throws -> [Int64] {
                try await explainer.explain(table: table, key: key).events.map(\.position)
            }
            let e1 = EnableBankingBooking.rowID(accountKey: "k1", key: "tid:e1")
            let p1 = EnableBankingBooking.rowID(accountKey: "k1", key: "tid:p1")
            let p2 = EnableBankingBooking.rowID(accountKey: "k1", key: "pending:tid:p2")

            // Raw tables.
            let bank = try await explainer.explain(table: "eb_aspsps", key: ["FI", "Nordea"])
            #expect(bank.events.map(\.position) == [1])
            #expect(bank.events.map(\.type) == [EventCatalog.enablebankingAspspObserved.name] && bank.events.map(\.run) == [EnableBankingKnownLog.runA])
            #expect(try await positions("eb_sessions", ["nordea-fi"]) == [2, 12])
            #expect(try await positions("eb_accounts", ["k1"]) == [3, 11])
            #expect(try await positions("eb_balances", ["k1", "CLBD", "0"]) == [4, 8])
            let booked = try await explainer.explain(table: "eb_transactions", key: [e1])
            #expect(booked.events.map(\.position) == [5])
            #expect(booked.events.map(\.stream) == [StreamName.enablebankingAccount("k1", .transactions)])
            #expect(try await positions("eb_transactions", [p1]) == [10])
            #expect(try await positions("eb_transactions", [p2]) == [9])

            // Unified rows with provider enablebanking.
            #expect(try await positions("transactions", [e1]) == [5])
            #expect(try await positions("transactions", [p2]) == [9])
            #expect(try await positions("accounts", [EnableBankingBooking.accountRowID("k1")]) == [3, 4, 5, 6, 7, 8, 9, 10, 11])
            #expect(try await positions("institutions", [DeterministicID.string("enablebanking", "institution", "FI_Nordea")]) == [1, 2, 12])
            #expect(try await positions("consents", [DeterministicID.string("enablebanking", "consent", "s1")]) == [2])
            #expect(try await positions("consents", [DeterministicID.string("enablebanking", "consent", "s2")]) == [12])
            // The sessions, and the account's activity once its observation tied it to the connection.
            let connection = try await explainer.explain(table: "connections", key: [DeterministicID.string("enablebanking", "connection", "nordea-fi")])
            #expect(connection.events.map(\.position) == [2, 4, 5, 6, 7, 8, 9, 10, 12])
            #expect(connection.row["provider"] == "enablebanking")

            // Analytics rows of the account: its cash-flow entries and months, its daily balances and the day's net worth.
            let k1 = EnableBankingBooking.accountRowID("k1")
            #expect(try await positions("cashflow_entries", [k1, "tid:e1"]) == [5])
            #expect(try await positions("monthly_cashflow", [k1, "2024-03-01", "EUR"]) == [5, 7, 10])
            #expect(try await positions("daily_balances", [k1, "2024-03-01"]) == [4, 8])
            #expect(try await positions("net_worth_daily", ["2024-03-01", "EUR"]) == [4, 8])

            // Gone rows cannot be explained: the ITAV balance dropped at 8, pending p1 booked at 10.
            await #expect(throws: ReplayError.self) { _ = try await explainer.explain(table: "eb_balances", key: ["k1", "ITAV", "0"]) }
            await #expect(throws: ReplayError.self) { _ = try await explainer.explain(table: "eb_transactions", key: [EnableBankingBooking.rowID(accountKey: "k1", key: "pending:tid:p1")]) }
        }
    }
}
