/// A fault the fake GoCardless server injects into the next matching request.
public enum GoCardlessFault: Sendable, Hashable {
    /// Answer with this 5xx status (e.g. 500, 502, 503).
    case serverError(Int)
    /// Answer 200 with a truncated, invalid JSON body.
    case malformedBody
    /// Wait this long before answering (to provoke client timeouts).
    case delay(Duration)
    /// The general API limit: 429 with `HTTP_X_RATELIMIT_RESET` = `reset` seconds.
    case rateLimited(reset: Int)
    /// The bank's per-account budget: 429 `RateLimitError` with the account-success headers
    /// and `HTTP_X_RATELIMIT_ACCOUNT_SUCCESS_RESET` = `reset` seconds (any value, bogus ones included).
    case accountRateLimited(reset: Int)
    /// Hostile: answer 200 and its headers at once, then the body one byte every `every`,
    /// never finishing (until the client goes away).
    case trickle(every: Duration)
    /// Hostile: answer `status` (e.g. 307, which keeps the method and body) with `Location: to`.
    case redirect(status: Int, to: String)
    /// Hostile: answer 401 echoing the submitted credentials back in the error body
    /// ("No active account found for secret_id …"), or the bearer token on other endpoints.
    case echoCredentials
}
