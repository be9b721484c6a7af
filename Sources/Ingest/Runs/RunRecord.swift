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

    enum CodingKeys: String, CodingKey {
        // `runId`, so snake-case conversion gives `run_id` both ways.
        case runID = "runId", trigger, status, dryRun, providerFilter, connectionFilter, startedAt, finishedAt, eventsAppended, duplicatesSkipped, message, steps
    }

    // The run id as lower-case text, as in the event log's metadata and `runs show`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(runID.uuidString.lowercased(), forKey: .runID)
        try c.encode(trigger, forKey: .trigger)
        try c.encode(status, forKey: .status)
        try c.encode(dryRun, forKey: .dryRun)
        try c.encodeIfPresent(providerFilter, forKey: .providerFilter)
        try c.encodeIfPresent(connectionFilter, forKey: .connectionFilter)
        try c.encode(startedAt, forKey: .startedAt)
        try c.encodeIfPresent(finishedAt, forKey: .finishedAt)
        try c.encode(eventsAppended, forKey: .eventsAppended)
        try c.encode(duplicatesSkipped, forKey: .duplicatesSkipped)
        try c.encodeIfPresent(message, forKey: .message)
        try c.encode(steps, forKey: .steps)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let id = try c.decode(String.self, forKey: .runID)
        guard let uuid = UUID(uuidString: id) else { throw DecodingError.dataCorruptedError(forKey: .runID, in: c, debugDescription: "not a UUID: \(id)") }
        self.init(runID: uuid, trigger: try c.decode(Trigger.self, forKey: .trigger), status: try c.decode(StepStatus.self, forKey: .status),
                  dryRun: try c.decode(Bool.self, forKey: .dryRun), providerFilter: try c.decodeIfPresent(String.self, forKey: .providerFilter),
                  connectionFilter: try c.decodeIfPresent(String.self, forKey: .connectionFilter), startedAt: try c.decode(Date.self, forKey: .startedAt),
                  finishedAt: try c.decodeIfPresent(Date.self, forKey: .finishedAt), eventsAppended: try c.decode(Int.self, forKey: .eventsAppended),
                  duplicatesSkipped: try c.decode(Int.self, forKey: .duplicatesSkipped), message: try c.decodeIfPresent(String.self, forKey: .message),
                  steps: try c.decode([StepRecord].self, forKey: .steps))
    }
}
