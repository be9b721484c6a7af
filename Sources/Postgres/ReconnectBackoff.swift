/// How long a long-running loop waits before trying to reconnect after losing the
/// server: doubling from `initial` up to `maximum`, so a restart is picked up within a
/// second and a long outage costs one attempt every `maximum`.
public struct ReconnectBackoff: Sendable, Hashable {
    public var initial: Duration
    public var maximum: Duration

    public init(initial: Duration = .milliseconds(100), maximum: Duration = .seconds(10)) {
        self.initial = initial
        self.maximum = max(initial, maximum)
    }

    /// The wait before attempt `attempt` (1-based) of one outage.
    public func delay(attempt: Int) -> Duration {
        var d = initial
        for _ in 1..<max(1, attempt) {
            d = d * 2
            if d >= maximum { return maximum }
        }
        return min(d, maximum)
    }

    /// Waits the delay of `attempt`, in slices of at most 100 ms so that `shouldStop` is
    /// honoured promptly; throws `CancellationError` when the task is cancelled.
    public func wait(attempt: Int, shouldStop: @Sendable () -> Bool) async throws {
        var left = delay(attempt: attempt)
        while left > .zero, !shouldStop() {
            let slice = min(left, .milliseconds(100))
            try await Task.sleep(for: slice)
            left -= slice
        }
    }
}
