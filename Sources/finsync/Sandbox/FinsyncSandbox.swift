import Foundation
import Ingest
import Logging
import Postgres
import ProviderFakes

/// The one-command demo's providers: the fake GoCardless bank, a fake Trading212 ISA, a
/// fake Vanguard account (ISA + General Account) and a fake Enable Banking bank (Nordea FI,
/// linked in-process), all on 127.0.0.1, with the credentials and session that open them.
///
/// The Vanguard session is written to a private temporary file (mode 600) and registered in
/// an in-memory connection store, so the demo never touches the connections stored by
/// `finsync connect vanguard`; the file is removed by ``stop()``.
struct FinsyncSandbox: Sendable {
    /// The Trading212 connection name (streams `trading212/isa/…`).
    static let trading212Name = "ISA"
    /// The Vanguard connection name (streams `vanguard/sandbox/…`).
    static let vanguardName = "sandbox"
    static let trading212KeyVariable = "FINSYNC_SANDBOX_T212_KEY"
    static let trading212SecretVariable = "FINSYNC_SANDBOX_T212_SECRET"

    let gocardless: GoCardlessSandbox
    let trading212: FakeTrading212Server
    let vanguard: FakeVanguardServer
    /// The session file the fake Vanguard issued (a temporary file).
    let vanguardSessionPath: String
    /// The fake Enable Banking API, and its application's key in a private temporary file.
    var enablebanking: EnableBankingSandbox? = nil
    var enablebankingKeyPath: String? = nil
    /// The sandbox's Enable Banking links, in memory (never the links `finsync connect`
    /// stored), shared by its syncs and `finsync serve --sandbox`'s `POST /v1/connections`.
    let enablebankingLinks = InMemoryEnableBankingLinkStore()

    /// Starts the three fakes and writes the Vanguard session file.
    static func start(accountQuota: Int = 100) async throws -> FinsyncSandbox {
        let gocardless = try await GoCardlessSandbox.start(accountQuota: accountQuota)
        let trading212: FakeTrading212Server
        do { trading212 = try await FakeTrading212Server.startSandbox() } catch {
            await gocardless.stop()
            throw error
        }
        do {
            let (vanguard, session) = try await FakeVanguardServer.startSandbox()
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("finsync-sandbox-vanguard-\(UUID().uuidString.lowercased()).json").path
            guard FileManager.default.createFile(atPath: path, contents: Data(session.utf8), attributes: [.posixPermissions: 0o600]) else {
                await vanguard.stop()
                throw IngestCommandError("sandbox: cannot write the Vanguard session file \(path)")
            }
            var box = FinsyncSandbox(gocardless: gocardless, trading212: trading212, vanguard: vanguard, vanguardSessionPath: path)
            let eb: EnableBankingSandbox
            do { eb = try await EnableBankingSandbox.start() } catch {
                await vanguard.stop()
                try? FileManager.default.removeItem(atPath: path)
                throw error
            }
            let keyPath = FileManager.default.temporaryDirectory.appendingPathComponent("finsync-sandbox-enablebanking-\(UUID().uuidString.lowercased()).pem").path
            box.enablebanking = eb
            box.enablebankingKeyPath = keyPath
            guard FileManager.default.createFile(atPath: keyPath, contents: Data(eb.privateKeyPEM.utf8), attributes: [.posixPermissions: 0o600]) else {
                await eb.stop()
                await vanguard.stop()
                try? FileManager.default.removeItem(atPath: path)
                throw IngestCommandError("sandbox: cannot write the Enable Banking key file \(keyPath)")
            }
            return box
        } catch {
            await gocardless.stop()
            await trading212.stop()
            throw error
        }
    }

    /// The `[[trading212]]` entry pointing at the fake ISA (its key and secret come from
    /// ``environment``).
    var trading212Configuration: Trading212Configuration {
        Trading212Configuration(name: Self.trading212Name, baseURL: trading212.baseURL,
                                apiKey: .environment(Self.trading212KeyVariable), apiSecret: .environment(Self.trading212SecretVariable))
    }

    /// The fake credentials, as the environment the configuration names.
    var environment: [String: String] {
        [Self.trading212KeyVariable: trading212.apiKey, Self.trading212SecretVariable: trading212.apiSecret]
    }

    /// The three providers, in the order they sync. Trading212's history progress is the
    /// database's when `connection` is given (as in a real run); its instrument cache is
    /// in-memory, because the shared cache is keyed by base URL and the fake's port changes
    /// every run.
    func providers(connection: PostgresConnection?, logger: Logger) async throws -> [any Provider] {
        let client = GoCardlessClient(baseURL: gocardless.baseURL, credentials: GoCardlessCredentials(secretID: gocardless.secretID, secretKey: gocardless.secretKey), logger: logger)
        let cache = InMemoryTrading212InstrumentCache()
        let progress: any Trading212HistoryProgress = connection.map { PostgresTrading212HistoryProgress(connection: $0) } ?? InMemoryTrading212HistoryProgress()
        let store = InMemoryVanguardConnectionStore()
        let session = try VanguardSession.load(path: vanguardSessionPath)
        try await store.register(name: Self.vanguardName, sessionPath: vanguardSessionPath, sessionSHA256: session.fingerprint)
        var out: [any Provider] = [
            GoCardlessProvider(client: client),
            Trading212Provider(configurations: [trading212Configuration], environment: environment, instrumentCache: cache, historyProgress: progress),
            VanguardProvider(store: store),
        ]
        if let eb = enablebanking, let app = try enableBankingApplication(logger: logger) {
            // The fake bank is linked in-process (its consent page approves at once), into the
            // in-memory link store, so the demo never touches the links `finsync connect` stored.
            let links = enablebankingLinks
            let linker = EnableBankingLinker(application: app, store: links)
            let started = try await linker.start(bank: "Nordea", country: "FI", days: 90, connection: "sandbox-nordea")
            guard let redirect = eb.server.consentRedirect(for: started.url) else { throw IngestCommandError("sandbox: the fake Enable Banking consent page did not redirect") }
            _ = try await linker.finish(redirect: redirect, expectedState: started.state)
            out.append(EnableBankingProvider(applications: [app], store: links))
        }
        return out
    }

    /// The sandbox's `[[enablebanking]]` application (the fake API, the key file written at start).
    func enableBankingApplication(logger: Logger) throws -> EnableBankingProvider.Application? {
        guard let eb = enablebanking, let keyPath = enablebankingKeyPath else { return nil }
        let configuration = EnableBankingConfiguration(name: "sandbox", applicationID: EnableBankingSandbox.applicationID, privateKeyFile: keyPath,
                                                       redirectURL: EnableBankingSandbox.redirectURL, baseURL: eb.server.baseURL)
        return try ProviderWiring.enableBankingApplication(configuration, logger: logger)
    }

    func stop() async {
        try? FileManager.default.removeItem(atPath: vanguardSessionPath)
        if let enablebankingKeyPath { try? FileManager.default.removeItem(atPath: enablebankingKeyPath) }
        await enablebanking?.stop()
        await gocardless.stop()
        await trading212.stop()
        await vanguard.stop()
    }
}
