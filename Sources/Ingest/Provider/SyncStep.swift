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

/// How a step ended, as the provider reports it. Event counts are measured by the runner.
public struct StepOutcome: Sendable, Hashable, Codable {
    /// `succeeded`, `partially_failed` (some scope failed or was skipped for quota) or `skipped`.
    public var status: StepStatus
    /// Quota left per scope after the step.
    public var quota: [QuotaStatus]
    /// Warnings and skips worth telling a person ("transactions skipped: quota spent until …").
    public var notes: [String]
    /// The error that made a part of the step fail, if any.
    public var error: String?

    public init(status: StepStatus = .succeeded, quota: [QuotaStatus] = [], notes: [String] = [], error: String? = nil) {
        self.status = status
        self.quota = quota
        self.notes = notes
        self.error = error
    }
}

/// The status of a run or a step.
public enum StepStatus: String, Sendable, Hashable, Codable {
    case running
    case succeeded
    case partiallyFailed = "partially_failed"
    case failed
    case skipped
}
