import Foundation

/// Time as an extractor sees it: "now" and "wait until".
///
/// Rate-limit waits go through this seam so tests can observe them (and let a fake
/// server's clock advance) without really sleeping.
public protocol ExtractorClock: Sendable {
    /// The current time.
    var now: Date { get }
    /// Suspends until `deadline` (returns at once when it has passed).
    func sleep(until deadline: Date) async throws
}

/// The wall clock and `Task.sleep`.
public struct SystemExtractorClock: ExtractorClock {
    public init() {}

    public var now: Date { Date() }

    public func sleep(until deadline: Date) async throws {
        let seconds = deadline.timeIntervalSinceNow
        guard seconds > 0 else { return }
        try await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
    }
}
