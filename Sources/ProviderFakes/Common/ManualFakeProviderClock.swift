import Foundation
import Synchronization

/// Time that only moves when told to.
public final class ManualFakeProviderClock: FakeProviderClock {
    private let current: Mutex<Date>

    public init(_ start: Date = Date(timeIntervalSince1970: 1_767_225_600)) { current = Mutex(start) }

    public var now: Date { current.withLock { $0 } }

    /// Moves time forward to `date` (never backwards).
    public func advance(to date: Date) { current.withLock { if date > $0 { $0 = date } } }

    public func advance(by seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}
