import Foundation

/// Bounded, jittered exponential backoff for 5xx answers, deadlines and connection failures
/// (bounded in attempts and in total time), and the cap on how
/// long to wait for a 429's reset. Waits are slept on the client's clock, so tests never
/// wait for real.
public struct RetryPolicy: Sendable {
    /// Attempts in total (1 = no retries).
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration
    /// No retry starts once this much time has passed since the first attempt (attempts
    /// included), so a dead provider costs at most this plus one request deadline.
    public var maxTotalTime: Duration
    /// A 429 whose reset is further away than this is not waited for.
    public var maxRateLimitWait: Duration
    /// Returns a number in `0...1` (injectable for deterministic tests).
    public var random: @Sendable () -> Double

    public init(maxAttempts: Int = 4, baseDelay: Duration = .milliseconds(500), maxDelay: Duration = .seconds(20), maxRateLimitWait: Duration = .seconds(65),
                maxTotalTime: Duration = .seconds(120),
                random: @escaping @Sendable () -> Double = { Double.random(in: 0...1) }) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRateLimitWait = maxRateLimitWait
        self.maxTotalTime = maxTotalTime
        self.random = random
    }

    /// The wait before another attempt once `attempt` attempts (1-based) took `spent` in all,
    /// or nil when the attempts or the time allowed for them are used up.
    public func nextDelay(after attempt: Int, spent: Duration) -> Duration? {
        guard attempt < maxAttempts else { return nil }
        let d = delay(beforeRetry: attempt)
        return spent + d <= maxTotalTime ? d : nil
    }

    /// The wait before retry number `retry` (1-based): "equal jitter", i.e. half of
    /// min(max, base·2^(retry−1)) plus a random part of the other half.
    public func delay(beforeRetry retry: Int) -> Duration {
        let base = baseDelay / .seconds(1)
        let cap = maxDelay / .seconds(1)
        let exp = min(cap, base * pow(2, Double(max(0, retry - 1))))
        let seconds = exp / 2 + (exp / 2) * min(1, max(0, random()))
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }
}
