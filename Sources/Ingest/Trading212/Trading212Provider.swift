import Clocks
import Foundation
import Logging

/// Trading212 as a ``Provider`` of the sync run: every `[[trading212]]` entry is one
/// connection (one API key, one account), synced by one step that runs a
/// ``Trading212Extractor``.
///
/// The step appends through the step context's sink and stamps events with its run id, so
/// the runner's counting, dry runs and run records work as for any provider. In a dry
/// run the instrument cache and history progress are in-memory ones, so a dry run never
/// marks a history list complete nor fills the shared cache.
///
/// A missing scope (403) syncs the rest and ends the step `partially_failed`; a rejected
/// key (401) or an unreadable secret fails it; either way the other connections and
/// providers still run.
public struct Trading212Provider: Provider {
    public let name = "trading212"
    /// The `[[trading212]]` entries, in file order.
    public let configurations: [Trading212Configuration]
    let environment: [String: String]
    let transport: ProviderHTTPTransport
    let instrumentCache: any Trading212InstrumentCache
    let historyProgress: any Trading212HistoryProgress
    let clock: any FinsyncClock
    let options: Trading212Extractor.Options

    /// - Parameters:
    ///   - configurations: the `[[trading212]]` entries.
    ///   - environment: where `api_key_env` / `api_secret_env` are looked up.
    ///   - transport: how requests are made (deadline, connect timeout, no redirects).
    ///   - instrumentCache: ``PostgresTrading212InstrumentCache`` in production (real runs only).
    ///   - historyProgress: ``PostgresTrading212HistoryProgress`` in production (real runs only).
    ///   - clock: time and rate-limit waits of the extractor (a manual clock in tests).
    public init(configurations: [Trading212Configuration], environment: [String: String] = ProcessInfo.processInfo.environment,
                transport: ProviderHTTPTransport = ProviderHTTPTransport(), instrumentCache: any Trading212InstrumentCache, historyProgress: any Trading212HistoryProgress,
                clock: any FinsyncClock = SystemClock(), options: Trading212Extractor.Options = .init()) {
        self.configurations = configurations
        self.environment = environment
        self.transport = transport
        self.instrumentCache = instrumentCache
        self.historyProgress = historyProgress
        self.clock = clock
        self.options = options
    }

    /// One connection per configured entry. No request is made: a connection whose secrets
    /// cannot be read is `auth_required` (naming the variable or file, never a value);
    /// the others are `active` (what Trading212 thinks of the key is learned by syncing and
    /// recorded in `connection.health.observed`).
    public func connections() async throws -> [ProviderConnection] {
        configurations.map { c in
            do {
                _ = try c.credentials(environment: environment)
                return ProviderConnection(provider: name, id: c.connectionID, displayName: "Trading212 \(c.name)", health: .active,
                                          providerStatus: "configured", statusDescription: "API key configured for \(c.baseURL)")
            } catch {
                return ProviderConnection(provider: name, id: c.connectionID, displayName: "Trading212 \(c.name)", health: .authRequired,
                                          providerStatus: "missing_secret", statusDescription: "the API key cannot be read (\(error)); set it and sync again")
            }
        }
    }

    /// One step per connection, `sync`, that runs the extractor (or fails naming the missing secret).
    public func steps(for connection: ProviderConnection) async throws -> [SyncStep] {
        guard let configuration = configurations.first(where: { $0.connectionID == connection.id }) else { return [] }
        return [SyncStep(key: "sync", label: "trading212 \(configuration.name): account, positions, history, instruments") { ctx in
            try await self.sync(configuration, ctx)
        }]
    }

    /// Every key and secret that can be read (a missing one is reported by its step, not here).
    public func secrets() async -> [String] {
        configurations.flatMap { c in (try? c.credentials(environment: environment))?.secretValues ?? [] }
    }

    func sync(_ configuration: Trading212Configuration, _ ctx: StepContext) async throws -> StepOutcome {
        let credentials: Trading212Credentials
        do { credentials = try configuration.credentials(environment: environment) } catch let e as Trading212ConfigurationError {
            try await ctx.record(ConnectionHealthSnapshot(provider: name, connectionID: configuration.connectionID, status: .authRequired,
                                                          message: "The API key of Trading212 connection \(configuration.name) cannot be read: \(e). Set it and sync again."))
            return StepOutcome(status: .failed, error: e.description)
        }
        let dry = ctx.dryRun
        var logger = ctx.logger
        logger[metadataKey: "connection"] = "trading212/\(configuration.connectionID)"
        let extractor = Trading212Extractor(configuration: configuration, credentials: credentials, transport: transport, sink: ctx.sink,
                                            instrumentCache: dry ? InMemoryTrading212InstrumentCache() : instrumentCache,
                                            historyProgress: dry ? InMemoryTrading212HistoryProgress() : historyProgress,
                                            clock: clock, options: options, logger: logger)
        return try await extractor.run(runID: ctx.runID).stepOutcome
    }
}
