import CanonicalJSON
import EventLog
import FinsyncTestSupport
import Foundation
import Postgres
import Projections
import Testing

@Suite struct GoCardlessProjectionTests {
    @Test func sandboxObservationsBecomeExactRawAndUnifiedRows() async throws {
        try await TestDatabase.with { db in
            let h = try await ProjectionHarness.make(db)
            try await h.append([GC.institutionEvent(), GC.agreementEvent(), GC.requisitionEvent(), GC.metadataEvent(), GC.detailsEvent(),
                                GC.balancesEvent([GC.balance("1913.12", "expected", "2024-12-29"), GC.balance("1900.00", "interimAvailable")])]
                               + GC.sandboxBooked.map { GC.booked($0) }
                               + [GC.pendingEvent([GC.item("-10.00", date: "2024-12-29", text: "Reserved PAYMENT Emperor's Burgers", valueOnly: true)])])
            let results = try await h.fold()
            #expect(results.allSatisfy { $0.outcome == .caughtUp })

            let account = DeterministicID.string("gocardless", "account", GC.account)
            let connection = DeterministicID.string("gocardless", "connection", GC.requisition)
            #expect(try await h.rows("SELECT id, connection_id, provider, provider_account_id, account_type, name, currency, iban, balance_amount, balance_type, balance_date, status FROM accounts WHERE provider_account_id = '\(GC.account)'") == [[
                account, connection, "gocardless", GC.account, "bank", "Main Account", "EUR", "GL3510230000010234", "1913.12", "expected", "2024-12-29", "ready",
            ]])
            // The second linked account is known (from the requisition) before its data arrives.
            #expect(try await h.rows("SELECT connection_id FROM accounts WHERE provider_account_id = '\(GC.account2)'") == [[connection]])
            #expect(try await h.rows("SELECT provider, provider_connection_id, status, expires_at::text, created_at::text FROM connections") == [[
                "gocardless", GC.requisition, "active", "2025-03-27 21:34:20.658531+00", "2024-12-27 21:34:20.658531+00",
            ]])
            #expect(try await h.rows("SELECT provider_institution_id, name, bic, countries::text FROM institutions") == [[GC.institution, "Sandbox Finance", "SFIN0000", "{XX}"]])
            #expect(try await h.rows("""
                SELECT status, booking_date::text, amount::text, currency, counterparty, description, provider_transaction_key FROM transactions t
                ORDER BY t.status, t.booking_date, t.amount
                """) == [
                ["booked", "2024-12-26", "15.00", "EUR", "Jennifer Houston", nil, "tid:2024122601773503-1"],
                ["booked", "2024-12-27", "-95.35", "EUR", "Freshto Ideal", nil, "tid:2024122701773509-1"],
                ["booked", "2024-12-27", "-35.56", "EUR", "Liam Brown", "Water invoice #5678", "tid:2024122701773511-1"],
                ["booked", "2024-12-28", "-15.00", "EUR", nil, "PAYMENT Alderaan Coffe", "syn:2024-12-28|-15.00|EUR||PAYMENT Alderaan Coffe"],
                ["booked", "2024-12-28", "45.00", "EUR", "MON MOTHMA", "For the support of Restoration of the Republic foundation", "tid:2024122801773517-1"],
                ["pending", nil, "-10.00", "EUR", nil, "Reserved PAYMENT Emperor's Burgers", "pending:syn:2024-12-29|-10.00|EUR||Reserved PAYMENT Emperor's Burgers"],
            ])
            // Raw tables keep provider fields and the provider's JSON.
            #expect(try await h.rows("SELECT id, iban, currency, owner_name, name, product, cash_account_type, institution_id, status FROM gc_bank_accounts WHERE id = '\(GC.account)'") == [[
                GC.account, "GL3510230000010234", "EUR", "John Doe", "Main Account", "Checkings", "CACC", GC.institution, "READY",
            ]])
            #expect(try await h.rows("SELECT balance_type, amount::text, reference_date::text FROM gc_balances ORDER BY balance_type") == [["expected", "1913.12", "2024-12-29"], ["interimAvailable", "1900.00", nil]])
            #expect(try await h.rows("SELECT raw->>'remittanceInformationUnstructured', transaction_amount::text, creditor_name FROM gc_transactions WHERE transaction_id = '2024122701773511-1'") == [["Water invoice #5678", "-35.56", "Liam Brown"]])
            #expect(try await h.rows("SELECT status, accounts::text FROM gc_requisitions") == [["LN", "{\(GC.account),\(GC.account2)}"]])
        }
    }

    @Test func pendingThatBooksEndsAsExactlyOneBookedRow() async throws {
        try await TestDatabase.with { db in
            let h = try await ProjectionHarness.make(db)
            let burgers = GC.item("-10.00", date: "2024-12-29", text: "Reserved PAYMENT Emperor's Burgers", valueOnly: true)
            let cafe = GC.item("-20.00", date: "2024-12-29", id: "PX-77", creditor: "Cafe Nomad")
            let kiosk = GC.item("-5.00", date: "2024-12-29", text: "Kiosk", valueOnly: true)
            let vanishing = GC.item("-99.00", date: "2024-12-29", text: "Hotel hold", valueOnly: true)
            try await h.append([GC.pendingEvent([burgers, cafe, kiosk, vanishing])])
            try await h.fold()
            #expect(try await h.rows("SELECT count(*) FROM transactions WHERE status = 'pending'") == [["4"]])
            // Next day: burgers book under a new id, the cafe under the same id, the kiosk with no id;
            // the hotel hold vanishes. The bank still lists the cafe as pending for a while.
            try await h.append([
                GC.booked(GC.item("-10.00", date: "2024-12-30", id: "NEW-1", creditor: "Emperor's Burgers", text: "PAYMENT Emperor's Burgers")),
                GC.booked(GC.item("-20.00", date: "2024-12-30", id: "PX-77", creditor: "Cafe Nomad")),
                GC.booked(GC.item("-5.00", date: "2024-12-30", text: "Kiosk")),
                GC.pendingEvent([cafe], on: "2024-12-30"),
            ])
            try await h.fold()
            #expect(try await h.rows("SELECT status, amount::text FROM transactions t ORDER BY t.amount") == [["booked", "-20.00"], ["booked", "-10.00"], ["booked", "-5.00"]])
            #expect(try await h.rows("SELECT status, transaction_amount::text FROM gc_transactions t ORDER BY t.transaction_amount") == [["booked", "-20.00"], ["booked", "-10.00"], ["booked", "-5.00"]])
            // Once the bank stops listing it, nothing changes.
            try await h.append([GC.pendingEvent([], on: "2024-12-31")])
            try await h.fold()
            #expect(try await h.rows("SELECT count(*), count(*) FILTER (WHERE status = 'booked') FROM transactions") == [["3", "3"]])
        }
    }

    @Test func transactionsWithoutIdsGetStableSyntheticKeys() async throws {
        try await TestDatabase.with { db in
            let h = try await ProjectionHarness.make(db)
            let coffee = GC.item("-3.20", date: "2024-12-28", creditor: "Costa Coffee", text: "CARD PAYMENT COSTA")
            let items = [coffee, coffee, GC.item("-7.00", date: "2024-12-28", creditor: "Pret", text: "CARD PAYMENT PRET")]
            let occurrences = GoCardlessTransaction.occurrences(try items.map(GoCardlessTransaction.init))
            #expect(occurrences == [0, 1, 0])
            func fetch() -> [(String, NewEvent)] { zip(items, occurrences).map { GC.booked($0.0, occurrence: $0.1) } }
            let first = try await h.append(fetch())
            #expect(first.count == 3)
            try await h.fold()
            // A second, overlapping fetch of the same window appends nothing and changes nothing.
            let second = try await h.append(fetch())
            #expect(second.isEmpty)
            try await h.fold()
            #expect(try await h.rows("SELECT provider_transaction_key FROM transactions ORDER BY 1") == [
                ["syn:2024-12-28|-3.20|EUR|Costa Coffee|CARD PAYMENT COSTA"], ["syn:2024-12-28|-3.20|EUR|Costa Coffee|CARD PAYMENT COSTA#1"],
                ["syn:2024-12-28|-7.00|EUR|Pret|CARD PAYMENT PRET"],
            ])
            #expect(try await h.rows("SELECT sum(amount)::text, count(*) FROM transactions") == [["-13.40", "3"]])
        }
    }

    @Test func amountsStayExactDecimals() async throws {
        try await TestDatabase.with { db in
            let h = try await ProjectionHarness.make(db)
            try await h.append([
                GC.booked(GC.item("-9", date: "2024-01-02", id: "a")),
                GC.booked(GC.item("0.1", date: "2024-01-02", id: "b")),
                GC.booked(GC.item("1234567890.123456789", date: "2024-01-02", id: "c")),
                GC.booked(GC.item("0.2", date: "2024-01-02", id: "d")),
            ])
            try await h.fold()
            #expect(try await h.rows("SELECT amount::text FROM transactions ORDER BY provider_transaction_key") == [["-9"], ["0.1"], ["1234567890.123456789"], ["0.2"]])
            #expect(try await h.rows("SELECT sum(amount)::text FROM transactions WHERE provider_transaction_key IN ('tid:b', 'tid:d')") == [["0.3"]])
            #expect(try await h.rows("SELECT money_in::text, money_out::text, net::text, transaction_count FROM analytics.monthly_cashflow") == [["1234567890.423456789", "9", "1234567881.423456789", "4"]])
        }
    }
}
