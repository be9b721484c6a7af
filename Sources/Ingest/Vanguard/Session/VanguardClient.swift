import AsyncHTTPClient
import CanonicalJSON
import Foundation
import NIOCore

/// Calls Vanguard UK Investor's internal JSON endpoints with a browser session.
///
/// Every request carries the session cookies, `X-Requested-With: XMLHttpRequest` and the
/// `anti-forgery-token` header; answers are `{"Result": …}` and ``get(_:)`` / ``post(_:body:)``
/// return the unwrapped `Result`. 401 and 403 throw `.sessionRejected` at once: no retry,
/// because repeated rejected requests risk locking the person's account.
public struct VanguardClient: Sendable {
    public let connection: String
    let session: VanguardSession
    let http: HTTPClient
    public var requestTimeout: TimeAmount = .seconds(60)

    public init(connection: String, session: VanguardSession, httpClient: HTTPClient) {
        self.connection = connection
        self.session = session
        self.http = httpClient
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
        var request = HTTPClientRequest(url: session.baseURL + pathAndQuery)
        request.method = body == nil ? .GET : .POST
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "X-Requested-With", value: "XMLHttpRequest")
        request.headers.add(name: "anti-forgery-token", value: session.antiForgeryToken)
        request.headers.add(name: "Cookie", value: session.cookieHeader)
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body.canonicalBytes))
        }
        let response: HTTPClientResponse, bytes: [UInt8]
        do {
            response = try await http.execute(request, timeout: requestTimeout)
            bytes = Array(try await response.body.collect(upTo: 64 << 20).readableBytesView)
        } catch {
            throw fail(.transport, nil, "no answer from \(session.baseURL): \(type(of: error))")
        }
        let status = Int(response.status.code)
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
