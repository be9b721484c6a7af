import CanonicalJSON

/// A successful answer: its JSON (number literals kept) and its rate-limit headers.
public struct GoCardlessResponse: Sendable {
    public var json: JSONValue
    public var rateLimit: RateLimitInfo
    public var status: Int
}
