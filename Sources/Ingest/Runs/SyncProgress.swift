import Foundation

/// What a run reports while it works (the CLI turns these into terminal lines, log lines or JSON).
public enum SyncProgress: Sendable {
    case runStarted(RunRecord)
    case stepStarted(StepRecord)
    case stepFinished(StepRecord)
    /// Something a person should know that is not a failure (consent expiring soon).
    case warning(String)
    case runFinished(RunRecord)
}
