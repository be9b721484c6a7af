import EventLog
import Foundation

/// A source of financial observations that finsync can sync: ``GoCardlessProvider``,
/// ``Trading212Provider`` and ``VanguardProvider``.
///
/// A provider only knows how to *list* what its credentials can see and how to *extract*
/// one connection as a sequence of ``SyncStep``s that append events through the step's
/// ``StepContext/sink``. Everything else (the run record, the one-run-at-a-time lock,
/// dry runs, quotas' storage, the schedule) is the runner's job and provider-agnostic.
///
/// A minimal provider:
/// ```swift
/// struct Trading212Provider: Provider {
///     let name = "trading212"
///     func connections() async throws -> [ProviderConnection] {
///         [ProviderConnection(provider: name, id: "isa", displayName: "Trading212 ISA", health: .active,
///                             providerStatus: "ok", statusDescription: "API key accepted")]
///     }
///     func steps(for c: ProviderConnection) async throws -> [SyncStep] {
///         [SyncStep(key: "account", label: "trading212 \(c.id): account") { ctx in
///             let summary: JSONValue = …  // from the API
///             _ = try await ctx.sink.appendSnapshot(ctx.event(EventCatalog.trading212AccountObserved, summary, endpoint: "GET /equity/account/summary"),
///                                                   to: StreamName.trading212(c.id, .account), ignoring: [])
///             return StepOutcome()
///         }]
///     }
/// }
/// ```
/// Budgets: read `ctx.quotas.status(...)` before a limited call, `record` what the answer's
/// headers say, and skip (with a note) rather than fail when a budget is spent. Cursors
/// (`ctx.cursors`) must only be advanced after the events they cover were appended.
public protocol Provider: Sendable {
    /// Short lower-case name used in stream ids, run records and `--provider` (e.g. `gocardless`).
    var name: String { get }

    /// Every connection the configured credentials can see, whatever its status (the run
    /// syncs those whose ``ProviderConnection/isSyncable`` is true and records the others).
    func connections() async throws -> [ProviderConnection]

    /// The steps that sync `connection`, in order. Conventionally one step for the
    /// connection itself (consent, health) followed by one per account. Steps run one
    /// after another; a failing step does not stop the following ones.
    func steps(for connection: ProviderConnection) async throws -> [SyncStep]

    /// Every secret value the provider is configured with (keys, secrets, session
    /// cookies), so the runner can remove them from whatever it stores, logs or reports
    /// (a provider may echo one back in an error). Never stored anywhere itself.
    func secrets() async -> [String]
}

extension Provider {
    /// A provider without credentials has nothing to redact.
    public func secrets() async -> [String] { [] }
}
