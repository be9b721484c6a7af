import CanonicalJSON
import Foundation

/// Calls Vanguard UK Investor's internal JSON endpoints with a browser session.
///
/// Every request carries the session cookies, `X-Requested-With: XMLHttpRequest` and the
/// `anti-forgery-token` header; answers are `{"Result": …}` and ``get(_:)`` / ``post(_:body:)``
/// return the unwrapped `Result`. 401 and 403 throw `.sessionRejected` at once: no retry,
/// because repeated rejected requests risk locking the person's account. Requests go
/// through ``ProviderHTTPTransport``: an overall deadline, fast connect failures, and a
/// redirect (which would carry the session cookies elsewhere) is an error, never followed.
public struct VanguardClient: Sendable {
    public let connection: String
    let session: VanguardSession
    let transport: ProviderHTTPTransport

    public init(connection: String, session: VanguardSession, transport: ProviderHTTPTransport = ProviderHTTPTransport()) {
        self.connection = connection
        self.session = session
        self.transport = transport
    }

    public func get(_ pathAndQuery: String) async throws -> JSONValue {
        try await send(pathAndQuery, body: nil)
    }

    public func post(_ path: String, body: JSONValue) async throws -> JSONValue {
        try await send(path, body: body)
    }

    func send(_ pathAndQuery: String, body: JSONValue?) async throws -> JSONValue {
        let endpoint = String(pathAndQuery.split(separator: "?", maxSplits: 1).first ?? "")
        func fail(_ code: VanguardError.Code, _ status: Int?, _ message: String) -> VanguardError {
            VanguardError(code: code, connection: connection, endpoint: endpoint, status: status, message: message)
        }
        let method = body == nil ? "GET" : "POST"
        var headers: [(name: String, value: String)] = [("Accept", "application/json"), ("X-Requested-With", "XMLHttpRequest"),
                                                        ("anti-forgery-token", session.antiForgeryToken), ("Cookie", session.cookieHeader)]
        if body != nil { headers.append(("Content-Type", "application/json")) }
        let response: ProviderHTTPResponse
        do {
            response = try await transport.send(method, url: session.baseURL + pathAndQuery, headers: headers, body: body?.canonicalBytes, endpoint: "\(method) \(endpoint)")
        } catch let e as ProviderHTTPError {
            throw fail(e.code == .redirectRefused ? .redirectRefused : .transport, e.status, e.message)
        }
        let bytes = response.body
        let status = response.status
        switch status {
        case 200..<300:
            guard let json = try? JSONValue.parse(bytes) else { throw fail(.malformedResponse, status, "the body is not JSON") }
            guard let result = json["Result"] else { throw fail(.malformedResponse, status, "the answer has no \"Result\"") }
            return result
        case 401, 403:
            throw fail(.sessionRejected, status, "Vanguard no longer accepts this session (it expired or was signed out)")
        default:
            throw fail(.httpStatus, status, "unexpected status")
        }
    }
}
