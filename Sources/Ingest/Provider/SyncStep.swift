import Foundation

/// One unit of a sync (a connection's consent check, one account), with its own status in
/// the run record.
public struct SyncStep: Sendable {
    /// Stable within a connection, e.g. the account id or `connection`.
    public var key: String
    /// What a person sees in progress output, e.g. `account 68d5…d9 (Main Account)`.
    public var label: String
    /// Extracts and appends; throwing marks the step failed (the run continues).
    public var body: @Sendable (StepContext) async throws -> StepOutcome

    public init(key: String, label: String, body: @escaping @Sendable (StepContext) async throws -> StepOutcome) {
        self.key = key
        self.label = label
        self.body = body
    }
}
