import Foundation
import Ingest
import Logging
import Postgres
import ProviderFakes
import Serve

/// The providers a configuration enables, built for the ingestion commands.
enum ProviderWiring {
    /// The providers the configuration enables, in sync order: GoCardless when `[gocardless]`
    /// is present, Trading212 when there are `[[trading212]]` entries, and Vanguard (its
    /// connections are stored in the database, so only when `connection` is given); or the
    /// three fakes of `sandbox`.
    ///
    /// `c` has no read problems (``FinsyncSettings/load(configPath:databaseURL:environment:)``
    /// refuses such a file); a `[gocardless]` table that fails validation stops here.
    static func providers(_ c: FinsyncConfiguration, sandbox: FinsyncSandbox? = nil, connection: PostgresConnection?, logger: Logger) async throws -> [any Provider] {
        if let sandbox { return try await sandbox.providers(connection: connection, logger: logger) }
        var out: [any Provider] = []
        if let g = c.gocardless {
            let problems = c.validate().filter { $0.key.hasPrefix("gocardless") }
            guard problems.isEmpty else { throw ConfigurationError(path: c.path, problems: problems) }
            let client = GoCardlessClient(baseURL: g.baseURL, credentials: try c.gocardlessCredentials(), logger: logger)
            out.append(GoCardlessProvider(client: client, options: .init(overlapDays: g.overlapDays, detailsRefreshDays: g.detailsRefreshDays)))
        }
        if !c.trading212.isEmpty {
            let cache: any Trading212InstrumentCache = connection.map { PostgresTrading212InstrumentCache(connection: $0) } ?? InMemoryTrading212InstrumentCache()
            let progress: any Trading212HistoryProgress = connection.map { PostgresTrading212HistoryProgress(connection: $0) } ?? InMemoryTrading212HistoryProgress()
            out.append(Trading212Provider(configurations: c.trading212, environment: c.environment, instrumentCache: cache, historyProgress: progress))
        }
        if let connection { out.append(VanguardProvider(store: PostgresVanguardConnectionStore(connection: connection))) }
        if !c.enablebanking.isEmpty, let connection {
            let apps = try c.enablebanking.map { try enableBankingApplication($0, logger: logger) }
            out.append(EnableBankingProvider(applications: apps, store: PostgresEnableBankingLinkStore(connection: connection)))
        }
        return out
    }

    /// One `[[enablebanking]]` application with its client (the key file is read here).
    static func enableBankingApplication(_ e: EnableBankingConfiguration, logger: Logger) throws -> EnableBankingProvider.Application {
        do {
            return .init(configuration: e, client: EnableBankingClient(baseURL: e.baseURL, signer: try e.signer(), logger: logger))
        } catch let error as ConfigurationProblem {
            throw IngestCommandError("[[enablebanking]] \(e.name): \(error)")
        }
    }

    /// The `[[enablebanking]]` application named `name` (the only one when nil).
    static func enableBankingApplication(_ c: FinsyncConfiguration, named name: String?, logger: Logger) throws -> EnableBankingProvider.Application {
        guard !c.enablebanking.isEmpty else {
            throw IngestCommandError("no [[enablebanking]] table in \(c.path ?? "the configuration"); add application_id and private_key_file")
        }
        let chosen: EnableBankingConfiguration
        do {
            chosen = try EnableBankingApplicationChoice.pick(c.enablebanking, named: name, nameOf: \.name)
        } catch {
            switch error {
            case .unknown(let name, let configured):
                throw IngestCommandError("no [[enablebanking]] application named \(name); configured: \(configured.joined(separator: ", "))")
            case .ambiguous(let configured):
                throw IngestCommandError("several [[enablebanking]] applications are configured; choose one with --application (\(configured.joined(separator: ", ")))")
            }
        }
        return try enableBankingApplication(chosen, logger: logger)
    }

    /// Enable Banking linking for `finsync serve`'s `POST /v1/connections`: the configured
    /// applications with the links in `store` (the sandbox's own, with its in-memory links),
    /// or nil when none is configured.
    static func enableBankingConnector(_ c: FinsyncConfiguration, sandbox: FinsyncSandbox?, store: any EnableBankingLinkStore, logger: Logger) throws -> EnableBankingConnector? {
        if let sandbox {
            return try sandbox.enableBankingApplication(logger: logger).map { EnableBankingConnector(applications: [$0], store: sandbox.enablebankingLinks) }
        }
        guard !c.enablebanking.isEmpty else { return nil }
        return EnableBankingConnector(applications: try c.enablebanking.map { try enableBankingApplication($0, logger: logger) }, store: store)
    }

    /// The GoCardless client alone (for `connect`).
    static func gocardlessClient(_ c: FinsyncConfiguration, logger: Logger) throws -> GoCardlessClient {
        guard let g = c.gocardless else {
            throw IngestCommandError("no [gocardless] table in \(c.path ?? "the configuration"); add base_url, secret_id_env and secret_key_env")
        }
        return GoCardlessClient(baseURL: g.baseURL, credentials: try c.gocardlessCredentials(), logger: logger)
    }
}
