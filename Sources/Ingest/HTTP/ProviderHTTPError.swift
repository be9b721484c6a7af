/// A provider request that got no usable HTTP answer: the connection failed, the deadline
/// passed, or the provider redirected a request that carries credentials.
///
/// Names the endpoint (`GET /path`, no query, no ids beyond what the caller put in it) and
/// the host; never a header, a body or a credential.
public struct ProviderHTTPError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// Nothing accepted the connection (refused, unreachable, unknown host, connect timeout).
        public static let connectFailed = Code("connect-failed")
        /// The request's overall deadline (connect, headers and body) passed.
        public static let deadlineExceeded = Code("deadline-exceeded")
        /// A 3xx answer: credentialed requests are never redirected.
        public static let redirectRefused = Code("redirect-refused")
        /// The body was larger than the transport accepts.
        public static let bodyTooLarge = Code("body-too-large")
        /// The connection broke after it was made (reset, closed early, TLS).
        public static let transport = Code("transport")
    }

    public var code: Code
    /// e.g. `POST /token/new/`.
    public var endpoint: String
    /// `host:port` of the request.
    public var hostPort: String
    /// What happened, in words (already names the endpoint or host where useful).
    public var message: String
    /// For redirects: the status answered.
    public var status: Int?

    public init(code: Code, endpoint: String, hostPort: String, message: String, status: Int? = nil) {
        self.code = code
        self.endpoint = endpoint
        self.hostPort = hostPort
        self.message = message
        self.status = status
    }

    /// Whether asking again may help (not for redirects or oversized bodies).
    public var isTransient: Bool { code == .connectFailed || code == .deadlineExceeded || code == .transport }

    public var description: String { message }
}
