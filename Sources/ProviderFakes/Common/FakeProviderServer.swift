import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// A running fake provider on `127.0.0.1` and an ephemeral port.
///
/// Started with ``start(name:handler:)``; stop it with ``stop()`` (tests) or let the
/// process end (the sandbox demo).
public final class FakeProviderServer: Sendable {
    /// `http://127.0.0.1:<port>`.
    public let baseURL: String
    public let port: Int
    private let task: Task<Void, any Error>
    private let group: ServiceGroup

    init(baseURL: String, port: Int, task: Task<Void, any Error>, group: ServiceGroup) {
        self.baseURL = baseURL
        self.port = port
        self.task = task
        self.group = group
    }

    /// Serves `handler` until ``stop()``; returns once the port is bound.
    public static func start(name: String, handler: @escaping @Sendable (Request) async throws -> Response) async throws -> FakeProviderServer {
        let (portStream, portContinuation) = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "finsync.fake.\(name)")
        logger.logLevel = .warning
        let app = Application(
            responder: CallbackResponder<BasicRequestContext> { request, _ in try await handler(request) },
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: name),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        let task = Task { try await group.run() }
        var port = 0
        for await p in portStream { port = p; break }
        guard port > 0 else {
            task.cancel()
            throw FakeProviderServerError(message: "the \(name) fake server did not start")
        }
        return FakeProviderServer(baseURL: "http://127.0.0.1:\(port)", port: port, task: task, group: group)
    }

    /// Stops serving and waits until the server has shut down.
    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }
}
