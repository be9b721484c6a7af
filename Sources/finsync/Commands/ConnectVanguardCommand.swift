import ArgumentParser
import EventLog
import Foundation
import Ingest
import Postgres
import Projections

/// `finsync connect vanguard --session FILE`: hands finsync a Vanguard browser session.
///
/// Vanguard has no API and its login needs an SMS code, so the person logs in in their own
/// browser and exports a session file (shape documented on `VanguardSession`). finsync
/// validates it and remembers its path and fingerprint (never its contents); the next
/// sync uses it. A session Vanguard already rejected is refused here, so a rejected
/// session is never retried. Register as a subcommand of the `connect` group.
struct ConnectVanguardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vanguard",
        abstract: "Use a Vanguard UK Investor session exported from your browser.",
        discussion: """
            The session file is JSON: {"account_id", "anti_forgery_token", "cookies": [{"name", "value"}], \
            "sub_accounts": [{"hierarchy_id", "name", "wrapper"?}], "base_url"?}. Keep it private (chmod 600): \
            it logs in as you. finsync stores only its path and SHA-256.
            """)

    @OptionGroup var database: SettingsOptions
    @Option(name: .long, help: "The session file (JSON).") var session: String?
    @Option(name: .long, help: "The connection name (streams are vanguard/<name>/…).") var name = "vanguard"
    @Option(name: .long, help: ArgumentHelp("Pair an imported export's account with a session sub-account (its id or name); EXPORT_NAME= keeps it an account of its own.",
                                            valueName: "EXPORT_NAME=SUBACCOUNT")) var map: [String] = []

    func validate() throws {
        guard (session == nil) != map.isEmpty else { throw ValidationError("give either --session FILE or --map EXPORT_NAME=SUBACCOUNT") }
        for m in map where !m.contains("=") { throw ValidationError("--map \(m): expected EXPORT_NAME=SUBACCOUNT (the export's account title, then a sub-account id or name)") }
        guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw ValidationError("--name may only contain letters, digits, '-' and '_' (it becomes part of stream ids)")
        }
    }

    func run() async throws {
        guard let session else { return try await runMap() }
        let path = URL(fileURLWithPath: session).standardizedFileURL.path
        let parsed: VanguardSession
        do { parsed = try VanguardSession.load(path: path) } catch let e as VanguardError {
            throw ValidationError(e.message)
        }
        let settings = try database.resolve()
        let conn = try await settings.connect()
        defer { conn.close() }
        let store = PostgresVanguardConnectionStore(connection: conn)
        if let state = try await store.state(of: name), state.rejectedSHA256 == parsed.fingerprint {
            throw ValidationError("Vanguard already rejected this session (connection \(name)); log in again in your browser and export a new session file")
        }
        try await store.register(name: name, sessionPath: path, sessionSHA256: parsed.fingerprint)
        if let mode = (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int, mode & 0o077 != 0 {
            print("warning: \(path) can be read by other users; it logs in as you: chmod 600 \(path)")
        }
        let subs = parsed.subAccounts.map { "\($0.name) (\($0.wrapper), \($0.hierarchyID))" }.joined(separator: ", ")
        print("connect vanguard: connection \(name) uses \(path) — account \(parsed.accountID), sub-accounts: \(subs)")
        print("It is synced on the next `finsync sync`; when Vanguard ends the session, finsync marks the connection auth_required and waits for a new file.")
        for link in try await VanguardExportLinker(connection: conn, exportConnection: name).linkByNames() {
            print("paired export account \"\(link.account)\" with sub-account \(link.hierarchyID ?? "-") (by names)")
        }
    }

    /// `--map EXPORT_NAME=SUBACCOUNT`: a person's pairing (an event, so it survives rebuilds).
    func runMap() async throws {
        let settings = try database.resolve()
        let conn = try await settings.connect()
        defer { conn.close() }
        let linker = VanguardExportLinker(connection: conn, exportConnection: name)
        for m in map {
            guard let eq = m.lastIndex(of: "=") else { continue }
            let account = String(m[..<eq]), sub = String(m[m.index(after: eq)...])
            let link: VanguardExportLink
            do { link = try await linker.map(account: account, to: sub.isEmpty ? nil : sub) } catch let e as VanguardExportError { throw ValidationError(e.message) }
            print(link.hierarchyID.map { "connect vanguard: export account \"\(account)\" is sub-account \($0)" } ?? "connect vanguard: export account \"\(account)\" is an account of its own")
        }
        print("`finsync project` (or the next sync) moves its transactions and holdings.")
    }
}
