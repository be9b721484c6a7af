import Foundation

/// The one way finsync is given time: Swift's `Clock` (waiting and measuring, in
/// `Duration`) plus the wall-clock `Date` of its present (what is stored, compared with
/// provider dates, turned into days and shown).
///
/// Every part that reads or waits for time takes an `any FinsyncClock` named `clock`,
/// defaulting to ``SystemClock``: the extractors and their clients (rate-limit waits,
/// retry backoff, token expiry), the sync runner, the scheduler, the notifier and the fake
/// provider servers. Tests hand the same ``ManualClock`` to a fake and to the code under
/// test, so "waiting until the rate-limit reset" moves both at once without really sleeping.
///
/// Request and step deadlines (`withDeadline`) are not read from this clock: they bound
/// real waits on real sockets, so they always run on real time.
public protocol FinsyncClock: Clock where Duration == Swift.Duration {
    /// The wall-clock date now.
    var date: Date { get }

    /// Suspends until the wall clock shows `target`; returns at once when it has passed.
    func sleep(untilDate target: Date) async throws
}

extension FinsyncClock {
    /// Waits in slices of at most a minute, re-reading the wall clock after each, so a
    /// suspended machine or a clock change is noticed instead of oversleeping.
    public func sleep(untilDate target: Date) async throws {
        while true {
            let left = target.timeIntervalSince(date)
            guard left > 0 else { return }
            try await sleep(for: min(.seconds(left), .seconds(60)))
        }
    }

    /// Starts measuring: the function returned gives the time passed on this clock since.
    public func stopwatch() -> @Sendable () -> Swift.Duration {
        let start = now
        return { start.duration(to: self.now) }
    }
}
