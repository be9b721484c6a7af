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
