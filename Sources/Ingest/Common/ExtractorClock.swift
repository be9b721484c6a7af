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
