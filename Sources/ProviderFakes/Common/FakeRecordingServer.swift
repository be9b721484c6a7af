import Foundation
import Hummingbird
import Synchronization

/// A server that records every request it gets and answers with a scripted status.
///
/// - Hostile-provider tests use it as "another host": it answers 200 `{}` to anything, so a
///   test can show that nothing (no secret, no token, no key, no cookie) reached it.
///   Address it as ``otherHostURL`` (`localhost`) while the fakes live on `127.0.0.1`.
/// - Notification tests use it as a webhook: ``start(status:)`` decides each answer's
///   status from the request's number (0 for the first), e.g. 500 then 200.
public final class FakeRecordingServer: Sendable {
    /// One request as received.
    public struct Recorded: Sendable, Hashable {
        public var method: String
        public var uri: String
        /// Header names as sent (lower-cased by the server) and values.
        public var headers: [String: String]
        public var body: String
    }

    public let server: FakeProviderServer
    private let captured = Mutex<[Recorded]>([])

    private init(server: FakeProviderServer) { self.server = server }

    /// Starts a server answering `status(n)` (with body `{}`) to its `n`-th request (from 0);
    /// 200 to everything by default.
    public static func start(status: @escaping @Sendable (Int) -> Int = { _ in 200 }) async throws -> FakeRecordingServer {
        let box = Box()
        let server = try await FakeProviderServer.start(name: "elsewhere") { request in
            var request = request
            let body = (try? await request.collectBody(upTo: 1 << 20)).map { String(buffer: $0) } ?? ""
            var headers: [String: String] = [:]
            for h in request.headers { headers[h.name.canonicalName] = h.value }
            let n = box.server.withLock { $0 }?.record(Recorded(method: "\(request.method)", uri: request.uri.description, headers: headers, body: body)) ?? 0
            return Response(status: .init(code: status(n)), headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: "{}")))
        }
        let recording = FakeRecordingServer(server: server)
        box.server.withLock { $0 = recording }
        return recording
    }

    /// `http://localhost:<port>`: the same machine under another host name.
    public var otherHostURL: String { "http://localhost:\(server.port)" }
    /// `http://127.0.0.1:<port>`.
    public var baseURL: String { server.baseURL }
    /// Every request received: method, URI, headers and body, as one line each.
    public var requests: [String] { recorded.map { "\($0.method) \($0.uri) \($0.headers.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }) \($0.body)" } }
    /// Every request received, in order.
    public var recorded: [Recorded] { captured.withLock { $0 } }
    public func stop() async { await server.stop() }

    /// Stores a request and returns its number (from 0).
    func record(_ r: Recorded) -> Int { captured.withLock { $0.append(r); return $0.count - 1 } }

    private final class Box: Sendable {
        /// Set right after the server starts, before anything is sent to it.
        let server = Mutex<FakeRecordingServer?>(nil)
    }

    /// A loopback port nothing listens on (a server's, after it stopped): for "nothing
    /// listening at the provider URL".
    public static func closedLoopbackPort() async throws -> Int {
        let s = try await FakeProviderServer.start(name: "closed") { _ in Response(status: .ok) }
        let port = s.port
        await s.stop()
        return port
    }
}
