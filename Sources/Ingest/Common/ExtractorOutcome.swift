import EventLog
import Foundation

/// What one extractor step did: the counts a run record needs, plus warnings and the error.
///
/// Extractors return an outcome instead of throwing for provider-side problems (a missing
/// scope, an expired session) so one failing connection never stops the others; the run
/// decides what the step's status is from ``failed``.
public struct ExtractorOutcome: Sendable, Equatable {
    /// The step, e.g. `trading212/isa`.
    public var step: String
    /// Events newly stored.
    public var eventsAppended: Int = 0
    /// Events offered but already stored (idempotent no-ops).
    public var duplicates: Int = 0
    /// Problems that did not stop the step (a skipped endpoint, a fallback taken).
    public var warnings: [String] = []
    /// Why the step failed, if it did; messages never contain secrets.
    public var error: String?
    /// Items the provider sent that could not be normalised and so were not stored, each
    /// naming its endpoint and item: the rest of the step was synced, so it partly failed.
    public var refused: [String] = []
    /// The connection's health as this step left it (`active`, `auth_required`, `error`, …).
    public var connectionStatus: String = "active"
    /// The step did nothing on purpose (e.g. waiting for a new session).
    public var skipped: Bool = false
    /// The ``error`` hit only part of the step (a missing scope, one sub-account); the rest
    /// was synced.
    public var partial: Bool = false

    public init(step: String) { self.step = step }

    /// True when the step did not complete what it was asked to do.
    public var failed: Bool { error != nil || !refused.isEmpty }

    /// The run-record status this outcome stands for: `skipped`, `succeeded`,
    /// `partially_failed` (``partial``) or `failed`.
    public var status: StepStatus {
        if skipped { return .skipped }
        guard failed else { return .succeeded }
        return partial || error == nil ? .partiallyFailed : .failed
    }

    /// The outcome as a ``SyncStep`` reports it: status, warnings as notes, the error.
    /// Event counts are not carried over: the runner measures them itself (`CountingSink`).
    public var stepOutcome: StepOutcome {
        var said = refused.prefix(10).joined(separator: "; ")
        if refused.count > 10 { said += "; and \(refused.count - 10) more" }
        let refusal = refused.isEmpty ? nil : "\(refused.count) item\(refused.count == 1 ? "" : "s") could not be normalised and \(refused.count == 1 ? "was" : "were") not stored: \(said)"
        let text = [error, refusal].compactMap { $0 }.joined(separator: "; ")
        return StepOutcome(status: status, notes: warnings, error: text.isEmpty ? nil : text)
    }

    /// Adds one sink call's counts.
    public mutating func record(_ result: AppendResult) {
        eventsAppended += result.appended.count
        duplicates += result.duplicates.count
    }
}
