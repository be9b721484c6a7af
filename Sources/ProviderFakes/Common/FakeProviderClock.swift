import Foundation
import Synchronization

/// The time a fake server sees. Tests share a ``ManualFakeProviderClock`` with the client's
/// sleeper, so "waiting until the rate-limit reset" advances the server's time too.
public protocol FakeProviderClock: Sendable {
    var now: Date { get }
}

/// Wall-clock time (the sandbox demo).
public struct SystemFakeProviderClock: FakeProviderClock {
    public init() {}
    public var now: Date { Date() }
}

/// Time that only moves when told to.
public final class ManualFakeProviderClock: FakeProviderClock {
    private let current: Mutex<Date>

    public init(_ start: Date = Date(timeIntervalSince1970: 1_767_225_600)) { current = Mutex(start) }

    public var now: Date { current.withLock { $0 } }

    /// Moves time forward to `date` (never backwards).
    public func advance(to date: Date) { current.withLock { if date > $0 { $0 = date } } }

    public func advance(by seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}
