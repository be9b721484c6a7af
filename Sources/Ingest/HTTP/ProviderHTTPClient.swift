import AsyncHTTPClient
import NIOCore

/// The one AsyncHTTPClient every provider call goes through (see ``ProviderHTTPTransport``).
///
/// Configured for calls that carry credentials to a provider:
/// - **redirects are never followed** (a 3xx comes back as is and the transport refuses it),
///   so a secret id/key, bearer token, API key or session cookie is never re-sent elsewhere;
/// - **a failed connection fails the request at once** instead of AsyncHTTPClient's default
///   of re-dialling until the request's deadline (nothing listening at a provider URL took
///   4 × 60 s and ended in "IOError"); retrying is the provider client's bounded policy;
/// - connecting gives up after ``connectTimeout``.
public final class ProviderHTTPClient: Sendable {
    /// Process-wide client with a 10 s connect timeout; never shut down (like `HTTPClient.shared`).
    public static let shared = ProviderHTTPClient(connectTimeout: .seconds(10), shutDownAllowed: false)

    public let connectTimeout: Duration
    let http: HTTPClient
    private let shutDownAllowed: Bool

    /// A client of its own, e.g. with another connect timeout; the caller must ``shutdown()`` it.
    public convenience init(connectTimeout: Duration) {
        self.init(connectTimeout: connectTimeout, shutDownAllowed: true)
    }

    private init(connectTimeout: Duration, shutDownAllowed: Bool) {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow,
                                                     timeout: .init(connect: TimeAmount(connectTimeout), read: nil))
        configuration.connectionPool.retryConnectionEstablishment = false
        self.connectTimeout = connectTimeout
        self.shutDownAllowed = shutDownAllowed
        self.http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    /// Closes the connections of a client made with ``init(connectTimeout:)`` (``shared`` stays up).
    public func shutdown() async throws {
        guard shutDownAllowed else { return }
        try await http.shutdown()
    }
}
