import Foundation
import Hummingbird
import Synchronization

/// A server standing for "another host" in hostile-provider tests: it answers 200 `{}` to
/// anything and records every request it gets, so a test can show that nothing (no secret,
/// no token, no key, no cookie) reached it. Address it as ``otherHostURL`` (`localhost`)
/// while the fakes live on `127.0.0.1`.
public final class FakeRecordingServer: Sendable {
    public let server: FakeProviderServer
    private let captured = Mutex<[String]>([])

    private init(server: FakeProviderServer) { self.server = server }

    public static func start() async throws -> FakeRecordingServer {
        let box = Box()
        let server = try await FakeProviderServer.start(name: "elsewhere") { request in
            var request = request
            let body = (try? await request.collectBody(upTo: 1 << 20)).map { String(buffer: $0) } ?? ""
            box.server.withLock { $0 }?.record("\(request.method) \(request.uri) \(request.headers) \(body)")
            return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: "{}")))
        }
        let recording = FakeRecordingServer(server: server)
        box.server.withLock { $0 = recording }
        return recording
    }

    /// `http://localhost:<port>`: the same machine under another host name.
    public var otherHostURL: String { "http://localhost:\(server.port)" }
    /// Every request received: method, URI, headers and body.
    public var requests: [String] { captured.withLock { $0 } }
    public func stop() async { await server.stop() }

    func record(_ s: String) { captured.withLock { $0.append(s) } }

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
