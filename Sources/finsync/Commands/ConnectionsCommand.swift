import ArgumentParser
import Foundation
import Ingest
import Logging
import ProviderFakes

/// `finsync connections`: every connection the credentials can see, its status and consent expiry.
struct ConnectionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "connections",
        abstract: "List connections with their status, consent expiry and account quotas."
    )

    @OptionGroup var options: IngestOptions
    @Flag(help: "Print as JSON.") var json = false
    @Flag(help: "List the built-in sandbox bank's connections.") var sandbox = false

    func run() async throws {
        let config = try options.load()
        let box = sandbox ? try await GoCardlessSandbox.start() : nil
        defer { if let box { Task { await box.stop() } } }
        let providers = try options.providers(config, sandbox: box, logger: Logger(label: "finsync.connections"))
        var all: [ProviderConnection] = []
        for p in providers { all += try await p.connections() }
        // Quotas are optional here: show them when the database is reachable.
        var quotas: [QuotaStatus] = []
        if let conn = try? await options.connect(config) {
            quotas = (try? await PostgresQuotaBook(connection: conn).all()) ?? []
            conn.close()
        }
        if json { print(try IngestFormat.json(all)); return }
        if all.isEmpty { print("no connections (link one with `finsync connect gocardless --institution ID`)"); return }
        let now = Date()
        for c in all {
            print("\(c.provider) \(c.id)  \(c.displayName)")
            print("    status   \(c.providerStatus): \(c.statusDescription) [\(c.health.rawValue)]")
            if let e = c.expiresAt {
                let days = Int((e.timeIntervalSince(now) / 86_400).rounded(.down))
                print("    consent  " + (e <= now ? "expired \(IngestFormat.iso(e)) — reconnect" : "expires \(IngestFormat.iso(e)) (in \(days) days)"))
                if c.expiresSoon(now: now) { print("    warning  consent expires within 7 days: reconnect with `finsync connect \(c.provider) --institution …`") }
            }
            for a in c.accounts {
                let q = quotas.filter { $0.subject == a }
                print("    account  \(a)" + (q.isEmpty ? "" : "  quota: \(IngestFormat.quota(q))"))
            }
        }
    }
}
