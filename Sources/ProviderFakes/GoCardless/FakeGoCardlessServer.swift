import CanonicalJSON
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// A local GoCardless Bank Account Data API (v2) on 127.0.0.1, serving a
/// ``GoCardlessScenario``: tokens (JWTs with `exp`, 401 "Invalid token" when expired),
/// institutions, agreements, paginated requisitions (absolute `next` URLs), accounts,
/// details, balances and transactions (filtered on booking *or* value date), per-account
/// per-scope success quotas (429 `RateLimitError` + `HTTP_X_RATELIMIT_*` headers), expired
/// agreements (401), suspension (409) and injected faults (5xx, malformed bodies, delays).
public final class FakeGoCardlessServer: Sendable {
    public let scenario: GoCardlessScenario
    /// e.g. `http://127.0.0.1:54321/api/v2`.
    public let baseURL: String
    public let port: Int
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    private init(scenario: GoCardlessScenario, port: Int, group: ServiceGroup, task: Task<Void, any Error>) {
        self.scenario = scenario
        self.port = port
        self.baseURL = "http://127.0.0.1:\(port)/api/v2"
        self.group = group
        self.task = task
    }

    /// Starts a server on an ephemeral loopback port and returns once it accepts connections.
    public static func start(scenario: GoCardlessScenario, logger: Logger = Logger(label: "finsync.fake.gocardless", factory: { _ in SwiftLogNoOpLogHandler() })) async throws -> FakeGoCardlessServer {
        let (portStream, portContinuation) = AsyncStream<Int>.makeStream()
        let origin = PortBox()
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            await FakeGoCardlessRouter(scenario: scenario, origin: origin.value).respond(to: request)
        }
        let app = Application(responder: responder, configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "fake-gocardless"),
                              onServerRunning: { channel in
                                  portContinuation.yield(channel.localAddress?.port ?? 0)
                                  portContinuation.finish()
                              }, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        let task = Task { try await group.run() }
        var port = 0
        for await p in portStream { port = p }
        guard port > 0 else {
            task.cancel()
            throw FakeServerError(message: "the fake GoCardless server did not start")
        }
        origin.set("http://127.0.0.1:\(port)")
        return FakeGoCardlessServer(scenario: scenario, port: port, group: group, task: task)
    }

    /// Stops the server and waits until it has.
    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }
}
