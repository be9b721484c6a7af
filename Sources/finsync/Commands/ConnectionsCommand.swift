import ArgumentParser
import EventLog
import Foundation
import Ingest
import Logging
import Postgres

/// `finsync connections`: every connection of every provider (GoCardless requisitions,
/// `[[trading212]]` keys, Vanguard sessions), its status in words, consent expiry, quotas and
/// the health the last sync observed.
struct ConnectionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "connections",
        abstract: "List connections with their status, consent expiry and account quotas."
    )

    @OptionGroup var options: SettingsOptions
    @Flag(help: "Print as JSON.") var json = false
    @Flag(help: "List the built-in sandbox's connections (fake GoCardless, Trading212 and Vanguard).") var sandbox = false

    func run() async throws {
        let settings = try options.resolve()
        // The database is optional here (Vanguard's connections, quotas and last health live
        // there): without it, GoCardless and Trading212 are still listed.
        let conn = try? await settings.connect()
        defer { conn?.close() }
        let box = sandbox ? try await FinsyncSandbox.start() : nil
        let all: [ProviderConnection]
        do {
            let providers = try await ProviderWiring.providers(settings.file, sandbox: box, connection: conn, logger: Logger(label: "finsync.connections"))
            var found: [ProviderConnection] = []
            for p in providers { found += try await p.connections() }
            all = found
        } catch {
            await box?.stop()
            throw error
        }
        await box?.stop()
        var quotas: [QuotaStatus] = []
        if let conn { quotas = (try? await PostgresQuotaBook(connection: conn).all()) ?? [] }
        if json { print(try IngestFormat.json(all)); return }
        if all.isEmpty {
            print("no connections: link a bank with `finsync connect gocardless --institution ID`, add a [[trading212]] entry to finsync.toml, or hand over a Vanguard session with `finsync connect vanguard --session FILE`")
            if let conn { try await Self.printExportPairings(conn) }
            return
        }
        if conn == nil { print("(database not reachable: Vanguard connections, quotas and last sync health are not shown)") }
        let now = Date()
        for c in all {
            print("\(c.provider) \(c.id)  \(c.displayName)")
            print("    status   \(Self.words(c)) [\(c.health.rawValue)]")
            if let e = c.expiresAt {
                let days = Int((e.timeIntervalSince(now) / 86_400).rounded(.down))
                print("    consent  " + (e <= now ? "expired \(IngestFormat.iso(e)) — reconnect" : "expires \(IngestFormat.iso(e)) (in \(days) days)"))
                if c.expiresSoon(now: now) {
                    let reconnect = c.provider == "enablebanking" ? "finsync connect enablebanking --bank … --country … --name \(c.id)" : "finsync connect \(c.provider) --institution …"
                    print("    warning  consent expires within 7 days: reconnect with `\(reconnect)`")
                }
            }
            if let conn, let last = try? await Self.lastHealth(c, conn) { print("    last sync \(last)") }
            for a in c.accounts {
                let q = quotas.filter { $0.subject == a }
                print("    account  \(a)" + (q.isEmpty ? "" : "  quota: \(IngestFormat.quota(q))"))
            }
        }
        if let conn { try await Self.printExportPairings(conn) }
    }

    /// The account blocks of imported Vanguard exports and the session sub-account each is.
    static func printExportPairings(_ conn: PostgresConnection) async throws {
        let connections = try await conn.withSession { s in
            try s.query("SELECT DISTINCT connection FROM ingest.vanguard_export_accounts ORDER BY connection").rows.compactMap { $0.string(0) }
        }
        for name in connections {
            print("vanguard export \(name)  (imported with `finsync import vanguard`)")
            for p in try await VanguardExportLinker(connection: conn, exportConnection: name).pairings() {
                let pairing = p.link?.hierarchyID.map { "= session sub-account \($0) (by \(p.link?.by == .person ? "you" : "names"))" }
                    ?? (p.link == nil ? "its own account (no session sub-account matches its names; pair with `finsync connect vanguard --map \"\(p.account)=SUBACCOUNT\"`)" : "its own account (by you)")
                print("    account  \(p.account)  \(pairing)")
            }
        }
    }

    /// The status as a person reads it.
    static func words(_ c: ProviderConnection) -> String {
        switch c.provider {
        case "gocardless": return "\(c.providerStatus): \(c.statusDescription)"
        default: return c.statusDescription
        }
    }

    /// The latest `connection.health.observed` of the connection: `status: message (date)`.
    static func lastHealth(_ c: ProviderConnection, _ conn: PostgresConnection) async throws -> String? {
        let events = try await EventLog(connection: conn).readStream(ConnectionHealthSnapshot.stream(provider: c.provider, connectionID: c.id))
        guard let last = events.last, let payload = try? last.json() else { return nil }
        return "\(payload["status"]?.string ?? "?"): \(payload["message"]?.string ?? "") (\(IngestFormat.iso(last.recordedAt)))"
    }
}
