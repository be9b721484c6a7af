import Foundation

/// What the `x-ratelimit-*` headers last said, per endpoint.
///
/// Trading212 limits each endpoint separately (e.g. positions 1/1s, instruments 1/50s,
/// history 6/1m) and reports the window on every answer. Before a request the limiter
/// waits out an exhausted window instead of earning a 429.
public actor Trading212RateLimiter {
    /// One endpoint's window as last reported.
    public struct Window: Sendable, Equatable {
        public var limit: Int?
        public var period: Int?
        public var remaining: Int?
        public var used: Int?
        /// When the window fully resets (`x-ratelimit-reset`, a Unix time).
        public var reset: Date?
    }

    /// Trading212's longest documented window (history and exports: per minute). No
    /// reported reset is believed further away than this, so a bogus `x-ratelimit-reset`
    /// cannot hold a sync for longer.
    public static let longestWindow: TimeInterval = 60

    private var windows: [String: Window] = [:]

    public init() {}

    /// When `endpoint`'s window resets: as last reported, but never later than
    /// ``longestWindow`` after `now`.
    func reset(for endpoint: String, now: Date) -> Date? {
        windows[endpoint]?.reset.map { min($0, now.addingTimeInterval(Self.longestWindow)) }
    }

    /// The window last reported for `endpoint` (the path without query).
    public func window(for endpoint: String) -> Window? { windows[endpoint] }

    /// When a request to `endpoint` may go out without exceeding its window (nil: now).
    func earliestStart(for endpoint: String, now: Date) -> Date? {
        guard let remaining = windows[endpoint]?.remaining, remaining <= 0, let reset = reset(for: endpoint, now: now), reset > now else { return nil }
        return reset
    }

    func update(endpoint: String, headers: [(String, String)]) {
        func value(_ name: String) -> String? { headers.first { $0.0.lowercased() == name }?.1.trimmingCharacters(in: .whitespaces) }
        guard value("x-ratelimit-limit") != nil || value("x-ratelimit-remaining") != nil || value("x-ratelimit-reset") != nil else { return }
        windows[endpoint] = Window(
            limit: value("x-ratelimit-limit").flatMap { Int($0) },
            period: value("x-ratelimit-period").flatMap { Int($0) },
            remaining: value("x-ratelimit-remaining").flatMap { Int($0) },
            used: value("x-ratelimit-used").flatMap { Int($0) },
            reset: value("x-ratelimit-reset").flatMap { Double($0) }.map { Date(timeIntervalSince1970: $0) })
    }
}
