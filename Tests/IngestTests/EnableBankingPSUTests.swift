import CanonicalJSON
import Foundation
import Ingest
import Postgres
import ProviderFakes
import Testing

/// PSU headers (`../shared/providers/enablebanking.md` §8): sent only when a person is
/// present, with the configured values, all or none of the bank's required set; background
/// runs send none and live within the bank's background budget.
@Suite("Enable Banking PSU headers")
struct EnableBankingPSUTests {
    static let psu = EnableBankingPSUHeaders(ipAddress: "81.2.69.160", userAgent: "Mozilla/5.0 (X11; Linux x86_64) finsync-test")

    /// The PSU headers of every data call the fake received.
    static func dataCalls(_ fake: FakeEnableBankingServer) -> [FakeEnableBankingServer.ReceivedRequest] {
        fake.psuHeaders.filter { $0.target.contains("/accounts/") }
    }

    @Test("a scheduled run sends no PSU headers even when configured and the bank requires them, and says so in the run record")
    func scheduledIsBackground() async throws {
        try await EnableBankingHarness.with(psu: Self.psu) { h in
            let monzo = try await h.link("Monzo", "GB")
            // A caller claiming a person on a scheduled run is overruled by the runner.
            let run = try await h.sync(.init(trigger: .scheduled, personPresent: true))
            let calls = Self.dataCalls(h.fake)
            #expect(!calls.isEmpty)
            #expect(calls.allSatisfy { $0.psu.isEmpty }, "\(calls)")
            let step = try #require(run.steps.first { $0.key == monzo.accounts[0].key })
            #expect(step.status == .succeeded)
            #expect(step.notes.contains { $0.contains("Monzo (GB) requires the PSU headers Psu-Ip-Address, Psu-User-Agent") && $0.contains("no person is present")
                && $0.contains("about 4 calls a day") }, "\(step.notes)")
            // A manual run without a person present (the API's, a redirected script's) is background too.
            _ = try await h.sync(.init(trigger: .manual))
            #expect(Self.dataCalls(h.fake).allSatisfy { $0.psu.isEmpty })
        }
    }

    @Test("a person present: the configured values on every data call (not on /aspsps or /sessions), and the run record says they were sent")
    func presentSendsConfigured() async throws {
        try await EnableBankingHarness.with(psu: Self.psu) { h in
            let monzo = try await h.link("Monzo", "GB")
            try await h.link("Nordea", "FI")
            let run = try await h.sync(.init(personPresent: true))
            #expect(run.status == .succeeded)
            let expected = ["Psu-Ip-Address": "81.2.69.160", "Psu-User-Agent": "Mozilla/5.0 (X11; Linux x86_64) finsync-test"]
            let calls = Self.dataCalls(h.fake)
            #expect(calls.count >= 6 && calls.allSatisfy { $0.psu == expected }, "\(calls)")
            #expect(h.fake.psuHeaders.filter { !$0.target.contains("/accounts/") }.allSatisfy { $0.psu.isEmpty })
            let step = try #require(run.steps.first { $0.key == monzo.accounts[0].key })
            #expect(step.notes.contains { $0.contains("a person is present: sent Psu-Ip-Address, Psu-User-Agent") }, "\(step.notes)")
        }
    }

    @Test("all or none: a bank requiring a header finsync cannot send gets none (a partial set is refused with PSU_HEADER_NOT_PROVIDED)")
    func allOrNone() async throws {
        try await EnableBankingHarness.with(psu: Self.psu, tweak: { s in
            s.banks[2].requiredPSUHeaders.append("Psu-Geo-Location")
        }) { h in
            let monzo = try await h.link("Monzo", "GB")
            let run = try await h.sync(.init(personPresent: true))
            #expect(Self.dataCalls(h.fake).allSatisfy { $0.psu.isEmpty })
            let step = try #require(run.steps.first { $0.key == monzo.accounts[0].key })
            #expect(step.status == .succeeded)
            #expect(step.notes.contains { $0.contains("missing Psu-Geo-Location") && $0.contains("PSU_HEADER_NOT_PROVIDED") }, "\(step.notes)")
            // What the fake (as the real API) answers a partial set, and a private address.
            let uid = try #require(h.fake.currentUIDs(bank: "Monzo").first)
            await #expect { _ = try await h.client.balances(uid: uid, bank: "Monzo (GB)", account: nil, psu: [("Psu-Ip-Address", "81.2.69.160")]) } throws: { e in
                (e as? EnableBankingError)?.errorCode == "PSU_HEADER_NOT_PROVIDED"
            }
        }
        try await EnableBankingHarness.with { h in
            try await h.link("Monzo", "GB")
            let uid = try #require(h.fake.currentUIDs(bank: "Monzo").first)
            await #expect { _ = try await h.client.balances(uid: uid, bank: "Monzo (GB)", account: nil,
                                                             psu: [("Psu-Ip-Address", "192.168.1.20"), ("Psu-User-Agent", "x")]) } throws: { e in
                (e as? EnableBankingError)?.errorCode == "ASPSP_ERROR"
            }
        }
    }

    @Test("background calls spend the bank's daily budget; a person present is exempt and leaves the spent budget recorded")
    func presentIsExemptFromBackgroundBudget() async throws {
        try await EnableBankingHarness.with(psu: Self.psu) { h in
            let monzo = try await h.link("Monzo", "GB")
            let key = monzo.accounts[0].key, uid = try #require(monzo.accounts[0].uid)
            // Monzo allows 4 background calls per account, endpoint and day: the fifth run is refused.
            for _ in 0..<4 { #expect(try await h.sync(.init(trigger: .scheduled)).status == .succeeded) }
            let fifth = try await h.sync(.init(trigger: .scheduled))
            #expect(fifth.steps.first { $0.key == key }?.notes.contains { $0.contains("transactions skipped: rate-limited by Monzo (GB)") } == true)
            let book = PostgresQuotaBook(connection: h.connection)
            let midnight = ISO8601DateFormatter().date(from: "2026-11-26T00:00:00Z")
            #expect(try await book.status(provider: "enablebanking", subject: key, scope: "transactions")?.nextAllowedAt == midnight)

            // A person at the terminal: fetched with PSU headers despite the spent budget.
            let before = h.fake.psuHeaders.count
            let present = try await h.sync(.init(personPresent: true))
            let step = try #require(present.steps.first { $0.key == key })
            #expect(step.status == .succeeded && step.eventsAppended >= 0)
            #expect(step.notes.contains { $0.contains("background budget is spent until 2026-11-26T00:00:00Z; fetched anyway") }, "\(step.notes)")
            let presentCalls = h.fake.psuHeaders.dropFirst(before).filter { $0.target.contains("\(uid)/") }
            #expect(presentCalls.contains { $0.target.contains("/transactions") } && presentCalls.allSatisfy { !$0.psu.isEmpty })
            let q = try #require(try await book.status(provider: "enablebanking", subject: key, scope: "transactions"))
            #expect(q.remaining == 0 && q.nextAllowedAt == midnight && q.lastSuccessAt == h.clock.date)

            // The next background run still waits for the budget: no call.
            let asked = h.fake.requests.count
            let background = try await h.sync(.init(trigger: .scheduled))
            #expect(!h.fake.requests.dropFirst(asked).contains { $0.contains("\(uid)/") })
            #expect(background.steps.first { $0.key == key }?.notes.contains { $0.contains("transactions skipped: the bank's budget for this account is spent") } == true)
        }
    }

    @Test("psu_ip_address must be public (private, loopback, link-local refused, naming the key); values are trimmed")
    func configuration() throws {
        func parse(_ ip: String, ua: String = "Mozilla/5.0") throws -> FinsyncConfiguration {
            try FinsyncConfiguration.parse("""
                [[enablebanking]]
                application_id = "\(EnableBankingHarness.applicationID)"
                private_key_file = "/x.pem"
                psu_ip_address = "\(ip)"
                psu_user_agent = "\(ua)"
                """, environment: [:])
        }
        for bad in ["10.25.25.52", "192.168.1.2", "172.20.0.1", "127.0.0.1", "169.254.10.1", "100.64.0.1", "::1", "fe80::1", "fd00::5", "::ffff:10.0.0.1", "0.0.0.0", "not-an-ip", "81.2.69"] {
            let c = try parse(bad)
            #expect(c.enablebanking.isEmpty, "\(bad)")
            let p = try #require(c.readProblems.first { $0.key == "enablebanking[0].psu_ip_address" }, "\(bad)")
            #expect(p.message.contains(bad), "\(p.message)")
        }
        let ok = try parse("81.2.69.160\\n", ua: " Mozilla/5.0 (X11) ")
        #expect(ok.readProblems.isEmpty, "\(ok.readProblems)")
        #expect(ok.enablebanking.first?.psu == EnableBankingPSUHeaders(ipAddress: "81.2.69.160", userAgent: "Mozilla/5.0 (X11)"))
        #expect(try parse("2a00:1450:4009:81f::200e").enablebanking.first?.psu.ipAddress == "2a00:1450:4009:81f::200e")
        let header = try parse("81.2.69.160", ua: "Mozilla\\r\\nX-Injected: 1")
        #expect(header.readProblems.contains { $0.key == "enablebanking[0].psu_user_agent" })
        // Not configured: nothing to send.
        #expect(EnableBankingPSUHeaders().choose(personPresent: true, required: nil, bank: "Nordea (FI)").headers.isEmpty)
    }
}
