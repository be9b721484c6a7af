import Foundation

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

    enum CodingKeys: String, CodingKey {
        case stepNo, provider, connectionID = "connectionId", key, label, status, startedAt, finishedAt, eventsAppended, duplicatesSkipped, quota, notes, error
    }

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
