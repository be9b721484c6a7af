import Foundation

/// Real time: `ContinuousClock` for waiting and measuring (it keeps counting while the
/// machine sleeps) and `Date()` for the wall clock.
public struct SystemClock: FinsyncClock {
    private let continuous = ContinuousClock()

    public init() {}

    public var now: ContinuousClock.Instant { continuous.now }
    public var minimumResolution: Swift.Duration { continuous.minimumResolution }
    public var date: Date { Date() }

    public func sleep(until deadline: ContinuousClock.Instant, tolerance: Swift.Duration? = nil) async throws {
        try await continuous.sleep(until: deadline, tolerance: tolerance)
    }
}
