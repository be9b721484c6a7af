/// The status of a run or a step.
public enum StepStatus: String, Sendable, Hashable, Codable {
    case running
    case succeeded
    case partiallyFailed = "partially_failed"
    case failed
    case skipped
}
