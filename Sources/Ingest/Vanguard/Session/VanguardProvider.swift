import Clocks
import Foundation
import Logging

/// Vanguard UK Investor as a ``Provider`` of the sync run: every session connection stored
/// by `finsync connect vanguard --session FILE` (a ``VanguardConnectionStore``) is one
/// connection, synced by one step that runs a ``VanguardSessionExtractor``.
///
/// The session file is read when the connections are listed and again when the step runs
/// (so a file replaced in place is picked up); only its path and fingerprint are kept.
/// When Vanguard rejects the session the step fails once (and the connection becomes
/// `auth_required`); later runs skip it without a request until a new session is handed
/// over. In a dry run the extractor gets an in-memory copy of the connection's state, so
/// a dry run never marks a session rejected.
public struct VanguardProvider: Provider {
    public let name = "vanguard"
    /// What a person must do when the session is spent.
    public static let newSessionNeeded = "a new session is needed: log in in your browser and run `finsync connect vanguard --session FILE`"

    let store: any VanguardConnectionStore
    let transport: ProviderHTTPTransport
    let clock: any FinsyncClock

    /// - Parameters:
    ///   - store: ``PostgresVanguardConnectionStore`` in production; the sandbox passes an
    ///     in-memory store holding its temporary session file.
    ///   - transport: how requests are made (deadline, connect timeout, no redirects).
    ///   - clock: the extractor's clock (which months of performance to ask for).
    public init(store: any VanguardConnectionStore, transport: ProviderHTTPTransport = ProviderHTTPTransport(), clock: any FinsyncClock = SystemClock()) {
        self.store = store
        self.transport = transport
        self.clock = clock
    }

    /// Every stored connection, with its health: `auth_required` when Vanguard rejected the
    /// very session file that is still there, `error` when the file cannot be read, else
    /// `active`. Makes no request to Vanguard.
    public func connections() async throws -> [ProviderConnection] {
        try await store.all().map { state in
            let session: VanguardSession
            do { session = try VanguardSession.load(path: state.sessionPath) } catch let e as VanguardError {
                return ProviderConnection(provider: name, id: state.name, displayName: "Vanguard \(state.name)", health: state.status == "auth_required" ? .authRequired : .error,
                                          providerStatus: "session_unreadable", statusDescription: "\(e.message); \(Self.newSessionNeeded)")
            }
            let display = "Vanguard \(state.name) (account \(session.accountID))"
            let subs = session.subAccounts.map(\.hierarchyID)
            if state.status == "auth_required", state.rejectedSHA256 == session.fingerprint {
                return ProviderConnection(provider: name, id: state.name, displayName: display, health: .authRequired, providerStatus: "auth_required",
                                          statusDescription: "Vanguard rejected the session; \(Self.newSessionNeeded)", accounts: subs)
            }
            let names = session.subAccounts.map { "\($0.name) (\($0.wrapper))" }.joined(separator: ", ")
            return ProviderConnection(provider: name, id: state.name, displayName: display, health: .active, providerStatus: "active",
                                      statusDescription: "session accepted so far; sub-accounts: \(names)", accounts: subs)
        }
    }

    /// The cookies and tokens of every session file that can be read.
    public func secrets() async -> [String] {
        guard let states = try? await store.all() else { return [] }
        return states.flatMap { (try? VanguardSession.load(path: $0.sessionPath))?.secretValues ?? [] }
    }

    /// One step per connection, `session`: all sub-accounts of the session.
    public func steps(for connection: ProviderConnection) async throws -> [SyncStep] {
        [SyncStep(key: "session", label: "vanguard \(connection.id): sub-accounts and holdings") { ctx in
            try await self.sync(connection.id, ctx)
        }]
    }

    func sync(_ name: String, _ ctx: StepContext) async throws -> StepOutcome {
        guard let state = try await store.state(of: name) else {
            return StepOutcome(status: .failed, error: "Vanguard connection \(name) is not registered; run `finsync connect vanguard --session FILE --name \(name)`")
        }
        let session: VanguardSession
        do { session = try VanguardSession.load(path: state.sessionPath) } catch let e as VanguardError {
            return StepOutcome(status: .failed, error: "Vanguard connection \(name): \(e.message); \(Self.newSessionNeeded)")
        }
        var logger = ctx.logger
        logger[metadataKey: "connection"] = "vanguard/\(name)"
        let store = ctx.dryRun ? try await Self.copy(state) : self.store
        let extractor = VanguardSessionExtractor(connection: name, session: session, transport: transport, sink: ctx.sink, store: store,
                                                 clock: clock, logger: logger)
        return try await extractor.run(runID: ctx.runID).stepOutcome
    }

    /// An in-memory store holding `state` alone (for dry runs).
    static func copy(_ state: VanguardConnectionState) async throws -> InMemoryVanguardConnectionStore {
        let copy = InMemoryVanguardConnectionStore()
        try await copy.register(name: state.name, sessionPath: state.sessionPath, sessionSHA256: state.sessionSHA256)
        if state.status == "auth_required" {
            try await copy.markAuthRequired(name: state.name, sessionSHA256: state.rejectedSHA256 ?? "", message: state.message)
        }
        return copy
    }
}
