import Foundation

/// A run as stored in `ingest.runs` / `ingest.run_steps`.
public struct RunRecord: Sendable, Hashable, Codable {
    public enum Trigger: String, Sendable, Hashable, Codable { case manual, scheduled }

    public var runID: UUID
    public var trigger: Trigger
    public var status: StepStatus
    public var dryRun: Bool
    public var providerFilter: String?
    public var connectionFilter: String?
    public var startedAt: Date
    public var finishedAt: Date?
    public var eventsAppended: Int
    public var duplicatesSkipped: Int
    public var message: String?
    public var steps: [StepRecord]

    public init(runID: UUID, trigger: Trigger, status: StepStatus, dryRun: Bool, providerFilter: String? = nil, connectionFilter: String? = nil, startedAt: Date, finishedAt: Date? = nil, eventsAppended: Int = 0, duplicatesSkipped: Int = 0, message: String? = nil, steps: [StepRecord] = []) {
        self.runID = runID
        self.trigger = trigger
        self.status = status
        self.dryRun = dryRun
        self.providerFilter = providerFilter
        self.connectionFilter = connectionFilter
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.eventsAppended = eventsAppended
        self.duplicatesSkipped = duplicatesSkipped
        self.message = message
        self.steps = steps
    }

    /// Whether any step failed (the CLI exits non-zero).
    public var hasFailures: Bool { status == .failed || status == .partiallyFailed }
}

/// One step of a run.
public struct StepRecord: Sendable, Hashable, Codable {
    public var stepNo: Int
    public var provider: String
    public var connectionID: String
    public var key: String
    public var label: String
    public var status: StepStatus
    public var startedAt: Date
    public var finishedAt: Date?
    public var eventsAppended: Int
    public var duplicatesSkipped: Int
    public var quota: [QuotaStatus]
    public var notes: [String]
    public var error: String?

    public init(stepNo: Int, provider: String, connectionID: String, key: String, label: String, status: StepStatus, startedAt: Date, finishedAt: Date? = nil, eventsAppended: Int = 0, duplicatesSkipped: Int = 0, quota: [QuotaStatus] = [], notes: [String] = [], error: String? = nil) {
        self.stepNo = stepNo
        self.provider = provider
        self.connectionID = connectionID
        self.key = key
        self.label = label
        self.status = status
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.eventsAppended = eventsAppended
        self.duplicatesSkipped = duplicatesSkipped
        self.quota = quota
        self.notes = notes
        self.error = error
    }
}
