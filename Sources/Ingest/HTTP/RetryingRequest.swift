import Clocks
import Foundation
import Logging

/// The retry loop of a provider client around one logical request (GoCardless, Enable
/// Banking): send through ``ProviderHTTPTransport``; retry transport failures that may pass
/// (``ProviderHTTPError/isTransient``) with ``RetryPolicy``'s bounded, jittered backoff;
/// and let the provider decide what each answer means (``Step``): done, retry after a wait
/// (a 5xx's backoff, a rate limit's reset), or again at once (a refreshed token, not counted
/// as an attempt). Waits are slept on the client's clock and count, with the attempts
/// themselves, against ``RetryPolicy/maxTotalTime``.
public struct RetryingRequest: Sendable {
    /// What the provider makes of one answer.
    public enum Step<Value> {
        case done(Value)
        /// Wait, then send again (logged with `reason`).
        case retry(after: Duration, reason: String)
        /// Send again at once, not counting this attempt (e.g. after dropping a refused token).
        case again
    }

    /// What the provider's answer handler knows of the loop.
    public struct Attempt: Sendable {
        /// 1-based, not counting ``Step/again``.
        public var number: Int
        /// The backoff before another attempt, or nil when the request is not retriable or
        /// its attempts or time are used up.
        public var backoff: Duration?
    }

    public let transport: ProviderHTTPTransport
    public let policy: RetryPolicy
    public let clock: any FinsyncClock
    public let logger: Logger
    /// How log lines name the provider (`GoCardless`).
    public let provider: String

    public init(provider: String, transport: ProviderHTTPTransport, policy: RetryPolicy, clock: any FinsyncClock, logger: Logger) {
        self.provider = provider
        self.transport = transport
        self.policy = policy
        self.clock = clock
        self.logger = logger
    }

    /// Sends `method url` until ``Step/done``.
    /// - Parameters:
    ///   - retriable: whether failures may be retried at all (never for requests that are not
    ///     idempotent, such as creating a requisition or exchanging a one-time code).
    ///   - prepare: the headers of the next attempt and what the handler needs to know of
    ///     them (e.g. the token sent), called before every attempt.
    ///   - transportFailure: the provider's error for a failure that is not retried, given
    ///     the attempts made.
    ///   - answer: what a complete answer (any status) means; throws the provider's error.
    public func send<Context, Value>(_ method: String, url: String, body: [UInt8]?, endpoint: String, retriable: Bool,
                                     prepare: () async throws -> (headers: [(name: String, value: String)], context: Context),
                                     transportFailure: (ProviderHTTPError, _ attempts: Int) -> any Error,
                                     answer: (ProviderHTTPResponse, Context, Attempt) async throws -> Step<Value>) async throws -> Value {
        var attempt = 0
        // Time spent so far: the attempts themselves plus the waits between them.
        var spent: Duration = .zero
        func backoff() -> Duration? { retriable ? policy.nextDelay(after: attempt, spent: spent) : nil }
        func wait(_ d: Duration, _ reason: String) async throws {
            logger.warning("\(provider) \(endpoint): \(reason); retrying in \(d)")
            spent += d
            try await clock.sleep(for: d)
        }
        while true {
            attempt += 1
            let prepared = try await prepare()
            let response: ProviderHTTPResponse
            let elapsed = clock.stopwatch()
            do {
                defer { spent += elapsed() }
                response = try await transport.send(method, url: url, headers: prepared.headers, body: body, endpoint: endpoint)
            } catch let e as ProviderHTTPError {
                if e.isTransient, let d = backoff() {
                    try await wait(d, "\(e.code)")
                    continue
                }
                throw transportFailure(e, attempt)
            }
            switch try await answer(response, prepared.context, Attempt(number: attempt, backoff: backoff())) {
            case .done(let value): return value
            case .retry(let d, let reason): try await wait(d, reason)
            case .again: attempt -= 1
            }
        }
    }
}
