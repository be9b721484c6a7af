/// A fault to inject into the next matching requests.
public enum GoCardlessFault: Sendable, Hashable {
    /// Answer with this 5xx status (e.g. 500, 502, 503).
    case serverError(Int)
    /// Answer 200 with a truncated, invalid JSON body.
    case malformedBody
    /// Wait this long before answering (to provoke client timeouts).
    case delay(Duration)
    /// The general API limit: 429 with `HTTP_X_RATELIMIT_RESET` = `reset` seconds.
    case rateLimited(reset: Int)
}
