import Foundation

/// Wall-clock time and waiting, injectable so scheduler tests never sleep.
public protocol SchedulerClock: Sendable {
    func now() -> Date
    /// Returns at `date` (or throws `CancellationError` when the task is cancelled).
    func sleep(until date: Date) async throws
}
