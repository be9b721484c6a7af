import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix

/// How every provider client (GoCardless, Trading212, Vanguard) makes a request: one
/// place owns the deadline, the connect timeout, the no-redirect policy and the mapping
/// of transport failures to messages a person can act on.
///
/// - Each request has an overall deadline (``Limits/requestDeadline``) covering connecting,
///   the headers *and* the body: a provider that sends its headers and then a byte every
///   two seconds is cut off, where AsyncHTTPClient's own deadline stops at the headers.
/// - Connecting fails fast (``ProviderHTTPClient``) with "could not connect to HOST:PORT".
/// - A 3xx answer is never followed: every provider request carries credentials (a secret
///   in the body, a bearer token, an API key, session cookies), so it is an error naming the
///   endpoint and where it pointed.
/// - Retrying is not done here: GoCardless and Enable Banking wrap it in ``RetryingRequest``,
///   Trading212 has its own policy (see ``ProviderHTTPError/isTransient``).
public struct ProviderHTTPTransport: Sendable {
    /// Bounds of one request.
    public struct Limits: Sendable, Hashable {
        /// Connecting, sending, the response headers and the whole body, together.
        public var requestDeadline: Duration
        /// A larger body fails with `body-too-large` (the Trading212 instrument list is ~5 MB).
        public var maxBodyBytes: Int

        public init(requestDeadline: Duration = .seconds(60), maxBodyBytes: Int = 256 << 20) {
            self.requestDeadline = requestDeadline
            self.maxBodyBytes = maxBodyBytes
        }
    }

    public let client: ProviderHTTPClient
    public let limits: Limits

    public init(limits: Limits = Limits(), client: ProviderHTTPClient = .shared) {
        self.limits = limits
        self.client = client
    }

    /// Sends one request and returns the complete answer, whatever its status (except 3xx).
    ///
    /// - Parameters:
    ///   - endpoint: how errors name the request, e.g. `POST /token/new/` (no query, no secrets).
    /// - Throws: ``ProviderHTTPError`` when there is no usable answer; `CancellationError` when cancelled.
    public func send(_ method: String, url: String, headers: [(name: String, value: String)] = [], body: [UInt8]? = nil,
                     endpoint: String) async throws -> ProviderHTTPResponse {
        var built = HTTPClientRequest(url: url)
        built.method = .RAW(value: method)
        for h in headers { built.headers.add(name: h.name, value: h.value) }
        if let body { built.body = .bytes(ByteBuffer(bytes: body)) }
        let request = built
        let target = ProviderHTTPTransport.hostPort(of: url)
        let http = client.http, limits = self.limits
        let response: ProviderHTTPResponse
        do {
            response = try await withDeadline(limits.requestDeadline) {
                let r = try await http.execute(request, deadline: .now() + TimeAmount(limits.requestDeadline))
                let bytes = try await r.body.collect(upTo: limits.maxBodyBytes)
                return ProviderHTTPResponse(status: Int(r.status.code), headers: r.headers.map { ($0.name, $0.value) }, body: Array(bytes.readableBytesView))
            }
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            if Task.isCancelled { throw CancellationError() }
            throw classify(error, endpoint: endpoint, hostPort: target)
        }
        if (300..<400).contains(response.status) {
            let location = response.headers.first { $0.name.lowercased() == "location" }?.value
            let to = location.flatMap { URL(string: $0, relativeTo: URL(string: url))?.absoluteURL.absoluteString }.map(ProviderHTTPTransport.hostPort(of:)) ?? "an unnamed location"
            let elsewhere = to == target ? "" : " on another host"
            throw ProviderHTTPError(code: .redirectRefused, endpoint: endpoint, hostPort: target,
                                    message: "\(endpoint) on \(target) answered \(response.status), redirecting to \(to)\(elsewhere); refused: requests carrying credentials are never redirected (check the configured base URL)",
                                    status: response.status)
        }
        return response
    }

    /// What a failure was, in words naming the endpoint or host (never the request itself).
    func classify(_ error: any Error, endpoint: String, hostPort: String) -> ProviderHTTPError {
        func connect(_ why: String) -> ProviderHTTPError {
            ProviderHTTPError(code: .connectFailed, endpoint: endpoint, hostPort: hostPort, message: "could not connect to \(hostPort) (\(why)) for \(endpoint)")
        }
        let deadline = ProviderHTTPError(code: .deadlineExceeded, endpoint: endpoint, hostPort: hostPort,
                                         message: "\(DeadlineExceeded(limit: limits.requestDeadline)) for \(endpoint) on \(hostPort)")
        switch error {
        case is DeadlineExceeded:
            return deadline
        case let e as HTTPClientError:
            switch e {
            case .deadlineExceeded, .readTimeout, .writeTimeout: return deadline
            case .connectTimeout: return connect("no answer within the connect timeout of \(DeadlineExceeded.format(client.connectTimeout))")
            default: break
            }
        case is NIOTooManyBytesError:
            return ProviderHTTPError(code: .bodyTooLarge, endpoint: endpoint, hostPort: hostPort,
                                     message: "\(endpoint) on \(hostPort) answered with a body larger than \(limits.maxBodyBytes) bytes")
        case let e as NIOConnectionError:
            if e.dnsAError != nil && e.dnsAAAAError != nil && e.connectionErrors.isEmpty { return connect("host not found") }
            if let first = e.connectionErrors.first { return classify(first.error, endpoint: endpoint, hostPort: hostPort) }
            return connect("no address answered")
        case let e as IOError where ProviderHTTPTransport.connectErrnos.contains(e.errnoCode):
            return connect(String(cString: strerror(e.errnoCode)).lowercased())
        case ChannelError.connectTimeout:
            return connect("no answer within the connect timeout of \(DeadlineExceeded.format(client.connectTimeout))")
        default: break
        }
        return ProviderHTTPError(code: .transport, endpoint: endpoint, hostPort: hostPort,
                                 message: "the connection to \(hostPort) failed during \(endpoint) (\(ProviderHTTPTransport.describe(error)))")
    }

    static let connectErrnos: Set<Int32> = [ECONNREFUSED, EHOSTUNREACH, ENETUNREACH, ETIMEDOUT, EADDRNOTAVAIL, EHOSTDOWN]

    /// A short name for a low-level error: its type and, for errno errors, the reason.
    static func describe(_ error: any Error) -> String {
        if let e = error as? IOError { return String(cString: strerror(e.errnoCode)).lowercased() }
        if let e = error as? HTTPClientError { return "\(e)" }
        return "\(type(of: error))"
    }

    /// `host:port` of a URL (port filled in from the scheme).
    public static func hostPort(of url: String) -> String {
        guard let u = URLComponents(string: url), let host = u.host, !host.isEmpty else { return "an unparsable URL" }
        let port = u.port ?? (u.scheme?.lowercased() == "https" ? 443 : 80)
        return "\(host):\(port)"
    }
}
