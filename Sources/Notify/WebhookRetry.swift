/// How often a webhook is asked again: bounded attempts with doubling waits (1 s, 2 s, 4 s
/// by default), for answers that may change (no connection, a deadline, 5xx, 429). Any
/// other answer is final. At most ``maxAttempts`` × the request deadline plus the waits, so
/// a dead webhook delays the end of a run by well under a minute and never fails it.
public struct WebhookRetry: Sendable, Hashable {
    /// Attempts in total (1 = no retries).
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration

    public init(maxAttempts: Int = 4, baseDelay: Duration = .seconds(1), maxDelay: Duration = .seconds(8)) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// The wait before retry number `retry` (1-based): base · 2^(retry−1), at most ``maxDelay``.
    public func delay(beforeRetry retry: Int) -> Duration {
        var d = baseDelay
        for _ in 1..<max(1, retry) where d < maxDelay { d *= 2 }
        return min(d, maxDelay)
    }

    /// Whether an HTTP status may be different if asked again.
    static func isTransient(status: Int) -> Bool { status == 429 || status == 408 || (500..<600).contains(status) }
}
