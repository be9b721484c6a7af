import Annotations
import Clocks
import CanonicalJSON
import EventLog
import Foundation
import Ingest
import Postgres
import Projections
import ProviderFakes
import Testing

/// Enable Banking end to end against the fake API and a real PostgreSQL: linking, syncing
/// into raw and unified tables, re-authorisation, quirks and faults.
@Suite("Enable Banking sync")
struct EnableBankingSyncTests {
    /// The code of the ``EnableBankingError`` `body` throws (nil when it does not throw one).
    static func failure(_ body: () async throws -> Void) async -> EnableBankingError.Code? {
        do { try await body(); return nil } catch let e as EnableBankingError { return e.code } catch { return nil }
    }

    @Test("linking: POST /auth, the consent redirect, POST /sessions; every request carries a verified RS256 token, reused")
    func linkingEndToEnd() async throws {
        try await EnableBankingHarness.with { h in
            let link = try await h.link("nordea", "fi", days: 365)
            #expect(link.connection == "nordea-fi")
            #expect(link.bankName == "Nordea" && link.bankCountry == "FI")
            #expect(link.accounts.count == 2)
            #expect(link.accounts.map(\.iban) == ["FI0455231152453547", "FI2112345600000785"])
            #expect(Set(link.accounts.compactMap(\.uid)) == Set(h.fake.currentUIDs(bank: "Nordea")))
            // 365 days were asked for; Nordea allows 180: less than the maximum was asked.
            let v = try #require(link.validUntil)
            #expect(v.timeIntervalSince(h.clock.date) < 15_552_000 && v.timeIntervalSince(h.clock.date) > 15_552_000 - 7200)
            #expect(try await h.store.all().map(\.connection) == ["nordea-fi"])
            #expect(h.fake.rejectedTokens.isEmpty)
            #expect(await h.client.signer.signedCount() == 1)
        }
    }

    @Test("exactly the bank's maximum validity is refused by the fake; finsync asks for less")
    func maximumValidityRefused() async throws {
        try await EnableBankingHarness.with { h in
            let now = h.clock.date
            let f = ISO8601DateFormatter()
            let body: JSONValue = .object(["access": .object(["valid_until": .string(f.string(from: now.addingTimeInterval(7_776_000)))]),
                                           "aspsp": .object(["name": "Trade Republic", "country": "DE"]), "state": "s", "redirect_url": .string(EnableBankingHarness.redirect)])
            #expect(await Self.failure { _ = try await h.client.startAuthorization(body, bank: "Trade Republic (DE)") } == .invalidRequest)
            let started = try await h.linker.start(bank: "Trade Republic", country: "DE", days: 90)
            #expect(started.validUntil.timeIntervalSince(now) == 7_776_000 - 3600)
            #expect(started.note?.contains("at most 90 days") == true)
        }
    }

    @Test("the fake verifies the signature: another key, a wrong kid and an expired token are refused")
    func tokensAreVerified() async throws {
        try await EnableBankingHarness.with { h in
            // Another key (same kid): bad signature.
            let other = try EnableBankingHarness.throwawayKey()
            let wrongKey = EnableBankingClient(baseURL: h.fake.baseURL, signer: try EnableBankingTokenSigner(applicationID: EnableBankingHarness.applicationID, privateKeyPEM: other.pemRepresentation),
                                               clock: h.clock)
            #expect(await Self.failure { _ = try await wrongKey.application() } == .authenticationFailed)
            #expect(h.fake.rejectedTokens.contains("bad signature"))
            // The right key under another application id.
            let wrongKid = EnableBankingClient(baseURL: h.fake.baseURL, signer: try EnableBankingTokenSigner(applicationID: UUID().uuidString.lowercased(), privateKeyPEM: h.privateKeyPEM),
                                               clock: h.clock)
            #expect(await Self.failure { _ = try await wrongKid.application() } == .authenticationFailed)
            #expect(h.fake.rejectedTokens.contains("unknown kid"))
            // A token signed two hours ago has expired.
            let stale = EnableBankingClient(baseURL: h.fake.baseURL, signer: try h.configuration.signer(), clock: ManualClock(h.clock.date.addingTimeInterval(-7200)))
            #expect(await Self.failure { _ = try await stale.application() } == .authenticationFailed)
            #expect(h.fake.rejectedTokens.contains("expired"))
            // The right key and kid are accepted.
            #expect(try await h.client.application()["active"]?.bool == true)
        }
    }

    @Test("a token is reused for its hour and replaced before it ends")
    func tokenReuse() async throws {
        try await EnableBankingHarness.with { h in
            let signer = try h.configuration.signer()
            let t0 = h.clock.date
            let a = try await signer.token(now: t0)
            #expect(try await signer.token(now: t0.addingTimeInterval(1800)) == a)
            let b = try await signer.token(now: t0.addingTimeInterval(3400))
            #expect(b != a)
            #expect(await signer.signedCount() == 2)
            // Header and claims as Enable Banking documents them.
            let parts = a.split(separator: ".")
            func decode(_ s: Substring) throws -> JSONValue {
                var t = s.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
                while t.count % 4 != 0 { t += "=" }
                return try JSONValue.parse(Array(try #require(Data(base64Encoded: t))))
            }
            let header = try decode(parts[0]), claims = try decode(parts[1])
            #expect(header["alg"]?.string == "RS256" && header["kid"]?.string == EnableBankingHarness.applicationID && header["typ"]?.string == "JWT")
            #expect(claims["iss"]?.string == "enablebanking.com" && claims["aud"]?.string == "api.enablebanking.com")
            #expect((claims["exp"]?.int ?? 0) - (claims["iat"]?.int ?? 0) == 3600)
        }
    }

    @Test("full sync: raw and unified rows with exact signed amounts, deepest history at once, balances by preference; a second sync appends nothing")
    func fullSync() async throws {
        try await EnableBankingHarness.with { h in
            let link = try await h.link("Nordea", "FI")
            let first = try await h.sync()
            #expect(first.status == .succeeded, "\(first.steps.map { "\($0.key) \($0.status) \($0.error ?? "")" })")
            let counts = try await h.counts()
            #expect(counts[EventCatalog.enablebankingTransactionBooked.name] == 6)   // 5 current (one 200 days old) + 1 savings; pending not asked for
            #expect(counts[EventCatalog.enablebankingPendingObserved.name] == nil)
            #expect(counts[EventCatalog.enablebankingBalancesObserved.name] == 2)
            #expect(counts[EventCatalog.enablebankingAccountObserved.name] == 2)
            #expect(counts[EventCatalog.enablebankingSessionObserved.name] == 1)
            #expect(counts[EventCatalog.enablebankingAspspObserved.name] == 1)
            // Deep history first (strategy=longest), every follow-up page with the same window and status.
            let tx = h.fake.requests.filter { $0.contains("/transactions") }
            #expect(tx.first?.contains("strategy=longest") == true)
            #expect(tx.first?.contains("transaction_status=BOOK") == true)
            #expect(tx.contains { $0.contains("continuation_key=") })
            func params(_ r: String) -> [String] {
                (URLComponents(string: "http://x" + (r.split(separator: " ").last.map(String.init) ?? ""))?.queryItems ?? [])
                    .filter { ["date_from", "date_to", "transaction_status", "strategy"].contains($0.name) }.map { "\($0.name)=\($0.value ?? "")" }
            }
            let windows = Set(tx.map(params))
            #expect(windows.count == 1)

            try await h.project()
            let current = try #require(link.accounts.first).key
            let amounts = try await h.rows("SELECT amount::text, counterparty FROM transactions t JOIN accounts a ON a.id = t.account_id WHERE a.provider = 'enablebanking' AND a.provider_account_id = $1 ORDER BY booking_date", [.text(current)])
            #expect(amounts.map { $0[0] } == ["100", "-25.99", "2500.00", "-12.50", "-7.25"])
            #expect(amounts.map { $0[1] } == ["Old Employer", "Grocery Store Oy", "Employer Ltd", "Cafe Aalto", "Kiosk"])
            let raw = try await h.rows("SELECT transaction_key, amount::text, credit_debit_indicator FROM eb_transactions WHERE account_key = $1 AND entry_reference = '5561990750'", [.text(current)])
            #expect(raw == [["tid:5561990750", "-12.50", "DBIT"]])
            // Balances: CLBD (closingBooked) before XPCD and CLAV; ITBD (interimBooked) first for savings.
            let balances = try await h.rows("SELECT iban, balance_amount::text, balance_type, name FROM accounts WHERE provider = 'enablebanking' ORDER BY iban")
            #expect(balances == [["FI0455231152453547", "1234.56", "closingBooked", "Current Account"], ["FI2112345600000785", "5000.00", "interimBooked", "FI2112345600000785"]])
            #expect(try await h.rows("SELECT count(*)::text FROM eb_balances") == [["5"]])
            let conn = try await h.rows("SELECT c.status, i.name FROM connections c JOIN institutions i ON i.id = c.institution_id WHERE c.provider = 'enablebanking'")
            #expect(conn == [["active", "Nordea"]])
            #expect(try await h.health("nordea-fi")?["status"]?.string == "active")
            // Analytics include the provider: the preferred balance per day, booked cash flow per month.
            let row = EnableBankingBooking.accountRowID(current)
            #expect(try await h.rows("SELECT balance::text FROM analytics.daily_balances WHERE account_id = $1::uuid", [.text(row)]) == [["1234.56"]])
            #expect(try await h.rows("SELECT sum(transaction_count)::text, sum(net)::text FROM analytics.monthly_cashflow WHERE account_id = $1::uuid", [.text(row)]) == [["5", "2554.26"]])

            h.clock.advance(by: 3600)
            let before = try await h.total()
            let second = try await h.sync()
            #expect(second.eventsAppended == 0)
            #expect(try await h.total() == before)
            // The incremental window is at most 90 days, counted inclusively.
            let last = try #require(h.fake.requests.last { $0.contains("/transactions") })
            #expect(!last.contains("strategy"))
        }
    }

    @Test("a new connection past the bank's grace window gets 90 inclusive days instead of failing")
    func deepHistoryFallsBack() async throws {
        try await EnableBankingHarness.with { h in
            try await h.link("Nordea", "FI")
            h.clock.advance(by: 600)
            let run = try await h.sync()
            #expect(run.status == .succeeded)
            #expect(run.steps.contains { $0.notes.contains { $0.contains("refused 730 days") } })
            #expect(h.fake.requests.contains { $0.contains("date_from=2026-08-28&date_to=2026-11-25") })
            #expect(try await h.counts()[EventCatalog.enablebankingTransactionBooked.name] == 5)   // not the 200-day-old one
            #expect(EnableBankingWindows.inclusiveDays(from: "2026-08-28", to: "2026-11-25") == 90)
            #expect(EnableBankingWindows.split(from: 0, to: 199).map { EnableBankingWindows.inclusiveDays(from: $0.from, to: $0.to) } == [90, 90, 20])
        }
    }

    @Test("re-authorisation gives new uids; each account keeps one unified row and its history")
    func reauthorisationKeepsAccounts() async throws {
        try await EnableBankingHarness.with { h in
            let first = try await h.link("Nordea", "FI")
            _ = try await h.sync()
            // A person's tag, made before the re-authorisation, stays on its transaction.
            try await h.project()
            let tagged = try #require(try await h.rows("""
                SELECT t.id::text FROM transactions t JOIN accounts a ON a.id = t.account_id WHERE a.provider = 'enablebanking' ORDER BY t.id LIMIT 1
                """).first?.first ?? nil)
            _ = try await AnnotationWriter(connection: h.connection).addTag("kept", to: tagged, actor: "cli")
            h.clock.advance(by: 86_400)
            let second = try await h.link("Nordea", "FI")
            #expect(Set(first.accounts.compactMap(\.uid)).isDisjoint(with: Set(second.accounts.compactMap(\.uid))))
            #expect(first.accounts.map(\.key) == second.accounts.map(\.key))
            let run = try await h.sync()
            #expect(run.status == .succeeded)
            try await h.project()
            #expect(try await h.rows("SELECT count(*)::text FROM accounts WHERE provider = 'enablebanking'") == [["2"]])
            #expect(try await h.rows("SELECT count(*)::text FROM transactions t JOIN accounts a ON a.id = t.account_id WHERE a.provider = 'enablebanking'") == [["6"]])
            #expect(try await h.rows("SELECT uid FROM eb_accounts ORDER BY iban") == second.accounts.map { [$0.uid] })
            #expect(try await h.rows("""
                SELECT a.transaction_id::text FROM transaction_annotations a JOIN transaction_tags g ON g.target_id = a.target_id WHERE g.tag = 'kept'
                """) == [[tagged]])
        }
    }

    @Test("a consent ending within 7 days warns with the command to run; once valid_until has passed nothing is asked and the connection needs reconnecting")
    func consentExpiry() async throws {
        try await EnableBankingHarness.with { h in
            try await h.link("Nordea", "FI", days: 10)
            _ = try await h.sync()
            h.clock.advance(by: 4 * 86_400)
            let run = try await h.sync()
            let session = try #require(run.steps.first { $0.key == "session" })
            #expect(session.status == .succeeded)
            let warning = "consent at Nordea (FI) expires on 2026-12-05; reconnect with `finsync connect enablebanking --bank \"Nordea\" --country FI --name nordea-fi` before then"
            #expect(session.notes == ["warning: " + warning])
            #expect(try await h.health("nordea-fi")?["message"]?.string == warning)
            #expect(try await h.provider.connections().first?.expiresSoon(now: h.clock.date) == true)

            h.clock.advance(by: 7 * 86_400)
            let asked = h.fake.requests.count
            let after = try await h.sync()
            #expect(h.fake.requests.count == asked)
            #expect(after.steps.map(\.status) == [.failed])
            #expect(after.steps.first?.error?.contains("finsync connect enablebanking --bank \"Nordea\" --country FI --name nordea-fi") == true)
            #expect(try await h.health("nordea-fi")?["status"]?.string == "expired")
        }
    }

    @Test("an account whose identification hash changed is still matched by IBAN")
    func matchByIBAN() {
        let known = [EnableBankingLink.Account(key: "k1", uid: "old", identificationHash: "H1", iban: "FI0455231152453547", resource: .object([:]))]
        let now: [JSONValue] = [["uid": "new", "identification_hash": "H2", "account_id": ["iban": "FI04 5523 1152 4535 47"]], ["uid": "x", "identification_hash": "H3"]]
        let assigned = EnableBankingAccountIdentity.assign(now, known: known)
        #expect(assigned[0].key == "k1")
        #expect(assigned[1].key != "k1")
        #expect(EnableBankingAccountIdentity.assign([["uid": "y", "identification_hash": "H3"]], known: []).first?.key == assigned[1].key)
    }

    @Test("a bank repeating its continuation key stops the loop unstored; id-less twins stay two and stable across syncs")
    func repeatedKeyAndTwins() async throws {
        try await EnableBankingHarness.with { h in
            let link = try await h.link("Trade Republic", "DE")
            let run = try await h.sync()
            #expect(run.status == .succeeded)
            #expect(run.steps.contains { $0.notes.contains { $0.contains("repeated continuation key") } })
            #expect(h.fake.requests.filter { $0.contains("/transactions") }.count == 2)
            let key = try #require(link.accounts.first).key
            let events = try await EventLog(connection: h.connection).readStream(StreamName.enablebankingAccount(key, .transactions))
            #expect(events.count == 3)
            try await h.project()
            let rows = try await h.rows("SELECT transaction_key, amount::text FROM eb_transactions ORDER BY transaction_key")
            #expect(rows.count == 3)
            #expect(rows.filter { $0[1] == "-3.10" }.map { $0[0] ?? "" }.sorted() == ["syn:2026-11-19|-3.10|EUR|Bakery|Coffee", "syn:2026-11-19|-3.10|EUR|Bakery|Coffee#1"])
            h.clock.advance(by: 7200)
            let second = try await h.sync()
            #expect(second.eventsAppended == 0)
            try await h.project()
        }
    }
}
