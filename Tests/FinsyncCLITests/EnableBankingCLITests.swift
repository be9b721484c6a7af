import _CryptoExtras
import FinsyncTestSupport
import Foundation
import ProviderFakes
import Testing

/// `finsync institutions` and `finsync connect enablebanking` run as a person would, against
/// the fake Enable Banking API with a throwaway key.
@Suite("CLI: Enable Banking linking")
struct EnableBankingCLITests {
    static let applicationID = "5f7d1e2a-3b4c-4d5e-8f90-a1b2c3d4e5f6"

    @Test func institutionsConnectFinishAndSync() async throws {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let fake = try await FakeEnableBankingServer.start(scenario: .standard(applicationID: Self.applicationID, publicKeyPEM: key.publicKey.pemRepresentation))
        do {
            try await TestDatabase.with { db in
                let dir = try ScratchDirectory()
                defer { dir.remove() }
                let keyPath = try dir.write("app.pem", key.pemRepresentation, mode: 0o600)
                try dir.write("finsync.toml", """
                    database_url = "\(db.configuration.connectionString)"
                    [[enablebanking]]
                    application_id = "\(Self.applicationID)"
                    private_key_file = "\(keyPath)"
                    base_url = "\(fake.baseURL)"
                    psu_ip_address = "81.2.69.160"
                    psu_user_agent = "Mozilla/5.0 (X11; Linux x86_64)"
                    """)
                let institutions = try await FinsyncExecutable.run(["institutions", "--provider", "enablebanking", "--country", "GB"], directory: dir.url)
                #expect(institutions.status == 0, "\(institutions)")
                #expect(institutions.stdout.contains("Monzo  (max consent 180 days; requires PSU headers Psu-Ip-Address, Psu-User-Agent)"), "\(institutions)")

                // Start: the link is printed; nothing is pasted (stdin is empty), so it ends there.
                let start = try await FinsyncExecutable.run(["connect", "enablebanking", "--bank", "monzo", "--country", "gb", "--days", "30"], directory: dir.url)
                #expect(start.status == 0, "\(start)")
                let url = try #require(start.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.first { $0.contains("/consent?authorization_id=") })
                // The browser comes back with a code; a second process finishes the linking.
                let redirect = try #require(fake.consentRedirect(for: url))
                let finish = try await FinsyncExecutable.run(["connect", "enablebanking", "--finish", redirect], directory: dir.url)
                #expect(finish.status == 0, "\(finish)")
                #expect(finish.stdout.contains("Linked Monzo (GB) as connection monzo-gb: 1 account"), "\(finish)")
                // A code works once.
                let again = try await FinsyncExecutable.run(["connect", "enablebanking", "--finish", redirect], directory: dir.url)
                #expect(again.status != 0 && again.output.contains("ALREADY_AUTHORIZED"), "\(again)")

                let sync = try await FinsyncExecutable.run(["sync", "--provider", "enablebanking", "--json"], directory: dir.url)
                #expect(sync.status == 0, "\(sync)")
                #expect(sync.stdout.contains("\"status\" : \"succeeded\"") && sync.stdout.contains("monzo-gb"), "\(sync)")
                // Standard input is not a terminal (as under cron): a background fetch, no PSU headers, and the record says why.
                let dataCalls = fake.psuHeaders.filter { $0.target.contains("/accounts/") }
                #expect(!dataCalls.isEmpty && dataCalls.allSatisfy { $0.psu.isEmpty }, "\(dataCalls)")
                #expect(sync.stdout.contains("none were sent because no person is present"), "\(sync)")
                let connections = try await FinsyncExecutable.run(["connections"], directory: dir.url)
                #expect(connections.stdout.contains("enablebanking monzo-gb  Monzo (GB)"), "\(connections)")
                let body = key.pemRepresentation.split(separator: "\n").filter { !$0.hasPrefix("-----") }
                for r in [institutions, start, finish, again, sync, connections] {
                    #expect(!body.contains { r.output.contains($0) } && !r.output.contains("eyJhbGciOi"), "\(r.arguments)")
                }
            }
        } catch {
            await fake.stop()
            throw error
        }
        await fake.stop()
    }
}
