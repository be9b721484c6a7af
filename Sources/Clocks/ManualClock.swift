import Foundation
import Synchronization

/// Time that only moves when told to, or when someone sleeps on it: a sleep returns at
/// once, after moving the clock to its wake-up time and recording it. For tests (shared by
/// a fake server and the code under test) — nothing ever really waits.
public final class ManualClock: FinsyncClock, Sendable {
    /// A point of manual time: its distance from where the clock started.
    public struct Instant: InstantProtocol {
        public var offset: Swift.Duration
        public init(offset: Swift.Duration) { self.offset = offset }
        public func advanced(by duration: Swift.Duration) -> Instant { Instant(offset: offset + duration) }
        public func duration(to other: Instant) -> Swift.Duration { other.offset - offset }
        public static func < (a: Instant, b: Instant) -> Bool { a.offset < b.offset }
    }

    private struct State {
        var date: Date
        var offset: Swift.Duration = .zero
        var sleeps: [Date] = []
        var waits: [Swift.Duration] = []
    }

    private let state: Mutex<State>

    /// Starts at `start` (by default 2026-01-01T00:00:00Z).
    public init(_ start: Date = Date(timeIntervalSince1970: 1_767_225_600)) { state = Mutex(State(date: start)) }

    public var now: Instant { state.withLock { Instant(offset: $0.offset) } }
    public var minimumResolution: Swift.Duration { .zero }
    public var date: Date { state.withLock { $0.date } }

    /// The wake-up date of every sleep, in order (including ones already due).
    public var sleeps: [Date] { state.withLock { $0.sleeps } }
    /// How long each sleep waited, in order (zero for one already due).
    public var waits: [Swift.Duration] { state.withLock { $0.waits } }

    public func sleep(until deadline: Instant, tolerance: Swift.Duration? = nil) async throws {
        try Task.checkCancellation()
        state.withLock { s in
            let wait = max(.zero, deadline.offset - s.offset)
            s.date = s.date.addingTimeInterval(Self.seconds(wait))
            s.offset += wait
            s.sleeps.append(s.date)
            s.waits.append(wait)
        }
    }

    public func sleep(untilDate target: Date) async throws {
        try Task.checkCancellation()
        state.withLock { s in
            s.sleeps.append(target)
            let left = target.timeIntervalSince(s.date)
            s.waits.append(left > 0 ? .seconds(left) : .zero)
            Self.move(&s, to: target)
        }
    }

    /// Moves time forward to `date` (never backwards).
    public func advance(to date: Date) { state.withLock { Self.move(&$0, to: date) } }

    /// Moves time forward by `seconds`.
    public func advance(by seconds: TimeInterval) { state.withLock { s in Self.move(&s, to: s.date.addingTimeInterval(seconds)) } }

    private static func move(_ s: inout State, to target: Date) {
        let left = target.timeIntervalSince(s.date)
        guard left > 0 else { return }
        s.date = target
        s.offset += .seconds(left)
    }

    private static func seconds(_ d: Swift.Duration) -> TimeInterval {
        let (s, atto) = d.components
        return Double(s) + Double(atto) / 1e18
    }
}
