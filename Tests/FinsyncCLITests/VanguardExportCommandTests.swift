import FinsyncTestSupport
import Foundation
import Testing

/// `finsync import vanguard`, `connect vanguard --session/--map` and `connections` as a
/// person runs them: the export's blocks are paired with the session's sub-accounts by
/// name, the pairing is listed, and `--map` sets it explicitly.
@Suite("CLI: Vanguard export pairing")
struct VanguardExportCommandTests {
    @Test func importConnectMapAndList() async throws {
        try await TestDatabase.with { db in
            let dir = try ScratchDirectory()
            defer { dir.remove() }
            let csv = TestDatabase.repositoryRoot.appendingPathComponent("Tests/IngestTests/Fixtures/vanguard-client-transactions-listing.csv").path
            let session = try dir.write("vanguard-session.json", """
                {"account_id": "1234567", "anti_forgery_token": "tok-unused", "cookies": [{"name": "a", "value": "cookie-unused"}],
                 "sub_accounts": [{"hierarchy_id": "H-ISA", "name": "Stocks & Shares ISA"}, {"hierarchy_id": "H-GIA", "name": "General Account"}], "base_url": "http://127.0.0.1:1"}
                """, mode: 0o600)
            func finsync(_ arguments: [String]) async throws -> FinsyncRun {
                let r = try await CommandErrorTests.finsync(arguments, db: db)
                #expect(r.exited && r.status == 0, "\(r)")
                return r
            }
            let imported = try await finsync(["import", "vanguard", csv])
            #expect(imported.stdout.contains("29 new rows"), "\(imported)")
            let connected = try await finsync(["connect", "vanguard", "--session", session])
            #expect(connected.stdout.contains("paired export account \"Jane Doe - Stocks & Shares ISA\" with sub-account H-ISA (by names)"), "\(connected)")
            #expect(connected.stdout.contains("paired export account \"Jane Doe - General Account\" with sub-account H-GIA (by names)"), "\(connected)")

            let listed = try await finsync(["connections"])
            #expect(listed.stdout.contains("account  Jane Doe - Stocks & Shares ISA  = session sub-account H-ISA (by names)"), "\(listed)")
            #expect(listed.stdout.contains("account  Jane Doe - Junior ISA  its own account"), "\(listed)")

            let mapped = try await finsync(["connect", "vanguard", "--map", "Jane Doe - General Account="])
            #expect(mapped.stdout.contains("\"Jane Doe - General Account\" is an account of its own"), "\(mapped)")
            #expect(try await finsync(["connections"]).stdout.contains("account  Jane Doe - General Account  its own account (by you)"))

            let unknown = try await CommandErrorTests.finsync(["connect", "vanguard", "--map", "Jane Doe - General Account=H-NOPE"], db: db)
            #expect(unknown.status != 0 && unknown.output.contains("no registered session has a sub-account \"H-NOPE\"") && unknown.output.contains("H-ISA (Stocks & Shares ISA)"), "\(unknown)")
            let both = try await CommandErrorTests.finsync(["connect", "vanguard"], db: db)
            #expect(both.status != 0 && both.output.contains("give either --session FILE or --map EXPORT_NAME=SUBACCOUNT"), "\(both)")
        }
    }
}
